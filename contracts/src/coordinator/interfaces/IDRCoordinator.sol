// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";
import {AggregatorV3Interface} from "../../feeds/interfaces/AggregatorV3Interface.sol";

/// @title IDRCoordinator
/// @notice Pay-as-you-go direct requests (seed 002, "Direct Request Coordinator"). The node operator
/// owns one coordinator per network and registers its jobs on it as specs. A consumer pays only the
/// LINK that covers the gas of its fulfilment plus the operator's fee, priced live from a LINK/TKN
/// price feed (TKN being the chain's native token).
///
/// Flow:
/// 1. A consumer (or anyone for it) funds a per-consumer balance or a subscription.
/// 2. The consumer calls `requestData` with the gas its callback needs (`callbackGasLimit`) and the
///    confirmations it wants. The coordinator computes the MAX payment (all of `callbackGasLimit`
///    used, at the current gas price and LINK price, plus the fee), moves it from the payer's funds
///    into escrow, and forwards the Chainlink request to the spec's Operator, paying only the spec's
///    `payment` (the Operator's escrow that triggers the job). The request's CBOR gets `gasLimit`
///    and `minConfirmations` appended, which the node's `ethtx` task uses.
/// 3. The node answers through `Operator.fulfillOracleRequest2`, which calls `fulfillData`. The
///    coordinator calls the callback with exactly `callbackGasLimit` gas, then charges the SPOT
///    payment (gas used × gas price, converted to LINK, plus the fee), even when the callback
///    reverted, and refunds the rest of the escrow to the payer.
///
/// Money is integer juels everywhere; every division rounds down, in the payer's favour only where
/// the formulas below say so (the fee and gas conversions are floor divisions, as in the original).
///
/// Privileged (owner) functions: `setSpecs`, `removeSpecs`, `setConfig`, `pause`, `unpause`,
/// `transferOwnership`, `withdraw`. The owner can never move consumer balances, subscription
/// balances or escrow: `withdraw` is bounded by `ownerEarnings()`.
interface IDRCoordinator is IERC677Receiver {
    // ------------------------------------------------------------------ types

    /// @notice How the operator's fee is added to a payment.
    enum FeeType {
        /// `fee` juels are added.
        FLAT,
        /// `gasCost * fee / 10000` juels are added (1 = 0.01 %).
        PERMYRIAD
    }

    /// @notice How the Operator escrow (`Spec.payment`) that triggers the job is computed.
    enum PaymentType {
        /// `payment` juels.
        FLAT,
        /// `maxGasCost * payment / 10000` juels.
        PERMYRIAD
    }

    /// @notice A job the coordinator can request, keyed by `keccak256(abi.encodePacked(operator, specId))`.
    struct Spec {
        /// The job's externalJobID as the Operator's `specId` (either on-chain encoding).
        bytes32 specId;
        /// The Operator contract that runs the job's node.
        address operator;
        /// The Operator escrow sent with the request (FLAT juels, or PERMYRIAD of the MAX gas cost);
        /// must be at least the job's `minContractPaymentLinkJuels`. 0 < payment <= 1e27 for FLAT.
        uint96 payment;
        /// How `payment` is read.
        PaymentType paymentType;
        /// The operator's fee (juels for FLAT, permyriad for PERMYRIAD); FLAT: 0 < fee <= 1e27.
        uint96 fee;
        /// How `fee` is added.
        FeeType feeType;
        /// The largest `callbackGasLimit` a request may ask for; at least `MIN_SPEC_GAS_LIMIT` (400,000).
        uint32 gasLimit;
    }

    /// @notice The coordinator's pricing configuration.
    struct Config {
        /// LINK price in TKN wei used when the feeds are stale, or the L2 sequencer is down or in its
        /// grace period, or the answer sits at the feed's min/max answer; 0 disables the fallback
        /// (then those cases revert with their own errors).
        uint256 fallbackWeiPerUnitLink;
        /// A feed answer older than this is stale.
        uint32 stalenessSeconds;
        /// After the sequencer comes back up, prices are not trusted for this long.
        uint32 sequencerGracePeriodSeconds;
        /// The LINK/TKN feed; when zero, the price is derived from `linkUsdFeed` and `tknUsdFeed`.
        AggregatorV3Interface linkTknFeed;
        /// The LINK/USD feed (used only without a LINK/TKN feed).
        AggregatorV3Interface linkUsdFeed;
        /// The TKN/USD feed (used only without a LINK/TKN feed).
        AggregatorV3Interface tknUsdFeed;
        /// The L2 sequencer uptime feed (answer 0 = up, 1 = down); zero on L1.
        AggregatorV3Interface sequencerUptimeFeed;
    }

    // ------------------------------------------------------------------ errors

    /// @notice Only the owner may call this.
    error OnlyOwner(address caller);
    /// @notice Only the proposed owner may accept ownership.
    error OnlyPendingOwner(address caller);
    /// @notice Only the LINK token may call `onTokenTransfer`.
    error OnlyLinkToken(address caller);
    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice An amount argument was zero.
    error ZeroAmount();
    /// @notice The coordinator is paused: no new requests.
    error CoordinatorPaused();
    /// @notice The coordinator is not paused.
    error CoordinatorNotPaused();
    /// @notice A state-changing call came in while a callback was running.
    error ReentrantCall();
    /// @notice `setSpecs` got arrays of different lengths, or empty ones.
    error SpecArraysMismatch(uint256 keys, uint256 specs);
    /// @notice A spec key does not match `keccak256(abi.encodePacked(operator, specId))`.
    error SpecKeyMismatch(bytes32 key, bytes32 expected);
    /// @notice No spec under this key (never set, removed, or removed before the fulfilment).
    error SpecNotFound(bytes32 key);
    /// @notice The spec's operator is not a contract.
    error SpecOperatorNotContract(address operator);
    /// @notice The spec's payment is out of range (0 < payment <= 1e27 for FLAT, <= 10000 for PERMYRIAD).
    error SpecPaymentOutOfRange(uint96 payment);
    /// @notice The spec's fee is out of range (0 < fee <= 1e27 for FLAT, 0 < fee for PERMYRIAD).
    error SpecFeeOutOfRange(uint96 fee);
    /// @notice The spec's gas limit is below `MIN_SPEC_GAS_LIMIT`.
    error SpecGasLimitTooLow(uint32 gasLimit, uint32 minimum);
    /// @notice The request's callback gas limit is out of range.
    error CallbackGasLimitOutOfRange(uint32 callbackGasLimit, uint32 minimum, uint32 maximum);
    /// @notice The request's confirmations exceed `MAX_REQUEST_CONFIRMATIONS` (200).
    error MinConfirmationsOutOfRange(uint8 minConfirmations, uint8 maximum);
    /// @notice The request's callback address is not a contract.
    error CallbackNotContract(address callbackAddr);
    /// @notice The payer's funds do not cover the payment.
    error InsufficientFunds(uint256 available, uint256 required);
    /// @notice The MAX payment exceeds the consumer's `consumerMaxPayment`.
    error MaxPaymentExceeded(uint256 maxPayment, uint256 consumerMaxPayment);
    /// @notice A feed answered 0 or less.
    error FeedAnswerNotPositive(address feed, int256 answer);
    /// @notice A feed is stale and no fallback price is configured.
    error FeedStale(address feed, uint256 updatedAt);
    /// @notice The L2 sequencer is down and no fallback price is configured.
    error SequencerDown();
    /// @notice The L2 sequencer is in its grace period and no fallback price is configured.
    error SequencerGracePeriod(uint256 upSince);
    /// @notice A feed answer sits at the feed's min or max answer and no fallback price is configured.
    error FeedAnswerAtLimit(address feed, int256 answer);
    /// @notice No feed is configured and no fallback price either.
    error PriceUnavailable();
    /// @notice No pending request with this id.
    error RequestNotFound(bytes32 requestId);
    /// @notice Only the operator of the request's spec may fulfil it.
    error CallerNotOperator(address caller);
    /// @notice The fulfilment transaction did not leave the callback its `callbackGasLimit`.
    error InsufficientGasForCallback(uint256 available, uint32 required);
    /// @notice Only the requester may cancel its request.
    error NotRequester(address caller, address requester);
    /// @notice The request cannot be cancelled before its expiration.
    error RequestNotExpired(uint256 expiration);
    /// @notice The owner's earnings do not cover the withdrawal.
    error InsufficientEarnings(uint256 available, uint256 requested);
    /// @notice `onTokenTransfer` data is neither empty, a consumer address (20 bytes) nor `abi.encode(subId)`.
    error InvalidFundingData(uint256 length);
    /// @notice No subscription with this id.
    error SubscriptionNotFound(uint64 subId);
    /// @notice Only the subscription's owner may do this.
    error NotSubscriptionOwner(uint64 subId, address caller);
    /// @notice The consumer may not bill this subscription.
    error ConsumerNotAllowed(uint64 subId, address consumer);
    /// @notice The subscription already has `MAX_CONSUMERS` consumers.
    error TooManyConsumers(uint64 subId, uint256 maximum);
    /// @notice The subscription has pending requests and cannot be cancelled.
    error PendingRequestsExist(uint64 subId, uint64 pending);

    // ------------------------------------------------------------------ events

    /// @notice A spec was created or updated.
    event SpecSet(bytes32 indexed key, Spec spec);
    /// @notice A spec was removed.
    event SpecRemoved(bytes32 indexed key);
    /// @notice The pricing configuration was replaced.
    event ConfigSet(Config config);
    /// @notice LINK was added to a consumer's balance.
    event FundsAdded(address indexed consumer, address indexed payer, uint96 amount);
    /// @notice A consumer withdrew from its balance.
    event FundsWithdrawn(address indexed consumer, address to, uint96 amount);
    /// @notice A subscription was created.
    event SubscriptionCreated(uint64 indexed subId, address indexed owner);
    /// @notice A subscription was funded.
    event SubscriptionFunded(uint64 indexed subId, uint96 oldBalance, uint96 newBalance);
    /// @notice A consumer may now bill the subscription.
    event SubscriptionConsumerAdded(uint64 indexed subId, address consumer);
    /// @notice A consumer may no longer bill the subscription.
    event SubscriptionConsumerRemoved(uint64 indexed subId, address consumer);
    /// @notice A subscription was cancelled and its balance sent to `to`.
    event SubscriptionCancelled(uint64 indexed subId, address to, uint96 amount);
    /// @notice A request was forwarded to the Operator; `maxPayment` juels were escrowed.
    event RequestSent(bytes32 indexed requestId, bytes32 indexed specKey, address indexed requester, uint96 maxPayment);
    /// @notice A request was fulfilled; `charged` juels (SPOT minus the Operator escrow) went to
    /// the owner's earnings and `refund` went back to the payer.
    event RequestFulfilled(bytes32 indexed requestId, bool callbackSucceeded, uint96 charged, uint96 refund);
    /// @notice An expired request was cancelled and its escrow refunded to the payer.
    event RequestCancelled(bytes32 indexed requestId, uint96 refund);
    /// @notice The owner withdrew earnings.
    event EarningsWithdrawn(address indexed to, uint96 amount);
    /// @notice The coordinator was paused.
    event Paused(address account);
    /// @notice The coordinator was unpaused.
    event Unpaused(address account);
    /// @notice The owner proposed a new owner.
    event OwnershipTransferRequested(address indexed from, address indexed to);
    /// @notice Ownership changed.
    event OwnershipTransferred(address indexed from, address indexed to);

    // ------------------------------------------------------------------ specs (owner)

    /// @notice Creates or updates specs. Each key must equal `specKey(spec.operator, spec.specId)`.
    /// Only the owner.
    function setSpecs(bytes32[] calldata keys, Spec[] calldata specs) external;

    /// @notice Removes specs; pending requests of a removed spec cannot be fulfilled (they can be
    /// cancelled after expiry). Only the owner.
    function removeSpecs(bytes32[] calldata keys) external;

    /// @notice A spec; reverts with `SpecNotFound` if there is none.
    function getSpec(bytes32 key) external view returns (Spec memory);

    /// @notice Every spec key, in no particular order (for the management tools).
    function getSpecKeys() external view returns (bytes32[] memory);

    /// @notice `keccak256(abi.encodePacked(operator, specId))`.
    function specKey(address operator, bytes32 specId) external pure returns (bytes32);

    // ------------------------------------------------------------------ consumer balances

    /// @notice Adds `amount` juels to `consumer`'s balance, pulled from the caller with
    /// `transferFrom` (approve first). `transferAndCall(coordinator, amount, data)` works too:
    /// empty data credits the sender, 20 bytes credit that consumer, `abi.encode(uint64 subId)`
    /// funds a subscription.
    function addFunds(address consumer, uint96 amount) external;

    /// @notice Withdraws from the caller's own balance.
    function withdrawFunds(address to, uint96 amount) external;

    /// @notice A consumer's balance.
    function availableFunds(address consumer) external view returns (uint96);

    // ------------------------------------------------------------------ subscriptions

    /// @notice Creates a subscription owned by the caller.
    function createSubscription() external returns (uint64 subId);

    /// @notice Lets `consumer` bill the subscription. Only the subscription owner.
    function addConsumer(uint64 subId, address consumer) external;

    /// @notice Stops `consumer` billing the subscription. Only the subscription owner.
    function removeConsumer(uint64 subId, address consumer) external;

    /// @notice Cancels a subscription without pending requests and sends its balance to `to`.
    /// Only the subscription owner.
    function cancelSubscription(uint64 subId, address to) external;

    /// @notice A subscription.
    function getSubscription(uint64 subId)
        external
        view
        returns (uint96 balance, uint64 pendingRequests, address owner, address[] memory consumers);

    // ------------------------------------------------------------------ requests

    /// @notice Sends a Chainlink request through the spec `specKey(operator, specId)`.
    /// @param operator The Operator of the spec.
    /// @param specId The spec's job id.
    /// @param callbackAddr The contract to fulfil: the caller, or a contract implementing
    /// `IChainlinkExternalFulfillment` (split consumer), which is told of the pending request.
    /// @param callbackFunctionId The callback selector; it receives `(bytes32 requestId, ...)`.
    /// @param callbackGasLimit Gas the callback gets, exactly.
    /// @param callbackMinConfirmations Confirmations the node waits for before answering (<= 200).
    /// @param subId 0 to bill the caller's balance, else a subscription the caller may bill.
    /// @param consumerMaxPayment 0 for no limit, else the most the caller accepts as MAX payment.
    /// @param cborData The request parameters, diet-CBOR (Chainlink's request buffer).
    /// @return requestId The Operator's request id.
    function requestData(
        address operator,
        bytes32 specId,
        address callbackAddr,
        bytes4 callbackFunctionId,
        uint32 callbackGasLimit,
        uint8 callbackMinConfirmations,
        uint64 subId,
        uint96 consumerMaxPayment,
        bytes calldata cborData
    ) external returns (bytes32 requestId);

    /// @notice Called by the Operator with the node's answer: calls back with exactly the
    /// requested gas and charges the SPOT payment, even if the callback reverted.
    /// @param requestId The request.
    /// @param data The callback arguments, abi-encoded, starting with the request id.
    /// @return success Whether the callback succeeded.
    function fulfillData(bytes32 requestId, bytes calldata data) external returns (bool success);

    /// @notice Cancels the caller's expired request through the Operator and refunds the whole
    /// escrow to the payer.
    function cancelRequest(bytes32 requestId) external;

    // ------------------------------------------------------------------ pricing

    /// @notice The price of 1 LINK in TKN wei, from the configured feeds (or the fallback).
    function getWeiPerUnitLink() external view returns (uint256);

    /// @notice MAX payment minus `paymentInEscrow`: `1e18 * weiPerUnitGas * gasLimit / weiPerUnitLink`
    /// plus the fee, at the current LINK price.
    function calculateMaxPaymentAmount(
        uint256 weiPerUnitGas,
        uint96 paymentInEscrow,
        uint32 gasLimit,
        uint96 fee,
        FeeType feeType
    ) external view returns (int256);

    /// @notice SPOT payment minus `paymentInEscrow`, for gas used so far since `startGas`:
    /// `1e18 * weiPerUnitGas * (GAS_AFTER_PAYMENT_CALCULATION + startGas - gasleft()) / weiPerUnitLink`
    /// plus the fee, at the current LINK price.
    function calculateSpotPaymentAmount(
        uint32 startGas,
        uint256 weiPerUnitGas,
        uint96 paymentInEscrow,
        uint96 fee,
        FeeType feeType
    ) external view returns (int256);

    // ------------------------------------------------------------------ owner

    /// @notice Replaces the pricing configuration. Only the owner.
    function setConfig(Config calldata config) external;

    /// @notice The pricing configuration.
    function getConfig() external view returns (Config memory);

    /// @notice Stops new requests (fulfilments and cancellations still work). Only the owner.
    function pause() external;

    /// @notice Allows requests again. Only the owner.
    function unpause() external;

    /// @notice Whether requests are stopped.
    function paused() external view returns (bool);

    /// @notice Withdraws up to `ownerEarnings()` to `to`. Only the owner.
    function withdraw(address to, uint96 amount) external;

    /// @notice The owner's earnings not yet withdrawn.
    function ownerEarnings() external view returns (uint96);

    /// @notice Proposes a new owner (two-step). Only the owner.
    function transferOwnership(address to) external;

    /// @notice Accepts a proposed ownership transfer. Only the proposed owner.
    function acceptOwnership() external;

    /// @notice The owner.
    function owner() external view returns (address);

    /// @notice The LINK token.
    function LINK() external view returns (address);
}

/// @title IChainlinkExternalFulfillment
/// @notice Implemented by a contract that receives fulfilments of requests it did not send
/// (the split-consumer pattern); the coordinator tells it about each pending request.
interface IChainlinkExternalFulfillment {
    /// @notice Records that `requestId`, sent by `requester`, will be fulfilled on this contract.
    /// Must accept calls only from authorised coordinators.
    function setExternalPendingRequest(address requester, bytes32 requestId) external;
}
