// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorage} from "../staking/interfaces/IPoolStorage.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";

/// @title DrainingLogic
/// @notice **Test harness**: a malicious replacement logic contract. Once it is a logic contract of
/// the pool (after the public upgrade delay), it tries to send a node storage's LINK to `thief`.
/// Custody tests show it fails before its delay, and that stakers leave in time.
contract DrainingLogic {
    /// @notice Tries every way out of the storage: pay the thief as a "staker", as "owners", and
    /// as a "penalty deposit".
    function drain(IPoolStorage nodeStorage, address thief) external {
        uint256 balance = ILinkToken(nodeStorage.LINK()).balanceOf(address(nodeStorage));
        nodeStorage.payStaker(thief, balance);
    }

    /// @notice Tries to send the storage's LINK to `target` as a penalty deposit.
    function drainAsPenalty(IPoolStorage nodeStorage, address target) external {
        uint256 balance = ILinkToken(nodeStorage.LINK()).balanceOf(address(nodeStorage));
        nodeStorage.depositPenalty(target, balance, "");
    }
}
