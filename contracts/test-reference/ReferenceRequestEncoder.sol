// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Chainlink} from "@chainlink/contracts/src/v0.8/operatorforwarder/Chainlink.sol";

/// @title ReferenceRequestEncoder
/// @notice Test-only twin of src/testing/RequestEncoder.sol on Chainlink's real `Chainlink` library,
/// for byte-for-byte comparison of the diet-CBOR encoders.
contract ReferenceRequestEncoder {
    using Chainlink for Chainlink.Request;

    function encodeString(string calldata key, string calldata value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._add(key, value);
        return req.buf.buf;
    }

    function encodeBytes(string calldata key, bytes calldata value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addBytes(key, value);
        return req.buf.buf;
    }

    function encodeUint(string calldata key, uint256 value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addUint(key, value);
        return req.buf.buf;
    }

    function encodeInt(string calldata key, int256 value) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addInt(key, value);
        return req.buf.buf;
    }

    function encodeStringArray(string calldata key, string[] calldata values) external pure returns (bytes memory) {
        Chainlink.Request memory req = _request();
        req._addStringArray(key, values);
        return req.buf.buf;
    }

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
