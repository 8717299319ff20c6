// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../token/interfaces/IERC677Receiver.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {INode} from "../staking/interfaces/INode.sol";

/// @title PenaltyVault
/// @notice **Test harness**: a stand-in for a network contract that takes penalty deposits (the
/// order-matching contract of a later issue). It accepts LINK through `transferAndCall`, and anyone
/// can make it refund or forfeit a node's deposit. Never deploy it to a real network.
contract PenaltyVault is IERC677Receiver {
    /// @notice The LINK token.
    address public immutable LINK;
    /// @notice LINK received per depositor (a node's storage).
    mapping(address => uint256) public received;

    error NotLink(address caller);

    constructor(address link) {
        LINK = link;
    }

    /// @inheritdoc IERC677Receiver
    function onTokenTransfer(address sender, uint256 amount, bytes calldata) external override {
        if (msg.sender != LINK) revert NotLink(msg.sender);
        received[sender] += amount;
    }

    /// @notice Gives `amount` of `node`'s deposit back through the Node contract.
    function refund(address nodeContract, address node, uint256 amount) external {
        ILinkToken(LINK).transferAndCall(nodeContract, amount, abi.encode(node));
    }

    /// @notice Keeps `amount` of `node`'s deposit.
    function forfeit(address nodeContract, address node, uint256 amount) external {
        INode(nodeContract).forfeitPenalty(node, amount);
    }
}
