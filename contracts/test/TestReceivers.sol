// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Test-only receivers for the settlement's adversarial tests. Never deployed outside tests.

interface ISettlementWithdraw {
    function withdraw(address payable to) external;
}

/// @notice A data owner whose address rejects every payment: pushes to it must fail
/// without blocking the other owners, and it must still be able to collect via withdraw.
contract RevertingReceiver {
    address private immutable controller;

    constructor() {
        controller = msg.sender;
    }

    receive() external payable {
        revert("RevertingReceiver: no payments");
    }

    /// @notice Collects this contract's deferred payments to another address.
    function withdrawFrom(address settlement, address payable to) external {
        require(msg.sender == controller, "RevertingReceiver: not the controller");
        ISettlementWithdraw(settlement).withdraw(to);
    }
}

/// @notice A data owner that calls back into the settlement whenever it receives money:
/// once with `attack` (set by the test, e.g. a second deliver of the round) and once
/// with withdraw. It counts the callbacks that succeeded, which must stay zero.
contract ReentrantReceiver {
    address private immutable controller;
    address private immutable settlement;
    bytes private attack;
    uint256 public attempts;
    uint256 public successes;

    constructor(address settlement_) {
        controller = msg.sender;
        settlement = settlement_;
    }

    function arm(bytes calldata attack_) external {
        require(msg.sender == controller, "ReentrantReceiver: not the controller");
        attack = attack_;
    }

    function withdrawFrom(address payable to) external {
        require(msg.sender == controller, "ReentrantReceiver: not the controller");
        ISettlementWithdraw(settlement).withdraw(to);
    }

    receive() external payable {
        attempts += 1;
        (bool again,) = settlement.call(attack);
        if (again) successes += 1;
        (bool more,) =
            settlement.call(abi.encodeCall(ISettlementWithdraw.withdraw, (payable(address(this)))));
        if (more) successes += 1;
    }
}
