// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AggregationMath
/// @notice The arithmetic the standard aggregators share: the `2f + 1` quorum test, sorting,
/// the median, means with a deliberate rounding direction, and the tolerance test of
/// `isAccepted`. Everything works in memory (or on calldata) and never overflows: every bound
/// the functions rely on is proved next to the code, for all `int256` inputs.
library AggregationMath {
    /// @notice The denominator of basis points: 10_000 bps = 100%.
    uint256 internal constant BPS = 10_000;

    /// @notice Whether `n` answers reach the quorum `2f + 1` (computed without overflow for any `f`).
    /// @param n The number of answers.
    /// @param f The fault bound.
    /// @return True when `n >= 2f + 1`.
    function hasQuorum(uint256 n, uint256 f) internal pure returns (bool) {
        // n >= 2f + 1  <=>  n > f and n - f > f; neither side can overflow.
        return n > f && n - f > f;
    }

    /// @notice A copy of `values` in memory, sorted ascending.
    /// @param values The values (left untouched).
    /// @return sorted The sorted copy.
    function sortedCopy(int256[] calldata values) internal pure returns (int256[] memory sorted) {
        sorted = values;
        sort(sorted);
    }

    /// @notice Sorts `a` ascending in place (insertion sort: at most n(n-1)/2 shifts, cheap for
    /// the n <= 31 answers of a session and allocation-free).
    /// @param a The array to sort.
    function sort(int256[] memory a) internal pure {
        uint256 n = a.length;
        // Bounds are established by the loop conditions (1 <= j <= i < n), so the element
        // accesses go through assembly without the compiler's repeated bounds checks.
        for (uint256 i = 1; i < n; ++i) {
            assembly ("memory-safe") {
                let data := add(a, 0x20)
                let key := mload(add(data, shl(5, i)))
                let j := i
                for {} gt(j, 0) { j := sub(j, 1) } {
                    let prev := mload(add(data, shl(5, sub(j, 1))))
                    if iszero(sgt(prev, key)) { break }
                    mstore(add(data, shl(5, j)), prev)
                }
                mstore(add(data, shl(5, j)), key)
            }
        }
    }

    /// @notice The median of an ascending, non-empty array: the middle value for an odd length,
    /// and for an even length the mean of the two middle values rounded toward negative infinity.
    /// @param sorted The values, ascending; must not be empty.
    /// @return The median.
    function medianOfSorted(int256[] memory sorted) internal pure returns (int256) {
        uint256 n = sorted.length;
        uint256 mid = n / 2;
        if (n % 2 == 1) return sorted[mid];
        return floorMean(sorted[mid - 1], sorted[mid]);
    }

    /// @notice `floor((x + y) / 2)` for any two `int256`, without forming `x + y`.
    /// @dev With `x = 2p + s`, `y = 2q + t` (`s, t` in {0, 1}; `>>` on signed integers is an
    /// arithmetic shift, so `p = x >> 1` is the floor of `x / 2`, also for negative `x`):
    /// `(x + y) / 2 = p + q + (s + t) / 2`, whose floor is `p + q + (s & t)`. `p` and `q` lie in
    /// `[-2^254, 2^254)`, so the sum cannot overflow.
    /// @param x One value.
    /// @param y The other value.
    /// @return Their mean, rounded toward negative infinity.
    function floorMean(int256 x, int256 y) internal pure returns (int256) {
        return (x >> 1) + (y >> 1) + (x & y & 1);
    }

    /// @notice The mean of `values[from:to]` (non-empty), rounded toward zero, exact for every
    /// `int256` input although the plain sum could overflow.
    /// @dev With `k = to - from`, every value is split as `v = k * (v / k) + v % k` (Solidity's
    /// truncating division); the quotients and the remainders are summed separately
    /// (see `divTowardZero`). The quotient sum stays within `[min, max]` of the values, and the
    /// remainder sum is below `k^2` in magnitude.
    /// @param values The values.
    /// @param from The first index included.
    /// @param to The first index excluded (`from < to <= values.length`).
    /// @return The mean, rounded toward zero.
    function meanTowardZero(int256[] memory values, uint256 from, uint256 to) internal pure returns (int256) {
        int256 k = int256(to - from);
        int256 quotients;
        int256 remainders;
        for (uint256 i = from; i < to; ++i) {
            int256 v = values[i];
            quotients += v / k;
            remainders += v % k;
        }
        return divTowardZero(quotients, remainders, k);
    }

    /// @notice `sum(weights[i] * values[i]) / total` rounded toward zero, exact for every `int256`
    /// value as long as `total = sum(weights) < 2^127` (callers cap the weights).
    /// @dev Each value is split as `v = total * (v / total) + v % total`; then
    /// `sum(w * v) = total * sum(w * (v / total)) + sum(w * (v % total))`.
    /// `|w * (v / total)| <= w * |v| / total`, so every partial sum of the first part stays between
    /// `min(values)` and `max(values)` (weights sum to `total`); `|w * (v % total)| < w * total`, so
    /// the second part is below `total^2 < 2^254` in magnitude.
    /// @param values The values.
    /// @param weights Their weights (same length).
    /// @param total The sum of `weights`; non-zero and below 2^127.
    /// @return The weighted mean, rounded toward zero.
    function weightedMeanTowardZero(int256[] calldata values, uint256[] memory weights, uint256 total)
        internal
        pure
        returns (int256)
    {
        int256 d = int256(total);
        int256 quotients;
        int256 remainders;
        for (uint256 i; i < values.length; ++i) {
            int256 w = int256(weights[i]);
            if (w == 0) continue;
            int256 v = values[i];
            quotients += w * (v / d);
            remainders += w * (v % d);
        }
        return divTowardZero(quotients, remainders, d);
    }

    /// @notice `(d * quotient + remainder) / d` rounded toward zero, given that the exact result
    /// lies in the `int256` range.
    /// @dev `remainder = d * (remainder / d) + remainder % d`, so the exact value is
    /// `m + rem / d` with `m = quotient + remainder / d` and `|rem| < d`. `m` differs from the
    /// exact value by less than one, so it lies in the range of the result; truncation then moves
    /// `m` one step toward zero exactly when `rem` pulls toward zero across it.
    /// @param quotient The whole part.
    /// @param remainder The part still to be divided by `d`.
    /// @param d The divisor, positive.
    /// @return The quotient, rounded toward zero.
    function divTowardZero(int256 quotient, int256 remainder, int256 d) internal pure returns (int256) {
        int256 m = quotient + remainder / d;
        int256 rem = remainder % d;
        if (m < 0 && rem > 0) return m + 1;
        if (m > 0 && rem < 0) return m - 1;
        return m;
    }

    /// @notice Whether `answer` is within `toleranceBps` of `finalAnswer`:
    /// `|answer - finalAnswer| * 10_000 <= toleranceBps * |finalAnswer|`, evaluated exactly
    /// (no overflow for any `int256` pair). When `finalAnswer == 0` only `answer == 0` passes.
    /// @dev Both products can exceed 256 bits, so the test is rewritten: for an integer
    /// deviation `d`, `d * BPS <= t * m` holds iff `d <= floor(t * m / BPS)`, and with
    /// `m = BPS * hi + lo`, `floor(t * m / BPS) = t * hi + floor(t * lo / BPS)`; for `t <= BPS`
    /// every term is at most `m <= 2^255`.
    /// @param answer The answer judged.
    /// @param finalAnswer The final answer.
    /// @param toleranceBps The tolerance in basis points of `|finalAnswer|` (at most 10_000).
    /// @return True when the answer is accepted.
    function withinTolerance(int256 answer, int256 finalAnswer, uint256 toleranceBps) internal pure returns (bool) {
        uint256 m = abs(finalAnswer);
        uint256 allowed = (m / BPS) * toleranceBps + ((m % BPS) * toleranceBps) / BPS;
        return absDiff(answer, finalAnswer) <= allowed;
    }

    /// @notice `|x|` as an unsigned integer (defined for `type(int256).min`: 2^255).
    /// @param x The value.
    /// @return Its magnitude.
    function abs(int256 x) internal pure returns (uint256) {
        unchecked {
            // Two's complement: for negative x, 0 - uint256(x) = 2^256 - (2^256 + x) = -x.
            return x >= 0 ? uint256(x) : 0 - uint256(x);
        }
    }

    /// @notice `|x - y|` as an unsigned integer (at most 2^256 - 1, so it always fits).
    /// @param x One value.
    /// @param y The other value.
    /// @return Their distance.
    function absDiff(int256 x, int256 y) internal pure returns (uint256) {
        unchecked {
            // The wrapped unsigned difference equals the true difference modulo 2^256, and the
            // true difference of the larger minus the smaller lies in [0, 2^256).
            return x >= y ? uint256(x) - uint256(y) : uint256(y) - uint256(x);
        }
    }
}
