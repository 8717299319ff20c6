// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWeightSource} from "./interfaces/IWeightSource.sol";
import {ILinkPool} from "../staking/interfaces/ILinkPool.sol";
import {IPoolStorage} from "../staking/interfaces/IPoolStorage.sol";

/// @title LinkPoolStakeWeights
/// @notice Weighs an oracle by the LINK staked behind it in a LinkPool: the weight of a LinkPool
/// node is its total stake (`ILinkPool.totalStakeOf`: juels, forfeits deducted, including stake
/// out as penalty deposits), whatever its status; an address that is not a node of the pool
/// weighs 0.
///
/// It holds the pool's storage (the registry, which never moves) and looks up the current
/// `"LinkPool"` there at each call, so an upgrade of `LinkPool` through the registry needs no new
/// weight source. Never reverts for an unknown address; reverts `LinkPoolNotRegistered` only if the
/// registry has no `LinkPool` (an aggregator then counts the oracle as weight 0).
contract LinkPoolStakeWeights is IWeightSource {
    /// @notice The pool storage given to the constructor has no code.
    /// @param account The address given.
    error NotAContract(address account);
    /// @notice The contract given to the constructor is not a pool's storage (it is e.g. a node's
    /// storage, or a logic contract such as `LinkPool`).
    /// @param account The address given.
    error NotPoolStorage(address account);
    /// @notice The pool's registry has no contract under `"LinkPool"`.
    /// @param poolStorage The registry asked.
    error LinkPoolNotRegistered(address poolStorage);

    bytes32 private constant LINK_POOL = keccak256("LinkPool");

    /// @notice The pool's storage, whose registry names the current `LinkPool`.
    IPoolStorage public immutable poolStorage;

    /// @param poolStorage_ The pool's storage (its registry: `IPoolStorage.POOL()` is itself),
    /// not a node's storage nor a logic contract.
    constructor(IPoolStorage poolStorage_) {
        if (address(poolStorage_).code.length == 0) revert NotAContract(address(poolStorage_));
        try poolStorage_.POOL() returns (address pool) {
            if (pool != address(poolStorage_)) revert NotPoolStorage(address(poolStorage_));
        } catch {
            revert NotPoolStorage(address(poolStorage_));
        }
        poolStorage = poolStorage_;
    }

    /// @notice The pool's current `LinkPool` entry point (from the registry).
    function linkPool() public view returns (ILinkPool pool) {
        pool = ILinkPool(poolStorage.contractAddress(LINK_POOL));
        if (address(pool) == address(0)) revert LinkPoolNotRegistered(address(poolStorage));
    }

    /// @inheritdoc IWeightSource
    /// @dev `linkPool().totalStakeOf(oracle)`: 0 for an address that is not a node.
    function weightOf(address oracle) external view override returns (uint256) {
        return linkPool().totalStakeOf(oracle);
    }
}
