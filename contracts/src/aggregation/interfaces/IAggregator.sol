// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAggregator
/// @notice The standard calculation interface of ChainLink's aggregating contracts (whitepaper
/// §2.1, "Result Aggregation"). An SLA names its aggregator by address; `OrderMatching` hands it the
/// answers revealed so far in a commit/reveal session (Algorithm 1, §4.2) and delivers the answer
/// to the requester once the aggregator says the rule is met. Answers are signed integers (prices
/// are scaled by the job, e.g. times 10^8). A custom aggregator only has to implement this
/// interface; it must be a pure function of its inputs and of its own (immutable) configuration
/// or of views it reads, and must not revert on any input `OrderMatching` can produce (1 to 31
/// answers, `f` with `2f + 1 <= n`).
///
/// Protocol:
/// 1. After each reveal, while no answer is final, `OrderMatching` calls `aggregate` with every
///    revealed answer (ordered by the oracles' selection index) and the fault bound `f` of the SLA (`n = 3f + 1` or more).
///    The first call that returns `complete == true` fixes the answer and it is delivered.
/// 2. When the session settles, every revealed answer is judged with
///    `isAccepted(answer, finalAnswer)`: accepted answers are paid and count as "accepted" in
///    `Reputation`; the others are deviations (§5.1 correctness) and forfeit the penalty.
interface IAggregator {
    /// @notice Whether the answers revealed so far decide the request, and the decided answer.
    /// @dev Called after every reveal with the longer list, until the first call that completes;
    /// the standard rules decide as soon as their threshold is reached. Returns `(false, 0)` for
    /// no answers.
    /// @param oracles The revealing oracles, parallel to `answers` (weighted rules read their weight).
    /// @param answers The revealed answers, ordered by the oracles' selection index in the SLA.
    /// @param f The SLA's fault bound: at most `f` of the oracles may be faulty.
    /// @return complete True when the rule is met; `answer` is then final.
    /// @return answer The aggregate (meaningless while `complete` is false).
    function aggregate(address[] calldata oracles, int256[] calldata answers, uint256 f)
        external
        view
        returns (bool complete, int256 answer);

    /// @notice Whether one revealed answer agrees with the final answer (for payment and reputation).
    /// @param answer The revealed answer judged.
    /// @param finalAnswer The answer `aggregate` decided.
    /// @return True when `answer` is accepted (paid, counted as accepted); false for a deviation.
    function isAccepted(int256 answer, int256 finalAnswer) external view returns (bool);

    /// @notice A short name of the rule, for tools ("median", "mode", "trimmed-mean", "weighted-mean").
    /// @return The rule's name.
    function rule() external view returns (string memory);
}
