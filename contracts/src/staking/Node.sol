// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INode} from "./interfaces/INode.sol";
import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {PoolLogic} from "./PoolLogic.sol";
import {NodeAccounting as A} from "./libraries/NodeAccounting.sol";

/// @title Node
/// @notice A pool node's logic; see `INode`. Registered in the pool's storage as `"Node"`.
contract Node is INode, PoolLogic {
    /// @inheritdoc INode
    uint256 public constant override MAX_FEE_BPS = 5_000;

    constructor(IPoolStorage pool) PoolLogic(pool) {}

    // ------------------------------------------------------------------ stakers

    /// @inheritdoc INode
    function withdraw(address node, uint256 amount) external override nonReentrant {
        IPoolStorage s = A.storageOf(POOL, node);
        (uint256 paid, uint256 burned) = A.withdraw(s, node, msg.sender, amount);
        emit Withdrawn(node, msg.sender, paid, burned);
        if (paid != 0) s.payStaker(msg.sender, paid);
    }

    /// @inheritdoc INode
    function claim(address node) external override nonReentrant {
        IPoolStorage s = A.storageOf(POOL, node);
        uint256 amount = A.claim(s, msg.sender);
        emit Claimed(node, msg.sender, amount);
        s.payStaker(msg.sender, amount);
    }

    /// @inheritdoc INode
    function distribute(address node) external override nonReentrant returns (uint256) {
        IPoolStorage s = A.storageOf(POOL, node);
        A.Distribution memory d = A.distribute(s, ILinkToken(LINK).balanceOf(address(s)));
        if (d.earnings == 0) return 0;
        emit Distributed(node, d.earnings, d.toOwners, d.toStakers);
        if (d.toOwners != 0) s.payOwners(d.toOwners);
        return d.earnings;
    }

    // ------------------------------------------------------------------ penalties

    /// @inheritdoc INode
    function depositPenalty(address node, address target, uint256 amount, bytes calldata data)
        external
        override
        nonReentrant
    {
        if (msg.sender != node) revert NotNodeOperator(msg.sender, node);
        IPoolStorage s = A.storageOf(POOL, node);
        if (amount == 0) revert ZeroAmount();
        uint256 status = s.getUint(A.STATUS);
        if (status != uint256(NodeStatus.Active)) revert NodeNotActive(node, NodeStatus(status));
        uint256 totalStake = s.getUint(A.TOTAL_STAKE);
        uint256 atRisk = s.getUint(A.PENALTIES_AT_RISK);
        if (amount > totalStake - atRisk) revert StakeAtRisk(node, totalStake - atRisk, amount);
        bytes32 heldKey = A.atRiskWithKey(target);
        s.setUint(A.PENALTIES_AT_RISK, atRisk + amount);
        s.setUint(heldKey, s.getUint(heldKey) + amount);
        emit PenaltyDeposited(node, target, amount);
        // The storage checks that `target` is whitelisted and has code.
        s.depositPenalty(target, amount, data);
    }

    /// @inheritdoc INode
    function forfeitPenalty(address node, uint256 amount) external override nonReentrant {
        IPoolStorage s = A.storageOf(POOL, node);
        _release(s, node, msg.sender, amount, true);
        // The stakers lose the forfeit pro rata: a lower total stake behind the same shares.
        uint256 totalStake = s.getUint(A.TOTAL_STAKE) - amount;
        s.setUint(A.TOTAL_STAKE, totalStake);
        s.setUint(A.TOTAL_FORFEITED, s.getUint(A.TOTAL_FORFEITED) + amount);
        emit PenaltyForfeited(node, msg.sender, amount);
        if (totalStake == 0 && s.getUint(A.TOTAL_SHARES) != 0 && s.getUint(A.STATUS) != uint256(NodeStatus.Closed)) {
            s.setUint(A.STATUS, uint256(NodeStatus.Closed));
            emit StatusChanged(node, NodeStatus.Closed);
        }
    }

    /// @notice Refund of a penalty deposit: a whitelisted network contract sends LINK back with
    /// `transferAndCall(node contract, amount, abi.encode(node))`, for at most what it holds of
    /// that node. The LINK goes on to the node's storage.
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external override nonReentrant {
        if (msg.sender != LINK) revert NotLink(msg.sender);
        address node = abi.decode(data, (address));
        IPoolStorage s = A.storageOf(POOL, node);
        _release(s, node, sender, amount, false);
        emit PenaltyRefunded(node, sender, amount);
        if (!ILinkToken(LINK).transfer(address(s), amount)) revert IPoolStorage.TransferFailed(address(s), amount);
    }

    /// @dev Takes `amount` off what `holder` holds of the node's deposits, and off the node's
    /// total at risk. Only a holder of at least `amount` passes; a forfeit also needs the holder
    /// to be whitelisted still (a refund does not: a removed contract can still give LINK back).
    function _release(IPoolStorage s, address node, address holder, uint256 amount, bool forfeit) private {
        if (amount == 0) revert ZeroAmount();
        bytes32 heldKey = A.atRiskWithKey(holder);
        uint256 held = s.getUint(heldKey);
        if (held < amount || (forfeit && !POOL.isWhitelisted(holder))) {
            revert PenaltyNotHeld(holder, node, held, amount);
        }
        s.setUint(heldKey, held - amount);
        s.setUint(A.PENALTIES_AT_RISK, s.getUint(A.PENALTIES_AT_RISK) - amount);
    }

    // ------------------------------------------------------------------ admin

    /// @inheritdoc INode
    function setStatus(address node, NodeStatus status) external override onlyAdmin {
        IPoolStorage s = A.storageOf(POOL, node);
        if (status == NodeStatus.None) revert InvalidStatus(status);
        if (s.getUint(A.STATUS) == uint256(NodeStatus.Closed)) revert NodeClosed(node);
        s.setUint(A.STATUS, uint256(status));
        emit StatusChanged(node, status);
    }

    /// @inheritdoc INode
    function setStakeLimit(address node, uint256 limit) external override onlyAdmin {
        IPoolStorage s = A.storageOf(POOL, node);
        s.setUint(A.STAKE_LIMIT, limit);
        emit StakeLimitChanged(node, limit);
    }

    /// @inheritdoc INode
    function setFees(address node, uint256 operationalCostBps, uint256 makersBps) external override onlyAdmin {
        if (operationalCostBps > MAX_FEE_BPS) revert FeeTooHigh(operationalCostBps, MAX_FEE_BPS);
        if (makersBps > MAX_FEE_BPS) revert FeeTooHigh(makersBps, MAX_FEE_BPS);
        IPoolStorage s = A.storageOf(POOL, node);
        s.setUint(A.OPERATIONAL_COST_BPS, operationalCostBps);
        s.setUint(A.MAKERS_BPS, makersBps);
        emit FeesChanged(node, operationalCostBps, makersBps);
    }
}
