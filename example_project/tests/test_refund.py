"""Tests of statemachines/refund.asl.yaml (a definition written in YAML)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pytest_sfn import InOrder, Throw
from pytest_sfn.plugin import SfnHarness


def charge_item(amount: str) -> dict[str, Any]:
    """A DynamoDB GetItem response for a charge of ``amount``."""
    return {"Item": {"chargeId": {"S": "ch_123"}, "amount": {"N": amount}}}


REFUNDED = {"StatusCode": 200, "Payload": {"refundId": "re_9", "status": "REFUNDED"}}

pytestmark = pytest.mark.sfn(
    definition="../statemachines/refund.asl.yaml",
    results={"LookupCharge": charge_item("59.9"), "IssueRefund": REFUNDED},
)


@pytest.mark.parametrize("amount", [10, 59.9])
def test_refunds_up_to_the_charged_amount(sfn: SfnHarness, amount: float) -> None:
    execution = sfn.execute({"chargeId": "ch_123", "amount": amount})

    assert execution.status == "SUCCEEDED"
    assert execution.path == ["LookupCharge", "CheckAmount", "IssueRefund"]
    assert execution.output == {"refundId": "re_9", "status": "REFUNDED"}


def test_refund_larger_than_the_charge_is_refused(sfn: SfnHarness) -> None:
    execution = sfn.execute({"chargeId": "ch_123", "amount": 60})

    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == (
        "Refund.TooLarge",
        "The refund exceeds the amount charged.",
    )
    assert "IssueRefund" not in execution.path


def test_throttled_refund_is_retried(sfn: SfnHarness) -> None:
    throttled = Throw("Lambda.TooManyRequestsException", "Rate exceeded")

    execution = sfn.execute(
        {"chargeId": "ch_123", "amount": 5},
        results={"IssueRefund": InOrder(throttled, throttled, REFUNDED)},
    )

    assert execution.status == "SUCCEEDED"
    assert execution.state("IssueRefund").attempts == 3
    # Back-off of 1 s then 2 s, on the virtual clock.
    assert execution.stop_time - execution.start_time == timedelta(seconds=3)


def test_dynamodb_key_is_built_from_the_input(sfn: SfnHarness) -> None:
    execution = sfn.execute({"chargeId": "ch_777", "amount": 1})

    scheduled = execution.events("TaskScheduled")[0]
    assert scheduled.details["resourceType"] == "dynamodb"
    assert scheduled.details["resource"] == "getItem"
    assert '"Key":{"chargeId":{"S":"ch_777"}}' in scheduled.details["parameters"]
