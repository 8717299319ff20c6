// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWeightSource} from "./interfaces/IWeightSource.sol";
import {ILinkPool} from "../staking/interfaces/ILinkPool.sol";

/// @title LinkPoolStakeWeights
/// @notice Weighs an oracle by the LINK staked behind it in a LinkPool: the weight of a LinkPool
/// node is its `totalStake` (juels, forfeits deducted, including stake out as penalty deposits),
/// whatever its status; an address that is not a node of the pool weighs 0. Never reverts for
/// an unknown address (it asks `storageOf` before `nodeInfo`, which would revert `UnknownNode`).
contract LinkPoolStakeWeights is IWeightSource {
    /// @notice The pool given to the constructor has no code.
    /// @param account The address given.
    error NotAContract(address account);

    /// @notice The LinkPool entry point whose nodes' stakes are the weights.
    ILinkPool public immutable pool;

    /// @param pool_ The pool's `LinkPool` entry point.
    constructor(ILinkPool pool_) {
        if (address(pool_).code.length == 0) revert NotAContract(address(pool_));
        pool = pool_;
    }

    /// @inheritdoc IWeightSource
    function weightOf(address oracle) external view override returns (uint256) {
        if (pool.storageOf(oracle) == address(0)) return 0;
        return pool.nodeInfo(oracle).totalStake;
    }
}
