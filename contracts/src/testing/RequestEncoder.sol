// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";

/// @title RequestEncoder
/// @notice Test harness: exposes the `Chainlink` request encoders as pure functions, so tests can
/// check the diet-CBOR output byte for byte (and compare it with Chainlink's library).
/// @dev Every function builds a fresh request, adds one parameter, and returns the buffer.
contract RequestEncoder {
    using Chainlink for Chainlink.Request;

    /// @notice `_add(key, value)`.
    /// @param key The parameter name.
    /// @param value The value.
    /// @return The encoded buffer.
    function encodeString(string calldata key, string calldata value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._add(key, value);
        return req.buf.buf;
    }

    /// @notice `_addBytes(key, value)`.
    /// @param key The parameter name.
    /// @param value The value.
    /// @return The encoded buffer.
    function encodeBytes(string calldata key, bytes calldata value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addBytes(key, value);
        return req.buf.buf;
    }

    /// @notice `_addUint(key, value)`.
    /// @param key The parameter name.
    /// @param value The value.
    /// @return The encoded buffer.
    function encodeUint(string calldata key, uint256 value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addUint(key, value);
        return req.buf.buf;
    }

    /// @notice `_addInt(key, value)`.
    /// @param key The parameter name.
    /// @param value The value.
    /// @return The encoded buffer.
    function encodeInt(string calldata key, int256 value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addInt(key, value);
        return req.buf.buf;
    }

    /// @notice `_addStringArray(key, values)`.
    /// @param key The parameter name.
    /// @param values The values.
    /// @return The encoded buffer.
    function encodeStringArray(string calldata key, string[] calldata values) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addStringArray(key, values);
        return req.buf.buf;
    }

    /// @notice Adds every parameter kind in sequence: string, bytes, uint, int, string array.
    /// @param s The string value (key "s").
    /// @param b The bytes value (key "b").
    /// @param u The uint value (key "u").
    /// @param i The int value (key "i").
    /// @param arr The string array (key "arr").
    /// @return The encoded buffer.
    function encodeAll(string calldata s, bytes calldata b, uint256 u, int256 i, string[] calldata arr)
        external
        pure
        returns (bytes memory)
    {
        Chainlink.Request memory req = _request();
        req._add("s", s);
        req._addBytes("b", b);
        req._addUint("u", u);
        req._addInt("i", i);
        req._addStringArray("arr", arr);
        return req.buf.buf;
    }

    function _request() private pure returns (Chainlink.Request memory req) {
        req._initialize(bytes32(0), address(0), bytes4(0));
    }
}
