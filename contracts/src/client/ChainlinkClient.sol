// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "./Chainlink.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {IOperator} from "../oracle/interfaces/IOperator.sol";

/// @title ChainlinkClient
/// @notice Base contract for consumers of direct requests: builds requests, pays for them with
/// LINK `transferAndCall`, and checks that answers come from the oracle each request went to.
/// @dev API-compatible with Chainlink's `ChainlinkClient` (v0.8, without the ENS and pointer
/// helpers): `_buildChainlinkRequest`, `_buildOperatorRequest`, `_sendChainlinkRequestTo` (v1,
/// `oracleRequest`), `_sendOperatorRequestTo` (v2, `operatorRequest`), `recordChainlinkFulfillment`,
/// `_cancelChainlinkRequest`, and the events `ChainlinkRequested` / `ChainlinkFulfilled` /
/// `ChainlinkCancelled`. Request ids are `keccak256(abi.encodePacked(address(this), nonce))` with the
/// nonce starting at 1. The LINK address and the nonce share one storage slot, so sending a request
/// reads and writes a single slot besides the pending-request entry.
abstract contract ChainlinkClient {
    using Chainlink for Chainlink.Request;

    /// @notice Juels per LINK.
    uint256 internal constant LINK_DIVISIBILITY = 10 ** 18;

    uint256 private constant ORACLE_ARGS_VERSION = 1;
    uint256 private constant OPERATOR_ARGS_VERSION = 2;

    /// @dev Packed in one slot; the nonce starts at 1 so the first request costs the same as later ones.
    ILinkToken private s_link;
    uint96 private s_requestCount = 1;
    address private s_oracle;
    mapping(bytes32 requestId => address oracle) private s_pendingRequests;

    /// @notice A request was sent.
    /// @param id The request id.
    event ChainlinkRequested(bytes32 indexed id);

    /// @notice A request was answered by its oracle.
    /// @param id The request id.
    event ChainlinkFulfilled(bytes32 indexed id);

    /// @notice A request was cancelled.
    /// @param id The request id.
    event ChainlinkCancelled(bytes32 indexed id);

    /// @notice The caller of a fulfilment is not the oracle the request went to (or the request is
    /// not pending).
    /// @param requestId The request id.
    /// @param caller The rejected caller.
    error FulfillmentNotFromOracle(bytes32 requestId, address caller);

    /// @notice `_addChainlinkExternalRequest` was given an id that is already pending.
    /// @param requestId The request id.
    error RequestAlreadyPending(bytes32 requestId);

    /// @notice LINK's `transferAndCall` returned false.
    /// @param oracle The oracle the request was for.
    error TransferAndCallFailed(address oracle);

    /// @notice Creates a request whose answer is delivered to `callbackAddr`.`callbackFunctionSignature`.
    /// @param specId The job id.
    /// @param callbackAddr The callback contract (sent requests always call back this contract).
    /// @param callbackFunctionSignature The callback selector.
    /// @return The request, ready for parameters.
    function _buildChainlinkRequest(bytes32 specId, address callbackAddr, bytes4 callbackFunctionSignature)
        internal
        pure
        returns (Chainlink.Request memory)
    {
        Chainlink.Request memory req;
        return req._initialize(specId, callbackAddr, callbackFunctionSignature);
    }

    /// @notice Creates a request that calls this contract back with `callbackFunctionSignature`.
    /// @param specId The job id.
    /// @param callbackFunctionSignature The callback selector.
    /// @return The request, ready for parameters.
    function _buildOperatorRequest(bytes32 specId, bytes4 callbackFunctionSignature)
        internal
        view
        returns (Chainlink.Request memory)
    {
        Chainlink.Request memory req;
        return req._initialize(specId, address(this), callbackFunctionSignature);
    }

    /// @notice Sends a v1 request to the stored oracle.
    /// @param req The request.
    /// @param payment The LINK to pay, in juels.
    /// @return The request id.
    function _sendChainlinkRequest(Chainlink.Request memory req, uint256 payment) internal returns (bytes32) {
        return _sendChainlinkRequestTo(s_oracle, req, payment);
    }

    /// @notice Sends a v1 request (`oracleRequest`; single-word answers) to `oracleAddress`.
    /// @param oracleAddress The operator contract.
    /// @param req The request.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
    function _sendChainlinkRequestTo(address oracleAddress, Chainlink.Request memory req, uint256 payment)
        internal
        returns (bytes32 requestId)
    {
        (ILinkToken link, uint256 nonce) = _nextNonce();
        bytes memory encoded = abi.encodeWithSelector(
            IOperator.oracleRequest.selector,
            address(0), // sender: overwritten by the operator with the real sender
            0, // payment: overwritten by the operator with the amount transferred
            req.id,
            address(this),
            req.callbackFunctionId,
            nonce,
            ORACLE_ARGS_VERSION,
            req.buf.buf
        );
        return _rawRequest(link, oracleAddress, nonce, payment, encoded);
    }

    /// @notice Sends a v2 request to the stored oracle.
    /// @param req The request.
    /// @param payment The LINK to pay, in juels.
    /// @return The request id.
    function _sendOperatorRequest(Chainlink.Request memory req, uint256 payment) internal returns (bytes32) {
        return _sendOperatorRequestTo(s_oracle, req, payment);
    }

    /// @notice Sends a v2 request (`operatorRequest`; multi-word answers) to `oracleAddress`.
    /// @param oracleAddress The operator contract.
    /// @param req The request.
    /// @param payment The LINK to pay, in juels.
    /// @return requestId The request id.
    function _sendOperatorRequestTo(address oracleAddress, Chainlink.Request memory req, uint256 payment)
        internal
        returns (bytes32 requestId)
    {
        (ILinkToken link, uint256 nonce) = _nextNonce();
        bytes memory encoded = abi.encodeWithSelector(
            IOperator.operatorRequest.selector,
            address(0), // sender: overwritten by the operator
            0, // payment: overwritten by the operator
            req.id,
            req.callbackFunctionId,
            nonce,
            OPERATOR_ARGS_VERSION,
            req.buf.buf
        );
        return _rawRequest(link, oracleAddress, nonce, payment, encoded);
    }

    /// @notice Cancels an expired, unanswered request and gets its payment back.
    /// @param requestId The request id.
    /// @param payment The payment of the request.
    /// @param callbackFunc The callback selector of the request.
    /// @param expiration The `cancelExpiration` from the request's `OracleRequest` event.
    function _cancelChainlinkRequest(bytes32 requestId, uint256 payment, bytes4 callbackFunc, uint256 expiration)
        internal
    {
        IOperator requested = IOperator(s_pendingRequests[requestId]);
        delete s_pendingRequests[requestId];
        emit ChainlinkCancelled(requestId);
        requested.cancelOracleRequest(requestId, payment, callbackFunc, expiration);
    }

    /// @notice The nonce the next request will use.
    /// @return The nonce.
    function _getNextRequestCount() internal view returns (uint256) {
        return s_requestCount;
    }

    /// @notice Sets the oracle used by `_sendChainlinkRequest` and `_sendOperatorRequest`.
    /// @param oracleAddress The operator contract.
    function _setChainlinkOracle(address oracleAddress) internal {
        s_oracle = oracleAddress;
    }

    /// @notice Sets the LINK token used to pay.
    /// @param linkAddress The token.
    function _setChainlinkToken(address linkAddress) internal {
        s_link = ILinkToken(linkAddress);
    }

    /// @notice The LINK token used to pay.
    /// @return The token address.
    function _chainlinkTokenAddress() internal view returns (address) {
        return address(s_link);
    }

    /// @notice The stored oracle.
    /// @return The oracle address.
    function _chainlinkOracleAddress() internal view returns (address) {
        return s_oracle;
    }

    /// @notice Accepts answers for a request created by another contract.
    /// @param oracleAddress The oracle that will answer.
    /// @param requestId The request id.
    function _addChainlinkExternalRequest(address oracleAddress, bytes32 requestId) internal {
        if (s_pendingRequests[requestId] != address(0)) revert RequestAlreadyPending(requestId);
        s_pendingRequests[requestId] = oracleAddress;
    }

    /// @notice Function form of `recordChainlinkFulfillment`.
    /// @param requestId The request id.
    function _validateChainlinkCallback(bytes32 requestId) internal {
        _recordFulfillment(requestId);
    }

    /// @notice Reverts unless the caller is the oracle of pending request `requestId`; then marks it
    /// answered and emits `ChainlinkFulfilled`.
    /// @param requestId The request id.
    modifier recordChainlinkFulfillment(bytes32 requestId) {
        _recordFulfillment(requestId);
        _;
    }

    function _recordFulfillment(bytes32 requestId) private {
        if (msg.sender != s_pendingRequests[requestId]) revert FulfillmentNotFromOracle(requestId, msg.sender);
        delete s_pendingRequests[requestId];
        emit ChainlinkFulfilled(requestId);
    }

    /// @dev Reads LINK and the nonce (one slot) and bumps the nonce.
    function _nextNonce() private returns (ILinkToken link, uint256 nonce) {
        link = s_link;
        nonce = s_requestCount;
        s_requestCount = uint96(nonce + 1);
    }

    function _rawRequest(ILinkToken link, address oracleAddress, uint256 nonce, uint256 payment, bytes memory encoded)
        private
        returns (bytes32 requestId)
    {
        requestId = keccak256(abi.encodePacked(this, nonce));
        s_pendingRequests[requestId] = oracleAddress;
        emit ChainlinkRequested(requestId);
        if (!link.transferAndCall(oracleAddress, payment, encoded)) revert TransferAndCallFailed(oracleAddress);
    }
}
