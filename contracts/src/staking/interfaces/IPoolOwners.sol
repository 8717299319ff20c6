// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";

/// @title IPoolOwners
/// @notice The owners' side of LinkPool (whitepaper §5, §6.1, §6.2.2): the contract the makers' fees
/// (the owners' 25 % of the pool's earnings) are sent to, and the share register of LinkPool's owners.
///
/// Life cycle:
/// 1. `Setup`: the admin issues the founders' shares (`issueFounderShares`) and may whitelist
///    contributors.
/// 2. `Open` (`openSale`): whitelisted contributors buy shares with ETH (`contribute`) at a fixed
///    `sharePrice` (wei per share) until `hardCap` wei is raised; then, or when the admin calls
///    `closeSale`, the sale is `Closed` for good and no share is ever issued again. The admin
///    withdraws the raised ETH (`withdrawEth`).
/// 3. At any time, LINK earnings arrive by plain `transfer` or by `transferAndCall`, and are split
///    between the holders in proportion to their shares (D = S / T * O, §6.1.4) with a
///    reward-per-share accumulator: no loop over holders, no freeze of transfers.
///
/// Shares are whole units (`decimals() == 0`) and ERC-20 transferable. Every share movement settles
/// both sides first, so earnings that arrived before a transfer stay with the sender.
///
/// Money:
/// - Sale: a contribution must buy whole shares (`amount % sharePrice == 0`) and may not pass the
///   hard cap (it is refused, not partially filled); `preMoneyValuation() = sharePrice * founders'
///   shares`, `postMoneyValuation() = sharePrice * totalSupply()`.
/// - Earnings: a holder's entitlement is tracked in units of 2^-128 juel, within far less than
///   2^-64 juel of the exact rational amount; `claimable` rounds it down. While neither the
///   holder's shares nor the supply change, `claimable` plus what it claimed is exactly
///   `floor(shares * distributed / totalSupply)`; across transfers and share issues it is that
///   floor or, when the exact amount is a whole number, possibly one juel less. Nobody is ever
///   paid more than its exact share, rounded up. The fractions stay in the contract:
///   `outstanding() - Σ claimable(holder)` is at most the number of accounts that ever held shares.
///
/// Privileged: the admin (two-step ownership) issues founders' shares before the sale, runs the
/// sale and withdraws ETH. It cannot move LINK, issue or take shares after the sale opened, change
/// the sale's terms, or stop transfers and claims.
interface IPoolOwners is IERC677Receiver {
    // ------------------------------------------------------------------ types

    /// @notice Phase of the share sale; it only moves forward.
    enum SalePhase {
        /// Before the sale: the admin issues founders' shares.
        Setup,
        /// The sale runs: whitelisted contributors buy shares.
        Open,
        /// The hard cap was reached or the admin closed the sale; no more shares, ever.
        Closed
    }

    /// @notice The sale's state.
    struct Sale {
        /// Current phase.
        SalePhase phase;
        /// Wei per share (0 before `openSale`).
        uint128 sharePrice;
        /// Most wei the sale raises (0 before `openSale`).
        uint128 hardCap;
        /// Wei raised so far.
        uint128 raised;
        /// Founders' shares when the sale opened (the pre-money supply).
        uint64 founderShares;
    }

    // ------------------------------------------------------------------ errors

    /// @notice Only the admin may call this.
    /// @param caller The caller.
    error OnlyOwner(address caller);
    /// @notice Only the proposed admin may accept ownership.
    /// @param caller The caller.
    error OnlyPendingOwner(address caller);
    /// @notice Only the LINK token may call `onTokenTransfer`.
    /// @param caller The caller.
    error OnlyLinkToken(address caller);
    /// @notice A state-changing call came in while another one was running.
    error ReentrantCall();
    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice An amount argument (shares, wei) was zero.
    error ZeroAmount();
    /// @notice The call is not allowed in the sale's current phase.
    /// @param current The current phase.
    /// @param required The phase the call needs.
    error WrongSalePhase(SalePhase current, SalePhase required);
    /// @notice Two array arguments have different lengths.
    /// @param holders Length of the holders array.
    /// @param shares Length of the shares array.
    error ArrayLengthMismatch(uint256 holders, uint256 shares);
    /// @notice The share supply would exceed `MAX_TOTAL_SHARES` (founders' shares plus all the
    /// shares the hard cap can buy).
    /// @param requested The supply that was asked for.
    /// @param max `MAX_TOTAL_SHARES`.
    error ShareSupplyExceeded(uint256 requested, uint256 max);
    /// @notice The sale cannot open before founders hold shares.
    error NoFounderShares();
    /// @notice The sale's terms are invalid: zero price, zero cap, or a cap that is not a whole
    /// number of shares.
    /// @param sharePrice The proposed wei per share.
    /// @param hardCap The proposed cap in wei.
    error InvalidSaleTerms(uint256 sharePrice, uint256 hardCap);
    /// @notice The account is already on the whitelist.
    /// @param account The account.
    error AlreadyWhitelisted(address account);
    /// @notice Only whitelisted accounts may contribute.
    /// @param account The caller.
    error NotWhitelisted(address account);
    /// @notice A contribution must buy whole shares.
    /// @param amount The wei sent.
    /// @param sharePrice The wei per share.
    error ContributionNotWholeShares(uint256 amount, uint256 sharePrice);
    /// @notice The contribution would pass the hard cap; contributions are never partially filled.
    /// @param amount The wei sent.
    /// @param remaining The wei the sale still accepts.
    error HardCapExceeded(uint256 amount, uint256 remaining);
    /// @notice The holder has fewer shares than the amount moved.
    /// @param holder The holder.
    /// @param balance Its shares.
    /// @param amount The shares asked for.
    error InsufficientShares(address holder, uint256 balance, uint256 amount);
    /// @notice The spender's allowance is below the amount moved.
    /// @param holder The holder.
    /// @param spender The spender.
    /// @param allowance The allowance.
    /// @param amount The shares asked for.
    error InsufficientAllowance(address holder, address spender, uint256 allowance, uint256 amount);
    /// @notice Shares may not be sent to the zero address or to this contract.
    /// @param to The recipient.
    error InvalidRecipient(address to);
    /// @notice The holder has no whole juel to claim.
    /// @param holder The holder.
    error NothingToClaim(address holder);
    /// @notice The contract holds less ETH than asked for.
    /// @param balance The ETH held.
    /// @param amount The ETH asked for.
    error InsufficientEth(uint256 balance, uint256 amount);
    /// @notice Sending ETH failed (the recipient reverted).
    /// @param to The recipient.
    /// @param amount The wei.
    error EthTransferFailed(address to, uint256 amount);
    /// @notice The LINK token's `transfer` returned false.
    /// @param to The recipient.
    /// @param amount The juels.
    error LinkTransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ events

    /// @notice The admin issued founders' shares (only before the sale).
    /// @param holder The founder.
    /// @param shares The shares issued.
    event FounderSharesIssued(address indexed holder, uint256 shares);
    /// @notice The admin added an account to the whitelist.
    /// @param account The account.
    event ContributorWhitelisted(address indexed account);
    /// @notice The sale opened.
    /// @param sharePrice Wei per share.
    /// @param hardCap Most wei the sale raises.
    /// @param founderShares The founders' shares (pre-money supply).
    event SaleOpened(uint256 sharePrice, uint256 hardCap, uint256 founderShares);
    /// @notice A contributor bought shares.
    /// @param contributor The contributor.
    /// @param amount The wei paid.
    /// @param shares The shares issued.
    event ContributionReceived(address indexed contributor, uint256 amount, uint256 shares);
    /// @notice The sale closed (hard cap reached, or closed by the admin).
    /// @param raised The wei raised.
    /// @param sharesSold The shares issued by the sale.
    event SaleClosed(uint256 raised, uint256 sharesSold);
    /// @notice The admin withdrew raised ETH.
    /// @param to The recipient.
    /// @param amount The wei.
    event EthWithdrawn(address indexed to, uint256 amount);
    /// @notice LINK that arrived since the last distribution was added to the holders' earnings.
    /// @param amount The juels distributed.
    /// @param totalShares The share supply it was split over.
    /// @param rewardPerShare The accumulator afterwards (juels per share, scaled by 2^128, rounded up).
    event EarningsDistributed(uint256 amount, uint256 totalShares, uint256 rewardPerShare);
    /// @notice A holder claimed its earnings.
    /// @param holder The holder.
    /// @param amount The juels sent to it.
    event EarningsClaimed(address indexed holder, uint256 amount);
    /// @notice Shares moved (ERC-20's event name; `from` is zero when shares are issued).
    /// @param from The sender.
    /// @param to The recipient.
    /// @param value The shares.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice An allowance was set (ERC-20's event name).
    /// @param owner The holder.
    /// @param spender The spender.
    /// @param value The allowance.
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// @notice The admin proposed a new admin.
    /// @param from The current admin.
    /// @param to The proposed admin (zero cancels a proposal).
    event OwnershipTransferRequested(address indexed from, address indexed to);
    /// @notice The admin changed.
    /// @param from The previous admin.
    /// @param to The new admin.
    event OwnershipTransferred(address indexed from, address indexed to);

    // ------------------------------------------------------------------ admin

    /// @notice Issues founders' shares, adding to what they hold; only in `Setup`. Shares are never
    /// burned, so a mistake is fixed by redeploying before the sale.
    /// @param holders The founders.
    /// @param shares The shares each gets (non-zero).
    function issueFounderShares(address[] calldata holders, uint256[] calldata shares) external;

    /// @notice Whitelists contributors; in `Setup` or `Open`. There is no removal: a contribution
    /// cannot be refunded anyway.
    /// @param accounts The accounts (non-zero, not yet whitelisted).
    function addToWhitelist(address[] calldata accounts) external;

    /// @notice Opens the sale; only in `Setup`, after founders' shares were issued. The terms are
    /// final. `founderShares + hardCap / sharePrice` must not exceed `MAX_TOTAL_SHARES`.
    /// @param sharePrice Wei per share (non-zero).
    /// @param hardCap Most wei raised; a non-zero multiple of `sharePrice`.
    /// @param whitelist Contributors to whitelist now (as `addToWhitelist`).
    function openSale(uint256 sharePrice, uint256 hardCap, address[] calldata whitelist) external;

    /// @notice Closes the sale before the hard cap; only in `Open`. No share is issued afterwards.
    function closeSale() external;

    /// @notice Sends raised ETH; in any phase.
    /// @param to The recipient.
    /// @param amount The wei (at most the ETH held).
    function withdrawEth(address payable to, uint256 amount) external;

    /// @notice Proposes a new admin; it must call `acceptOwnership`. Zero cancels a proposal.
    /// @param to The proposed admin.
    function transferOwnership(address to) external;

    /// @notice Makes the proposed admin the admin.
    function acceptOwnership() external;

    // ------------------------------------------------------------------ sale

    /// @notice Buys `msg.value / sharePrice` shares; only in `Open`, only whitelisted callers, only
    /// whole shares, never past the hard cap. Reaching the cap closes the sale.
    /// @return shares The shares issued.
    function contribute() external payable returns (uint256 shares);

    // ------------------------------------------------------------------ earnings

    /// @notice Adds the LINK that arrived since the last distribution (`undistributed()`) to the
    /// holders' earnings. Anyone may call it; every share movement, claim and `onTokenTransfer`
    /// does it too. While no shares exist the LINK stays undistributed (never stranded): the first
    /// holders get it.
    /// @return amount The juels distributed (0 when nothing arrived or no shares exist).
    function distribute() external returns (uint256 amount);

    /// @notice Sends the caller all its whole juels of earnings (after distributing new LINK).
    /// @return amount The juels sent.
    function claim() external returns (uint256 amount);

    /// @notice The juels `holder` would get from `claim()` now, undistributed LINK included.
    /// @param holder The holder.
    /// @return The juels.
    function claimable(address holder) external view returns (uint256);

    /// @notice LINK held that is not yet distributed: `LINK.balanceOf(this) - outstanding()`.
    /// @return The juels.
    function undistributed() external view returns (uint256);

    /// @notice LINK distributed and not yet claimed: the holders' claimable juels plus the
    /// fractions of a juel they are still owed (at most one juel per account that ever held shares).
    /// @return The juels.
    function outstanding() external view returns (uint256);

    /// @notice The accumulator: juels per share scaled by 2^128, rounded up (what holders are
    /// credited with), and the remainder of the last division carried into the next distribution
    /// (in juels * 2^128, below the supply at that time).
    /// @return rewardPerShare The accumulator.
    /// @return carry The carried remainder.
    function accumulator() external view returns (uint256 rewardPerShare, uint256 carry);

    // ------------------------------------------------------------------ views

    /// @notice The LINK token.
    /// @return The token.
    function LINK() external view returns (address);

    /// @notice The admin.
    /// @return The admin.
    function owner() external view returns (address);

    /// @notice The proposed admin, or zero.
    /// @return The proposed admin.
    function pendingOwner() external view returns (address);

    /// @notice The sale's state.
    /// @return The sale.
    function sale() external view returns (Sale memory);

    /// @notice `sharePrice * founderShares` (0 before the sale opens).
    /// @return The wei.
    function preMoneyValuation() external view returns (uint256);

    /// @notice `sharePrice * totalSupply()` (0 before the sale opens).
    /// @return The wei.
    function postMoneyValuation() external view returns (uint256);

    /// @notice Whether `account` may contribute.
    /// @param account The account.
    /// @return True when whitelisted.
    function isWhitelisted(address account) external view returns (bool);

    /// @notice Every whitelisted account, in the order added.
    /// @return The accounts.
    function whitelist() external view returns (address[] memory);

    /// @notice The wei `account` contributed.
    /// @param account The account.
    /// @return The wei.
    function contributionOf(address account) external view returns (uint256);

    // ------------------------------------------------------------------ shares (ERC-20)

    /// @notice "LinkPool Owners".
    /// @return The name.
    function name() external view returns (string memory);

    /// @notice "LPO".
    /// @return The symbol.
    function symbol() external view returns (string memory);

    /// @notice 0: shares are whole units.
    /// @return The decimals.
    function decimals() external view returns (uint8);

    /// @notice All shares issued.
    /// @return The shares.
    function totalSupply() external view returns (uint256);

    /// @notice Shares of `holder`.
    /// @param holder The holder.
    /// @return The shares.
    function balanceOf(address holder) external view returns (uint256);

    /// @notice Shares `spender` may still move out of `holder`'s balance.
    /// @param holder The holder.
    /// @param spender The spender.
    /// @return The allowance.
    function allowance(address holder, address spender) external view returns (uint256);

    /// @notice Moves shares; both sides' earnings are settled first.
    /// @param to The recipient (neither zero nor this contract).
    /// @param value The shares.
    /// @return Always true (failures revert).
    function transfer(address to, uint256 value) external returns (bool);

    /// @notice Moves shares with an allowance (an allowance of `type(uint256).max` is not spent).
    /// @param from The holder.
    /// @param to The recipient (neither zero nor this contract).
    /// @param value The shares.
    /// @return Always true (failures revert).
    function transferFrom(address from, address to, uint256 value) external returns (bool);

    /// @notice Sets the caller's allowance for `spender`.
    /// @param spender The spender (non-zero).
    /// @param value The allowance.
    /// @return Always true.
    function approve(address spender, uint256 value) external returns (bool);
}
