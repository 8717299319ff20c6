// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FullMath
/// @notice `a * b / denominator` with a 512-bit intermediate product, so the multiplication never
/// overflows; only a quotient that does not fit in 256 bits reverts.
/// @dev The product is held as two words `[high low]` (`high * 2^256 + low`). The remainder
/// `a * b mod denominator` is subtracted so the division is exact; then the powers of two are
/// shifted out of the denominator and the odd rest is divided by multiplying with its inverse
/// modulo 2^256 (Newton-Raphson: each step doubles the number of correct low bits, and
/// `3d xor 2` is correct to 4 bits for every odd `d`, so six steps give 256). The quotient is
/// exact modulo 2^256 and, being below 2^256, exact.
library FullMath {
    /// @notice The quotient does not fit in 256 bits, or `denominator` is zero.
    /// @param a The first factor.
    /// @param b The second factor.
    /// @param denominator The divisor.
    error MulDivOverflow(uint256 a, uint256 b, uint256 denominator);

    /// @notice `floor(a * b / denominator)`, exact for every input whose quotient fits in 256 bits.
    /// @param a The first factor.
    /// @param b The second factor.
    /// @param denominator The divisor (non-zero).
    /// @return result The quotient, rounded down.
    function mulDiv(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256 result) {
        unchecked {
            uint256 low;
            uint256 high;
            assembly ("memory-safe") {
                // mulmod by 2^256 - 1 and the wrapped product differ by the high word (Chinese
                // remainder theorem), minus a borrow.
                let mm := mulmod(a, b, not(0))
                low := mul(a, b)
                high := sub(sub(mm, low), lt(mm, low))
            }
            if (denominator <= high) revert MulDivOverflow(a, b, denominator);
            if (high == 0) return low / denominator;

            // Make the 512-bit product divisible by the denominator.
            assembly ("memory-safe") {
                let remainder := mulmod(a, b, denominator)
                high := sub(high, gt(remainder, low))
                low := sub(low, remainder)
            }
            // Divide both by the largest power of two dividing the denominator, carrying the low
            // bits of `high` into `low` (`twos` becomes 2^256 / twos, which wraps to 0 for 1).
            uint256 twos = denominator & (0 - denominator);
            assembly ("memory-safe") {
                denominator := div(denominator, twos)
                low := div(low, twos)
                twos := add(div(sub(0, twos), twos), 1)
            }
            low |= high * twos;

            // Inverse of the (now odd) denominator modulo 2^256.
            uint256 inverse = (3 * denominator) ^ 2;
            inverse *= 2 - denominator * inverse; // 8 bits
            inverse *= 2 - denominator * inverse; // 16 bits
            inverse *= 2 - denominator * inverse; // 32 bits
            inverse *= 2 - denominator * inverse; // 64 bits
            inverse *= 2 - denominator * inverse; // 128 bits
            inverse *= 2 - denominator * inverse; // 256 bits
            result = low * inverse;
        }
    }

    /// @notice `ceil(a * b / denominator)`, exact for every input whose quotient fits in 256 bits.
    /// @param a The first factor.
    /// @param b The second factor.
    /// @param denominator The divisor (non-zero).
    /// @return result The quotient, rounded up.
    function mulDivUp(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256 result) {
        result = mulDiv(a, b, denominator);
        if (mulmod(a, b, denominator) != 0) {
            if (result == type(uint256).max) revert MulDivOverflow(a, b, denominator);
            unchecked {
                ++result;
            }
        }
    }
}
