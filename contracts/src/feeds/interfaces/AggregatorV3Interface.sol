// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AggregatorV3Interface
/// @notice Chainlink's price feed read interface, ABI-identical to the one in Chainlink's contracts
/// package, so DRCoordinator reads real Chainlink feeds and L2 sequencer uptime feeds.
interface AggregatorV3Interface {
    /// @notice Decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice A human-readable description, e.g. "LINK / ETH".
    function description() external view returns (string memory);

    /// @notice The feed implementation version.
    function version() external view returns (uint256);

    /// @notice A past round.
    /// @param roundId The round.
    /// @return roundId The round.
    /// @return answer The answer (scaled by `decimals()`).
    /// @return startedAt When the round started.
    /// @return updatedAt When the answer was last updated.
    /// @return answeredInRound The round the answer was computed in.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round.
    /// @return roundId The round.
    /// @return answer The answer (scaled by `decimals()`).
    /// @return startedAt When the round started (for sequencer uptime feeds: when the status changed).
    /// @return updatedAt When the answer was last updated.
    /// @return answeredInRound The round the answer was computed in.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
