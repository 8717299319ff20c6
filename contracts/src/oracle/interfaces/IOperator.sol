// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";

/// @title IOperator
/// @notice The direct-request oracle contract: escrows LINK for requests, lets authorized node
/// accounts answer them, and pays the node operator.
/// @dev ABI-compatible with Chainlink's `Operator.sol` (v0.8 operatorforwarder) for the direct-request
/// path: the request entry points, the fulfilment entry points, `cancelOracleRequest` and the three
/// request events keep Chainlink's exact names and signatures, so existing ChainlinkClient consumers
/// and Chainlink-style nodes work unchanged. Requests only arrive through LINK's `transferAndCall`,
/// which calls `onTokenTransfer` with an `oracleRequest` (v1) or `operatorRequest` (v2) payload.
interface IOperator is IERC677Receiver {
    // ------------------------------------------------------------------ events (Chainlink names)

    /// @notice A request was accepted and its payment escrowed; nodes watch this event.
    /// @dev Chainlink's exact signature; topic0 is
    /// 0xd8d7ecc4800d25fa53ce0372f13a416d98907a7ef3d8d3bdd79cf4fe75529c65.
    /// @param specId The job the request is for (the job's externalJobID).
    /// @param requester The contract that sent the LINK.
    /// @param requestId keccak256(abi.encodePacked(requester, nonce)).
    /// @param payment The LINK (juels) escrowed for this request.
    /// @param callbackAddr The contract to call back; always the requester.
    /// @param callbackFunctionId The selector to call back.
    /// @param cancelExpiration Timestamp after which the requester may cancel.
    /// @param dataVersion 1 for `oracleRequest`, 2 for `operatorRequest`.
    /// @param data The request parameters, diet-CBOR encoded.
    event OracleRequest(
        bytes32 indexed specId,
        address requester,
        bytes32 requestId,
        uint256 payment,
        address callbackAddr,
        bytes4 callbackFunctionId,
        uint256 cancelExpiration,
        uint256 dataVersion,
        bytes data
    );

    /// @notice A request was cancelled and its payment refunded.
    /// @param requestId The cancelled request.
    event CancelOracleRequest(bytes32 indexed requestId);

    /// @notice A request was answered; its payment now belongs to the node operator.
    /// @param requestId The answered request.
    event OracleResponse(bytes32 indexed requestId);

    // ------------------------------------------------------------------ events (ours)

    /// @notice The set of accounts allowed to fulfil requests was replaced.
    /// @param senders The new set.
    /// @param changedBy The account that made the change (the owner).
    event AuthorizedSendersChanged(address[] senders, address changedBy);

    /// @notice The owner proposed a new owner, who must call `acceptOwnership`.
    /// @param from The current owner.
    /// @param to The proposed owner.
    event OwnershipTransferRequested(address indexed from, address indexed to);

    /// @notice Ownership changed hands.
    /// @param from The previous owner.
    /// @param to The new owner.
    event OwnershipTransferred(address indexed from, address indexed to);

    // ------------------------------------------------------------------ errors

    /// @notice Only the LINK token may call this function.
    /// @param caller The rejected caller.
    error NotLinkToken(address caller);

    /// @notice The `transferAndCall` payload is shorter than a selector plus two words, or its
    /// ABI encoding is malformed (truncated head, bad `data` offset or length, dirty padding).
    /// @param length The payload length in bytes.
    error MalformedRequest(uint256 length);

    /// @notice The `transferAndCall` payload calls neither `oracleRequest` nor `operatorRequest`.
    /// @param selector The rejected selector.
    error UnsupportedRequestFunction(bytes4 selector);

    /// @notice The callback would target the LINK token.
    error CallbackIsLinkToken();

    /// @notice A v1 request names a callback contract other than the requester.
    /// @dev Chainlink's Operator accepts such a request but it can then be neither fulfilled nor
    /// cancelled, locking the payment; we reject it up front.
    /// @param callback The callback address in the request.
    /// @param requester The requester.
    error CallbackNotRequester(address callback, address requester);

    /// @notice A pending request already uses this id (same requester and nonce).
    /// @param requestId The duplicate id.
    error RequestIdInUse(bytes32 requestId);

    /// @notice The request's data version does not fit in a uint8.
    /// @param dataVersion The rejected version.
    error DataVersionTooLarge(uint256 dataVersion);

    /// @notice The caller is not an authorized sender.
    /// @param caller The rejected caller.
    error UnauthorizedSender(address caller);

    /// @notice No pending request has this id.
    /// @param requestId The unknown id.
    error UnknownRequest(bytes32 requestId);

    /// @notice The payment, callback, selector or expiration do not match the request's commitment.
    /// @param requestId The request.
    error ParamsMismatch(bytes32 requestId);

    /// @notice A v2 request (multi-word) cannot be answered with the single-word `fulfillOracleRequest`.
    /// @param requestId The request.
    /// @param requested The data version of the request.
    /// @param fulfilled The data version of the fulfilment function used.
    error DataVersionMismatch(bytes32 requestId, uint256 requested, uint256 fulfilled);

    /// @notice The first word of a multi-word response must be the request id.
    /// @param requestId The request.
    /// @param length The response length in bytes.
    error ResponseIdMismatch(bytes32 requestId, uint256 length);

    /// @notice Less than `MINIMUM_CONSUMER_GAS_LIMIT` gas is left for the consumer callback.
    /// @param gasLeft The gas left at the check.
    /// @param minimum The required minimum.
    error InsufficientConsumerGas(uint256 gasLeft, uint256 minimum);

    /// @notice The request cannot be cancelled before its expiration.
    /// @param requestId The request.
    /// @param expiration When it can be cancelled.
    error RequestNotExpired(bytes32 requestId, uint256 expiration);

    /// @notice The owner asked to withdraw more than the LINK not held in escrow.
    /// @param requested The amount asked for.
    /// @param available The withdrawable amount.
    error InsufficientWithdrawable(uint256 requested, uint256 available);

    /// @notice A LINK transfer out of this contract returned false.
    error LinkTransferFailed();

    /// @notice The caller is not the owner.
    /// @param caller The rejected caller.
    error NotOwner(address caller);

    /// @notice The caller is not the proposed owner.
    /// @param caller The rejected caller.
    error NotPendingOwner(address caller);

    /// @notice The zero address cannot be the owner or an authorized sender.
    error ZeroAddress();

    /// @notice The owner proposed itself as the new owner.
    error TransferToSelf();

    /// @notice The authorized sender list contains the same account twice.
    /// @param sender The duplicate.
    error DuplicateSender(address sender);

    /// @notice A token-moving function was re-entered.
    error Reentrancy();

    // ------------------------------------------------------------------ requests

    /// @notice Creates a v1 (single-word) request. Callable only by LINK, normally via
    /// `transferAndCall` → `onTokenTransfer`, which overwrites `sender` and `payment`.
    /// @dev The callback receives `(bytes32 requestId, bytes32 data)`. `callbackAddress` must be
    /// the requester (see `CallbackNotRequester`).
    /// @param sender The requester.
    /// @param payment The LINK paid.
    /// @param specId The job id.
    /// @param callbackAddress The contract to call back; must equal `sender`.
    /// @param callbackFunctionId The selector to call back.
    /// @param nonce The requester's nonce; with `sender` it makes the request id.
    /// @param dataVersion The request format version (1 from ChainlinkClient).
    /// @param data The diet-CBOR request parameters.
    function oracleRequest(
        address sender,
        uint256 payment,
        bytes32 specId,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 nonce,
        uint256 dataVersion,
        bytes calldata data
    ) external;

    /// @notice Creates a v2 (multi-word) request whose callback is the requester. Callable only by
    /// LINK, normally via `transferAndCall` → `onTokenTransfer`.
    /// @dev The callback receives `abi.encodePacked(callbackFunctionId, data)` where the first word
    /// of `data` is the request id.
    /// @param sender The requester, which is also the callback contract.
    /// @param payment The LINK paid.
    /// @param specId The job id.
    /// @param callbackFunctionId The selector to call back.
    /// @param nonce The requester's nonce.
    /// @param dataVersion The request format version (2 from ChainlinkClient).
    /// @param data The diet-CBOR request parameters.
    function operatorRequest(
        address sender,
        uint256 payment,
        bytes32 specId,
        bytes4 callbackFunctionId,
        uint256 nonce,
        uint256 dataVersion,
        bytes calldata data
    ) external;

    /// @notice Answers a request with one word. Only authorized senders.
    /// @dev Releases the payment from escrow (it becomes withdrawable), emits `OracleResponse`,
    /// then calls `callbackAddress` with `(requestId, data)` if at least
    /// `MINIMUM_CONSUMER_GAS_LIMIT` gas is left. A reverting callback does not revert the fulfilment.
    /// @param requestId The request.
    /// @param payment The payment from the request event.
    /// @param callbackAddress The callback from the request event.
    /// @param callbackFunctionId The selector from the request event.
    /// @param expiration The cancelExpiration from the request event.
    /// @param data The answer.
    /// @return success Whether the callback succeeded.
    function fulfillOracleRequest(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes32 data
    ) external returns (bool success);

    /// @notice Answers a request with arbitrary ABI-encoded data. Only authorized senders.
    /// @dev Like `fulfillOracleRequest`, but the callback gets `abi.encodePacked(callbackFunctionId,
    /// data)`, and the first 32 bytes of `data` must be `requestId`.
    /// @param requestId The request.
    /// @param payment The payment from the request event.
    /// @param callbackAddress The callback from the request event.
    /// @param callbackFunctionId The selector from the request event.
    /// @param expiration The cancelExpiration from the request event.
    /// @param data The ABI-encoded callback arguments, starting with the request id.
    /// @return success Whether the callback succeeded.
    function fulfillOracleRequest2(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes calldata data
    ) external returns (bool success);

    /// @notice Cancels the caller's expired request and refunds its payment to the caller; the
    /// payment leaves the escrow and never becomes withdrawable.
    /// @param requestId The request.
    /// @param payment The payment from the request event.
    /// @param callbackFunc The selector from the request event.
    /// @param expiration The cancelExpiration from the request event.
    function cancelOracleRequest(bytes32 requestId, uint256 payment, bytes4 callbackFunc, uint256 expiration)
        external;

    /// @notice Same as `cancelOracleRequest`, with the request id derived from the caller and `nonce`.
    /// @param nonce The nonce the caller used for the request.
    /// @param payment The payment from the request event.
    /// @param callbackFunc The selector from the request event.
    /// @param expiration The cancelExpiration from the request event.
    function cancelOracleRequestByRequester(uint256 nonce, uint256 payment, bytes4 callbackFunc, uint256 expiration)
        external;

    // ------------------------------------------------------------------ node accounts

    /// @notice Replaces the set of accounts allowed to fulfil. Only the owner.
    /// @dev Payments released by removed senders stay withdrawable. An empty list stops all
    /// fulfilments (emergency revoke).
    /// @param senders The new set; no zero address, no duplicates.
    function setAuthorizedSenders(address[] calldata senders) external;

    /// @notice The accounts allowed to fulfil.
    /// @return senders The current set.
    function getAuthorizedSenders() external view returns (address[] memory senders);

    /// @notice Whether `sender` may fulfil.
    /// @param sender The account to check.
    /// @return authorized True if it may.
    function isAuthorizedSender(address sender) external view returns (bool authorized);

    // ------------------------------------------------------------------ funds

    /// @notice Sends LINK that is not in escrow to `recipient`. Only the owner; never touches the
    /// escrowed payments of pending requests.
    /// @param recipient The receiver.
    /// @param amount The amount in juels; at most `withdrawable()`.
    function withdraw(address recipient, uint256 amount) external;

    /// @notice LINK the owner may withdraw: `LINK.balanceOf(this)` minus the escrowed payments of
    /// pending requests (Chainlink's semantics).
    /// @dev This includes payments of answered requests and LINK sent to this contract outside a
    /// request (plain `transfer`), minus past withdrawals.
    /// @return amount The withdrawable juels.
    function withdrawable() external view returns (uint256 amount);

    /// @notice The LINK token this operator accepts.
    /// @return link The token address.
    function getChainlinkToken() external view returns (address link);

    // ------------------------------------------------------------------ ownership

    /// @notice The owner.
    /// @return The owner address.
    function owner() external view returns (address);

    /// @notice The proposed owner, or zero.
    /// @return The pending owner address.
    function pendingOwner() external view returns (address);

    /// @notice Proposes `to` as the new owner. Only the owner; `to` must accept.
    /// @param to The proposed owner.
    function transferOwnership(address to) external;

    /// @notice Completes an ownership transfer. Only the proposed owner.
    function acceptOwnership() external;
}
