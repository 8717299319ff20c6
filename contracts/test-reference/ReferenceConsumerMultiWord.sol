// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Chainlink} from "@chainlink/contracts/src/v0.8/operatorforwarder/Chainlink.sol";
import {ChainlinkClient} from "@chainlink/contracts/src/v0.8/operatorforwarder/ChainlinkClient.sol";

/// @title ReferenceConsumerMultiWord
/// @notice Test-only twin of src/examples/ConsumerMultiWord.sol on Chainlink's real ChainlinkClient.
contract ReferenceConsumerMultiWord is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    uint256 public a;
    uint256 public b;
    uint256 public c;

    event MultipleFulfilled(bytes32 indexed requestId, uint256 a, uint256 b, uint256 c);

    error LengthMismatch(uint256 keys, uint256 values);

    constructor(address link) {
        _setChainlinkToken(link);
    }

    function requestMultiple(
        address oracle,
        bytes32 specId,
        string[] calldata keys,
        string[] calldata values,
        uint256 payment
    ) external returns (bytes32 requestId) {
        if (keys.length != values.length) revert LengthMismatch(keys.length, values.length);
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfillMultipleParameters.selector);
        for (uint256 i; i < keys.length; ++i) {
            req._add(keys[i], values[i]);
        }
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    function requestRaw(address oracle, bytes32 specId, bytes calldata cbor, uint256 payment)
        external
        returns (bytes32 requestId)
    {
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfillMultipleParameters.selector);
        req._setBuffer(cbor);
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    function cancelRequest(bytes32 requestId, uint256 payment, uint256 expiration) external {
        _cancelChainlinkRequest(requestId, payment, this.fulfillMultipleParameters.selector, expiration);
    }

    function fulfillMultipleParameters(bytes32 requestId, uint256 first, uint256 second, uint256 third)
        external
        recordChainlinkFulfillment(requestId)
    {
        a = first;
        b = second;
        c = third;
        emit MultipleFulfilled(requestId, first, second, third);
    }
}
