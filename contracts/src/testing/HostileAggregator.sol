// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "../aggregation/interfaces/IAggregator.sol";

/// @title HostileAggregator
/// @notice **Test harness**: a custom `IAggregator` that is not one of ours. In `Behaviour.FirstAnswer`
/// it is a working (if naive) custom rule: the first revealed answer is final, and only equal
/// answers are accepted. In `Reverting` and `GasBurning` it attacks `OrderMatching`: the tests show
/// reveals, settlement and the return of penalties still work.
contract HostileAggregator is IAggregator {
    enum Behaviour {
        FirstAnswer,
        Reverting,
        GasBurning
    }

    error Hostile();

    Behaviour public immutable BEHAVIOUR;

    constructor(Behaviour behaviour) {
        BEHAVIOUR = behaviour;
    }

    /// @inheritdoc IAggregator
    function aggregate(address[] calldata, int256[] calldata answers, uint256)
        external
        view
        override
        returns (bool complete, int256 answer)
    {
        _attack();
        if (answers.length == 0) return (false, 0);
        return (true, answers[0]);
    }

    /// @inheritdoc IAggregator
    function isAccepted(int256 answer, int256 finalAnswer) external view override returns (bool) {
        _attack();
        return answer == finalAnswer;
    }

    /// @inheritdoc IAggregator
    function rule() external pure override returns (string memory) {
        return "first-answer";
    }

    function _attack() private view {
        if (BEHAVIOUR == Behaviour.Reverting) revert Hostile();
        if (BEHAVIOUR == Behaviour.GasBurning) {
            uint256 x;
            while (gasleft() > 0) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
    }
}
