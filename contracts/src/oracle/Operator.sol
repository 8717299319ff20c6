// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOperator} from "./interfaces/IOperator.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {IERC677Receiver} from "../token/interfaces/IERC677Receiver.sol";

/// @title Operator
/// @notice Direct-request oracle contract, ABI-compatible with Chainlink's `Operator.sol`.
/// @dev Lifecycle: a consumer calls `LINK.transferAndCall(operator, payment, oracleRequest(...) or
/// operatorRequest(...))`; LINK calls `onTokenTransfer`, which stores a one-slot commitment
/// `bytes31(keccak256(payment, callback, selector, expiration)) | uint8 dataVersion` and emits
/// `OracleRequest`, and adds the payment to the escrow. An authorized node account answers with
/// `fulfillOracleRequest(2)`, which checks the commitment, releases the payment from escrow, and
/// calls the consumer back. After `EXPIRYTIME` the requester may cancel and get its payment back.
/// The owner may withdraw every LINK this contract holds that is not in escrow (Chainlink's
/// `withdrawable() == LINK.balanceOf(this) - escrow`), including LINK sent by a plain `transfer`.
///
/// Differences from Chainlink's implementation (the ABI and the events are the same):
/// - `onTokenTransfer` decodes the payload itself instead of `delegatecall`ing itself; the checks
///   are the same (LINK only, length >= 68, selector whitelist, sender and amount taken from the
///   token, strict ABI decoding).
/// - The escrow is split in two so that a fulfilment writes no extra slot: a request adds its
///   payment to a global counter (`s_unsettled`), and a fulfilment releases it by crediting the
///   fulfilling account's slot, which also holds its authorization flag and is read anyway. The
///   escrow is the counter minus the credits of the current senders; `setAuthorizedSenders` folds
///   the credits of replaced senders into the counter. A request therefore writes two slots
///   (commitment, counter) and a fulfilment two (commitment cleared, credit increased), as in
///   Chainlink, but the fulfilment's credit slot is already warm.
/// - A v1 request whose callback is not the requester is rejected (Chainlink accepts it but it can
///   then be neither fulfilled nor cancelled).
/// - Only the owner sets authorized senders; there is no forwarder management, no `ownerForward`,
///   no `ownerTransferAndCall` and no `distributeFunds`.
///
/// Privileged functions and what they cannot do:
/// - owner: `setAuthorizedSenders`, `withdraw`, `transferOwnership`. The owner may withdraw any
///   LINK not in escrow (payments of answered requests and LINK sent outside a request), but
///   cannot withdraw escrowed payments of pending requests, cannot fulfil or cancel requests,
///   cannot change the LINK token, cannot make the contract call arbitrary addresses.
/// - pending owner: `acceptOwnership`, nothing else.
/// - authorized senders: `fulfillOracleRequest`, `fulfillOracleRequest2`. They cannot change the
///   payment, callback, selector or expiration of a request (the commitment binds them), cannot
///   answer twice, cannot answer with less than `MINIMUM_CONSUMER_GAS_LIMIT` gas for the callback,
///   cannot move LINK, and cannot change the sender list.
/// - LINK token: the only caller of `onTokenTransfer`, `oracleRequest` and `operatorRequest`.
contract Operator is IOperator {
    /// @notice Seconds after a request before its requester may cancel it.
    uint256 public constant EXPIRYTIME = 5 minutes;
    /// @notice Gas that must be left, just before the consumer callback, for a fulfilment to proceed.
    uint256 public constant MINIMUM_CONSUMER_GAS_LIMIT = 400_000;

    /// @dev Selector (4 bytes) plus the two words that `onTokenTransfer` overwrites.
    uint256 private constant MINIMUM_REQUEST_LENGTH = 68;
    /// @dev Credit value of an authorized sender that earned nothing yet (0 means not authorized).
    uint256 private constant AUTHORIZED = 1;
    /// @dev Floor of `s_unsettled`, so the slot never returns to zero and every request pays the
    /// same (nonzero-to-nonzero) write.
    uint256 private constant UNSETTLED_FLOOR = 1;
    bytes4 private constant ORACLE_REQUEST_SELECTOR = IOperator.oracleRequest.selector;
    bytes4 private constant OPERATOR_REQUEST_SELECTOR = IOperator.operatorRequest.selector;

    address private immutable i_link;

    /// @dev requestId => bytes31 params hash in the high bytes | uint8 data version in the low byte.
    mapping(bytes32 requestId => uint256 commitment) private s_commitments;
    /// @dev 0: not authorized; otherwise AUTHORIZED + payments released by that sender's
    /// fulfilments since it was last authorized.
    mapping(address sender => uint256 credit) private s_senderCredits;
    address[] private s_senderList;
    /// @dev UNSETTLED_FLOOR + payments of requests neither cancelled nor folded out of a sender
    /// credit. LINK in escrow = s_unsettled - UNSETTLED_FLOOR - sum of current senders' credits
    /// (each minus AUTHORIZED).
    uint256 private s_unsettled;
    address private s_owner;
    address private s_pendingOwner;
    bool private transient s_locked;

    /// @notice Deploys an operator for `link`, owned by `owner_`.
    /// @param link The LINK token; the only accepted payment and the only `onTokenTransfer` caller.
    /// @param owner_ The first owner.
    constructor(address link, address owner_) {
        if (link == address(0) || owner_ == address(0)) revert ZeroAddress();
        i_link = link;
        s_unsettled = UNSETTLED_FLOOR;
        s_owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    modifier onlyOwner() {
        if (msg.sender != s_owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlyLink() {
        if (msg.sender != i_link) revert NotLinkToken(msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (s_locked) revert Reentrancy();
        s_locked = true;
        _;
        s_locked = false;
    }

    // ------------------------------------------------------------------ requests

    /// @inheritdoc IERC677Receiver
    /// @dev Accepts `oracleRequest` (v1) and `operatorRequest` (v2) payloads. The payload's `sender` and `payment` words are ignored: the token's `sender` and
    /// `amount` are used, as in Chainlink's Operator.
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external onlyLink {
        if (data.length < MINIMUM_REQUEST_LENGTH) revert MalformedRequest(data.length);
        bytes4 selector = bytes4(data[:4]);
        bytes calldata args = data[4:];
        if (selector == OPERATOR_REQUEST_SELECTOR) {
            // (sender, payment, specId, callbackFunctionId, nonce, dataVersion, data)
            bytes calldata params = _bytesArg(args, 6, 7);
            _request(sender, amount, bytes32(_word(args, 2)), sender, _selectorArg(args, 3), _word(args, 4), _word(args, 5), params);
        } else if (selector == ORACLE_REQUEST_SELECTOR) {
            // (sender, payment, specId, callbackAddress, callbackFunctionId, nonce, dataVersion, data)
            bytes calldata params = _bytesArg(args, 7, 8);
            address callback = _addressArg(args, 3);
            if (callback != sender) revert CallbackNotRequester(callback, sender);
            _request(sender, amount, bytes32(_word(args, 2)), sender, _selectorArg(args, 4), _word(args, 5), _word(args, 6), params);
        } else {
            revert UnsupportedRequestFunction(selector);
        }
    }

    /// @inheritdoc IOperator
    function oracleRequest(
        address sender,
        uint256 payment,
        bytes32 specId,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 nonce,
        uint256 dataVersion,
        bytes calldata data
    ) external onlyLink {
        if (callbackAddress != sender) revert CallbackNotRequester(callbackAddress, sender);
        _request(sender, payment, specId, sender, callbackFunctionId, nonce, dataVersion, data);
    }

    /// @inheritdoc IOperator
    function operatorRequest(
        address sender,
        uint256 payment,
        bytes32 specId,
        bytes4 callbackFunctionId,
        uint256 nonce,
        uint256 dataVersion,
        bytes calldata data
    ) external onlyLink {
        _request(sender, payment, specId, sender, callbackFunctionId, nonce, dataVersion, data);
    }

    // ------------------------------------------------------------------ fulfilment

    /// @inheritdoc IOperator
    function fulfillOracleRequest(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes32 data
    ) external returns (bool success) {
        uint256 credit = _senderCredit();
        _settle(credit, requestId, payment, callbackAddress, callbackFunctionId, expiration, 1);
        assembly ("memory-safe") {
            // abi.encodeWithSelector(callbackFunctionId, requestId, data) in scratch memory past the
            // free pointer; return data is never copied, so a callback cannot grief with it.
            let p := mload(0x40)
            mstore(p, callbackFunctionId)
            mstore(add(p, 0x04), requestId)
            mstore(add(p, 0x24), data)
            success := call(gas(), callbackAddress, 0, p, 0x44, 0, 0)
        }
    }

    /// @inheritdoc IOperator
    function fulfillOracleRequest2(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes calldata data
    ) external returns (bool success) {
        uint256 credit = _senderCredit();
        if (data.length < 32 || bytes32(data[:32]) != requestId) revert ResponseIdMismatch(requestId, data.length);
        _settle(credit, requestId, payment, callbackAddress, callbackFunctionId, expiration, 2);
        assembly ("memory-safe") {
            // abi.encodePacked(callbackFunctionId, data)
            let p := mload(0x40)
            mstore(p, callbackFunctionId)
            calldatacopy(add(p, 0x04), data.offset, data.length)
            success := call(gas(), callbackAddress, 0, p, add(data.length, 0x04), 0, 0)
        }
    }

    // ------------------------------------------------------------------ cancellation

    /// @inheritdoc IOperator
    function cancelOracleRequest(bytes32 requestId, uint256 payment, bytes4 callbackFunc, uint256 expiration)
        public
        nonReentrant
    {
        uint256 commitment = s_commitments[requestId];
        if (commitment == 0) revert UnknownRequest(requestId);
        // The callback of every request is its requester, so only the requester can match.
        if ((commitment ^ _paramsHash(payment, msg.sender, callbackFunc, expiration)) >> 8 != 0) {
            revert ParamsMismatch(requestId);
        }
        if (expiration > block.timestamp) revert RequestNotExpired(requestId, expiration);
        delete s_commitments[requestId];
        s_unsettled -= payment;
        emit CancelOracleRequest(requestId);
        _sendLink(msg.sender, payment);
    }

    /// @inheritdoc IOperator
    function cancelOracleRequestByRequester(uint256 nonce, uint256 payment, bytes4 callbackFunc, uint256 expiration)
        external
    {
        cancelOracleRequest(_requestId(msg.sender, nonce), payment, callbackFunc, expiration);
    }

    // ------------------------------------------------------------------ node accounts

    /// @inheritdoc IOperator
    function setAuthorizedSenders(address[] calldata senders) external onlyOwner {
        address[] storage current = s_senderList;
        uint256 released;
        uint256 count = current.length;
        for (uint256 i; i < count; ++i) {
            address old = current[i];
            // What the old sender released leaves the escrow for good, so it stays withdrawable.
            released += s_senderCredits[old] - AUTHORIZED;
            delete s_senderCredits[old];
        }
        count = senders.length;
        for (uint256 i; i < count; ++i) {
            address sender = senders[i];
            if (sender == address(0)) revert ZeroAddress();
            if (s_senderCredits[sender] != 0) revert DuplicateSender(sender);
            s_senderCredits[sender] = AUTHORIZED;
        }
        s_unsettled -= released;
        s_senderList = senders;
        emit AuthorizedSendersChanged(senders, msg.sender);
    }

    /// @inheritdoc IOperator
    function getAuthorizedSenders() external view returns (address[] memory) {
        return s_senderList;
    }

    /// @inheritdoc IOperator
    function isAuthorizedSender(address sender) external view returns (bool) {
        return s_senderCredits[sender] != 0;
    }

    // ------------------------------------------------------------------ funds

    /// @inheritdoc IOperator
    /// @dev No bookkeeping to update: the escrow does not change, and the balance drops by
    /// `amount`, which is at most balance - escrow, so the escrow stays fully backed.
    function withdraw(address recipient, uint256 amount) external onlyOwner nonReentrant {
        uint256 available = _withdrawable();
        if (amount > available) revert InsufficientWithdrawable(amount, available);
        _sendLink(recipient, amount);
    }

    /// @inheritdoc IOperator
    function withdrawable() external view returns (uint256) {
        return _withdrawable();
    }

    /// @inheritdoc IOperator
    function getChainlinkToken() external view returns (address) {
        return i_link;
    }

    // ------------------------------------------------------------------ ownership

    /// @inheritdoc IOperator
    function owner() external view returns (address) {
        return s_owner;
    }

    /// @inheritdoc IOperator
    function pendingOwner() external view returns (address) {
        return s_pendingOwner;
    }

    /// @inheritdoc IOperator
    /// @dev Proposing the zero address cancels a pending transfer.
    function transferOwnership(address to) external onlyOwner {
        if (to == msg.sender) revert TransferToSelf();
        s_pendingOwner = to;
        emit OwnershipTransferRequested(msg.sender, to);
    }

    /// @inheritdoc IOperator
    function acceptOwnership() external {
        if (msg.sender != s_pendingOwner) revert NotPendingOwner(msg.sender);
        address previous = s_owner;
        s_owner = msg.sender;
        delete s_pendingOwner;
        emit OwnershipTransferred(previous, msg.sender);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Records a request: one new storage slot, the escrow counter, one event.
    function _request(
        address sender,
        uint256 payment,
        bytes32 specId,
        address callback,
        bytes4 callbackFunctionId,
        uint256 nonce,
        uint256 dataVersion,
        bytes calldata data
    ) private {
        if (callback == i_link) revert CallbackIsLinkToken();
        if (dataVersion > type(uint8).max) revert DataVersionTooLarge(dataVersion);
        bytes32 requestId = _requestId(sender, nonce);
        if (s_commitments[requestId] != 0) revert RequestIdInUse(requestId);
        uint256 expiration = block.timestamp + EXPIRYTIME;
        s_commitments[requestId] =
            (_paramsHash(payment, callback, callbackFunctionId, expiration) & ~uint256(0xff)) | dataVersion;
        s_unsettled += payment;
        emit OracleRequest(specId, sender, requestId, payment, callback, callbackFunctionId, expiration, dataVersion, data);
    }

    /// @dev The caller's credit word; reverts unless it is an authorized sender.
    function _senderCredit() private view returns (uint256 credit) {
        credit = s_senderCredits[msg.sender];
        if (credit == 0) revert UnauthorizedSender(msg.sender);
    }

    /// @dev Checks a fulfilment against the commitment, releases the escrow by crediting the
    /// payment to the caller's slot (already read for authorization, so no extra cold slot), and
    /// makes sure the consumer gets enough gas. Everything before the untrusted callback.
    function _settle(
        uint256 credit,
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        uint256 dataVersion
    ) private {
        uint256 commitment = s_commitments[requestId];
        if (commitment == 0) revert UnknownRequest(requestId);
        if ((commitment ^ _paramsHash(payment, callbackAddress, callbackFunctionId, expiration)) >> 8 != 0) {
            revert ParamsMismatch(requestId);
        }
        if (commitment & 0xff > dataVersion) revert DataVersionMismatch(requestId, commitment & 0xff, dataVersion);
        delete s_commitments[requestId];
        s_senderCredits[msg.sender] = credit + payment;
        emit OracleResponse(requestId);
        if (gasleft() < MINIMUM_CONSUMER_GAS_LIMIT) {
            revert InsufficientConsumerGas(gasleft(), MINIMUM_CONSUMER_GAS_LIMIT);
        }
    }

    /// @dev LINK.balanceOf(this) minus the escrow. The escrow is always backed by the balance
    /// (LINK is only paid out as refunds of escrowed payments or withdrawals of the rest).
    function _withdrawable() private view returns (uint256) {
        return ILinkToken(i_link).balanceOf(address(this)) - _escrowed();
    }

    /// @dev Payments of pending requests: the unsettled counter minus what current senders released.
    function _escrowed() private view returns (uint256 escrowed) {
        escrowed = s_unsettled - UNSETTLED_FLOOR;
        address[] storage senders = s_senderList;
        uint256 count = senders.length;
        for (uint256 i; i < count; ++i) {
            escrowed -= s_senderCredits[senders[i]] - AUTHORIZED;
        }
    }

    function _sendLink(address to, uint256 amount) private {
        if (!ILinkToken(i_link).transfer(to, amount)) revert LinkTransferFailed();
    }

    /// @dev keccak256(abi.encodePacked(sender, nonce)).
    function _requestId(address sender, uint256 nonce) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, shl(96, sender))
            mstore(0x14, nonce)
            id := keccak256(0x00, 0x34)
        }
    }

    /// @dev keccak256(abi.encodePacked(payment, callback, selector, expiration)); callers keep the
    /// high 31 bytes (Chainlink's bytes31 params hash).
    function _paramsHash(uint256 payment, address callback, bytes4 selector, uint256 expiration)
        private
        pure
        returns (uint256 hash)
    {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, payment)
            mstore(add(p, 0x20), shl(96, callback))
            mstore(add(p, 0x34), selector)
            mstore(add(p, 0x38), expiration)
            hash := keccak256(p, 0x58)
        }
    }

    /// @dev Word `index` of an ABI-encoded argument list; the head length was checked by `_bytesArg`.
    function _word(bytes calldata args, uint256 index) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(args.offset, shl(5, index)))
        }
    }

    /// @dev An `address` argument, rejecting dirty high bits like Solidity's ABI decoder.
    function _addressArg(bytes calldata args, uint256 index) private pure returns (address a) {
        uint256 w = _word(args, index);
        if (w >> 160 != 0) revert MalformedRequest(args.length + 4);
        a = address(uint160(w));
    }

    /// @dev A `bytes4` argument, rejecting dirty low bits like Solidity's ABI decoder.
    function _selectorArg(bytes calldata args, uint256 index) private pure returns (bytes4 s) {
        uint256 w = _word(args, index);
        if (w << 32 != 0) revert MalformedRequest(args.length + 4);
        s = bytes4(bytes32(w));
    }

    /// @dev The dynamic `bytes` argument whose offset is word `index` of a head of `headWords`
    /// words, as a calldata slice. Reverts on a short head or an out-of-bounds offset or length.
    function _bytesArg(bytes calldata args, uint256 index, uint256 headWords)
        private
        pure
        returns (bytes calldata value)
    {
        uint256 size = args.length;
        if (size < headWords << 5) revert MalformedRequest(size + 4);
        uint256 offset = _word(args, index);
        if (offset > size || size - offset < 32) revert MalformedRequest(size + 4);
        uint256 length;
        assembly ("memory-safe") {
            length := calldataload(add(args.offset, offset))
        }
        if (length > size - offset - 32) revert MalformedRequest(size + 4);
        value = args[offset + 32:offset + 32 + length];
    }
}
