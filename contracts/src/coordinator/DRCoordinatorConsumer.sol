// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";
import {IDRCoordinator} from "./interfaces/IDRCoordinator.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";

/// @title DRCoordinatorConsumer
/// @notice Base contract for consumers of a DRCoordinator: the `ChainlinkClient` equivalent for
/// pay-as-you-go direct requests. It builds requests with the `Chainlink` library (same
/// `Chainlink.Request` and `_add`/`_addUint`/`_addBytes`/... as `ChainlinkClient`), sends them
/// through `IDRCoordinator.requestData`, tracks the ones answered in this contract, and funds this
/// contract's balance or a subscription on the coordinator.
/// @dev Fulfilment in this contract: build with `_buildDRCoordinatorRequest`, send, and guard the
/// callback with `recordDRCoordinatorFulfillment(requestId)`, which accepts each pending request
/// once and only from the coordinator. Fulfilment in another contract (split consumer): build with
/// `_buildDRCoordinatorExternalRequest`; the coordinator tells the fulfilment contract about the
/// request (`IChainlinkExternalFulfillment`, see `FulfillChainlinkExternalRequestCompatible`), so
/// nothing is stored here, and the coordinator remembers this contract as the requester for
/// `cancelRequest`.
///
/// Gas: LINK and the coordinator are immutables (no storage read on the request path); a request
/// answered here writes one slot (the pending flag), which its fulfilment clears (refunded). No
/// events: the coordinator's `RequestSent`, `RequestFulfilled` and `RequestCancelled` already carry
/// the request id and the requester.
///
/// Privileged functions: none here. The inheriting contract decides who may send requests (which
/// spend this contract's balance or bill its subscriptions), cancel, or withdraw; the helpers
/// below are internal.
abstract contract DRCoordinatorConsumer {
    using Chainlink for Chainlink.Request;

    ILinkToken private immutable i_link;
    IDRCoordinator private immutable i_drCoordinator;
    /// @dev The Operator used by `_sendDRCoordinatorRequest`.
    address private s_operator;
    /// @dev Requests sent by this contract and answered in it, not yet fulfilled or cancelled.
    mapping(bytes32 requestId => bool pending) private s_pendingRequests;

    /// @notice A constructor argument was the zero address.
    /// @param link The LINK token given.
    /// @param drCoordinator The coordinator given.
    error ConsumerZeroAddress(address link, address drCoordinator);

    /// @notice A fulfilment came from an address that is not the coordinator.
    /// @param requestId The request id.
    /// @param caller The rejected caller.
    error FulfillmentNotFromDRCoordinator(bytes32 requestId, address caller);

    /// @notice The request is not pending in this contract (unknown, already fulfilled, cancelled,
    /// or sent for fulfilment in another contract).
    /// @param requestId The request id.
    error DRCoordinatorRequestNotPending(bytes32 requestId);

    /// @notice LINK's `transferAndCall` returned false.
    /// @param to The recipient (the coordinator).
    /// @param amount The juels that were to be sent.
    error FundingTransferFailed(address to, uint256 amount);

    /// @notice Reverts unless the caller is the coordinator and `requestId` is pending here; then
    /// marks it fulfilled, so the same id is refused the next time.
    /// @param requestId The request id (the callback's first argument).
    modifier recordDRCoordinatorFulfillment(bytes32 requestId) {
        _recordDRCoordinatorFulfillment(requestId);
        _;
    }

    /// @notice Sets the LINK token and the coordinator, both fixed for the contract's life.
    /// @param link The LINK token (used only by the funding helpers).
    /// @param drCoordinator The DRCoordinator that sends and fulfils this contract's requests.
    constructor(address link, address drCoordinator) {
        if (link == address(0) || drCoordinator == address(0)) revert ConsumerZeroAddress(link, drCoordinator);
        i_link = ILinkToken(link);
        i_drCoordinator = IDRCoordinator(drCoordinator);
    }

    // ------------------------------------------------------------------ building

    /// @notice Creates a request answered in this contract by `callbackFunctionId`.
    /// @param specId The spec's job id (the job's externalJobID).
    /// @param callbackFunctionId The selector of this contract's callback; it receives
    /// `(bytes32 requestId, ...)` and should carry `recordDRCoordinatorFulfillment`.
    /// @return req The request, ready for parameters.
    function _buildDRCoordinatorRequest(bytes32 specId, bytes4 callbackFunctionId)
        internal
        view
        returns (Chainlink.Request memory req)
    {
        return req._initialize(specId, address(this), callbackFunctionId);
    }

    /// @notice Creates a request answered in another contract (split consumer), which must
    /// implement `IChainlinkExternalFulfillment` and accept this contract as a requester.
    /// @param specId The spec's job id.
    /// @param callbackAddr The fulfilment contract.
    /// @param callbackFunctionId The selector of its callback; it receives `(bytes32 requestId, ...)`.
    /// @return req The request, ready for parameters.
    function _buildDRCoordinatorExternalRequest(bytes32 specId, address callbackAddr, bytes4 callbackFunctionId)
        internal
        pure
        returns (Chainlink.Request memory req)
    {
        return req._initialize(specId, callbackAddr, callbackFunctionId);
    }

    // ------------------------------------------------------------------ sending

    /// @notice Sends `req` to the default operator (`_setOperator`); see `_sendDRCoordinatorRequestTo`.
    /// @param req The request.
    /// @param callbackGasLimit Gas the callback gets, exactly.
    /// @param minConfirmations Confirmations the node waits for before answering.
    /// @param subId 0 to pay from this contract's balance, else a subscription it may bill.
    /// @param maxPayment 0 for no limit, else the most this contract accepts as MAX payment (juels).
    /// @return requestId The request id.
    function _sendDRCoordinatorRequest(
        Chainlink.Request memory req,
        uint32 callbackGasLimit,
        uint8 minConfirmations,
        uint64 subId,
        uint96 maxPayment
    ) internal returns (bytes32 requestId) {
        return _sendDRCoordinatorRequestTo(s_operator, req, callbackGasLimit, minConfirmations, subId, maxPayment);
    }

    /// @notice Sends `req` through the coordinator to the spec `(operator, req.id)`. A request
    /// whose callback is this contract becomes pending here; one for another contract is tracked
    /// by that contract.
    /// @dev The coordinator checks the spec, the ranges and the funds, and escrows the MAX payment;
    /// its custom errors (`IDRCoordinator`) bubble up.
    /// @param operator The spec's Operator.
    /// @param req The request.
    /// @param callbackGasLimit Gas the callback gets, exactly.
    /// @param minConfirmations Confirmations the node waits for before answering.
    /// @param subId 0 to pay from this contract's balance, else a subscription it may bill.
    /// @param maxPayment 0 for no limit, else the most this contract accepts as MAX payment (juels).
    /// @return requestId The request id.
    function _sendDRCoordinatorRequestTo(
        address operator,
        Chainlink.Request memory req,
        uint32 callbackGasLimit,
        uint8 minConfirmations,
        uint64 subId,
        uint96 maxPayment
    ) internal returns (bytes32 requestId) {
        requestId = i_drCoordinator.requestData(
            operator,
            req.id,
            req.callbackAddress,
            req.callbackFunctionId,
            callbackGasLimit,
            minConfirmations,
            subId,
            maxPayment,
            req.buf.buf
        );
        if (req.callbackAddress == address(this)) s_pendingRequests[requestId] = true;
    }

    // ------------------------------------------------------------------ cancelling

    /// @notice Cancels an expired request this contract sent (answered here or elsewhere); the
    /// coordinator refunds the whole escrow to the payer (this contract's balance or the
    /// subscription).
    /// @dev Reverts with the coordinator's `RequestNotFound`, `NotRequester` or `RequestNotExpired`.
    /// @param requestId The request id.
    function _cancelDRCoordinatorRequest(bytes32 requestId) internal {
        delete s_pendingRequests[requestId];
        i_drCoordinator.cancelRequest(requestId);
    }

    // ------------------------------------------------------------------ funding

    /// @notice Moves `amount` juels of this contract's LINK into its own balance on the coordinator
    /// (`transferAndCall` with empty data).
    /// @param amount Juels.
    function _fundDRCoordinatorBalance(uint256 amount) internal {
        _transferAndCall(amount, "");
    }

    /// @notice Moves `amount` juels of this contract's LINK into `consumer`'s balance on the
    /// coordinator (`transferAndCall` with the 20 address bytes as data).
    /// @param consumer The consumer credited.
    /// @param amount Juels.
    function _fundDRCoordinatorBalanceOf(address consumer, uint256 amount) internal {
        _transferAndCall(amount, abi.encodePacked(consumer));
    }

    /// @notice Moves `amount` juels of this contract's LINK into subscription `subId`
    /// (`transferAndCall` with `abi.encode(subId)`).
    /// @param subId The subscription.
    /// @param amount Juels.
    function _fundDRCoordinatorSubscription(uint64 subId, uint256 amount) internal {
        _transferAndCall(amount, abi.encode(subId));
    }

    /// @notice Withdraws from this contract's balance on the coordinator (only this contract can).
    /// @param to The recipient of the LINK.
    /// @param amount Juels.
    function _withdrawDRCoordinatorFunds(address to, uint96 amount) internal {
        i_drCoordinator.withdrawFunds(to, amount);
    }

    // ------------------------------------------------------------------ configuration and views

    /// @notice Sets the operator used by `_sendDRCoordinatorRequest`.
    /// @param operator The Operator contract.
    function _setOperator(address operator) internal {
        s_operator = operator;
    }

    /// @notice The operator used by `_sendDRCoordinatorRequest`.
    /// @return The Operator address (zero if never set).
    function _operatorAddress() internal view returns (address) {
        return s_operator;
    }

    /// @notice The LINK token.
    /// @return The token.
    function _linkToken() internal view returns (ILinkToken) {
        return i_link;
    }

    /// @notice The coordinator (for subscription management and views).
    /// @return The coordinator.
    function _drCoordinator() internal view returns (IDRCoordinator) {
        return i_drCoordinator;
    }

    /// @notice Whether `requestId` is waiting for its fulfilment in this contract.
    /// @param requestId The request id.
    /// @return True while pending.
    function _isPendingDRCoordinatorRequest(bytes32 requestId) internal view returns (bool) {
        return s_pendingRequests[requestId];
    }

    /// @notice Function form of `recordDRCoordinatorFulfillment`.
    /// @param requestId The request id.
    function _recordDRCoordinatorFulfillment(bytes32 requestId) internal {
        if (msg.sender != address(i_drCoordinator)) revert FulfillmentNotFromDRCoordinator(requestId, msg.sender);
        if (!s_pendingRequests[requestId]) revert DRCoordinatorRequestNotPending(requestId);
        delete s_pendingRequests[requestId];
    }

    function _transferAndCall(uint256 amount, bytes memory data) private {
        address to = address(i_drCoordinator);
        if (!i_link.transferAndCall(to, amount, data)) revert FundingTransferFailed(to, amount);
    }
}
