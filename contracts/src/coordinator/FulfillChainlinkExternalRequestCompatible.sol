// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IChainlinkExternalFulfillment} from "./interfaces/IDRCoordinator.sol";

/// @title FulfillChainlinkExternalRequestCompatible
/// @notice Base contract for a fulfilment contract that is not the requester (split consumer:
/// `callbackAddr != requester`). An authorised DRCoordinator calls `setExternalPendingRequest`
/// while it forwards the request; the callback, guarded by
/// `recordChainlinkExternalFulfillment(requestId)`, then accepts that request once, and only from
/// the coordinator that registered it.
/// @dev Both the coordinator and the requester must be authorised by the owner: without the
/// requester check, anyone could send a request (with any job and parameters) whose callback is
/// this contract and have its answer written here. Each pending request costs one slot, written by
/// the coordinator's call and cleared (refunded) by the fulfilment.
///
/// Privileged functions and what they cannot do:
/// - owner: `setCoordinatorAuthorization`, `setRequesterAuthorization`, `transferOwnership`. The
///   owner chooses who may register requests here, but cannot register or fulfil a request
///   itself. Revoking a coordinator also refuses the fulfilments of the requests it already
///   registered; revoking a requester only stops new requests.
/// - pending owner: `acceptOwnership`, nothing else.
/// - authorised coordinators: `setExternalPendingRequest` for an authorised requester and an id
///   not already pending; they can fulfil only the requests they registered, each once.
abstract contract FulfillChainlinkExternalRequestCompatible is IChainlinkExternalFulfillment {
    address private s_owner;
    address private s_pendingOwner;
    mapping(address coordinator => bool authorized) private s_authorizedCoordinators;
    mapping(address requester => bool authorized) private s_authorizedRequesters;
    /// @dev requestId => the coordinator that registered it and alone may fulfil it.
    mapping(bytes32 requestId => address coordinator) private s_externalPendingRequests;

    /// @notice The caller is not the owner.
    /// @param caller The rejected caller.
    error NotFulfillmentOwner(address caller);

    /// @notice The caller is not the proposed owner.
    /// @param caller The rejected caller.
    error NotPendingFulfillmentOwner(address caller);

    /// @notice An address argument was zero.
    error FulfillmentZeroAddress();

    /// @notice `setExternalPendingRequest` came from a coordinator that is not authorised.
    /// @param caller The rejected caller.
    error CoordinatorNotAuthorized(address caller);

    /// @notice `setExternalPendingRequest` named a requester that is not authorised.
    /// @param requester The rejected requester.
    error RequesterNotAuthorized(address requester);

    /// @notice `setExternalPendingRequest` named an id that is already pending.
    /// @param requestId The request id.
    error ExternalRequestAlreadyPending(bytes32 requestId);

    /// @notice The fulfilment is not for a pending request of the calling coordinator (unknown id,
    /// already fulfilled, registered by another coordinator, or the caller is not a coordinator).
    /// @param requestId The request id.
    /// @param caller The rejected caller.
    error ExternalFulfillmentNotAllowed(bytes32 requestId, address caller);

    /// @notice A coordinator was authorised or revoked.
    /// @param coordinator The coordinator.
    /// @param authorized Whether it may now register requests.
    event CoordinatorAuthorizationSet(address indexed coordinator, bool authorized);

    /// @notice A requester was authorised or revoked.
    /// @param requester The requester.
    /// @param authorized Whether its requests may now be fulfilled here.
    event RequesterAuthorizationSet(address indexed requester, bool authorized);

    /// @notice The owner proposed a new owner.
    /// @param from The current owner.
    /// @param to The proposed owner (zero: proposal withdrawn).
    event OwnershipTransferRequested(address indexed from, address indexed to);

    /// @notice Ownership changed.
    /// @param from The previous owner.
    /// @param to The new owner.
    event OwnershipTransferred(address indexed from, address indexed to);

    /// @notice Reverts unless the caller is an authorised coordinator that registered the pending
    /// request `requestId`; then clears it, so the same id is refused the next time.
    /// @param requestId The request id (the callback's first argument).
    modifier recordChainlinkExternalFulfillment(bytes32 requestId) {
        _recordChainlinkExternalFulfillment(requestId);
        _;
    }

    /// @notice Reverts unless the caller is the owner.
    modifier onlyFulfillmentOwner() {
        if (msg.sender != s_owner) revert NotFulfillmentOwner(msg.sender);
        _;
    }

    /// @notice Sets the first owner.
    /// @param owner_ The owner, who authorises coordinators and requesters.
    constructor(address owner_) {
        if (owner_ == address(0)) revert FulfillmentZeroAddress();
        s_owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    /// @inheritdoc IChainlinkExternalFulfillment
    /// @dev Only an authorised coordinator, for an authorised requester and an id not pending yet.
    function setExternalPendingRequest(address requester, bytes32 requestId) external {
        if (!s_authorizedCoordinators[msg.sender]) revert CoordinatorNotAuthorized(msg.sender);
        if (!s_authorizedRequesters[requester]) revert RequesterNotAuthorized(requester);
        if (s_externalPendingRequests[requestId] != address(0)) revert ExternalRequestAlreadyPending(requestId);
        s_externalPendingRequests[requestId] = msg.sender;
    }

    /// @notice Authorises or revokes a coordinator. Only the owner.
    /// @param coordinator The DRCoordinator.
    /// @param authorized Whether it may register (and fulfil) requests here.
    function setCoordinatorAuthorization(address coordinator, bool authorized) external onlyFulfillmentOwner {
        if (coordinator == address(0)) revert FulfillmentZeroAddress();
        s_authorizedCoordinators[coordinator] = authorized;
        emit CoordinatorAuthorizationSet(coordinator, authorized);
    }

    /// @notice Authorises or revokes a requester. Only the owner.
    /// @param requester The contract that sends requests answered here.
    /// @param authorized Whether its new requests are accepted.
    function setRequesterAuthorization(address requester, bool authorized) external onlyFulfillmentOwner {
        if (requester == address(0)) revert FulfillmentZeroAddress();
        s_authorizedRequesters[requester] = authorized;
        emit RequesterAuthorizationSet(requester, authorized);
    }

    /// @notice Proposes a new owner (two-step; zero withdraws the proposal). Only the owner.
    /// @param to The proposed owner.
    function transferOwnership(address to) external onlyFulfillmentOwner {
        s_pendingOwner = to;
        emit OwnershipTransferRequested(msg.sender, to);
    }

    /// @notice Accepts a proposed ownership transfer. Only the proposed owner.
    function acceptOwnership() external {
        if (msg.sender != s_pendingOwner) revert NotPendingFulfillmentOwner(msg.sender);
        address previous = s_owner;
        s_owner = msg.sender;
        delete s_pendingOwner;
        emit OwnershipTransferred(previous, msg.sender);
    }

    /// @notice The owner.
    /// @return The owner address.
    function owner() external view returns (address) {
        return s_owner;
    }

    /// @notice Whether `coordinator` may register and fulfil requests here.
    /// @param coordinator The coordinator.
    /// @return True if authorised.
    function isAuthorizedCoordinator(address coordinator) external view returns (bool) {
        return s_authorizedCoordinators[coordinator];
    }

    /// @notice Whether requests sent by `requester` are accepted.
    /// @param requester The requester.
    /// @return True if authorised.
    function isAuthorizedRequester(address requester) external view returns (bool) {
        return s_authorizedRequesters[requester];
    }

    /// @notice The coordinator that may fulfil `requestId` here.
    /// @param requestId The request id.
    /// @return The coordinator, or zero if the request is not pending here.
    function externalPendingRequest(bytes32 requestId) external view returns (address) {
        return s_externalPendingRequests[requestId];
    }

    /// @notice Function form of `recordChainlinkExternalFulfillment`.
    /// @param requestId The request id.
    function _recordChainlinkExternalFulfillment(bytes32 requestId) internal {
        if (msg.sender != s_externalPendingRequests[requestId] || !s_authorizedCoordinators[msg.sender]) {
            revert ExternalFulfillmentNotAllowed(requestId, msg.sender);
        }
        delete s_externalPendingRequests[requestId];
    }
}
