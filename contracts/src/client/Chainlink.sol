// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CBOR} from "./CBOR.sol";

/// @title Chainlink
/// @notice The request a ChainlinkClient consumer builds, and its parameter encoders.
/// @dev Same struct shape and function names as Chainlink's `Chainlink` library (v0.8), so consumer
/// code ports unchanged. Parameters are diet-CBOR: `key` (text string) then value, concatenated.
library Chainlink {
    using CBOR for CBOR.Buffer;

    /// @notice Initial buffer capacity in bytes; the buffer grows when needed.
    uint256 internal constant DEFAULT_BUFFER_SIZE = 256;

    /// @notice A request under construction.
    /// @param id The job id (the job's externalJobID as bytes32).
    /// @param callbackAddress The callback contract (informational: the client always uses itself).
    /// @param callbackFunctionId The selector the operator calls back.
    /// @param nonce Unused by the client (the nonce is assigned when sending); kept for the shape.
    /// @param buf The encoded parameters.
    struct Request {
        bytes32 id;
        address callbackAddress;
        bytes4 callbackFunctionId;
        uint256 nonce;
        CBOR.Buffer buf;
    }

    /// @notice Initializes `self` with an empty parameter buffer.
    /// @param self The request.
    /// @param jobId The job id.
    /// @param callbackAddr The callback contract.
    /// @param callbackFunc The callback selector.
    /// @return The same request.
    function _initialize(Request memory self, bytes32 jobId, address callbackAddr, bytes4 callbackFunc)
        internal
        pure
        returns (Request memory)
    {
        self.buf.init(DEFAULT_BUFFER_SIZE);
        self.id = jobId;
        self.callbackAddress = callbackAddr;
        self.callbackFunctionId = callbackFunc;
        return self;
    }

    /// @notice Replaces the parameters with raw, already encoded bytes.
    /// @param self The request.
    /// @param data The CBOR bytes (diet or a full map).
    function _setBuffer(Request memory self, bytes memory data) internal pure {
        self.buf.init(data.length);
        self.buf.append(data);
    }

    /// @notice Adds a string parameter.
    /// @param self The request.
    /// @param key The parameter name.
    /// @param value The value.
    function _add(Request memory self, string memory key, string memory value) internal pure {
        self.buf.encodeString(key);
        self.buf.encodeString(value);
    }

    /// @notice Adds a bytes parameter.
    /// @param self The request.
    /// @param key The parameter name.
    /// @param value The value.
    function _addBytes(Request memory self, string memory key, bytes memory value) internal pure {
        self.buf.encodeString(key);
        self.buf.encodeBytes(value);
    }

    /// @notice Adds a signed integer parameter.
    /// @param self The request.
    /// @param key The parameter name.
    /// @param value The value.
    function _addInt(Request memory self, string memory key, int256 value) internal pure {
        self.buf.encodeString(key);
        self.buf.encodeInt(value);
    }

    /// @notice Adds an unsigned integer parameter.
    /// @param self The request.
    /// @param key The parameter name.
    /// @param value The value.
    function _addUint(Request memory self, string memory key, uint256 value) internal pure {
        self.buf.encodeString(key);
        self.buf.encodeUInt(value);
    }

    /// @notice Adds an array-of-strings parameter (an indefinite-length CBOR array).
    /// @param self The request.
    /// @param key The parameter name.
    /// @param values The strings.
    function _addStringArray(Request memory self, string memory key, string[] memory values) internal pure {
        self.buf.encodeString(key);
        self.buf.startArray();
        uint256 count = values.length;
        for (uint256 i; i < count; ++i) {
            self.buf.encodeString(values[i]);
        }
        self.buf.endSequence();
    }
}
