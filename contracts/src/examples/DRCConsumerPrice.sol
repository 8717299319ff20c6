// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";
import {DRCoordinatorConsumer} from "../coordinator/DRCoordinatorConsumer.sol";

/// @title DRCConsumerPrice
/// @notice Example DRCoordinator consumer: asks a job to fetch a URL, take a JSON path, multiply by
/// `times`, and answer one uint256, which `fulfillPrice` stores. The payment is pay-as-you-go: the
/// coordinator charges this contract's balance (or a subscription) for the gas the fulfilment used
/// plus the operator's fee.
/// @dev Example and test fixture, in the style of `ConsumerUint256` (same `get`, `path`, `times`
/// parameters). Anyone may call `requestPrice`, which spends this contract's coordinator balance or
/// bills a subscription it belongs to, so fund it only with what you are ready to spend.
///
/// Privileged functions: `withdrawFunds` (the deployer only) moves this contract's coordinator
/// balance; it cannot touch LINK held anywhere else, escrowed payments, or subscriptions.
/// `fulfillPrice` accepts only the coordinator, once per pending request.
contract DRCConsumerPrice is DRCoordinatorConsumer {
    using Chainlink for Chainlink.Request;

    /// @notice The deployer: the only account that may withdraw this contract's coordinator balance.
    address public immutable OWNER;

    /// @notice The last answer.
    uint256 public price;

    /// @notice An answer arrived and was stored.
    /// @param requestId The request answered.
    /// @param value The answer.
    event PriceFulfilled(bytes32 indexed requestId, uint256 value);

    /// @notice Only the deployer may do this.
    /// @param caller The rejected caller.
    error NotConsumerOwner(address caller);

    /// @notice Deploys a consumer of `drCoordinator`, owned by the deployer.
    /// @param link The LINK token.
    /// @param drCoordinator The DRCoordinator.
    constructor(address link, address drCoordinator) DRCoordinatorConsumer(link, drCoordinator) {
        OWNER = msg.sender;
    }

    /// @notice Requests a price, answered by `fulfillPrice`.
    /// @param operator The spec's Operator.
    /// @param specId The spec's job id.
    /// @param url The `get` parameter.
    /// @param path The `path` parameter.
    /// @param times The `times` parameter.
    /// @param callbackGasLimit Gas `fulfillPrice` gets, exactly.
    /// @param minConfirmations Confirmations the node waits for before answering.
    /// @param subId 0 to pay from this contract's balance, else a subscription it may bill.
    /// @param maxPayment 0 for no limit, else the most accepted as MAX payment (juels).
    /// @return requestId The request id.
    function requestPrice(
        address operator,
        bytes32 specId,
        string calldata url,
        string calldata path,
        int256 times,
        uint32 callbackGasLimit,
        uint8 minConfirmations,
        uint64 subId,
        uint96 maxPayment
    ) external returns (bytes32 requestId) {
        Chainlink.Request memory req = _buildDRCoordinatorRequest(specId, this.fulfillPrice.selector);
        req._add("get", url);
        req._add("path", path);
        req._addInt("times", times);
        return _sendDRCoordinatorRequestTo(operator, req, callbackGasLimit, minConfirmations, subId, maxPayment);
    }

    /// @notice The callback: only the coordinator, once per pending request.
    /// @param requestId The request id.
    /// @param value The answer.
    function fulfillPrice(bytes32 requestId, uint256 value) external recordDRCoordinatorFulfillment(requestId) {
        price = value;
        emit PriceFulfilled(requestId, value);
    }

    /// @notice Cancels an expired request; its escrow goes back to the payer. Anyone may call it.
    /// @param requestId The request id.
    function cancelRequest(bytes32 requestId) external {
        _cancelDRCoordinatorRequest(requestId);
    }

    /// @notice Moves `amount` juels of LINK held by this contract into its coordinator balance.
    /// Anyone may call it (the LINK stays this contract's).
    /// @param amount Juels.
    function fundBalance(uint256 amount) external {
        _fundDRCoordinatorBalance(amount);
    }

    /// @notice Moves `amount` juels of LINK held by this contract into subscription `subId`.
    /// Only the deployer (the subscription may belong to someone else).
    /// @param subId The subscription.
    /// @param amount Juels.
    function fundSubscription(uint64 subId, uint256 amount) external {
        if (msg.sender != OWNER) revert NotConsumerOwner(msg.sender);
        _fundDRCoordinatorSubscription(subId, amount);
    }

    /// @notice Withdraws from this contract's coordinator balance. Only the deployer.
    /// @param to The recipient.
    /// @param amount Juels.
    function withdrawFunds(address to, uint96 amount) external {
        if (msg.sender != OWNER) revert NotConsumerOwner(msg.sender);
        _withdrawDRCoordinatorFunds(to, amount);
    }

    /// @notice Whether `requestId` is waiting for `fulfillPrice`.
    /// @param requestId The request id.
    /// @return True while pending.
    function isPending(bytes32 requestId) external view returns (bool) {
        return _isPendingDRCoordinatorRequest(requestId);
    }
}
