// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDRCoordinator} from "./interfaces/IDRCoordinator.sol";
import {AggregatorV3Interface} from "../feeds/interfaces/AggregatorV3Interface.sol";
import {DRCoordinatorBase} from "./DRCoordinatorBase.sol";

/// @title DRCoordinatorExtension
/// @notice The management half of `DRCoordinator`: specs, pricing configuration and
/// subscriptions. `DRCoordinator` deploys it in its constructor and forwards these functions to
/// it by `delegatecall`, so they run on the coordinator's storage with the coordinator's
/// `msg.sender`, lock and events. The split keeps the coordinator under the 24,576-byte code limit
/// without slowing its request and fulfilment paths.
/// @dev Calling the extension directly reverts (`OnlyDelegateCall`): it has no storage of its own
/// that matters. Semantics are those of `IDRCoordinator`; see `DRCoordinator` for the design.
contract DRCoordinatorExtension is DRCoordinatorBase {
    /// @dev This contract's own address, to tell a delegatecall from a direct call.
    address private immutable i_self;

    /// @notice The extension was called directly instead of through the coordinator.
    error OnlyDelegateCall();

    modifier onlyDelegated() {
        if (address(this) == i_self) revert OnlyDelegateCall();
        _;
    }

    /// @param link The LINK token (the coordinator's).
    constructor(address link) DRCoordinatorBase(link) {
        i_self = address(this);
    }

    /// @notice See `IDRCoordinator.setSpecs`.
    /// @dev A new fee or fee type creates a new spec version (pending requests keep theirs).
    /// Besides the interface's ranges, a PERMYRIAD fee is at most 1e27 too.
    function setSpecs(bytes32[] calldata keys, IDRCoordinator.Spec[] calldata specs)
        external
        onlyDelegated
        nonReentrant
        onlyOwner
    {
        uint256 count = keys.length;
        if (count == 0 || count != specs.length) revert IDRCoordinator.SpecArraysMismatch(count, specs.length);
        for (uint256 i; i < count; ++i) {
            _setSpec(keys[i], specs[i]);
        }
    }

    /// @notice See `IDRCoordinator.removeSpecs`.
    function removeSpecs(bytes32[] calldata keys) external onlyDelegated nonReentrant onlyOwner {
        uint256 count = keys.length;
        for (uint256 i; i < count; ++i) {
            _removeSpec(keys[i]);
        }
    }

    /// @notice See `IDRCoordinator.createSubscription`.
    function createSubscription() external onlyDelegated nonReentrant returns (uint64 subId) {
        subId = s_subscriptionCount + 1;
        if (subId > MAX_SUBSCRIPTION_ID) revert TooManySubscriptions();
        s_subscriptionCount = subId;
        s_subscriptions[subId].owner = msg.sender;
        emit IDRCoordinator.SubscriptionCreated(subId, msg.sender);
    }

    /// @notice See `IDRCoordinator.addConsumer`.
    /// @dev Adding a consumer twice is a no-op.
    function addConsumer(uint64 subId, address consumer) external onlyDelegated nonReentrant {
        Subscription storage sub = _ownedSubscription(subId);
        if (consumer == address(0)) revert IDRCoordinator.ZeroAddress();
        SubscriptionConsumer storage entry = s_subscriptionConsumers[subId][consumer];
        if (entry.allowed) return;
        if (sub.consumers.length >= MAX_CONSUMERS) revert IDRCoordinator.TooManyConsumers(subId, MAX_CONSUMERS);
        entry.allowed = true;
        sub.consumers.push(consumer);
        emit IDRCoordinator.SubscriptionConsumerAdded(subId, consumer);
    }

    /// @notice See `IDRCoordinator.removeConsumer`.
    /// @dev The consumer's request counter is kept, so its request ids never repeat. Its pending
    /// requests are still billed to the subscription.
    function removeConsumer(uint64 subId, address consumer) external onlyDelegated nonReentrant {
        Subscription storage sub = _ownedSubscription(subId);
        SubscriptionConsumer storage entry = s_subscriptionConsumers[subId][consumer];
        if (!entry.allowed) revert IDRCoordinator.ConsumerNotAllowed(subId, consumer);
        entry.allowed = false;
        address[] storage consumers = sub.consumers;
        uint256 last = consumers.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (consumers[i] == consumer) {
                consumers[i] = consumers[last];
                consumers.pop();
                break;
            }
        }
        emit IDRCoordinator.SubscriptionConsumerRemoved(subId, consumer);
    }

    /// @notice See `IDRCoordinator.cancelSubscription`.
    function cancelSubscription(uint64 subId, address to) external onlyDelegated nonReentrant {
        Subscription storage sub = _ownedSubscription(subId);
        if (to == address(0)) revert IDRCoordinator.ZeroAddress();
        if (sub.pendingRequests != 0) revert IDRCoordinator.PendingRequestsExist(subId, sub.pendingRequests);
        uint96 balance = sub.balance;
        address[] storage consumers = sub.consumers;
        uint256 count = consumers.length;
        for (uint256 i; i < count; ++i) {
            delete s_subscriptionConsumers[subId][consumers[i]];
        }
        delete s_subscriptions[subId];
        emit IDRCoordinator.SubscriptionCancelled(subId, to, balance);
        if (balance != 0) _sendLink(to, balance);
    }

    /// @notice See `IDRCoordinator.setConfig`.
    /// @dev A LINK/TKN feed selects single-feed pricing; otherwise both LINK/USD and TKN/USD are
    /// needed (or neither: fallback price only). Caches each price feed's decimals (at most 18)
    /// and min/max answers.
    function setConfig(IDRCoordinator.Config calldata config) external onlyDelegated nonReentrant onlyOwner {
        PriceConfig memory price;
        price.paused = s_price.paused;
        price.stalenessSeconds = config.stalenessSeconds;
        price.sequencerGracePeriodSeconds = config.sequencerGracePeriodSeconds;
        Limits memory primaryLimits;
        Limits memory secondaryLimits;
        bool hasLimits;
        if (address(config.linkTknFeed) != address(0)) {
            price.primaryFeed = address(config.linkTknFeed);
            price.primaryDecimals = _feedDecimals(config.linkTknFeed);
            price.flags = MODE_SINGLE_FEED;
            (hasLimits, primaryLimits) = _feedLimits(config.linkTknFeed);
            if (hasLimits) price.flags |= FLAG_LIMITS_PRIMARY;
        } else if (address(config.linkUsdFeed) != address(0) || address(config.tknUsdFeed) != address(0)) {
            if (address(config.linkUsdFeed) == address(0) || address(config.tknUsdFeed) == address(0)) {
                revert IncompleteFeedPair(address(config.linkUsdFeed), address(config.tknUsdFeed));
            }
            price.primaryFeed = address(config.linkUsdFeed);
            price.primaryDecimals = _feedDecimals(config.linkUsdFeed);
            price.secondaryDecimals = _feedDecimals(config.tknUsdFeed);
            price.flags = MODE_TWO_FEEDS;
            (hasLimits, primaryLimits) = _feedLimits(config.linkUsdFeed);
            if (hasLimits) price.flags |= FLAG_LIMITS_PRIMARY;
            (hasLimits, secondaryLimits) = _feedLimits(config.tknUsdFeed);
            if (hasLimits) price.flags |= FLAG_LIMITS_SECONDARY;
        }
        if (address(config.sequencerUptimeFeed) != address(0)) {
            if (address(config.sequencerUptimeFeed).code.length == 0) {
                revert FeedNotContract(address(config.sequencerUptimeFeed));
            }
            price.flags |= FLAG_SEQUENCER;
        }
        s_price = price;
        s_primaryLimits = primaryLimits;
        s_secondaryLimits = secondaryLimits;
        s_config = config;
        emit IDRCoordinator.ConfigSet(config);
    }

    function _setSpec(bytes32 key, IDRCoordinator.Spec calldata spec) private {
        bytes32 expected = _specKey(spec.operator, spec.specId);
        if (key != expected) revert IDRCoordinator.SpecKeyMismatch(key, expected);
        if (spec.operator.code.length == 0 || spec.operator == address(this)) {
            revert IDRCoordinator.SpecOperatorNotContract(spec.operator);
        }
        uint256 maxPayment = spec.paymentType == IDRCoordinator.PaymentType.FLAT ? LINK_TOTAL_SUPPLY : PERMYRIAD;
        if (spec.payment == 0 || spec.payment > maxPayment) {
            revert IDRCoordinator.SpecPaymentOutOfRange(spec.payment);
        }
        if (spec.fee == 0 || spec.fee > LINK_TOTAL_SUPPLY) revert IDRCoordinator.SpecFeeOutOfRange(spec.fee);
        if (spec.gasLimit < MIN_SPEC_GAS_LIMIT) {
            revert IDRCoordinator.SpecGasLimitTooLow(spec.gasLimit, MIN_SPEC_GAS_LIMIT);
        }

        SpecRecord memory record = s_specs[key];
        uint256 versionWord = VERSION_ALIVE | uint160(spec.operator) | _versionFee(spec.fee, spec.feeType);
        if (record.version == 0) {
            s_specKeys.push(key);
            record.index = uint32(s_specKeys.length);
            s_specIds[key] = spec.specId;
            record.version = _newVersion(key, versionWord, 0);
        } else if (s_versions[record.version] != versionWord) {
            record.version = _newVersion(key, versionWord, record.version);
        }
        record.gasLimit = spec.gasLimit;
        record.paymentType = spec.paymentType;
        record.payment = spec.payment;
        s_specs[key] = record;
        emit IDRCoordinator.SpecSet(key, spec);
    }

    function _newVersion(bytes32 key, uint256 word, uint256 previous) private returns (uint32 version) {
        version = ++s_versionCount;
        s_versions[version] = word;
        s_versionKeys[version] = key;
        if (previous != 0) s_previousVersions[version] = previous;
    }

    function _removeSpec(bytes32 key) private {
        SpecRecord memory record = s_specs[key];
        if (record.version == 0) revert IDRCoordinator.SpecNotFound(key);
        // Kill every version, so no pending request of this spec can be fulfilled; the operator
        // stays readable for cancellations.
        uint256 version = record.version;
        while (version != 0) {
            s_versions[version] &= ~VERSION_ALIVE;
            uint256 previous = s_previousVersions[version];
            if (previous != 0) delete s_previousVersions[version];
            version = previous;
        }
        uint256 last = s_specKeys.length;
        if (record.index != last) {
            bytes32 moved = s_specKeys[last - 1];
            s_specKeys[record.index - 1] = moved;
            s_specs[moved].index = record.index;
        }
        s_specKeys.pop();
        delete s_specs[key];
        delete s_specIds[key];
        emit IDRCoordinator.SpecRemoved(key);
    }



    function _ownedSubscription(uint64 subId) private view returns (Subscription storage sub) {
        sub = s_subscriptions[subId];
        address subOwner = sub.owner;
        if (subOwner == address(0)) revert IDRCoordinator.SubscriptionNotFound(subId);
        if (subOwner != msg.sender) revert IDRCoordinator.NotSubscriptionOwner(subId, msg.sender);
    }

    function _feedDecimals(AggregatorV3Interface feed) private view returns (uint8 decimals) {
        if (address(feed).code.length == 0) revert FeedNotContract(address(feed));
        decimals = feed.decimals();
        if (decimals > 18) revert FeedDecimalsTooLarge(address(feed), decimals);
    }

    /// @dev Reads `minAnswer()`/`maxAnswer()` from the feed's `aggregator()` if it has one (a
    /// Chainlink proxy), else from the feed. No limits when either is missing or they are not
    /// ordered.
    function _feedLimits(AggregatorV3Interface feed) private view returns (bool, Limits memory limits) {
        address source = address(feed);
        (bool ok, uint256 word) = _staticWord(source, abi.encodeWithSignature("aggregator()"));
        if (ok && word >> 160 == 0 && address(uint160(word)).code.length != 0) source = address(uint160(word));
        (bool okMin, uint256 minWord) = _staticWord(source, abi.encodeWithSignature("minAnswer()"));
        (bool okMax, uint256 maxWord) = _staticWord(source, abi.encodeWithSignature("maxAnswer()"));
        if (!okMin || !okMax) return (false, limits);
        limits = Limits(_clamp(int256(minWord)), _clamp(int256(maxWord)));
        return (limits.minAnswer < limits.maxAnswer, limits);
    }

    /// @dev A static call returning at least one word; (false, 0) if it reverts or returns less.
    function _staticWord(address target, bytes memory callData) private view returns (bool ok, uint256 word) {
        bytes memory ret;
        (ok, ret) = target.staticcall(callData);
        if (!ok || ret.length < 32) return (false, 0);
        word = abi.decode(ret, (uint256));
    }

    function _clamp(int256 value) private pure returns (int128) {
        if (value > type(int128).max) return type(int128).max;
        if (value < type(int128).min) return type(int128).min;
        return int128(value);
    }
}
