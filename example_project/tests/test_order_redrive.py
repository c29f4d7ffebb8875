"""Redriving a failed order (``RedriveExecution``): fix what broke, resume, check the cost.

A redrive resumes the same execution from the state that did not succeed: what succeeded
is kept (the card is not charged twice), the failed state runs again with the answers of
the fix. The YAML form is `scenarios/order_redrive.sfn.yaml`.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn.plugin import RedriveResult, SfnHarness

MACHINE = "../template.yaml#OrderProcessingStateMachine"
ORDER: dict[str, Any] = {
    "orderId": "o-1001",
    "total": 59.9,
    "payment": {"cardToken": "tok_visa"},
    "lines": [{"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-17", "quantity": 1}],
}
QUEUE_DOWN = {"throw": {"error": "SQS.AmazonSQSException", "cause": "Service Unavailable"}}
QUEUE_BACK = {"NotifyWarehouse": {"return": {"MessageId": "msg-warehouse"}}}

pytestmark = pytest.mark.sfn(
    definition=MACHINE,
    mocks="../mocks/stock_reserved.yaml",
)


@pytest.mark.sfn(
    mocks={
        "ChargeCard": {"return": {"StatusCode": 200, "Payload": {"chargeId": "ch_1"}}},
        "EmailCustomer": {"return": {"MessageId": "msg-email"}},
        "NotifyWarehouse": QUEUE_DOWN,
    }
)
@pytest.mark.sfn_redrive(
    input=ORDER,
    expect_first={"status": "FAILED", "error": "SQS.AmazonSQSException"},
    mocks=QUEUE_BACK,
    expect={
        "status": "SUCCEEDED",
        "rerun": ["NotifyParties", "NotifyWarehouse", "CancellationWindow", "CompleteOrder",
                  "OrderCompleted"],
        "kept": ["ValidateOrder", "ReserveStock", "ReserveLine", "ChargeCard", "EmailCustomer"],
        "transitions": 5,
    },
)  # fmt: skip
def test_the_warehouse_queue_is_back(sfn_redrive_result: RedriveResult) -> None:
    redriven = sfn_redrive_result.redriven
    # Same execution: same ARN, one more attempt; the card was charged once in all.
    assert redriven.execution_arn == sfn_redrive_result.first.execution_arn
    assert len(redriven.calls("ChargeCard")) == 1
    assert redriven.describe()["redriveCount"] == 1


def test_redrive_step_by_step(sfn: SfnHarness) -> None:
    sfn.mocks.state("ChargeCard").returns({"StatusCode": 200, "Payload": {"chargeId": "ch_1"}})
    sfn.mocks.state("EmailCustomer").returns({"MessageId": "msg-email"})
    failed = sfn.execute(ORDER, mocks={"NotifyWarehouse": QUEUE_DOWN})
    failed.assert_failed("SQS.AmazonSQSException", "Service Unavailable")

    redriven = sfn.redrive(failed, mocks=QUEUE_BACK)

    redriven.assert_succeeded().assert_redrive(
        rerun=["NotifyParties", "NotifyWarehouse", "CancellationWindow", "CompleteOrder",
               "OrderCompleted"],
        kept=["ValidateOrder", "ReserveStock", "ReserveLine", "ChargeCard", "EmailCustomer"],
        transitions=5,
    )  # fmt: skip
    # The history goes on in the same execution, from ExecutionRedriven.
    assert [e.type for e in redriven.history[len(failed.history) :]][:2] == [
        "ExecutionRedriven",
        "ParallelStateEntered",
    ]
    # The Parallel kept the EmailCustomer branch: only the warehouse branch ran again.
    assert [call.state for call in redriven.calls() if call.redrive == 1] == ["NotifyWarehouse"]


@pytest.mark.sfn(
    mocks={
        "ChargeCard": {"throw": {"error": "Lambda.ServiceException", "cause": "gateway error"}},
        "ReleaseStock": {"return": {"StatusCode": 200, "Payload": {"released": 2}}},
    }
)
@pytest.mark.sfn_redrive(
    input=ORDER,
    expect_first={
        "status": "FAILED",
        "error": "Order.PaymentFailed",
        "path": ["ValidateOrder", "ReserveStock", "ChargeCard", "ReleaseStock", "PaymentFailed"],
    },
    expect={"status": "FAILED", "rerun": ["PaymentFailed"], "transitions": 1},
)
def test_a_caught_gateway_error_is_not_charged_again(sfn_redrive_result: RedriveResult) -> None:
    # ChargeCard's Catch (States.ALL) handled the gateway error and the compensation ran:
    # the execution failed in the Fail state, which is all a redrive runs again.
    redriven = sfn_redrive_result.redriven
    assert len(redriven.calls("ChargeCard")) == 1
    assert redriven.error == "Order.PaymentFailed"
