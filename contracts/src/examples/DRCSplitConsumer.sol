// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Chainlink} from "../client/Chainlink.sol";
import {DRCoordinatorConsumer} from "../coordinator/DRCoordinatorConsumer.sol";
import {FulfillChainlinkExternalRequestCompatible} from
    "../coordinator/FulfillChainlinkExternalRequestCompatible.sol";

/// @title DRCSplitRequester
/// @notice Example split consumer, requesting side: sends price requests through the
/// DRCoordinator whose answers are stored by a separate `DRCSplitFulfiller`.
/// @dev Example and test fixture. Anyone may call `requestPrice`, which spends this contract's
/// coordinator balance or bills a subscription it belongs to. The fulfiller's owner must
/// authorise both the coordinator and this contract there, or requests revert with the
/// fulfiller's `CoordinatorNotAuthorized` / `RequesterNotAuthorized`.
///
/// Privileged functions: `withdrawFunds` (the deployer only) moves this contract's coordinator
/// balance and nothing else.
contract DRCSplitRequester is DRCoordinatorConsumer {
    using Chainlink for Chainlink.Request;

    /// @notice The deployer: the only account that may withdraw this contract's coordinator balance.
    address public immutable OWNER;
    /// @notice The contract that stores the answers.
    address public immutable FULFILLER;

    /// @notice Only the deployer may do this.
    /// @param caller The rejected caller.
    error NotRequesterOwner(address caller);

    /// @notice Deploys a requester whose answers go to `fulfiller`.
    /// @param link The LINK token.
    /// @param drCoordinator The DRCoordinator.
    /// @param fulfiller The `DRCSplitFulfiller` (or any contract with `fulfillPrice(bytes32,uint256)`
    /// implementing `IChainlinkExternalFulfillment`).
    constructor(address link, address drCoordinator, address fulfiller) DRCoordinatorConsumer(link, drCoordinator) {
        OWNER = msg.sender;
        FULFILLER = fulfiller;
    }

    /// @notice Requests a price, answered by `DRCSplitFulfiller.fulfillPrice`.
    /// @param operator The spec's Operator.
    /// @param specId The spec's job id.
    /// @param url The `get` parameter.
    /// @param path The `path` parameter.
    /// @param times The `times` parameter.
    /// @param callbackGasLimit Gas the fulfiller's callback gets, exactly.
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
        Chainlink.Request memory req =
            _buildDRCoordinatorExternalRequest(specId, FULFILLER, DRCSplitFulfiller.fulfillPrice.selector);
        req._add("get", url);
        req._add("path", path);
        req._addInt("times", times);
        return _sendDRCoordinatorRequestTo(operator, req, callbackGasLimit, minConfirmations, subId, maxPayment);
    }

    /// @notice Cancels an expired request; its escrow goes back to the payer. Anyone may call it.
    /// @param requestId The request id.
    function cancelRequest(bytes32 requestId) external {
        _cancelDRCoordinatorRequest(requestId);
    }

    /// @notice Moves `amount` juels of LINK held by this contract into its coordinator balance.
    /// @param amount Juels.
    function fundBalance(uint256 amount) external {
        _fundDRCoordinatorBalance(amount);
    }

    /// @notice Withdraws from this contract's coordinator balance. Only the deployer.
    /// @param to The recipient.
    /// @param amount Juels.
    function withdrawFunds(address to, uint96 amount) external {
        if (msg.sender != OWNER) revert NotRequesterOwner(msg.sender);
        _withdrawDRCoordinatorFunds(to, amount);
    }
}

/// @title DRCSplitFulfiller
/// @notice Example split consumer, fulfilling side: stores the prices requested by authorised
/// requesters (e.g. `DRCSplitRequester`) through authorised coordinators.
/// @dev Privileged functions: those of `FulfillChainlinkExternalRequestCompatible` (the owner
/// authorises coordinators and requesters). `fulfillPrice` accepts only the coordinator that
/// registered the request, once.
contract DRCSplitFulfiller is FulfillChainlinkExternalRequestCompatible {
    /// @notice The last answer.
    uint256 public price;

    /// @notice An answer arrived and was stored.
    /// @param requestId The request answered.
    /// @param value The answer.
    event PriceFulfilled(bytes32 indexed requestId, uint256 value);

    /// @notice Deploys a fulfiller owned by `owner_`.
    /// @param owner_ The owner, who authorises coordinators and requesters.
    constructor(address owner_) FulfillChainlinkExternalRequestCompatible(owner_) {}

    /// @notice The callback: only the coordinator that registered the request, once.
    /// @param requestId The request id.
    /// @param value The answer.
    function fulfillPrice(bytes32 requestId, uint256 value) external recordChainlinkExternalFulfillment(requestId) {
        price = value;
        emit PriceFulfilled(requestId, value);
    }
}
