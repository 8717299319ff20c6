// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";
import {ChainlinkClient} from "../client/ChainlinkClient.sol";

/// @title ConsumerUint256
/// @notice Example consumer in the style of the Chainlink docs' "Get > Uint256": asks a job to fetch
/// a URL, take a JSON path, multiply by `times`, and answer one uint256.
/// @dev Example and test fixture. It pays with its own LINK balance and anyone may call the request
/// functions, so fund it only with what you are ready to spend. The request parameters are
/// `get` (string), `path` (string) and `times` (int), as in the docs' job spec.
contract ConsumerUint256 is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    /// @notice The last answer.
    uint256 public value;

    /// @notice An answer arrived.
    /// @param requestId The request answered.
    /// @param value The answer.
    event ValueFulfilled(bytes32 indexed requestId, uint256 value);

    /// @notice Deploys a consumer paying with `link`.
    /// @param link The LINK token.
    constructor(address link) {
        _setChainlinkToken(link);
    }

    /// @notice Sends a v2 (`operatorRequest`) request answered through `fulfillOracleRequest2`.
    /// @param oracle The operator contract.
    /// @param specId The job id.
    /// @param url The `get` parameter.
    /// @param path The `path` parameter.
    /// @param times The `times` parameter.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
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

    /// @notice Sends the same request as v1 (`oracleRequest`), answered through `fulfillOracleRequest`.
    /// @param oracle The operator contract.
    /// @param specId The job id.
    /// @param url The `get` parameter.
    /// @param path The `path` parameter.
    /// @param times The `times` parameter.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
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

    /// @notice Sends a v2 request whose parameters are the raw bytes `cbor` (for malformed-input tests).
    /// @param oracle The operator contract.
    /// @param specId The job id.
    /// @param cbor The parameter bytes, sent as they are.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
    function requestRaw(address oracle, bytes32 specId, bytes calldata cbor, uint256 payment)
        external
        returns (bytes32 requestId)
    {
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfill.selector);
        req._setBuffer(cbor);
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    /// @notice Cancels an expired request and takes its payment back.
    /// @param requestId The request id.
    /// @param payment The payment of the request.
    /// @param expiration The `cancelExpiration` of the request.
    function cancelRequest(bytes32 requestId, uint256 payment, uint256 expiration) external {
        _cancelChainlinkRequest(requestId, payment, this.fulfill.selector, expiration);
    }

    /// @notice The callback: only the oracle of the request may call it.
    /// @param requestId The request id.
    /// @param answer The answer.
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
