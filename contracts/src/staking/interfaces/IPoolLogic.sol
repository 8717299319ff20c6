// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorage} from "./IPoolStorage.sol";

/// @title IPoolLogic
/// @notice What every logic contract of the staking suite has: the pool's storage it was built
/// with (the one address that never changes; other logic contracts are looked up in its
/// registry), the LINK token, and the errors of the shared admin check and reentrancy guard.
interface IPoolLogic {
    /// @notice The caller is not the pool's admin (`IPoolStorage.admin`).
    error NotAdmin(address caller);
    /// @notice A function that moves LINK was re-entered.
    error ReentrantCall();

    /// @notice The pool's storage: registry, whitelist and pool-level data.
    function POOL() external view returns (IPoolStorage);
    /// @notice The LINK token.
    function LINK() external view returns (address);
}
