// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FullMath} from "../staking/libraries/FullMath.sol";

/// @title FullMathHarness
/// @notice Test harness exposing `FullMath` as external pure functions, so the bindings' tests can
/// check it against arbitrary-precision arithmetic.
contract FullMathHarness {
    /// @notice `FullMath.mulDiv`.
    /// @param a The first factor.
    /// @param b The second factor.
    /// @param denominator The divisor.
    /// @return The quotient, rounded down.
    function mulDiv(uint256 a, uint256 b, uint256 denominator) external pure returns (uint256) {
        return FullMath.mulDiv(a, b, denominator);
    }

    /// @notice `FullMath.mulDivUp`.
    /// @param a The first factor.
    /// @param b The second factor.
    /// @param denominator The divisor.
    /// @return The quotient, rounded up.
    function mulDivUp(uint256 a, uint256 b, uint256 denominator) external pure returns (uint256) {
        return FullMath.mulDivUp(a, b, denominator);
    }
}
