// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDRCoordinator} from "./interfaces/IDRCoordinator.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";

/// @title DRCoordinatorBase
/// @notice Constants, storage layout, modifiers and shared helpers of `DRCoordinator` and of its
/// `DRCoordinatorExtension`. The extension runs by `delegatecall` on the coordinator's storage, so
/// both must have exactly this layout: neither declares state variables of its own.
abstract contract DRCoordinatorBase {
    // ------------------------------------------------------------------ constants

    /// @notice Denominator of PERMYRIAD payments and fees.
    uint256 public constant PERMYRIAD = 10_000;
    /// @notice LINK's total supply in juels; upper bound of FLAT payments and of every fee.
    uint256 public constant LINK_TOTAL_SUPPLY = 1e27;
    /// @notice The smallest `Spec.gasLimit` (Chainlink Operator's `MINIMUM_CONSUMER_GAS_LIMIT`).
    uint32 public constant MIN_SPEC_GAS_LIMIT = 400_000;
    /// @notice The smallest `callbackGasLimit` a request may ask for.
    uint32 public constant MIN_CALLBACK_GAS_LIMIT = 10_000;
    /// @notice The most confirmations a request may ask for.
    uint8 public constant MAX_REQUEST_CONFIRMATIONS = 200;
    /// @notice The most consumers a subscription may have.
    uint256 public constant MAX_CONSUMERS = 100;
    /// @notice Gas a fulfilment spends after the SPOT payment is computed (two warm storage writes
    /// and the event), added to the measured gas. Everything else is done before the measurement,
    /// so this is about the same for every request: measured at 9,137 to 9,487, rounded up.
    uint256 public constant GAS_AFTER_PAYMENT_CALCULATION = 10_000;
    /// @notice Gas that SPOT counts besides the callback, in the most expensive case this contract
    /// prices (two feeds and a sequencer feed behind proxies, limits, split consumer, subscription):
    /// measured at 82,696 with the test proxies, plus room for real Chainlink proxies. MAX prices
    /// `callbackGasLimit + FULFILL_GAS_OVERHEAD` gas, so SPOT stays within the escrow unless the gas
    /// or LINK price rises between request and fulfilment.
    uint256 public constant FULFILL_GAS_OVERHEAD = 100_000;
    /// @notice Gas the fulfilment transaction needs besides the callback and its two 1/64 reserves:
    /// transaction base cost, calldata of answers up to about 1 KB, the Operator's work, and the
    /// coordinator's work before and after the callback in the most expensive case.
    uint256 public constant FULFILL_TX_GAS_OVERHEAD = 150_000;
    /// @notice The smallest fulfilment transaction gas limit: the Operator wants 400,000 gas left
    /// before it calls the coordinator.
    uint256 public constant MIN_FULFILL_TX_GAS = 500_000;
    /// @notice Seconds after a request before the Operator lets it be cancelled (its `EXPIRYTIME`).
    uint256 public constant OPERATOR_EXPIRY_TIME = 5 minutes;
    /// @notice The largest subscription id (pending requests store it in 31 bits).
    uint64 public constant MAX_SUBSCRIPTION_ID = 2 ** 31 - 1;

    /// @dev Gas reserved between the exact-gas check and the CALL (VRF v2's GAS_FOR_CALL_EXACT_CHECK).
    uint256 internal constant GAS_FOR_CALL_EXACT_CHECK = 5_000;
    uint256 internal constant OPERATOR_ARGS_VERSION = 2;
    /// @dev Version word: bits 0..159 operator, 160..249 fee, bit 254 fee type, bit 255 alive.
    uint256 internal constant VERSION_FEE_SHIFT = 160;
    uint256 internal constant VERSION_FEE_MASK = (1 << 90) - 1;
    uint256 internal constant VERSION_PERMYRIAD_FEE = 1 << 254;
    uint256 internal constant VERSION_ALIVE = 1 << 255;
    /// @dev `PendingRequest.payer`: 0 = the requester's balance, else a subscription id; this bit
    /// marks a split-consumer request (its requester is in `s_splitRequesters`).
    uint32 internal constant PAYER_SPLIT = 1 << 31;
    /// @dev Price modes and flags of `PriceConfig.flags`.
    uint8 internal constant MODE_MASK = 3;
    uint8 internal constant MODE_FALLBACK_ONLY = 0;
    uint8 internal constant MODE_SINGLE_FEED = 1;
    uint8 internal constant MODE_TWO_FEEDS = 2;
    uint8 internal constant FLAG_SEQUENCER = 4;
    uint8 internal constant FLAG_LIMITS_PRIMARY = 8;
    uint8 internal constant FLAG_LIMITS_SECONDARY = 16;
    /// @dev CBOR text strings "gasLimit" and "minConfirmations" with their heads.
    bytes9 internal constant CBOR_GAS_LIMIT_KEY = 0x686761734c696d6974;
    bytes17 internal constant CBOR_MIN_CONFIRMATIONS_KEY = 0x706d696e436f6e6669726d6174696f6e73;

    // ------------------------------------------------------------------ errors (beyond the interface)

    /// @notice A LINK transfer out of this contract returned false.
    error LinkTransferFailed();
    /// @notice The callback may be neither LINK nor this contract.
    error InvalidCallback(address callbackAddr);
    /// @notice A price feed address is not a contract.
    error FeedNotContract(address feed);
    /// @notice A price feed has more than 18 decimals.
    error FeedDecimalsTooLarge(address feed, uint8 decimals);
    /// @notice Only one of the LINK/USD and TKN/USD feeds was given.
    error IncompleteFeedPair(address linkUsdFeed, address tknUsdFeed);
    /// @notice No more subscription ids (`MAX_SUBSCRIPTION_ID`).
    error TooManySubscriptions();
    /// @notice The callback data does not start with the request id.
    error CallbackDataMismatch(bytes32 requestId);
    /// @notice The Operator's cancellation failed without a reason (e.g. out of gas); retry with more gas.
    error OperatorCancelFailed(bytes32 requestId);
    /// @notice The Operator's cancellation refunded a different amount than the request's payment.
    error OperatorRefundMismatch(uint256 expected, uint256 received);

    // ------------------------------------------------------------------ storage

    /// @dev A pending request, two slots. `escrow` is what this contract holds for it (the debit
    /// minus the Operator payment); `version` is the spec version (fee, operator) it was priced with.
    struct PendingRequest {
        address callbackAddr;
        uint96 escrow;
        uint96 payment;
        bytes4 callbackFunctionId;
        uint32 callbackGasLimit;
        uint32 expiration;
        uint32 version;
        uint32 payer;
    }

    /// @dev A spec's request-time fields and bookkeeping, one slot; zero when there is no spec.
    struct SpecRecord {
        uint32 version;
        uint32 index;
        uint32 gasLimit;
        IDRCoordinator.PaymentType paymentType;
        uint96 payment;
    }

    /// @dev The pricing fields read by every request and fulfilment, one slot (with `paused`).
    struct PriceConfig {
        address primaryFeed;
        uint32 stalenessSeconds;
        uint32 sequencerGracePeriodSeconds;
        uint8 primaryDecimals;
        uint8 secondaryDecimals;
        uint8 flags;
        bool paused;
    }

    /// @dev A feed's cached min/max answer, clamped to int128.
    struct Limits {
        int128 minAnswer;
        int128 maxAnswer;
    }

    /// @dev A per-consumer balance and the consumer's request counter (never zero after the first
    /// request, so refunds write a non-zero slot).
    struct Account {
        uint96 balance;
        uint64 nonce;
    }

    struct Subscription {
        uint96 balance;
        uint64 pendingRequests;
        address owner;
        address[] consumers;
    }

    struct SubscriptionConsumer {
        bool allowed;
        uint64 nonce;
    }

    ILinkToken internal immutable i_link;

    address internal s_owner;
    address internal s_pendingOwner;
    /// @dev Owner earnings plus one, so the slot never returns to zero.
    uint256 internal s_earningsPlusOne = 1;
    PriceConfig internal s_price;
    Limits internal s_primaryLimits;
    Limits internal s_secondaryLimits;
    IDRCoordinator.Config internal s_config;

    mapping(bytes32 key => SpecRecord) internal s_specs;
    mapping(bytes32 key => bytes32 specId) internal s_specIds;
    bytes32[] internal s_specKeys;
    uint32 internal s_versionCount;
    mapping(uint256 version => uint256 word) internal s_versions;
    mapping(uint256 version => bytes32 key) internal s_versionKeys;
    mapping(uint256 version => uint256 previous) internal s_previousVersions;

    mapping(address consumer => Account) internal s_accounts;
    uint64 internal s_subscriptionCount;
    mapping(uint64 subId => Subscription) internal s_subscriptions;
    mapping(uint64 subId => mapping(address consumer => SubscriptionConsumer)) internal s_subscriptionConsumers;

    mapping(bytes32 requestId => PendingRequest) internal s_requests;
    mapping(bytes32 requestId => address requester) internal s_splitRequesters;

    bool internal transient t_locked;

    // ------------------------------------------------------------------ modifiers

    modifier nonReentrant() {
        if (t_locked) revert IDRCoordinator.ReentrantCall();
        t_locked = true;
        _;
        t_locked = false;
    }

    modifier onlyOwner() {
        if (msg.sender != s_owner) revert IDRCoordinator.OnlyOwner(msg.sender);
        _;
    }

    /// @param link The LINK token.
    constructor(address link) {
        if (link == address(0)) revert IDRCoordinator.ZeroAddress();
        i_link = ILinkToken(link);
    }

    /// @dev keccak256(abi.encodePacked(operator, specId)).
    function _specKey(address operator, bytes32 specId) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, shl(96, operator))
            mstore(0x14, specId)
            key := keccak256(0x00, 0x34)
        }
    }

    /// @dev The fee bits of a version word; `fee` is at most 1e27 < 2^90 (checked by `_setSpec`).
    function _versionFee(uint96 fee, IDRCoordinator.FeeType feeType) internal pure returns (uint256) {
        uint256 bits = uint256(fee) << VERSION_FEE_SHIFT;
        return feeType == IDRCoordinator.FeeType.PERMYRIAD ? bits | VERSION_PERMYRIAD_FEE : bits;
    }

    function _sendLink(address to, uint256 amount) internal {
        if (!i_link.transfer(to, amount)) revert LinkTransferFailed();
    }
}
