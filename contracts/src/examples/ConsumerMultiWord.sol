// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";
import {ChainlinkClient} from "../client/ChainlinkClient.sol";

/// @title ConsumerMultiWord
/// @notice Example consumer in the style of the Chainlink docs' "MultiWord": one request, three
/// uint256 answers in a single `fulfillOracleRequest2` callback.
/// @dev Example and test fixture; anyone may spend its LINK. The string parameters are given as
/// key/value lists so a test can reproduce the docs' `urlBTC`/`pathBTC`/... layout or any other.
contract ConsumerMultiWord is ChainlinkClient {
    using Chainlink for Chainlink.Request;

    /// @notice The last first answer.
    uint256 public a;
    /// @notice The last second answer.
    uint256 public b;
    /// @notice The last third answer.
    uint256 public c;

    /// @notice Three answers arrived.
    /// @param requestId The request answered.
    /// @param a The first answer.
    /// @param b The second answer.
    /// @param c The third answer.
    event MultipleFulfilled(bytes32 indexed requestId, uint256 a, uint256 b, uint256 c);

    /// @notice The key and value lists have different lengths.
    /// @param keys The number of keys.
    /// @param values The number of values.
    error LengthMismatch(uint256 keys, uint256 values);

    /// @notice Deploys a consumer paying with `link`.
    /// @param link The LINK token.
    constructor(address link) {
        _setChainlinkToken(link);
    }

    /// @notice Sends a v2 request with string parameters `keys[i] = values[i]`.
    /// @param oracle The operator contract.
    /// @param specId The job id.
    /// @param keys The parameter names.
    /// @param values The parameter values.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
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

    /// @notice Sends a v2 request whose parameters are the raw bytes `cbor`.
    /// @param oracle The operator contract.
    /// @param specId The job id.
    /// @param cbor The parameter bytes, sent as they are.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
    function requestRaw(address oracle, bytes32 specId, bytes calldata cbor, uint256 payment)
        external
        returns (bytes32 requestId)
    {
        Chainlink.Request memory req = _buildOperatorRequest(specId, this.fulfillMultipleParameters.selector);
        req._setBuffer(cbor);
        return _sendOperatorRequestTo(oracle, req, payment);
    }

    /// @notice Cancels an expired request and takes its payment back.
    /// @param requestId The request id.
    /// @param payment The payment of the request.
    /// @param expiration The `cancelExpiration` of the request.
    function cancelRequest(bytes32 requestId, uint256 payment, uint256 expiration) external {
        _cancelChainlinkRequest(requestId, payment, this.fulfillMultipleParameters.selector, expiration);
    }

    /// @notice The callback: only the oracle of the request may call it.
    /// @param requestId The request id.
    /// @param first The first answer.
    /// @param second The second answer.
    /// @param third The third answer.
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
