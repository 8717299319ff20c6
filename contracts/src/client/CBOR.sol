// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CBOR
/// @notice A growable memory buffer with the CBOR encoders that Chainlink requests use.
/// @dev "Diet CBOR": ChainlinkClient concatenates key/value items with no map header, and the node
/// wraps the bytes in an indefinite map (0xBF ... 0xFF). Encoding rules, byte-compatible with
/// Chainlink's CBORChainlink:
/// - every length or integer argument uses the shortest head (RFC 8949 §3.1);
/// - a uint above 2^64-1 is a bignum: tag 2 (0xC2) then a 32-byte byte string;
/// - an int below -2^64 is a negative bignum: tag 3 (0xC3) then the 32 bytes of (-1 - value);
/// - arrays and maps are indefinite length (0x9F / 0xBF ... 0xFF).
/// The buffer keeps 32 spare bytes after its capacity so heads can be written with one `mstore`.
library CBOR {
    /// @notice A byte buffer: `buf` holds the bytes written so far, with room for `capacity` bytes.
    /// @dev Same shape as Chainlink's `BufferChainlink.buffer`, so `req.buf.buf` works as in ported code.
    struct Buffer {
        bytes buf;
        uint256 capacity;
    }

    uint256 private constant MAJOR_TYPE_INT = 0;
    uint256 private constant MAJOR_TYPE_NEGATIVE_INT = 1;
    uint256 private constant MAJOR_TYPE_BYTES = 2;
    uint256 private constant MAJOR_TYPE_STRING = 3;
    /// @dev 0xC2 0x58 0x20: tag 2, then a byte string of 32 bytes.
    uint256 private constant BIGNUM_HEAD = 0xC25820;
    /// @dev 0xC3 0x58 0x20: tag 3, then a byte string of 32 bytes.
    uint256 private constant NEGATIVE_BIGNUM_HEAD = 0xC35820;
    uint256 private constant INDEFINITE_ARRAY = 0x9F;
    uint256 private constant INDEFINITE_MAP = 0xBF;
    uint256 private constant BREAK = 0xFF;

    /// @notice Allocates room for `capacity` bytes and empties the buffer.
    /// @param self The buffer.
    /// @param capacity Initial room; the buffer grows past it when needed.
    /// @return The same buffer, for chaining.
    function init(Buffer memory self, uint256 capacity) internal pure returns (Buffer memory) {
        assembly ("memory-safe") {
            mstore(self, 0x60) // the empty bytes, so nothing is copied below
        }
        _reserve(self, capacity);
        return self;
    }

    /// @notice Appends raw bytes (already CBOR, or anything else).
    /// @param self The buffer.
    /// @param data The bytes to append.
    function append(Buffer memory self, bytes memory data) internal pure {
        uint256 length = data.length;
        uint256 size = self.buf.length;
        if (size + length > self.capacity) _reserve(self, _grown(self.capacity, size + length));
        assembly ("memory-safe") {
            let buf := mload(self)
            mcopy(add(add(buf, 0x20), size), add(data, 0x20), length)
            mstore(buf, add(size, length))
        }
    }

    /// @notice Encodes a text string (major type 3).
    /// @param self The buffer.
    /// @param value The string.
    function encodeString(Buffer memory self, string memory value) internal pure {
        _head(self, MAJOR_TYPE_STRING, bytes(value).length);
        append(self, bytes(value));
    }

    /// @notice Encodes a byte string (major type 2).
    /// @param self The buffer.
    /// @param value The bytes.
    function encodeBytes(Buffer memory self, bytes memory value) internal pure {
        _head(self, MAJOR_TYPE_BYTES, value.length);
        append(self, value);
    }

    /// @notice Encodes an unsigned integer; a bignum above 2^64-1.
    /// @param self The buffer.
    /// @param value The integer.
    function encodeUInt(Buffer memory self, uint256 value) internal pure {
        if (value > type(uint64).max) {
            encodeBigNum(self, value);
        } else {
            _head(self, MAJOR_TYPE_INT, value);
        }
    }

    /// @notice Encodes a signed integer; a bignum above 2^64-1, a negative bignum below -2^64.
    /// @param self The buffer.
    /// @param value The integer.
    function encodeInt(Buffer memory self, int256 value) internal pure {
        if (value >= 0) {
            encodeUInt(self, uint256(value));
        } else if (value < -0x10000000000000000) {
            encodeSignedBigNum(self, value);
        } else {
            // -1 - value is in [0, 2^64-1] here and cannot overflow.
            _head(self, MAJOR_TYPE_NEGATIVE_INT, uint256(-1 - value));
        }
    }

    /// @notice Encodes `value` as a bignum (tag 2) whatever its size.
    /// @param self The buffer.
    /// @param value The integer.
    function encodeBigNum(Buffer memory self, uint256 value) internal pure {
        _write(self, BIGNUM_HEAD, 3);
        _write(self, value, 32);
    }

    /// @notice Encodes negative `value` as a negative bignum (tag 3) holding -1 - value.
    /// @param self The buffer.
    /// @param value A negative integer.
    function encodeSignedBigNum(Buffer memory self, int256 value) internal pure {
        _write(self, NEGATIVE_BIGNUM_HEAD, 3);
        _write(self, uint256(-1 - value), 32);
    }

    /// @notice Opens an indefinite-length array (0x9F); close it with `endSequence`.
    /// @param self The buffer.
    function startArray(Buffer memory self) internal pure {
        _write(self, INDEFINITE_ARRAY, 1);
    }

    /// @notice Opens an indefinite-length map (0xBF); close it with `endSequence`.
    /// @param self The buffer.
    function startMap(Buffer memory self) internal pure {
        _write(self, INDEFINITE_MAP, 1);
    }

    /// @notice Closes an indefinite-length array or map (0xFF).
    /// @param self The buffer.
    function endSequence(Buffer memory self) internal pure {
        _write(self, BREAK, 1);
    }

    /// @dev Writes the shortest CBOR head for `major` and `value` (value < 2^64).
    function _head(Buffer memory self, uint256 major, uint256 value) private pure {
        uint256 initial = major << 5;
        if (value < 24) {
            _write(self, initial | value, 1);
        } else if (value <= 0xFF) {
            _write(self, ((initial | 24) << 8) | value, 2);
        } else if (value <= 0xFFFF) {
            _write(self, ((initial | 25) << 16) | value, 3);
        } else if (value <= 0xFFFFFFFF) {
            _write(self, ((initial | 26) << 32) | value, 5);
        } else {
            _write(self, ((initial | 27) << 64) | value, 9);
        }
    }

    /// @dev Appends the low `n` bytes (n <= 32) of `word`, big-endian.
    function _write(Buffer memory self, uint256 word, uint256 n) private pure {
        uint256 size = self.buf.length;
        if (size + n > self.capacity) _reserve(self, _grown(self.capacity, size + n));
        assembly ("memory-safe") {
            let buf := mload(self)
            // One store; it may spill zeros past the new end, into the 32 spare bytes.
            mstore(add(add(buf, 0x20), size), shl(sub(256, shl(3, n)), word))
            mstore(buf, add(size, n))
        }
    }

    function _grown(uint256 capacity, uint256 needed) private pure returns (uint256) {
        uint256 doubled = capacity * 2;
        return doubled > needed ? doubled : needed;
    }

    /// @dev Moves the contents into a fresh allocation of `capacity` bytes (+32 spare).
    function _reserve(Buffer memory self, uint256 capacity) private pure {
        assembly ("memory-safe") {
            let old := mload(self)
            let size := mload(old)
            let fresh := mload(0x40)
            // length word + capacity rounded up to words + 32 spare bytes
            mstore(0x40, add(fresh, add(0x40, and(add(capacity, 31), not(31)))))
            mcopy(add(fresh, 0x20), add(old, 0x20), size)
            mstore(fresh, size)
            mstore(self, fresh)
            mstore(add(self, 0x20), capacity)
        }
    }
}
