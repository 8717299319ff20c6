// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SlaConsumer
/// @notice A requester contract of `OrderMatching` sessions, for tests, benchmarks and the devnet:
/// it takes `fulfill(uint256 sessionId, int256 answer)` from the order-matching contract it was
/// built for and remembers each answer. `setFailing(true)` makes the callback revert, to show a
/// failing callback does not undo the answer.
contract SlaConsumer {
    error NotOrderMatching(address caller);
    error Failing();

    event AnswerReceived(uint256 indexed sessionId, int256 answer);

    address public immutable ORDER_MATCHING;
    bool public failing;
    uint256 public received;
    mapping(uint256 => int256) public answers;
    mapping(uint256 => bool) public answered;

    constructor(address orderMatching) {
        ORDER_MATCHING = orderMatching;
    }

    function setFailing(bool value) external {
        failing = value;
    }

    function fulfill(uint256 sessionId, int256 answer) external {
        if (msg.sender != ORDER_MATCHING) revert NotOrderMatching(msg.sender);
        if (failing) revert Failing();
        answers[sessionId] = answer;
        answered[sessionId] = true;
        received += 1;
        emit AnswerReceived(sessionId, answer);
    }
}
