// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Chainlink} from "@chainlink/contracts/src/v0.8/operatorforwarder/Chainlink.sol";
import {ChainlinkClient} from "@chainlink/contracts/src/v0.8/operatorforwarder/ChainlinkClient.sol";

/// @title ReferenceConsumerUint256
/// @notice Test-only twin of src/examples/ConsumerUint256.sol built on Chainlink's real
/// ChainlinkClient (npm package of chainlink contracts). Same external functions and events, so tests drive
/// either through the same binding and compare behaviour and gas.
contract ReferenceConsumerUint256 is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    uint256 public value;

    event ValueFulfilled(bytes32 indexed requestId, uint256 value);

    constructor(address link) {
        _setChainlinkToken(link);
    }

    function requestPrice(
        address oracle,
        bytes32 specId,
        string calldata url,
        string calldata path,
        int256 times,
        uint256 payment
    ) external returns (bytes32 requestId) {
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfill.selector);
        _addParams(req, url, path, times);
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    function requestPriceV1(
        address oracle,
        bytes32 specId,
        string calldata url,
        string calldata path,
        int256 times,
        uint256 payment
    ) external returns (bytes32 requestId) {
        Chainlink.Request memory req = _buildChainlinkRequest(specId, address(this), this.fulfill.selector);
        _addParams(req, url, path, times);
        return _sendChainlinkRequestTo(oracle, req, payment);
    }

    function requestRaw(address oracle, bytes32 specId, bytes calldata cbor, uint256 payment)
        external
        returns (bytes32 requestId)
    {
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfill.selector);
        req._setBuffer(cbor);
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    function cancelRequest(bytes32 requestId, uint256 payment, uint256 expiration) external {
        _cancelChainlinkRequest(requestId, payment, this.fulfill.selector, expiration);
    }

    function fulfill(bytes32 requestId, uint256 answer) external recordChainlinkFulfillment(requestId) {
        value = answer;
        emit ValueFulfilled(requestId, answer);
    }

    function _addParams(Chainlink.Request memory req, string calldata url, string calldata path, int256 times)
        private
        pure
    {
        req._add("get", url);
        req._add("path", path);
        req._addInt("times", times);
    }
}
