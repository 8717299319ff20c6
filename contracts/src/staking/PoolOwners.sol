// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolOwners} from "./interfaces/IPoolOwners.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {FullMath} from "./libraries/FullMath.sol";

/// @title PoolOwners
/// @notice LinkPool's owner shares, their ETH sale and the distribution of the owners' LINK
/// earnings; see `IPoolOwners` for the life cycle and the semantics of every function.
/// @dev Design notes (what the interface leaves open):
/// - Accumulator. `s_rewardPerShare` (A) is the floor of the juels per share scaled by
///   `REWARD_PRECISION` (P = 2^128); `s_carry` (r) is the remainder of the last division, carried
///   into the next one, so `T * A + r` grows by exactly `amount * P` per distribution and nothing
///   is lost at accumulator level. Holders are credited with the rounded-up value `A + (r > 0)`
///   ("effective"), in `juels * P` (`Holder.accrued`), and `claim` sends `floor(accrued / P)`.
///   Why up: with shares `s <= T < 2^64`, `s * T <= P`, so `floor(s * ceil(D * P / T) / P)` is
///   exactly `floor(s * D / T)`: while shares and supply stay put a holder gets the exact rational
///   amount rounded down (rounding A down would lose a juel whenever `s * D / T` is a whole number).
///   A transfer or an issue while `r > 0` moves a few 2^-128 juel between credits (the entrant
///   starts at the rounded-up A; an issue re-divides the carry over the larger supply), so a credit
///   can sit a hair below a whole-number exact amount and pay one juel less.
///   It never pays out more than arrived: the credits exceed the LINK distributed by less than
///   `T / P < 2^-64` juel in total (issues only lower the total), and payouts are floors of
///   credits, so their sum stays at or below the LINK distributed. Shares are only ever issued,
///   never burned, which this bound needs (a supply drop with a carry pending would credit the
///   difference twice).
/// - No increment rounds to 0: `amount * P / T >= 2^64` for `amount >= 1`.
/// - LINK that arrives while no shares exist stays undistributed until shares exist. Every share
///   issue, transfer and claim distributes what arrived first, so earnings that arrived before a
///   share movement go to the holders before it, whether or not someone called `distribute`.
/// - Dust: `outstanding() - Σ claimable` is the sum of the holders' fractions of a juel plus the
///   carry, an integer in `[0, number of accounts that ever held shares]`; it stays here and is
///   paid out as the fractions add up.
/// - Sale: a fixed wei price per share; contributions buy whole shares and are refused when they
///   would pass the hard cap, so the contract never sends ETH back and the cap is reached exactly
///   (it is a multiple of the price). `MAX_TOTAL_SHARES` (2^64 - 1) bounds founders' shares plus
///   every share the cap can buy, checked when the sale opens.
/// - `Transfer` and `Approval` keep ERC-20's event names so wallets and indexers read the shares.
/// - Every state-changing function takes one transient-storage lock (`ReentrantCall`).
contract PoolOwners is IPoolOwners {
    /// @notice Scale of the accumulator: juels per share times 2^128.
    uint256 public constant REWARD_PRECISION = 1 << 128;
    /// @notice The most shares that can ever exist.
    uint256 public constant MAX_TOTAL_SHARES = type(uint64).max;

    /// @dev One holder: the effective accumulator it was last settled at, its earnings in
    /// juels * REWARD_PRECISION (claimed ones removed), and its shares.
    struct Holder {
        uint256 paid;
        uint256 accrued;
        uint64 shares;
    }

    ILinkToken private immutable i_link;

    address private s_owner;
    address private s_pendingOwner;

    Sale private s_sale;
    uint64 private s_totalShares;
    /// @dev Remainder of the last accumulator division (juels * P), below the supply at that time.
    uint64 private s_carry;
    /// @dev Floor accumulator (juels per share * P).
    uint256 private s_rewardPerShare;
    /// @dev Juels distributed and not claimed.
    uint256 private s_outstanding;

    mapping(address holder => Holder) private s_holders;
    mapping(address holder => mapping(address spender => uint256)) private s_allowances;
    mapping(address account => bool) private s_whitelisted;
    address[] private s_whitelist;
    mapping(address account => uint256 weiContributed) private s_contributions;

    bool private transient t_locked;

    modifier nonReentrant() {
        if (t_locked) revert ReentrantCall();
        t_locked = true;
        _;
        t_locked = false;
    }

    modifier onlyOwner() {
        if (msg.sender != s_owner) revert OnlyOwner(msg.sender);
        _;
    }

    modifier inPhase(SalePhase required) {
        SalePhase current = s_sale.phase;
        if (current != required) revert WrongSalePhase(current, required);
        _;
    }

    /// @param link The LINK token.
    /// @param admin The admin (runs the sale; see the privileged functions in `IPoolOwners`).
    constructor(address link, address admin) {
        if (link == address(0) || admin == address(0)) revert ZeroAddress();
        i_link = ILinkToken(link);
        s_owner = admin;
        emit OwnershipTransferred(address(0), admin);
    }

    // ------------------------------------------------------------------ admin

    /// @inheritdoc IPoolOwners
    function issueFounderShares(address[] calldata holders, uint256[] calldata shares)
        external
        nonReentrant
        onlyOwner
        inPhase(SalePhase.Setup)
    {
        if (holders.length != shares.length) revert ArrayLengthMismatch(holders.length, shares.length);
        _distributePending();
        for (uint256 i = 0; i < holders.length; ++i) {
            _issue(holders[i], shares[i]);
            emit FounderSharesIssued(holders[i], shares[i]);
        }
    }

    /// @inheritdoc IPoolOwners
    function addToWhitelist(address[] calldata accounts) external nonReentrant onlyOwner {
        SalePhase phase = s_sale.phase;
        if (phase == SalePhase.Closed) revert WrongSalePhase(phase, SalePhase.Open);
        _whitelist(accounts);
    }

    /// @inheritdoc IPoolOwners
    function openSale(uint256 sharePrice, uint256 hardCap, address[] calldata accounts)
        external
        nonReentrant
        onlyOwner
        inPhase(SalePhase.Setup)
    {
        uint256 founderShares = s_totalShares;
        if (founderShares == 0) revert NoFounderShares();
        if (
            sharePrice == 0 || hardCap == 0 || hardCap % sharePrice != 0 || hardCap > type(uint128).max
                || sharePrice > type(uint128).max
        ) revert InvalidSaleTerms(sharePrice, hardCap);
        uint256 maxSupply = founderShares + hardCap / sharePrice;
        if (maxSupply > MAX_TOTAL_SHARES) revert ShareSupplyExceeded(maxSupply, MAX_TOTAL_SHARES);
        s_sale = Sale({
            phase: SalePhase.Open,
            sharePrice: uint128(sharePrice),
            hardCap: uint128(hardCap),
            raised: 0,
            founderShares: uint64(founderShares)
        });
        emit SaleOpened(sharePrice, hardCap, founderShares);
        _whitelist(accounts);
    }

    /// @inheritdoc IPoolOwners
    function closeSale() external nonReentrant onlyOwner inPhase(SalePhase.Open) {
        s_sale.phase = SalePhase.Closed;
        emit SaleClosed(s_sale.raised, s_totalShares - s_sale.founderShares);
    }

    /// @inheritdoc IPoolOwners
    function withdrawEth(address payable to, uint256 amount) external nonReentrant onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 balance = address(this).balance;
        if (amount > balance) revert InsufficientEth(balance, amount);
        emit EthWithdrawn(to, amount);
        (bool sent,) = to.call{value: amount}("");
        if (!sent) revert EthTransferFailed(to, amount);
    }

    /// @inheritdoc IPoolOwners
    function transferOwnership(address to) external nonReentrant onlyOwner {
        s_pendingOwner = to;
        emit OwnershipTransferRequested(msg.sender, to);
    }

    /// @inheritdoc IPoolOwners
    function acceptOwnership() external nonReentrant {
        if (msg.sender != s_pendingOwner) revert OnlyPendingOwner(msg.sender);
        address previous = s_owner;
        s_owner = msg.sender;
        delete s_pendingOwner;
        emit OwnershipTransferred(previous, msg.sender);
    }

    // ------------------------------------------------------------------ sale

    /// @inheritdoc IPoolOwners
    function contribute() external payable nonReentrant inPhase(SalePhase.Open) returns (uint256 shares) {
        if (!s_whitelisted[msg.sender]) revert NotWhitelisted(msg.sender);
        uint256 amount = msg.value;
        if (amount == 0) revert ZeroAmount();
        Sale memory sale_ = s_sale;
        if (amount % sale_.sharePrice != 0) revert ContributionNotWholeShares(amount, sale_.sharePrice);
        uint256 remaining = sale_.hardCap - sale_.raised;
        if (amount > remaining) revert HardCapExceeded(amount, remaining);

        shares = amount / sale_.sharePrice;
        // amount <= remaining <= hardCap < 2^128.
        uint128 raised = sale_.raised + uint128(amount);
        s_sale.raised = raised;
        s_contributions[msg.sender] += amount;
        _distributePending();
        _issue(msg.sender, shares);
        emit ContributionReceived(msg.sender, amount, shares);
        if (raised == sale_.hardCap) {
            s_sale.phase = SalePhase.Closed;
            emit SaleClosed(raised, s_totalShares - sale_.founderShares);
        }
    }

    // ------------------------------------------------------------------ earnings

    /// @inheritdoc IPoolOwners
    function distribute() external nonReentrant returns (uint256 amount) {
        return _distributePending();
    }

    /// @notice Receives LINK sent with `transferAndCall` (only from the LINK token) and
    /// distributes it at once, with whatever else arrived; the sender and data are ignored.
    function onTokenTransfer(address, uint256, bytes calldata) external nonReentrant {
        if (msg.sender != address(i_link)) revert OnlyLinkToken(msg.sender);
        _distributePending();
    }

    /// @inheritdoc IPoolOwners
    function claim() external nonReentrant returns (uint256 amount) {
        _distributePending();
        _settle(msg.sender, _effectiveRewardPerShare());
        Holder storage holder = s_holders[msg.sender];
        uint256 accrued = holder.accrued;
        amount = accrued / REWARD_PRECISION;
        if (amount == 0) revert NothingToClaim(msg.sender);
        holder.accrued = accrued % REWARD_PRECISION;
        s_outstanding -= amount;
        emit EarningsClaimed(msg.sender, amount);
        if (!i_link.transfer(msg.sender, amount)) revert LinkTransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IPoolOwners
    function claimable(address holder) external view returns (uint256) {
        uint256 totalShares = s_totalShares;
        uint256 rewardPerShare = s_rewardPerShare;
        uint256 carry = s_carry;
        uint256 amount = _undistributed();
        if (amount != 0 && totalShares != 0) {
            (rewardPerShare, carry) = _accumulate(rewardPerShare, carry, amount, totalShares);
        }
        if (carry != 0) ++rewardPerShare;
        Holder storage h = s_holders[holder];
        return (h.accrued + uint256(h.shares) * (rewardPerShare - h.paid)) / REWARD_PRECISION;
    }

    /// @inheritdoc IPoolOwners
    function undistributed() external view returns (uint256) {
        return _undistributed();
    }

    /// @inheritdoc IPoolOwners
    function outstanding() external view returns (uint256) {
        return s_outstanding;
    }

    /// @inheritdoc IPoolOwners
    function accumulator() external view returns (uint256 rewardPerShare, uint256 carry) {
        return (_effectiveRewardPerShare(), s_carry);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IPoolOwners
    function LINK() external view returns (address) {
        return address(i_link);
    }

    /// @inheritdoc IPoolOwners
    function owner() external view returns (address) {
        return s_owner;
    }

    /// @inheritdoc IPoolOwners
    function pendingOwner() external view returns (address) {
        return s_pendingOwner;
    }

    /// @inheritdoc IPoolOwners
    function sale() external view returns (Sale memory) {
        return s_sale;
    }

    /// @inheritdoc IPoolOwners
    function preMoneyValuation() external view returns (uint256) {
        return uint256(s_sale.sharePrice) * s_sale.founderShares;
    }

    /// @inheritdoc IPoolOwners
    function postMoneyValuation() external view returns (uint256) {
        return uint256(s_sale.sharePrice) * s_totalShares;
    }

    /// @inheritdoc IPoolOwners
    function isWhitelisted(address account) external view returns (bool) {
        return s_whitelisted[account];
    }

    /// @inheritdoc IPoolOwners
    function whitelist() external view returns (address[] memory) {
        return s_whitelist;
    }

    /// @inheritdoc IPoolOwners
    function contributionOf(address account) external view returns (uint256) {
        return s_contributions[account];
    }

    // ------------------------------------------------------------------ shares (ERC-20)

    /// @inheritdoc IPoolOwners
    function name() external pure returns (string memory) {
        return "LinkPool Owners";
    }

    /// @inheritdoc IPoolOwners
    function symbol() external pure returns (string memory) {
        return "LPO";
    }

    /// @inheritdoc IPoolOwners
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @inheritdoc IPoolOwners
    function totalSupply() external view returns (uint256) {
        return s_totalShares;
    }

    /// @inheritdoc IPoolOwners
    function balanceOf(address holder) external view returns (uint256) {
        return s_holders[holder].shares;
    }

    /// @inheritdoc IPoolOwners
    function allowance(address holder, address spender) external view returns (uint256) {
        return s_allowances[holder][spender];
    }

    /// @inheritdoc IPoolOwners
    function transfer(address to, uint256 value) external nonReentrant returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IPoolOwners
    function transferFrom(address from, address to, uint256 value) external nonReentrant returns (bool) {
        uint256 allowed = s_allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (value > allowed) revert InsufficientAllowance(from, msg.sender, allowed, value);
            unchecked {
                s_allowances[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc IPoolOwners
    function approve(address spender, uint256 value) external nonReentrant returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        s_allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    // ------------------------------------------------------------------ internals

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        uint256 balance = s_holders[from].shares;
        if (value > balance) revert InsufficientShares(from, balance, value);
        _distributePending();
        uint256 rewardPerShare = _effectiveRewardPerShare();
        _settle(from, rewardPerShare);
        _settle(to, rewardPerShare);
        // value <= balance, and no balance exceeds the supply (< 2^64).
        s_holders[from].shares = uint64(balance - value);
        s_holders[to].shares += uint64(value);
        emit Transfer(from, to, value);
    }

    /// @dev Issues `shares` new shares to `to`, settled at the current accumulator. Callers
    /// distribute pending LINK first, so the new shares earn only what arrives afterwards.
    function _issue(address to, uint256 shares) private {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        if (shares == 0) revert ZeroAmount();
        uint256 supply = s_totalShares + shares;
        if (supply > MAX_TOTAL_SHARES) revert ShareSupplyExceeded(supply, MAX_TOTAL_SHARES);
        _settle(to, _effectiveRewardPerShare());
        s_totalShares = uint64(supply);
        s_holders[to].shares += uint64(shares);
        emit Transfer(address(0), to, shares);
    }

    /// @dev Credits `holder` with what its shares earned since it was last settled.
    function _settle(address holder, uint256 rewardPerShare) private {
        Holder storage h = s_holders[holder];
        uint256 paid = h.paid;
        if (paid == rewardPerShare) return;
        uint256 shares = h.shares;
        if (shares != 0) h.accrued += shares * (rewardPerShare - paid);
        h.paid = rewardPerShare;
    }

    /// @dev Adds the LINK that arrived since the last distribution to the accumulator, unless no
    /// shares exist (then it waits).
    function _distributePending() private returns (uint256 amount) {
        amount = _undistributed();
        uint256 totalShares = s_totalShares;
        if (amount == 0 || totalShares == 0) return 0;
        (uint256 rewardPerShare, uint256 carry) = _accumulate(s_rewardPerShare, s_carry, amount, totalShares);
        s_rewardPerShare = rewardPerShare;
        // carry < totalShares < 2^64.
        s_carry = uint64(carry);
        s_outstanding += amount;
        emit EarningsDistributed(amount, totalShares, carry == 0 ? rewardPerShare : rewardPerShare + 1);
    }

    /// @dev `T * A + r` grows by exactly `amount * P`: the new remainder is the old carry plus
    /// `amount * P mod T`, and whole shares of it go into A.
    function _accumulate(uint256 rewardPerShare, uint256 carry, uint256 amount, uint256 totalShares)
        private
        pure
        returns (uint256, uint256)
    {
        uint256 remainder = mulmod(amount, REWARD_PRECISION, totalShares) + carry;
        rewardPerShare += FullMath.mulDiv(amount, REWARD_PRECISION, totalShares) + remainder / totalShares;
        return (rewardPerShare, remainder % totalShares);
    }

    function _effectiveRewardPerShare() private view returns (uint256) {
        return s_carry == 0 ? s_rewardPerShare : s_rewardPerShare + 1;
    }

    /// @dev LINK held beyond what was distributed and not claimed (never negative: LINK leaves only
    /// through `claim`, which lowers `s_outstanding` by as much).
    function _undistributed() private view returns (uint256) {
        return i_link.balanceOf(address(this)) - s_outstanding;
    }

    function _whitelist(address[] calldata accounts) private {
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            if (account == address(0)) revert ZeroAddress();
            if (s_whitelisted[account]) revert AlreadyWhitelisted(account);
            s_whitelisted[account] = true;
            s_whitelist.push(account);
            emit ContributorWhitelisted(account);
        }
    }
}
