// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPoolStorage
/// @notice Eternal storage and LINK custody of the LinkPool staking suite (LinkPool whitepaper
/// §6.1.2–6.1.3). One instance is the pool's storage; every pool node has its own instance, which
/// holds that node's staked LINK.
///
/// Data lives here and logic lives in replaceable contracts (`Node`, `NodeStaking`, `NodeFactory`,
/// `LinkPool`, `PoolStorageFactory`). Only the current logic contracts may write, and the pool's
/// storage keeps the registry of which contracts those are. Replacing a logic contract is one
/// registry change: every storage asks the pool's storage, so the new contract owns all of them at
/// once, and the old one owns none, without moving any data (the §6.4.2 refactor: no contract
/// address is passed into another contract's constructor, and no storage address list is fixed in
/// an unupgradable contract).
///
/// Custody (§6.1.3): LINK leaves a storage only through `payStaker` (a logic contract pays a staker
/// what the accounting owes it), `payOwners` (the owners' share of earnings, to the registered
/// `PoolOwners`) and `depositPenalty` (to a whitelisted network contract, which must have code).
/// What the logic contracts may do is bounded by who they are: a new logic contract and a new
/// whitelisted contract take effect only `UPGRADE_DELAY` seconds after they were proposed in
/// public, and every staker can withdraw during that delay through the current logic.
///
/// Privileged (admin) functions, all on the pool's storage: `initialize` (once, before anything is
/// staked: the first set of logic contracts), `proposeContract`, `cancelProposal`,
/// `proposeWhitelist`, `removeWhitelist`, `transferAdmin`. The admin cannot write data, cannot
/// move LINK, cannot shorten the delay, and cannot make a proposal take effect early;
/// `executeContract` and `executeWhitelist` can be called by anyone once the delay has passed.
interface IPoolStorage {
    // ------------------------------------------------------------------ errors

    /// @notice The caller is not a current logic contract of the pool.
    error NotLogic(address caller);
    /// @notice The caller is not the pool's admin.
    error NotAdmin(address caller);
    /// @notice The caller is not the proposed admin.
    error NotProposedAdmin(address caller);
    /// @notice A registry or whitelist function was called on a node's storage.
    error NotPoolStorage();
    /// @notice `initialize` was called a second time.
    error AlreadyInitialized();
    /// @notice `initialize` got names and addresses of different lengths.
    error LengthMismatch(uint256 names, uint256 addresses);
    /// @notice An address that must not be zero was zero.
    error ZeroAddress();
    /// @notice An address that must be a contract has no code.
    error NotAContract(address target);
    /// @notice A penalty deposit went to an address that is not a whitelisted network contract.
    error NotWhitelisted(address target);
    /// @notice The address is already whitelisted (or already proposed).
    error AlreadyWhitelisted(address target);
    /// @notice Nothing is proposed under this name or for this target.
    error NothingProposed(bytes32 key);
    /// @notice The proposal takes effect only at `readyAt`.
    error DelayNotElapsed(uint256 readyAt, uint256 now_);
    /// @notice The delay given to the constructor is below the allowed minimum.
    error DelayTooShort(uint256 delay, uint256 minimum);
    /// @notice No `PoolOwners` contract is registered to receive the owners' share.
    error NoPoolOwners();
    /// @notice A LINK transfer returned false.
    error TransferFailed(address to, uint256 amount);
    /// @notice A function that moves LINK was re-entered.
    error ReentrantCall();

    // ------------------------------------------------------------------ events

    /// @notice The first set of logic contracts was registered.
    event Initialized(bytes32[] names, address[] contracts);
    /// @notice A logic contract was proposed for `name`; it can take effect at `readyAt`.
    event ContractProposed(bytes32 indexed name, address indexed newContract, uint256 readyAt);
    /// @notice `name` now points at `newContract`; `oldContract` lost all write access.
    event ContractUpgraded(bytes32 indexed name, address indexed oldContract, address indexed newContract);
    /// @notice A pending contract or whitelist proposal was withdrawn.
    event ProposalCancelled(bytes32 indexed key);
    /// @notice A network contract was proposed for the whitelist; it can take effect at `readyAt`.
    event WhitelistProposed(address indexed target, uint256 readyAt);
    /// @notice A network contract was whitelisted: penalty deposits may go to it.
    event WhitelistAdded(address indexed target);
    /// @notice A network contract was removed from the whitelist.
    event WhitelistRemoved(address indexed target);
    /// @notice LINK left this storage to a staker.
    event StakerPaid(address indexed staker, uint256 amount);
    /// @notice LINK left this storage to the registered `PoolOwners`.
    event OwnersPaid(address indexed poolOwners, uint256 amount);
    /// @notice LINK left this storage as a penalty deposit to a whitelisted network contract.
    event PenaltyDeposited(address indexed target, uint256 amount);
    /// @notice The admin proposed `to` as the next admin.
    event AdminTransferRequested(address indexed from, address indexed to);
    /// @notice `to` accepted and is the admin.
    event AdminTransferred(address indexed from, address indexed to);

    // ------------------------------------------------------------------ identity

    /// @notice The LINK token this storage holds.
    function LINK() external view returns (address);
    /// @notice The pool's storage (the registry), or this contract itself for the pool's storage.
    function POOL() external view returns (address);
    /// @notice Seconds between a proposal and the moment it can take effect. Fixed at deployment.
    function UPGRADE_DELAY() external view returns (uint256);

    // ------------------------------------------------------------------ eternal storage

    /// @notice The uint stored under `key` (0 if none).
    function getUint(bytes32 key) external view returns (uint256);
    /// @notice The uints stored under `keys`, in order.
    function getUints(bytes32[] calldata keys) external view returns (uint256[] memory values);
    /// @notice The address stored under `key`.
    function getAddress(bytes32 key) external view returns (address);
    /// @notice The bool stored under `key`.
    function getBool(bytes32 key) external view returns (bool);
    /// @notice Stores `value` under `key`. Logic contracts only.
    function setUint(bytes32 key, uint256 value) external;
    /// @notice Stores `values[i]` under `keys[i]`. Logic contracts only.
    function setUints(bytes32[] calldata keys, uint256[] calldata values) external;
    /// @notice Stores `value` under `key`. Logic contracts only.
    function setAddress(bytes32 key, address value) external;
    /// @notice Stores `value` under `key`. Logic contracts only.
    function setBool(bytes32 key, bool value) external;

    // ------------------------------------------------------------------ custody

    /// @notice Sends `amount` LINK to `staker`. Logic contracts only (`Node` pays withdrawals and
    /// claims with it).
    function payStaker(address staker, uint256 amount) external;
    /// @notice Sends `amount` LINK to the registered `PoolOwners`. Logic contracts only.
    function payOwners(uint256 amount) external;
    /// @notice Sends `amount` LINK with `transferAndCall(target, amount, data)` to a whitelisted
    /// network contract, as a penalty deposit. Logic contracts only; `target` must be whitelisted
    /// in the pool's storage and have code.
    function depositPenalty(address target, uint256 amount, bytes calldata data) external;

    // ------------------------------------------------------------------ registry (pool storage)

    /// @notice Whether `account` is a current logic contract (asks the pool's storage).
    function isLogic(address account) external view returns (bool);
    /// @notice The current contract registered under `name` (e.g. `keccak256("Node")`).
    function contractAddress(bytes32 name) external view returns (address);
    /// @notice The registered names, in registration order.
    function contractNames() external view returns (bytes32[] memory);
    /// @notice A pending proposal for `name`: the contract and when it can take effect (0 if none).
    function proposedContract(bytes32 name) external view returns (address newContract, uint256 readyAt);
    /// @notice Registers the first logic contracts (and `PoolOwners`). Admin only, once.
    function initialize(bytes32[] calldata names, address[] calldata contracts) external;
    /// @notice Proposes `newContract` for `name` (new or replacing). Admin only. Takes effect
    /// through `executeContract` after `UPGRADE_DELAY`.
    function proposeContract(bytes32 name, address newContract) external;
    /// @notice Makes the proposal for `name` take effect: the new contract gains write access to
    /// every storage of the pool, and the old one loses it. Anyone, once the delay has passed.
    function executeContract(bytes32 name) external;
    /// @notice Withdraws a pending contract proposal (key = name) or whitelist proposal (key =
    /// `bytes32(uint256(uint160(target)))`). Admin only.
    function cancelProposal(bytes32 key) external;

    // ------------------------------------------------------------------ whitelist (pool storage)

    /// @notice Whether penalty deposits may go to `target`.
    function isWhitelisted(address target) external view returns (bool);
    /// @notice Every whitelisted network contract.
    function whitelist() external view returns (address[] memory);
    /// @notice When a proposed whitelist entry can take effect (0 if not proposed).
    function whitelistReadyAt(address target) external view returns (uint256);
    /// @notice Proposes a network contract (which must have code) for the whitelist. Admin only.
    function proposeWhitelist(address target) external;
    /// @notice Whitelists a proposed contract once the delay has passed (it must still have code).
    /// Anyone.
    function executeWhitelist(address target) external;
    /// @notice Removes `target` from the whitelist at once (removal only takes power away). Admin
    /// only.
    function removeWhitelist(address target) external;

    // ------------------------------------------------------------------ admin (pool storage)

    /// @notice The admin (the pool owners' account), who may only propose.
    function admin() external view returns (address);
    /// @notice Proposes `to` as the next admin; `to` must call `acceptAdmin`.
    function transferAdmin(address to) external;
    /// @notice Accepts a proposed admin transfer.
    function acceptAdmin() external;
}
