// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CBOR} from "../client/CBOR.sol";
import {IDRCoordinator, IChainlinkExternalFulfillment} from "../coordinator/interfaces/IDRCoordinator.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";

/// @title DRCTestConsumer
/// @notice Test harness for DRCoordinator: a consumer (and split-consumer fulfilment contract)
/// with well-behaved, reverting, gas-burning and re-entering callbacks. Not for production: anyone
/// may make it request, cancel or withdraw.
/// @dev Like a real consumer it records its pending requests and accepts a callback only from the
/// coordinator for a pending request, so its gas is representative.
contract DRCTestConsumer is IChainlinkExternalFulfillment {
    using CBOR for CBOR.Buffer;

    /// @notice The coordinator.
    IDRCoordinator public immutable coordinator;
    /// @notice The last value stored by `fulfillUint`.
    uint256 public value;
    /// @notice Gas left when `fulfillGas` ran (to check the exact callback gas).
    uint256 public gasAtCallback;
    /// @notice Revert data of each call `fulfillReenter` made into the coordinator.
    bytes[] private s_reentryErrors;
    mapping(bytes32 requestId => bool) private s_pending;

    /// @notice A callback came from someone else than the coordinator.
    error NotCoordinator(address caller);
    /// @notice A callback for a request this contract does not expect.
    error NotPending(bytes32 requestId);
    /// @notice `fulfillRevert` always reverts.
    error CallbackReverted(bytes32 requestId);

    /// @notice A value was stored.
    event ValueFulfilled(bytes32 indexed requestId, uint256 value);

    /// @notice Deploys a consumer of `coordinator_`.
    /// @param coordinator_ The coordinator.
    constructor(address coordinator_) {
        coordinator = IDRCoordinator(coordinator_);
    }

    /// @notice Requests the docs' "Get > Uint256" job (get, path, times) answered by `fulfillUint`.
    /// @param operator The spec's Operator.
    /// @param specId The spec's job id.
    /// @param callbackGasLimit The callback gas.
    /// @param minConfirmations The confirmations.
    /// @param subId 0 for this contract's balance, else a subscription.
    /// @param maxPayment 0 or the most this contract accepts as MAX.
    /// @param url The `get` parameter.
    /// @param path The `path` parameter.
    /// @param times The `times` parameter.
    /// @return requestId The request id.
    function requestUint256(
        address operator,
        bytes32 specId,
        uint32 callbackGasLimit,
        uint8 minConfirmations,
        uint64 subId,
        uint96 maxPayment,
        string calldata url,
        string calldata path,
        int256 times
    ) external returns (bytes32 requestId) {
        CBOR.Buffer memory buf;
        buf.init(256);
        buf.encodeString("get");
        buf.encodeString(url);
        buf.encodeString("path");
        buf.encodeString(path);
        buf.encodeString("times");
        buf.encodeInt(times);
        requestId = coordinator.requestData(
            operator,
            specId,
            address(this),
            this.fulfillUint.selector,
            callbackGasLimit,
            minConfirmations,
            subId,
            maxPayment,
            buf.buf
        );
        s_pending[requestId] = true;
    }

    /// @notice Sends any request; records it as pending here when this contract is the callback.
    /// @param operator The spec's Operator.
    /// @param specId The spec's job id.
    /// @param callbackAddr The callback contract.
    /// @param callbackFunctionId The callback selector.
    /// @param callbackGasLimit The callback gas.
    /// @param minConfirmations The confirmations.
    /// @param subId 0 for this contract's balance, else a subscription.
    /// @param maxPayment 0 or the most this contract accepts as MAX.
    /// @param cbor The request parameters.
    /// @return requestId The request id.
    function requestRaw(
        address operator,
        bytes32 specId,
        address callbackAddr,
        bytes4 callbackFunctionId,
        uint32 callbackGasLimit,
        uint8 minConfirmations,
        uint64 subId,
        uint96 maxPayment,
        bytes calldata cbor
    ) external returns (bytes32 requestId) {
        requestId = coordinator.requestData(
            operator,
            specId,
            callbackAddr,
            callbackFunctionId,
            callbackGasLimit,
            minConfirmations,
            subId,
            maxPayment,
            cbor
        );
        if (callbackAddr == address(this)) s_pending[requestId] = true;
    }

    /// @inheritdoc IChainlinkExternalFulfillment
    function setExternalPendingRequest(address, bytes32 requestId) external {
        if (msg.sender != address(coordinator)) revert NotCoordinator(msg.sender);
        s_pending[requestId] = true;
    }

    /// @notice Whether a request is expected here.
    /// @param requestId The request.
    /// @return Whether it is pending.
    function isPending(bytes32 requestId) external view returns (bool) {
        return s_pending[requestId];
    }

    /// @notice The well-behaved callback: stores `answer`.
    /// @param requestId The request.
    /// @param answer The answer.
    function fulfillUint(bytes32 requestId, uint256 answer) external {
        _record(requestId);
        value = answer;
        emit ValueFulfilled(requestId, answer);
    }

    /// @notice A callback that always reverts.
    /// @param requestId The request.
    function fulfillRevert(bytes32 requestId, uint256) external pure {
        revert CallbackReverted(requestId);
    }

    /// @notice A callback that loops until it runs out of gas (uses all of its gas limit).
    function fulfillBurn(bytes32, uint256) external pure {
        while (true) {}
    }

    /// @notice A callback that records the gas it was given (`gasAtCallback`).
    /// @param requestId The request.
    function fulfillGas(bytes32 requestId, uint256) external {
        uint256 left = gasleft();
        _record(requestId);
        gasAtCallback = left;
    }

    /// @notice A callback that re-enters every kind of coordinator entry point and records each
    /// revert (all must be `ReentrantCall`), then succeeds.
    /// @param requestId The request.
    function fulfillReenter(bytes32 requestId, uint256) external {
        _record(requestId);
        address c = address(coordinator);
        bytes[] memory calls = new bytes[](6);
        calls[0] = abi.encodeCall(IDRCoordinator.withdrawFunds, (address(this), 1));
        calls[1] = abi.encodeCall(
            IDRCoordinator.requestData, (address(0), bytes32(0), address(this), bytes4(0), 0, 0, 0, 0, "")
        );
        calls[2] = abi.encodeCall(IDRCoordinator.cancelRequest, (requestId));
        calls[3] = abi.encodeCall(IDRCoordinator.fulfillData, (requestId, abi.encode(requestId, uint256(1))));
        calls[4] = abi.encodeCall(IDRCoordinator.createSubscription, ());
        calls[5] = abi.encodeCall(IDRCoordinator.addFunds, (address(this), 1));
        for (uint256 i; i < 6; ++i) {
            (, bytes memory err) = c.call(calls[i]);
            s_reentryErrors.push(err);
        }
        // Through LINK: transferAndCall of 0 juels lands in onTokenTransfer.
        (, bytes memory linkErr) =
            coordinator.LINK().call(abi.encodeCall(ILinkToken.transferAndCall, (c, 0, bytes(""))));
        s_reentryErrors.push(linkErr);
    }

    /// @notice Revert data recorded by `fulfillReenter`.
    /// @return The revert data, one per call.
    function reentryErrors() external view returns (bytes[] memory) {
        return s_reentryErrors;
    }

    /// @notice Cancels a request of this contract.
    /// @param requestId The request.
    function cancel(bytes32 requestId) external {
        delete s_pending[requestId];
        coordinator.cancelRequest(requestId);
    }

    /// @notice Withdraws from this contract's coordinator balance.
    /// @param to The receiver.
    /// @param amount The juels.
    function withdraw(address to, uint96 amount) external {
        coordinator.withdrawFunds(to, amount);
    }

    function _record(bytes32 requestId) private {
        if (msg.sender != address(coordinator)) revert NotCoordinator(msg.sender);
        if (!s_pending[requestId]) revert NotPending(requestId);
        delete s_pending[requestId];
    }
}
