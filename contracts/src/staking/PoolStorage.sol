// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";

/// @title PoolStorage
/// @notice Eternal storage and LINK custody; see `IPoolStorage`. Deployed once as the pool's
/// storage (`pool_ == address(0)`: it is its own registry) and once per node by
/// `PoolStorageFactory` (`pool_` = the pool's storage).
contract PoolStorage is IPoolStorage {
    /// @notice The shortest `UPGRADE_DELAY` a pool can be deployed with (the devnet's); production
    /// pools use 7 days.
    uint256 public constant MIN_UPGRADE_DELAY = 60;
    /// @notice Registry name of the contract that receives the owners' share of earnings.
    bytes32 public constant POOL_OWNERS = keccak256("PoolOwners");

    /// @inheritdoc IPoolStorage
    address public immutable override LINK;
    /// @inheritdoc IPoolStorage
    address public immutable override POOL;
    /// @inheritdoc IPoolStorage
    uint256 public immutable override UPGRADE_DELAY;

    mapping(bytes32 => uint256) private s_uints;
    mapping(bytes32 => address) private s_addresses;
    mapping(bytes32 => bool) private s_bools;

    // Registry and whitelist: used on the pool's storage only.
    address public override admin;
    address private s_proposedAdmin;
    bool private s_initialized;
    mapping(bytes32 name => address) private s_contracts;
    mapping(address => bool) private s_logic;
    bytes32[] private s_names;
    mapping(bytes32 name => address) private s_proposed;
    mapping(bytes32 name => uint256) private s_proposedReadyAt;
    mapping(address => bool) private s_whitelisted;
    address[] private s_whitelist;
    mapping(address => uint256) private s_whitelistReadyAt;

    bool private transient t_locked;

    /// @param link The LINK token.
    /// @param pool_ The pool's storage, or `address(0)` to deploy the pool's storage itself.
    /// @param admin_ The pool's admin (pool storage only; ignored for a node's storage).
    /// @param upgradeDelay Seconds every proposal waits (pool storage only; at least
    /// `MIN_UPGRADE_DELAY`).
    constructor(address link, address pool_, address admin_, uint256 upgradeDelay) {
        if (link == address(0)) revert ZeroAddress();
        LINK = link;
        if (pool_ == address(0)) {
            if (admin_ == address(0)) revert ZeroAddress();
            if (upgradeDelay < MIN_UPGRADE_DELAY) revert DelayTooShort(upgradeDelay, MIN_UPGRADE_DELAY);
            POOL = address(this);
            admin = admin_;
            UPGRADE_DELAY = upgradeDelay;
        } else {
            POOL = pool_;
            UPGRADE_DELAY = IPoolStorage(pool_).UPGRADE_DELAY();
        }
    }

    // ------------------------------------------------------------------ modifiers

    modifier onlyLogic() {
        if (!isLogic(msg.sender)) revert NotLogic(msg.sender);
        _;
    }

    modifier onlyAdmin() {
        if (POOL != address(this)) revert NotPoolStorage();
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier onlyPool() {
        if (POOL != address(this)) revert NotPoolStorage();
        _;
    }

    modifier nonReentrant() {
        if (t_locked) revert ReentrantCall();
        t_locked = true;
        _;
        t_locked = false;
    }

    // ------------------------------------------------------------------ eternal storage

    /// @inheritdoc IPoolStorage
    function getUint(bytes32 key) external view override returns (uint256) {
        return s_uints[key];
    }

    /// @inheritdoc IPoolStorage
    function getUints(bytes32[] calldata keys) external view override returns (uint256[] memory values) {
        values = new uint256[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            values[i] = s_uints[keys[i]];
        }
    }

    /// @inheritdoc IPoolStorage
    function getAddress(bytes32 key) external view override returns (address) {
        return s_addresses[key];
    }

    /// @inheritdoc IPoolStorage
    function getBool(bytes32 key) external view override returns (bool) {
        return s_bools[key];
    }

    /// @inheritdoc IPoolStorage
    function setUint(bytes32 key, uint256 value) external override onlyLogic {
        s_uints[key] = value;
    }

    /// @inheritdoc IPoolStorage
    function setUints(bytes32[] calldata keys, uint256[] calldata values) external override onlyLogic {
        if (keys.length != values.length) revert LengthMismatch(keys.length, values.length);
        for (uint256 i; i < keys.length; ++i) {
            s_uints[keys[i]] = values[i];
        }
    }

    /// @inheritdoc IPoolStorage
    function setAddress(bytes32 key, address value) external override onlyLogic {
        s_addresses[key] = value;
    }

    /// @inheritdoc IPoolStorage
    function setBool(bytes32 key, bool value) external override onlyLogic {
        s_bools[key] = value;
    }

    // ------------------------------------------------------------------ custody

    /// @inheritdoc IPoolStorage
    function payStaker(address staker, uint256 amount) external override onlyLogic nonReentrant {
        if (staker == address(0)) revert ZeroAddress();
        emit StakerPaid(staker, amount);
        _transfer(staker, amount);
    }

    /// @inheritdoc IPoolStorage
    function payOwners(uint256 amount) external override onlyLogic nonReentrant {
        address poolOwners = IPoolStorage(POOL).contractAddress(POOL_OWNERS);
        if (poolOwners == address(0)) revert NoPoolOwners();
        emit OwnersPaid(poolOwners, amount);
        _transfer(poolOwners, amount);
    }

    /// @inheritdoc IPoolStorage
    function depositPenalty(address target, uint256 amount, bytes calldata data)
        external
        override
        onlyLogic
        nonReentrant
    {
        if (!IPoolStorage(POOL).isWhitelisted(target)) revert NotWhitelisted(target);
        if (target.code.length == 0) revert NotAContract(target);
        emit PenaltyDeposited(target, amount);
        if (!ILinkToken(LINK).transferAndCall(target, amount, data)) revert TransferFailed(target, amount);
    }

    function _transfer(address to, uint256 amount) private {
        if (!ILinkToken(LINK).transfer(to, amount)) revert TransferFailed(to, amount);
    }

    // ------------------------------------------------------------------ registry

    /// @inheritdoc IPoolStorage
    function isLogic(address account) public view override returns (bool) {
        if (POOL == address(this)) return s_logic[account];
        return IPoolStorage(POOL).isLogic(account);
    }

    /// @inheritdoc IPoolStorage
    function contractAddress(bytes32 name) external view override onlyPool returns (address) {
        return s_contracts[name];
    }

    /// @inheritdoc IPoolStorage
    function contractNames() external view override onlyPool returns (bytes32[] memory) {
        return s_names;
    }

    /// @inheritdoc IPoolStorage
    function proposedContract(bytes32 name) external view override onlyPool returns (address, uint256) {
        return (s_proposed[name], s_proposedReadyAt[name]);
    }

    /// @inheritdoc IPoolStorage
    function initialize(bytes32[] calldata names, address[] calldata contracts) external override onlyAdmin {
        if (s_initialized) revert AlreadyInitialized();
        if (names.length != contracts.length) revert LengthMismatch(names.length, contracts.length);
        s_initialized = true;
        for (uint256 i; i < names.length; ++i) {
            _register(names[i], contracts[i]);
        }
        emit Initialized(names, contracts);
    }

    /// @inheritdoc IPoolStorage
    function proposeContract(bytes32 name, address newContract) external override onlyAdmin {
        if (newContract.code.length == 0) revert NotAContract(newContract);
        uint256 readyAt = block.timestamp + UPGRADE_DELAY;
        s_proposed[name] = newContract;
        s_proposedReadyAt[name] = readyAt;
        emit ContractProposed(name, newContract, readyAt);
    }

    /// @inheritdoc IPoolStorage
    function executeContract(bytes32 name) external override onlyPool {
        address newContract = s_proposed[name];
        uint256 readyAt = s_proposedReadyAt[name];
        if (newContract == address(0)) revert NothingProposed(name);
        if (block.timestamp < readyAt) revert DelayNotElapsed(readyAt, block.timestamp);
        delete s_proposed[name];
        delete s_proposedReadyAt[name];
        address old = _register(name, newContract);
        emit ContractUpgraded(name, old, newContract);
    }

    /// @inheritdoc IPoolStorage
    function cancelProposal(bytes32 key) external override onlyAdmin {
        if (s_proposed[key] != address(0)) {
            delete s_proposed[key];
            delete s_proposedReadyAt[key];
        } else {
            address target = address(uint160(uint256(key)));
            if (uint256(key) >> 160 != 0 || s_whitelistReadyAt[target] == 0) revert NothingProposed(key);
            delete s_whitelistReadyAt[target];
        }
        emit ProposalCancelled(key);
    }

    /// @dev Points `name` at `newContract`; the previous contract loses write access. `PoolOwners`
    /// only receives LINK, so it never gets write access.
    function _register(bytes32 name, address newContract) private returns (address old) {
        if (newContract == address(0)) revert ZeroAddress();
        old = s_contracts[name];
        if (old == address(0)) s_names.push(name);
        else s_logic[old] = false;
        s_contracts[name] = newContract;
        if (name != POOL_OWNERS) s_logic[newContract] = true;
    }

    // ------------------------------------------------------------------ whitelist

    /// @inheritdoc IPoolStorage
    function isWhitelisted(address target) external view override onlyPool returns (bool) {
        return s_whitelisted[target];
    }

    /// @inheritdoc IPoolStorage
    function whitelist() external view override onlyPool returns (address[] memory) {
        return s_whitelist;
    }

    /// @inheritdoc IPoolStorage
    function whitelistReadyAt(address target) external view override onlyPool returns (uint256) {
        return s_whitelistReadyAt[target];
    }

    /// @inheritdoc IPoolStorage
    function proposeWhitelist(address target) external override onlyAdmin {
        if (target.code.length == 0) revert NotAContract(target);
        if (s_whitelisted[target] || s_whitelistReadyAt[target] != 0) revert AlreadyWhitelisted(target);
        uint256 readyAt = block.timestamp + UPGRADE_DELAY;
        s_whitelistReadyAt[target] = readyAt;
        emit WhitelistProposed(target, readyAt);
    }

    /// @inheritdoc IPoolStorage
    function executeWhitelist(address target) external override onlyPool {
        uint256 readyAt = s_whitelistReadyAt[target];
        if (readyAt == 0) revert NothingProposed(bytes32(uint256(uint160(target))));
        if (block.timestamp < readyAt) revert DelayNotElapsed(readyAt, block.timestamp);
        if (target.code.length == 0) revert NotAContract(target);
        delete s_whitelistReadyAt[target];
        s_whitelisted[target] = true;
        s_whitelist.push(target);
        emit WhitelistAdded(target);
    }

    /// @inheritdoc IPoolStorage
    function removeWhitelist(address target) external override onlyAdmin {
        if (!s_whitelisted[target]) revert NotWhitelisted(target);
        s_whitelisted[target] = false;
        uint256 last = s_whitelist.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (s_whitelist[i] == target) {
                s_whitelist[i] = s_whitelist[last];
                s_whitelist.pop();
                break;
            }
        }
        emit WhitelistRemoved(target);
    }

    // ------------------------------------------------------------------ admin

    /// @inheritdoc IPoolStorage
    function transferAdmin(address to) external override onlyAdmin {
        if (to == address(0)) revert ZeroAddress();
        s_proposedAdmin = to;
        emit AdminTransferRequested(admin, to);
    }

    /// @inheritdoc IPoolStorage
    function acceptAdmin() external override onlyPool {
        if (msg.sender != s_proposedAdmin) revert NotProposedAdmin(msg.sender);
        emit AdminTransferred(admin, msg.sender);
        admin = msg.sender;
        delete s_proposedAdmin;
    }
}
