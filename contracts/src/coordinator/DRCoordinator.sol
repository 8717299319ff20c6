// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDRCoordinator, IChainlinkExternalFulfillment} from "./interfaces/IDRCoordinator.sol";
import {AggregatorV3Interface} from "../feeds/interfaces/AggregatorV3Interface.sol";
import {IOperator} from "../oracle/interfaces/IOperator.sol";
import {IERC677Receiver} from "../token/interfaces/IERC677Receiver.sol";
import {DRCoordinatorBase} from "./DRCoordinatorBase.sol";
import {DRCoordinatorExtension} from "./DRCoordinatorExtension.sol";

/// @title DRCoordinator
/// @notice Pay-as-you-go direct requests: see `IDRCoordinator` for the flow and the semantics of
/// every function. This contract is owned by the node operator, one per network.
/// @dev Design notes (what the interface leaves open):
/// - Money. A request debits `max(MAX, payment)` from the payer (MAX = gas cost of
///   `callbackGasLimit + FULFILL_GAS_OVERHEAD` gas plus the fee, `payment` = the Operator escrow);
///   `payment` goes to the Operator, the rest stays here as the request's escrow. The fulfilment
///   charges `SPOT - payment` (never below 0) to the owner's earnings: from the escrow, and beyond it
///   from the payer's funds (else `InsufficientFunds`); the rest of the escrow is refunded. So the
///   payer pays `max(SPOT, payment)` in total. Invariant: `LINK.balanceOf(this) == Σ balances +
///   Σ subscription balances + ownerEarnings() + Σ escrow`.
/// - Fees are frozen per request. A spec's fee lives in a "version" (one slot: operator, fee, fee
///   type, alive flag) that requests point to; changing the fee creates a new version, so pending
///   requests keep the fee they were priced with. Removing a spec kills all its versions, so its
///   pending requests can only be cancelled. The other spec fields (payment, payment type, gas
///   limit) only matter at request time and are updated in place.
/// - Pending requests take two storage slots (see `PendingRequest`); a split-consumer request adds
///   one for its requester. The Operator nonce is `requester << 96 | subId << 64 | counter`, the
///   counter living in the payer slot that a request writes anyway, so requests need no global
///   nonce slot. Subscription ids therefore stay below 2^31.
/// - The Operator swallows a reverting `fulfillData` (it only logs the callback failure), so a
///   fulfilment that reverts here (e.g. `InsufficientGasForCallback`, `InsufficientFunds`, a stale
///   feed without fallback) consumes the Operator request but leaves ours pending; `cancelRequest`
///   then refunds the escrow only, as the Operator already paid the `payment` to its node.
/// - Feed limits: `setConfig` reads `minAnswer()`/`maxAnswer()` from the feed's `aggregator()`
///   (Chainlink proxies) or from the feed itself, and caches them; call `setConfig` again after a
///   feed's aggregator changes. Feeds without those functions have no limits.
/// - Every state-changing function is guarded by one transient-storage lock: a callback (or any
///   contract called while the coordinator runs) that re-enters gets `ReentrantCall`.
contract DRCoordinator is DRCoordinatorBase, IDRCoordinator {
    /// @dev The extension holding the management functions (specs, config, subscriptions),
    /// deployed by the constructor and reached by `delegatecall`.
    address private immutable i_extension;

    /// @notice Deploys a coordinator for `link` owned by `owner_`, with its extension. Requests
    /// need `setConfig` and `setSpecs` first.
    /// @param link The LINK token.
    /// @param owner_ The owner (the node operator).
    constructor(address link, address owner_) DRCoordinatorBase(link) {
        if (owner_ == address(0)) revert ZeroAddress();
        i_extension = address(new DRCoordinatorExtension(link));
        s_owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    // ------------------------------------------------------------------ management (in the extension)

    /// @inheritdoc IDRCoordinator
    /// @dev A new fee or fee type creates a new spec version (pending requests keep theirs).
    /// Besides the interface's ranges, a PERMYRIAD fee is at most 1e27 too. Runs in the extension.
    function setSpecs(bytes32[] calldata, Spec[] calldata) external {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Runs in the extension.
    function removeSpecs(bytes32[] calldata) external {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev A LINK/TKN feed selects single-feed pricing; otherwise both LINK/USD and TKN/USD are
    /// needed (or neither: fallback price only). Caches each price feed's decimals (at most 18)
    /// and min/max answers. Runs in the extension.
    function setConfig(Config calldata) external {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Runs in the extension.
    function createSubscription() external returns (uint64) {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Adding a consumer twice is a no-op. Runs in the extension.
    function addConsumer(uint64, address) external {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev The consumer's request counter is kept, so its request ids never repeat; its pending
    /// requests are still billed to the subscription. Runs in the extension.
    function removeConsumer(uint64, address) external {
        _delegateToExtension();
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Runs in the extension.
    function cancelSubscription(uint64, address) external {
        _delegateToExtension();
    }

    /// @notice The extension contract (management functions run in it by `delegatecall`).
    /// @return The extension's address.
    function extension() external view returns (address) {
        return i_extension;
    }

    // ------------------------------------------------------------------ specs

    /// @inheritdoc IDRCoordinator
    function getSpec(bytes32 key) external view returns (Spec memory spec) {
        SpecRecord memory record = s_specs[key];
        if (record.version == 0) revert SpecNotFound(key);
        uint256 word = s_versions[record.version];
        spec.specId = s_specIds[key];
        spec.operator = address(uint160(word));
        spec.payment = record.payment;
        spec.paymentType = record.paymentType;
        spec.fee = uint96((word >> VERSION_FEE_SHIFT) & VERSION_FEE_MASK);
        spec.feeType = word & VERSION_PERMYRIAD_FEE != 0 ? FeeType.PERMYRIAD : FeeType.FLAT;
        spec.gasLimit = record.gasLimit;
    }

    /// @inheritdoc IDRCoordinator
    function getSpecKeys() external view returns (bytes32[] memory) {
        return s_specKeys;
    }

    /// @inheritdoc IDRCoordinator
    function specKey(address operator, bytes32 specId) external pure returns (bytes32) {
        return _specKey(operator, specId);
    }

    // ------------------------------------------------------------------ consumer balances

    /// @inheritdoc IDRCoordinator
    function addFunds(address consumer, uint96 amount) external nonReentrant {
        if (consumer == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        s_accounts[consumer].balance += amount;
        emit FundsAdded(consumer, msg.sender, amount);
        if (!i_link.transferFrom(msg.sender, address(this), amount)) revert LinkTransferFailed();
    }

    /// @inheritdoc IDRCoordinator
    function withdrawFunds(address to, uint96 amount) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        Account storage account = s_accounts[msg.sender];
        uint96 balance = account.balance;
        if (balance < amount) revert InsufficientFunds(balance, amount);
        account.balance = balance - amount;
        emit FundsWithdrawn(msg.sender, to, amount);
        _sendLink(to, amount);
    }

    /// @inheritdoc IDRCoordinator
    function availableFunds(address consumer) external view returns (uint96) {
        return s_accounts[consumer].balance;
    }

    /// @inheritdoc IERC677Receiver
    /// @dev Empty data credits `sender`, 20 bytes credit that address, 32 bytes fund subscription
    /// `uint64(data)` (a larger word is rejected).
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external nonReentrant {
        if (msg.sender != address(i_link)) revert OnlyLinkToken(msg.sender);
        if (amount == 0) revert ZeroAmount();
        // LINK's supply (1e27) fits in uint96.
        uint96 juels = uint96(amount);
        uint256 length = data.length;
        if (length == 0) {
            s_accounts[sender].balance += juels;
            emit FundsAdded(sender, sender, juels);
        } else if (length == 20) {
            address consumer = address(bytes20(data));
            if (consumer == address(0)) revert ZeroAddress();
            s_accounts[consumer].balance += juels;
            emit FundsAdded(consumer, sender, juels);
        } else if (length == 32) {
            uint256 word = uint256(bytes32(data));
            if (word > type(uint64).max) revert InvalidFundingData(length);
            uint64 subId = uint64(word);
            Subscription storage sub = s_subscriptions[subId];
            if (sub.owner == address(0)) revert SubscriptionNotFound(subId);
            uint96 oldBalance = sub.balance;
            sub.balance = oldBalance + juels;
            emit SubscriptionFunded(subId, oldBalance, oldBalance + juels);
        } else {
            revert InvalidFundingData(length);
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /// @inheritdoc IDRCoordinator
    function getSubscription(uint64 subId)
        external
        view
        returns (uint96 balance, uint64 pendingRequests, address owner_, address[] memory consumers)
    {
        Subscription storage sub = s_subscriptions[subId];
        owner_ = sub.owner;
        if (owner_ == address(0)) revert SubscriptionNotFound(subId);
        return (sub.balance, sub.pendingRequests, owner_, sub.consumers);
    }

    // ------------------------------------------------------------------ requests

    /// @inheritdoc IDRCoordinator
    /// @dev Debits `max(MAX, payment)` where MAX prices `callbackGasLimit + FULFILL_GAS_OVERHEAD`
    /// gas at `tx.gasprice` plus the fee; `consumerMaxPayment` bounds that debit. The CBOR gets
    /// `gasLimit` = `fulfillTxGasLimit(callbackGasLimit)` and `minConfirmations` appended.
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
    ) external nonReentrant returns (bytes32 requestId) {
        PriceConfig memory price = s_price;
        if (price.paused) revert CoordinatorPaused();
        bytes32 key = _specKey(operator, specId);
        SpecRecord memory spec = s_specs[key];
        if (spec.version == 0) revert SpecNotFound(key);
        if (callbackGasLimit < MIN_CALLBACK_GAS_LIMIT || callbackGasLimit > spec.gasLimit) {
            revert CallbackGasLimitOutOfRange(callbackGasLimit, MIN_CALLBACK_GAS_LIMIT, spec.gasLimit);
        }
        if (callbackMinConfirmations > MAX_REQUEST_CONFIRMATIONS) {
            revert MinConfirmationsOutOfRange(callbackMinConfirmations, MAX_REQUEST_CONFIRMATIONS);
        }
        if (callbackAddr == address(i_link) || callbackAddr == address(this)) revert InvalidCallback(callbackAddr);
        if (callbackAddr.code.length == 0) revert CallbackNotContract(callbackAddr);

        // MAX: the whole callback gas plus the fulfilment overhead, at today's gas and LINK prices.
        uint256 gasCost = _gasCost(tx.gasprice, callbackGasLimit + FULFILL_GAS_OVERHEAD, _weiPerUnitLink(price));
        uint256 versionWord = s_versions[spec.version];
        uint256 payment =
            spec.paymentType == PaymentType.FLAT ? spec.payment : gasCost * spec.payment / PERMYRIAD;
        uint256 debit = gasCost + _fee(gasCost, versionWord);
        if (payment > debit) debit = payment;
        if (consumerMaxPayment != 0 && debit > consumerMaxPayment) {
            revert MaxPaymentExceeded(debit, consumerMaxPayment);
        }

        // Debit the payer and take its next request counter.
        uint256 nonce;
        if (subId == 0) {
            Account memory account = s_accounts[msg.sender];
            if (debit > account.balance) revert InsufficientFunds(account.balance, debit);
            // debit <= balance < 2^96.
            s_accounts[msg.sender] = Account(account.balance - uint96(debit), account.nonce + 1);
            nonce = account.nonce;
        } else {
            SubscriptionConsumer memory entry = s_subscriptionConsumers[subId][msg.sender];
            if (!entry.allowed) {
                if (s_subscriptions[subId].owner == address(0)) revert SubscriptionNotFound(subId);
                revert ConsumerNotAllowed(subId, msg.sender);
            }
            Subscription storage sub = s_subscriptions[subId];
            uint96 balance = sub.balance;
            if (debit > balance) revert InsufficientFunds(balance, debit);
            sub.balance = balance - uint96(debit);
            sub.pendingRequests += 1;
            s_subscriptionConsumers[subId][msg.sender].nonce = entry.nonce + 1;
            nonce = entry.nonce;
        }
        // Unique per (requester, subscription, counter); subId < 2^31.
        nonce |= (uint256(uint160(msg.sender)) << 96) | (uint256(subId) << 64);
        requestId = _requestId(nonce);

        uint32 payer = uint32(subId);
        bool split = callbackAddr != msg.sender;
        if (split) {
            payer |= PAYER_SPLIT;
            s_splitRequesters[requestId] = msg.sender;
        }
        s_requests[requestId] = PendingRequest({
            callbackAddr: callbackAddr,
            escrow: uint96(debit - payment),
            payment: uint96(payment),
            callbackFunctionId: callbackFunctionId,
            callbackGasLimit: callbackGasLimit,
            expiration: uint32(block.timestamp + OPERATOR_EXPIRY_TIME),
            version: spec.version,
            payer: payer
        });
        emit RequestSent(requestId, key, msg.sender, uint96(debit));

        bytes memory request = abi.encodeWithSelector(
            IOperator.operatorRequest.selector,
            address(this), // overwritten by the Operator with the LINK sender
            payment, // overwritten by the Operator with the amount
            specId,
            this.fulfillData.selector,
            nonce,
            OPERATOR_ARGS_VERSION,
            bytes.concat(
                cborData,
                CBOR_GAS_LIMIT_KEY,
                _cborUint(fulfillTxGasLimit(callbackGasLimit)),
                CBOR_MIN_CONFIRMATIONS_KEY,
                _cborUint(callbackMinConfirmations)
            )
        );
        if (!i_link.transferAndCall(operator, payment, request)) revert LinkTransferFailed();
        if (split) IChainlinkExternalFulfillment(callbackAddr).setExternalPendingRequest(msg.sender, requestId);
    }

    /// @inheritdoc IDRCoordinator
    /// @dev `data` is what the node answered the Operator with: `abi.encode(requestId, bytes(
    /// abi.encode(requestId, ...answer)))` reaches this function as `(requestId, abi.encode(requestId,
    /// ...answer))`, and the callback gets `abi.encodePacked(callbackFunctionId, data)`. Reverts
    /// (which the Operator swallows, see the contract notes) with `RequestNotFound`,
    /// `CallerNotOperator`, `SpecNotFound` (the spec was removed), `CallbackDataMismatch`,
    /// `InsufficientGasForCallback`, `InsufficientFunds` or a price error.
    function fulfillData(bytes32 requestId, bytes calldata data) external nonReentrant returns (bool success) {
        uint256 startGas = gasleft();
        PendingRequest memory request = s_requests[requestId];
        if (request.callbackAddr == address(0)) revert RequestNotFound(requestId);
        uint256 versionWord = s_versions[request.version];
        if (address(uint160(versionWord)) != msg.sender) revert CallerNotOperator(msg.sender);
        if (versionWord & VERSION_ALIVE == 0) revert SpecNotFound(s_versionKeys[request.version]);
        // The callback must see this request's id (a node cannot route an answer to another request).
        if (data.length < 32 || bytes32(data[:32]) != requestId) revert CallbackDataMismatch(requestId);
        delete s_requests[requestId];

        success = _callWithExactGas(request.callbackGasLimit, request.callbackAddr, request.callbackFunctionId, data);

        // Every read and write SPOT does not depend on happens before it is measured, so what
        // follows the measurement (two warm writes and the event) costs the same for every request
        // and GAS_AFTER_PAYMENT_CALCULATION can be tight.
        uint64 subId = uint64(request.payer & ~PAYER_SPLIT);
        Account storage account = s_accounts[request.callbackAddr];
        Subscription storage sub = s_subscriptions[subId];
        uint96 balance;
        uint64 pending;
        if (subId == 0) {
            if (request.payer & PAYER_SPLIT != 0) account = s_accounts[s_splitRequesters[requestId]];
            balance = account.balance;
        } else {
            (balance, pending) = (sub.balance, sub.pendingRequests);
        }
        if (request.payer & PAYER_SPLIT != 0) delete s_splitRequesters[requestId];
        uint256 earnings = s_earningsPlusOne;

        // SPOT: the gas used so far (price reading included) plus what the settlement costs.
        uint256 weiPerUnitLink = _weiPerUnitLink(s_price);
        uint256 gasUsed = GAS_AFTER_PAYMENT_CALCULATION + startGas - gasleft();
        uint256 gasCost = _gasCost(tx.gasprice, gasUsed, weiPerUnitLink);
        uint256 spot = gasCost + _fee(gasCost, versionWord);
        uint256 charged = spot > request.payment ? spot - request.payment : 0;
        // Refund what the escrow does not need; take any excess from the payer's funds.
        uint96 refund;
        if (charged <= request.escrow) {
            refund = uint96(request.escrow - charged);
        } else if (charged - request.escrow > balance) {
            revert InsufficientFunds(balance, charged - request.escrow);
        }
        // The refund, or minus the excess; charged <= escrow + balance, and all LINK fits in uint96.
        uint96 newBalance = uint96(uint256(balance) + request.escrow - charged);
        if (subId == 0) {
            account.balance = newBalance;
        } else {
            sub.balance = newBalance;
            sub.pendingRequests = pending - 1;
        }
        s_earningsPlusOne = earnings + charged;
        emit RequestFulfilled(requestId, success, uint96(charged), refund);
    }

    /// @inheritdoc IDRCoordinator
    /// @dev If the Operator no longer holds the request (a fulfilment reached it but reverted here),
    /// its `payment` went to the node and only the escrow is refunded. An Operator call that fails
    /// without a reason (out of gas) reverts with `OperatorCancelFailed`.
    function cancelRequest(bytes32 requestId) external nonReentrant {
        PendingRequest memory request = s_requests[requestId];
        if (request.callbackAddr == address(0)) revert RequestNotFound(requestId);
        bool split = request.payer & PAYER_SPLIT != 0;
        address requester = split ? s_splitRequesters[requestId] : request.callbackAddr;
        if (msg.sender != requester) revert NotRequester(msg.sender, requester);
        if (request.expiration > block.timestamp) revert RequestNotExpired(request.expiration);
        delete s_requests[requestId];
        if (split) delete s_splitRequesters[requestId];

        IOperator operator = IOperator(address(uint160(s_versions[request.version])));
        uint256 before = i_link.balanceOf(address(this));
        uint96 refund = request.escrow;
        try operator.cancelOracleRequest(requestId, request.payment, this.fulfillData.selector, request.expiration) {
            uint256 received = i_link.balanceOf(address(this)) - before;
            if (received != request.payment) revert OperatorRefundMismatch(request.payment, received);
            refund += request.payment;
        } catch (bytes memory reason) {
            // A revert with a reason means the Operator no longer holds the request (a fulfilment
            // took it); none is what running out of gas looks like, and then nothing may change,
            // or the payment would stay locked in the Operator.
            if (reason.length == 0) revert OperatorCancelFailed(requestId);
        }

        uint64 subId = uint64(request.payer & ~PAYER_SPLIT);
        if (subId == 0) {
            s_accounts[requester].balance += refund;
        } else {
            Subscription storage sub = s_subscriptions[subId];
            sub.balance += refund;
            sub.pendingRequests -= 1;
        }
        emit RequestCancelled(requestId, refund);
    }

    /// @notice A pending request (for tools and tests).
    /// @param requestId The request.
    /// @return requester Who sent it (and may cancel it).
    /// @return callbackAddr The contract called back.
    /// @return callbackFunctionId The callback selector.
    /// @return callbackGasLimit The callback's gas.
    /// @return escrow Juels held here for it.
    /// @return payment Juels sent to the Operator.
    /// @return expiration When it may be cancelled.
    /// @return key The spec key it was sent through.
    /// @return subId The subscription billed (0 = the requester's balance).
    function getRequest(bytes32 requestId)
        external
        view
        returns (
            address requester,
            address callbackAddr,
            bytes4 callbackFunctionId,
            uint32 callbackGasLimit,
            uint96 escrow,
            uint96 payment,
            uint32 expiration,
            bytes32 key,
            uint64 subId
        )
    {
        PendingRequest memory request = s_requests[requestId];
        if (request.callbackAddr == address(0)) revert RequestNotFound(requestId);
        requester = request.payer & PAYER_SPLIT != 0 ? s_splitRequesters[requestId] : request.callbackAddr;
        return (
            requester,
            request.callbackAddr,
            request.callbackFunctionId,
            request.callbackGasLimit,
            request.escrow,
            request.payment,
            request.expiration,
            s_versionKeys[request.version],
            uint64(request.payer & ~PAYER_SPLIT)
        );
    }

    /// @notice The `gasLimit` appended to a request's CBOR: the transaction gas limit the node must
    /// give `fulfillOracleRequest2` so that the callback gets `callbackGasLimit` gas.
    /// @param callbackGasLimit The request's callback gas.
    /// @return The transaction gas limit.
    function fulfillTxGasLimit(uint32 callbackGasLimit) public pure returns (uint256) {
        // Two 1/64 reserves (Operator -> coordinator -> callback) plus the fixed overhead.
        uint256 limit = uint256(callbackGasLimit) + uint256(callbackGasLimit) / 32 + FULFILL_TX_GAS_OVERHEAD;
        return limit < MIN_FULFILL_TX_GAS ? MIN_FULFILL_TX_GAS : limit;
    }

    // ------------------------------------------------------------------ pricing

    /// @inheritdoc IDRCoordinator
    function getWeiPerUnitLink() external view returns (uint256) {
        return _weiPerUnitLink(s_price);
    }

    /// @inheritdoc IDRCoordinator
    function calculateMaxPaymentAmount(
        uint256 weiPerUnitGas,
        uint96 paymentInEscrow,
        uint32 gasLimit,
        uint96 fee,
        FeeType feeType
    ) external view returns (int256) {
        uint256 gasCost = _gasCost(weiPerUnitGas, gasLimit, _weiPerUnitLink(s_price));
        uint256 total = gasCost + _feeAmount(gasCost, fee, feeType == FeeType.PERMYRIAD);
        return int256(total) - int256(uint256(paymentInEscrow));
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Gas "used" is clamped at 0 when `startGas + GAS_AFTER_PAYMENT_CALCULATION < gasleft()`.
    function calculateSpotPaymentAmount(
        uint32 startGas,
        uint256 weiPerUnitGas,
        uint96 paymentInEscrow,
        uint96 fee,
        FeeType feeType
    ) external view returns (int256) {
        uint256 weiPerUnitLink = _weiPerUnitLink(s_price);
        uint256 budget = GAS_AFTER_PAYMENT_CALCULATION + startGas;
        uint256 left = gasleft();
        uint256 gasCost = _gasCost(weiPerUnitGas, budget > left ? budget - left : 0, weiPerUnitLink);
        uint256 total = gasCost + _feeAmount(gasCost, fee, feeType == FeeType.PERMYRIAD);
        return int256(total) - int256(uint256(paymentInEscrow));
    }

    // ------------------------------------------------------------------ owner

    /// @inheritdoc IDRCoordinator
    function getConfig() external view returns (Config memory) {
        return s_config;
    }

    /// @notice The cached min/max answers of the LINK/TKN (or LINK/USD) feed and of the TKN/USD
    /// feed; `has…` is false when the feed exposes none.
    /// @return hasPrimary Whether the first feed has limits.
    /// @return primary Its limits.
    /// @return hasSecondary Whether the TKN/USD feed has limits.
    /// @return secondary Its limits.
    function getFeedLimits()
        external
        view
        returns (bool hasPrimary, Limits memory primary, bool hasSecondary, Limits memory secondary)
    {
        uint8 flags = s_price.flags;
        return (
            flags & FLAG_LIMITS_PRIMARY != 0, s_primaryLimits, flags & FLAG_LIMITS_SECONDARY != 0, s_secondaryLimits
        );
    }

    /// @inheritdoc IDRCoordinator
    function pause() external nonReentrant onlyOwner {
        if (s_price.paused) revert CoordinatorPaused();
        s_price.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IDRCoordinator
    function unpause() external nonReentrant onlyOwner {
        if (!s_price.paused) revert CoordinatorNotPaused();
        s_price.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IDRCoordinator
    function paused() external view returns (bool) {
        return s_price.paused;
    }

    /// @inheritdoc IDRCoordinator
    function withdraw(address to, uint96 amount) external nonReentrant onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 available = s_earningsPlusOne - 1;
        if (amount > available) revert InsufficientEarnings(available, amount);
        s_earningsPlusOne -= amount;
        emit EarningsWithdrawn(to, amount);
        _sendLink(to, amount);
    }

    /// @inheritdoc IDRCoordinator
    function ownerEarnings() external view returns (uint96) {
        // All LINK fits in uint96.
        return uint96(s_earningsPlusOne - 1);
    }

    /// @inheritdoc IDRCoordinator
    /// @dev Proposing the zero address cancels a pending proposal.
    function transferOwnership(address to) external nonReentrant onlyOwner {
        s_pendingOwner = to;
        emit OwnershipTransferRequested(msg.sender, to);
    }

    /// @inheritdoc IDRCoordinator
    function acceptOwnership() external nonReentrant {
        if (msg.sender != s_pendingOwner) revert OnlyPendingOwner(msg.sender);
        address previous = s_owner;
        s_owner = msg.sender;
        delete s_pendingOwner;
        emit OwnershipTransferred(previous, msg.sender);
    }

    /// @inheritdoc IDRCoordinator
    function owner() external view returns (address) {
        return s_owner;
    }

    /// @notice The proposed owner, or zero.
    /// @return The pending owner.
    function pendingOwner() external view returns (address) {
        return s_pendingOwner;
    }

    /// @inheritdoc IDRCoordinator
    function LINK() external view returns (address) {
        return address(i_link);
    }

    // ------------------------------------------------------------------ internals: specs

    // ------------------------------------------------------------------ internals: money

    /// @dev Runs the current call in the extension on this contract's storage and returns or
    /// reverts with its result (never returns to the caller's Solidity code).
    function _delegateToExtension() private {
        address target = i_extension;
        assembly ("memory-safe") {
            // Past the free memory pointer, which is all this call still uses.
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := delegatecall(gas(), target, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }

    /// @dev `1e18 * weiPerUnitGas * gasUnits / weiPerUnitLink`, rounded down.
    function _gasCost(uint256 weiPerUnitGas, uint256 gasUnits, uint256 weiPerUnitLink)
        private
        pure
        returns (uint256)
    {
        return 1e18 * weiPerUnitGas * gasUnits / weiPerUnitLink;
    }

    /// @dev The fee on `gasCost` for a version word (only its fee bits are read).
    function _fee(uint256 gasCost, uint256 versionWord) private pure returns (uint256) {
        return _feeAmount(
            gasCost, (versionWord >> VERSION_FEE_SHIFT) & VERSION_FEE_MASK, versionWord & VERSION_PERMYRIAD_FEE != 0
        );
    }

    /// @dev FLAT: `fee`; PERMYRIAD: `gasCost * fee / 10000`, rounded down.
    function _feeAmount(uint256 gasCost, uint256 fee, bool permyriad) private pure returns (uint256) {
        return permyriad ? gasCost * fee / PERMYRIAD : fee;
    }

    /// @dev keccak256(abi.encodePacked(address(this), nonce)), the Operator's request id.
    function _requestId(uint256 nonce) private view returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, shl(96, address()))
            mstore(0x14, nonce)
            id := keccak256(0x00, 0x34)
        }
    }

    /// @dev Calls `target` with `abi.encodePacked(selector, data)` and exactly `gasAmount` gas
    /// (VRF v2's callWithExactGas), ignoring return data; reverts if that much cannot be given.
    function _callWithExactGas(uint256 gasAmount, address target, bytes4 selector, bytes calldata data)
        private
        returns (bool success)
    {
        uint256 length = data.length + 4;
        uint256 pointer;
        assembly ("memory-safe") {
            pointer := mload(0x40)
            mstore(pointer, selector)
            calldatacopy(add(pointer, 0x04), data.offset, data.length)
        }
        uint256 available = gasleft();
        // The CALL forwards at most 63/64 of what is left after the check.
        if (available < GAS_FOR_CALL_EXACT_CHECK) revert InsufficientGasForCallback(available, uint32(gasAmount));
        uint256 afterCheck = available - GAS_FOR_CALL_EXACT_CHECK;
        if (afterCheck - afterCheck / 64 <= gasAmount) revert InsufficientGasForCallback(available, uint32(gasAmount));
        assembly ("memory-safe") {
            success := call(gasAmount, target, 0, pointer, length, 0, 0)
        }
    }

    /// @dev Shortest CBOR head of an unsigned integer (major type 0).
    function _cborUint(uint256 value) private pure returns (bytes memory) {
        if (value < 24) return abi.encodePacked(uint8(value));
        if (value <= type(uint8).max) return abi.encodePacked(uint8(24), uint8(value));
        if (value <= type(uint16).max) return abi.encodePacked(uint8(25), uint16(value));
        if (value <= type(uint32).max) return abi.encodePacked(uint8(26), uint32(value));
        return abi.encodePacked(uint8(27), uint64(value));
    }

    // ------------------------------------------------------------------ internals: prices

    /// @dev The LINK price in TKN wei: sequencer check, then one or two feeds; any unreliable
    /// reading (sequencer down or in its grace period, stale answer, answer at a limit) makes the
    /// whole price the fallback, or reverts with that reading's error when there is no fallback.
    /// Every feed answer <= 0 reverts. Two feeds: `linkUsd * 10^(18 + dTkn) / (tknUsd * 10^dLink)`,
    /// computed from both fresh answers only (never from a fallback).
    function _weiPerUnitLink(PriceConfig memory price) private view returns (uint256) {
        uint8 flags = price.flags;
        if (flags & FLAG_SEQUENCER != 0) {
            (, int256 status, uint256 startedAt,,) = s_config.sequencerUptimeFeed.latestRoundData();
            if (status != 0) return _fallbackOr(abi.encodeWithSelector(SequencerDown.selector));
            if (startedAt >= block.timestamp || block.timestamp - startedAt <= price.sequencerGracePeriodSeconds) {
                return _fallbackOr(abi.encodeWithSelector(SequencerGracePeriod.selector, startedAt));
            }
        }
        uint256 feeds = flags & MODE_MASK;
        if (feeds == MODE_FALLBACK_ONLY) return _fallbackOr(abi.encodeWithSelector(PriceUnavailable.selector));
        // One loop for both feeds keeps a single copy of the checks in the bytecode.
        uint256[2] memory answers;
        bool unreliable;
        for (uint256 i; i < feeds; ++i) {
            AggregatorV3Interface feed = i == 0 ? AggregatorV3Interface(price.primaryFeed) : s_config.tknUsdFeed;
            (, int256 answer,, uint256 updatedAt,) = feed.latestRoundData();
            if (answer <= 0) revert FeedAnswerNotPositive(address(feed), answer);
            uint256 staleness = price.stalenessSeconds;
            bytes memory reason;
            if (staleness != 0 && block.timestamp > updatedAt && block.timestamp - updatedAt > staleness) {
                reason = abi.encodeWithSelector(FeedStale.selector, feed, updatedAt);
            } else if (flags & (i == 0 ? FLAG_LIMITS_PRIMARY : FLAG_LIMITS_SECONDARY) != 0) {
                Limits memory limits = i == 0 ? s_primaryLimits : s_secondaryLimits;
                if (answer <= limits.minAnswer || answer >= limits.maxAnswer) {
                    reason = abi.encodeWithSelector(FeedAnswerAtLimit.selector, feed, answer);
                }
            }
            if (reason.length != 0) {
                _fallbackOr(reason);
                unreliable = true;
            }
            answers[i] = uint256(answer);
        }
        if (unreliable) return s_config.fallbackWeiPerUnitLink;
        if (feeds == MODE_SINGLE_FEED) return answers[0] * 10 ** (18 - price.primaryDecimals);
        uint256 weiPerUnitLink = answers[0] * 10 ** (18 + uint256(price.secondaryDecimals))
            / (answers[1] * 10 ** price.primaryDecimals);
        if (weiPerUnitLink == 0) revert PriceUnavailable();
        return weiPerUnitLink;
    }

    /// @dev The fallback price; reverts with `reason` (an encoded custom error) when it is 0.
    function _fallbackOr(bytes memory reason) private view returns (uint256 fallbackPrice) {
        fallbackPrice = s_config.fallbackWeiPerUnitLink;
        if (fallbackPrice == 0) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

}
