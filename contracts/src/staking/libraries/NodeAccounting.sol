// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorage} from "../interfaces/IPoolStorage.sol";
import {INode} from "../interfaces/INode.sol";
import {FullMath} from "./FullMath.sol";

/// @title NodeAccounting
/// @notice A node's stake and reward accounting, kept in the node's `PoolStorage` under the keys
/// below, and shared by `NodeStaking` (stakes in), `Node` (withdrawals, claims, distribution,
/// penalties) and `LinkPool` (getters). O(1) in the number of stakers.
///
/// Stakes are shares. A stake of `amount` LINK mints `amount * totalShares / totalStake` shares
/// (1:1 for the first staker), rounded down; a staker's stake is `shares * totalStake /
/// totalShares`, rounded down; a withdrawal of `amount` burns `amount * totalShares / totalStake`
/// shares, rounded up. Every rounding favours the stakers who stay. A forfeited penalty lowers
/// `totalStake` and with it every staker's stake pro rata, without touching any staker's record.
/// Shares only ever get cheaper (forfeits), never dearer: LINK sent to the storage is earnings,
/// not stake, so the first-depositor inflation attack has no lever. These products go through
/// `FullMath` (512-bit), as shares get numerous after large forfeits.
///
/// Rewards use a reward-per-share accumulator `acc`, scaled by `ACC_PRECISION`: a distribution of
/// `R` juels to stakers adds `(R * ACC_PRECISION + remainder) / totalShares` and carries the new
/// remainder, so no juel is lost at the accumulator. Each staker's credit is kept scaled too
/// (`credited += shares * (acc - snapshot)`, exact), and only a claim rounds it down to juels. So
/// a staker's claims are never more than the exact rational `Σ S/T·R`, and less by under one juel
/// (plus `shares / ACC_PRECISION` juel per distribution, far below one). The difference is dust:
/// `rewardsOutstanding` counts, exactly, the juels distributed to stakers and not yet claimed, and
/// `rewardsOutstanding - Σ claimable` is the dust, at most one juel per staker.
///
/// LINK held by the storage = `totalStake - penaltiesAtRisk` (stakes at home) + `rewardsOutstanding`
/// + earnings not yet distributed. `distribute` takes that last term from the storage's balance.
library NodeAccounting {
    /// @notice Scale of the reward-per-share accumulator.
    uint256 internal constant ACC_PRECISION = 1e36;
    /// @notice Basis points in 100 %.
    uint256 internal constant BPS = 10_000;

    bytes32 internal constant TOTAL_SHARES = keccak256("node.totalShares");
    bytes32 internal constant TOTAL_STAKE = keccak256("node.totalStake");
    bytes32 internal constant ACC = keccak256("node.accRewardPerShare");
    bytes32 internal constant ACC_REMAINDER = keccak256("node.accRemainder");
    bytes32 internal constant REWARDS_OUTSTANDING = keccak256("node.rewardsOutstanding");
    bytes32 internal constant PENALTIES_AT_RISK = keccak256("node.penaltiesAtRisk");
    bytes32 internal constant STAKERS = keccak256("node.stakers");
    bytes32 internal constant STATUS = keccak256("node.status");
    bytes32 internal constant STAKE_LIMIT = keccak256("node.stakeLimit");
    bytes32 internal constant OPERATIONAL_COST_BPS = keccak256("node.operationalCostBps");
    bytes32 internal constant MAKERS_BPS = keccak256("node.makersBps");
    bytes32 internal constant TOTAL_EARNINGS = keccak256("node.totalEarnings");
    bytes32 internal constant TOTAL_TO_OWNERS = keccak256("node.totalToOwners");
    bytes32 internal constant TOTAL_FORFEITED = keccak256("node.totalForfeited");

    /// @notice Pool-level key: the storage of node `node` (in the pool's storage).
    function storageKey(address node) internal pure returns (bytes32) {
        return keccak256(abi.encode("pool.node.storage", node));
    }

    /// @notice Pool-level key: the number of nodes.
    bytes32 internal constant NODE_COUNT = keccak256("pool.nodes.count");

    /// @notice Pool-level key: the `index`-th node.
    function nodeKey(uint256 index) internal pure returns (bytes32) {
        return keccak256(abi.encode("pool.nodes", index));
    }

    function sharesKey(address staker) internal pure returns (bytes32) {
        return keccak256(abi.encode("staker.shares", staker));
    }

    function snapshotKey(address staker) internal pure returns (bytes32) {
        return keccak256(abi.encode("staker.accSnapshot", staker));
    }

    function creditedKey(address staker) internal pure returns (bytes32) {
        return keccak256(abi.encode("staker.credited", staker));
    }

    function atRiskWithKey(address target) internal pure returns (bytes32) {
        return keccak256(abi.encode("node.penaltyAtRisk", target));
    }

    // ------------------------------------------------------------------ reads

    /// @notice The storage of `node`, or revert `UnknownNode`.
    function storageOf(IPoolStorage pool, address node) internal view returns (IPoolStorage s) {
        s = IPoolStorage(pool.getAddress(storageKey(node)));
        if (address(s) == address(0)) revert INode.UnknownNode(node);
    }

    /// @notice A staker's record: shares, accumulator snapshot and scaled credit.
    struct Staker {
        uint256 shares;
        uint256 snapshot;
        uint256 credited;
    }

    function _keys3(bytes32 a, bytes32 b, bytes32 c) private pure returns (bytes32[] memory k) {
        k = new bytes32[](3);
        (k[0], k[1], k[2]) = (a, b, c);
    }

    function readStaker(IPoolStorage s, address staker) internal view returns (Staker memory st) {
        uint256[] memory v = s.getUints(_keys3(sharesKey(staker), snapshotKey(staker), creditedKey(staker)));
        (st.shares, st.snapshot, st.credited) = (v[0], v[1], v[2]);
    }

    function writeStaker(IPoolStorage s, address staker, Staker memory st) internal {
        uint256[] memory v = new uint256[](3);
        (v[0], v[1], v[2]) = (st.shares, st.snapshot, st.credited);
        s.setUints(_keys3(sharesKey(staker), snapshotKey(staker), creditedKey(staker)), v);
    }

    /// @notice The node-wide totals the stake paths need.
    struct Totals {
        uint256 totalShares;
        uint256 totalStake;
        uint256 acc;
        uint256 penaltiesAtRisk;
        uint256 stakers;
    }

    function _totalsKeys() private pure returns (bytes32[] memory k) {
        k = new bytes32[](5);
        (k[0], k[1], k[2], k[3], k[4]) = (TOTAL_SHARES, TOTAL_STAKE, ACC, PENALTIES_AT_RISK, STAKERS);
    }

    function readTotals(IPoolStorage s) internal view returns (Totals memory t) {
        uint256[] memory v = s.getUints(_totalsKeys());
        (t.totalShares, t.totalStake, t.acc, t.penaltiesAtRisk, t.stakers) = (v[0], v[1], v[2], v[3], v[4]);
    }

    function writeTotals(IPoolStorage s, Totals memory t) internal {
        uint256[] memory v = new uint256[](5);
        (v[0], v[1], v[2], v[3], v[4]) = (t.totalShares, t.totalStake, t.acc, t.penaltiesAtRisk, t.stakers);
        s.setUints(_totalsKeys(), v);
    }

    /// @notice Brings a staker's scaled credit up to `acc` (exact; no rounding).
    function settle(Staker memory st, uint256 acc) internal pure {
        st.credited += st.shares * (acc - st.snapshot);
        st.snapshot = acc;
    }

    /// @notice LINK value of `shares`, rounded down.
    function valueOf(Totals memory t, uint256 shares) internal pure returns (uint256) {
        if (t.totalShares == 0) return 0;
        return FullMath.mulDiv(shares, t.totalStake, t.totalShares);
    }

    // ------------------------------------------------------------------ stake paths

    /// @notice Records a stake of `amount` juels by `staker`, whose LINK is already in the storage.
    /// @return shares The shares minted.
    function stake(IPoolStorage s, address node, address staker, uint256 amount) internal returns (uint256 shares) {
        if (amount == 0) revert INode.ZeroAmount();
        uint256 status = s.getUint(STATUS);
        if (status != uint256(INode.NodeStatus.Active)) revert INode.NodeNotActive(node, INode.NodeStatus(status));
        Totals memory t = readTotals(s);
        uint256 limit = s.getUint(STAKE_LIMIT);
        if (t.totalStake + amount > limit) revert INode.StakeLimitExceeded(node, limit, t.totalStake + amount);
        if (t.totalShares == 0) {
            shares = amount;
        } else {
            if (t.totalStake == 0) revert INode.NodeWipedOut(node);
            shares = FullMath.mulDiv(amount, t.totalShares, t.totalStake);
        }
        if (shares == 0) revert INode.ZeroShares(amount);
        Staker memory st = readStaker(s, staker);
        settle(st, t.acc);
        if (st.shares == 0) t.stakers += 1;
        st.shares += shares;
        t.totalShares += shares;
        t.totalStake += amount;
        writeStaker(s, staker, st);
        writeTotals(s, t);
    }

    /// @notice Records a withdrawal of `amount` juels (or everything with `type(uint256).max`).
    /// The caller pays the staker.
    /// @return paid The juels to pay.
    /// @return burned The shares burned.
    function withdraw(IPoolStorage s, address node, address staker, uint256 amount)
        internal
        returns (uint256 paid, uint256 burned)
    {
        Totals memory t = readTotals(s);
        Staker memory st = readStaker(s, staker);
        uint256 available = valueOf(t, st.shares);
        if (amount == type(uint256).max) {
            (paid, burned) = (available, st.shares);
        } else {
            if (amount == 0) revert INode.ZeroAmount();
            if (amount > available) revert INode.InsufficientStake(staker, available, amount);
            paid = amount;
            // Rounded up: the staker never takes more than its shares are worth.
            burned = FullMath.mulDivUp(amount, t.totalShares, t.totalStake);
            if (burned > st.shares) burned = st.shares;
        }
        if (burned == 0) revert INode.ZeroAmount();
        uint256 liquid = t.totalStake - t.penaltiesAtRisk;
        if (paid > liquid) revert INode.StakeAtRisk(node, liquid, paid);
        settle(st, t.acc);
        st.shares -= burned;
        if (st.shares == 0) t.stakers -= 1;
        t.totalShares -= burned;
        t.totalStake -= paid;
        // The last staker out leaves only rounding dust (at-risk LINK cannot be withdrawn, so
        // nothing is at risk then): it becomes earnings of the next distribution.
        if (t.totalShares == 0) t.totalStake = 0;
        writeStaker(s, staker, st);
        writeTotals(s, t);
    }

    /// @notice Records a claim of everything `staker` has earned; the caller pays it.
    /// @return amount The juels to pay.
    function claim(IPoolStorage s, address staker) internal returns (uint256 amount) {
        Staker memory st = readStaker(s, staker);
        settle(st, s.getUint(ACC));
        amount = st.credited / ACC_PRECISION;
        if (amount == 0) revert INode.NothingToClaim(staker);
        st.credited -= amount * ACC_PRECISION;
        writeStaker(s, staker, st);
        s.setUint(REWARDS_OUTSTANDING, s.getUint(REWARDS_OUTSTANDING) - amount);
    }

    /// @notice The outcome of a distribution.
    struct Distribution {
        uint256 earnings;
        uint256 toOwners;
        uint256 toStakers;
    }

    /// @notice Splits the storage's undistributed earnings: the operational cost, then the makers'
    /// percentage of the rest, to the owners (each rounded down), and the rest to the stakers
    /// through the accumulator. With no staker, everything goes to the owners. The caller pays
    /// `toOwners`.
    function distribute(IPoolStorage s, uint256 balance) internal returns (Distribution memory d) {
        Totals memory t = readTotals(s);
        uint256 outstanding = s.getUint(REWARDS_OUTSTANDING);
        uint256 accounted = t.totalStake - t.penaltiesAtRisk + outstanding;
        if (balance <= accounted) return d;
        d.earnings = balance - accounted;
        if (t.totalShares == 0) {
            d.toOwners = d.earnings;
        } else {
            uint256 opCost = d.earnings * s.getUint(OPERATIONAL_COST_BPS) / BPS;
            uint256 makers = (d.earnings - opCost) * s.getUint(MAKERS_BPS) / BPS;
            d.toOwners = opCost + makers;
            d.toStakers = d.earnings - d.toOwners;
        }
        if (d.toStakers != 0) {
            uint256 numerator = d.toStakers * ACC_PRECISION + s.getUint(ACC_REMAINDER);
            s.setUint(ACC, t.acc + numerator / t.totalShares);
            s.setUint(ACC_REMAINDER, numerator % t.totalShares);
            s.setUint(REWARDS_OUTSTANDING, outstanding + d.toStakers);
        }
        s.setUint(TOTAL_EARNINGS, s.getUint(TOTAL_EARNINGS) + d.earnings);
        if (d.toOwners != 0) s.setUint(TOTAL_TO_OWNERS, s.getUint(TOTAL_TO_OWNERS) + d.toOwners);
    }
}
