"""Tests of the order workflow (statemachines/order_processing.asl.json, deployed by the SAM
template as OrderProcessingStateMachine).

Every Task state is answered by the test with `results=`: the module-level marker gives the results of a
normal day (stock available, card charged, notifications sent) and each test overrides
only what its scenario changes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_sfn import InOrder, Return, TaskRequest, Throw
from pytest_sfn.plugin import SfnHarness

# The template fills in the definition's ${...} placeholders (DefinitionSubstitutions).
DEFINITION = "../template.yaml#OrderProcessingStateMachine"


def reserve_line(request: TaskRequest) -> dict[str, Any]:
    """The reserve-stock Lambda: one reservation per order line (called once per Map item)."""
    line = request.parameters["Payload"]
    return {
        "StatusCode": 200,
        "Payload": {"sku": line["sku"], "reservationId": f"res-{line['sku']}"},
    }


CHARGED = {"StatusCode": 200, "Payload": {"chargeId": "ch_123"}}

pytestmark = pytest.mark.sfn(
    definition=DEFINITION,
    results={
        "ReserveLine": reserve_line,
        "ChargeCard": CHARGED,
        "ReleaseStock": {"StatusCode": 200, "Payload": None},
        "EmailCustomer": {"MessageId": "msg-email"},
        "NotifyWarehouse": {"MessageId": "msg-warehouse", "MD5OfMessageBody": "0" * 32},
    },
)


@pytest.fixture
def order() -> dict[str, Any]:
    return {
        "orderId": "o-1001",
        "total": 59.9,
        "payment": {"cardToken": "tok_visa"},
        "lines": [{"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-17", "quantity": 1}],
    }


HAPPY_PATH = [
    "ValidateOrder",
    "ReserveStock",
    "ChargeCard",
    "NotifyParties",
    "CancellationWindow",
    "CompleteOrder",
    "OrderCompleted",
]


def test_happy_path(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    assert execution.status == "SUCCEEDED"
    assert execution.path == HAPPY_PATH
    assert execution.output == {
        "orderId": "o-1001",
        "status": "COMPLETED",
        "chargeId": "ch_123",
        "lineCount": 2,
    }


def test_every_order_line_is_reserved(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    assert execution.path_in("ReserveStock", 0) == ["ReserveLine"]
    assert execution.path_in("ReserveStock", 1) == ["ReserveLine"]
    assert [visit.input for visit in execution.visits("ReserveLine")] == [
        {"orderId": "o-1001", "sku": "MUG-01", "quantity": 2},
        {"orderId": "o-1001", "sku": "TEA-17", "quantity": 1},
    ]
    assert execution.state("ReserveStock").output["reservations"] == [
        {"sku": "MUG-01", "reservationId": "res-MUG-01"},
        {"sku": "TEA-17", "reservationId": "res-TEA-17"},
    ]


def test_charge_is_sent_the_order_total(sfn: SfnHarness, order: dict[str, Any]) -> None:
    requests: list[TaskRequest] = []

    def charge(request: TaskRequest) -> dict[str, Any]:
        requests.append(request)
        return CHARGED

    sfn.execute(order, results={"ChargeCard": charge})

    assert [r.parameters for r in requests] == [
        {
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:charge-card",
            "Payload": {"orderId": "o-1001", "amount": 59.9, "cardToken": "tok_visa"},
        }
    ]


def test_gateway_timeouts_are_retried_with_backoff(sfn: SfnHarness, order: dict[str, Any]) -> None:
    timeout = Throw("Payment.GatewayTimeout", "the payment gateway did not answer")

    execution = sfn.execute(order, results={"ChargeCard": InOrder(timeout, timeout, CHARGED)})

    assert execution.status == "SUCCEEDED"
    charge = execution.state("ChargeCard")
    assert charge.attempts == 3
    assert len(execution.events("TaskFailed")) == 2
    # Retry waits 2 s, then 2 s x BackoffRate 2 = 4 s: 6 virtual seconds, no real sleep.
    assert charge.exited_at is not None
    assert charge.exited_at - charge.entered_at == timedelta(seconds=6)


def test_a_slow_gateway_hits_the_task_timeout_and_is_retried(
    sfn: SfnHarness, order: dict[str, Any]
) -> None:
    slow = Return(CHARGED, duration=45)  # TimeoutSeconds is 30

    execution = sfn.execute(order, results={"ChargeCard": InOrder(slow, CHARGED)})

    assert execution.status == "SUCCEEDED"
    assert [e.type for e in execution.events("TaskTimedOut")] == ["TaskTimedOut"]
    assert execution.events("TaskTimedOut")[0].details["error"] == "States.Timeout"
    assert execution.state("ChargeCard").attempts == 2


def test_declined_card_releases_the_stock(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(
        order, results={"ChargeCard": Throw("Payment.Declined", "insufficient funds")}
    )

    assert execution.status == "FAILED"
    assert execution.error == "Order.PaymentFailed"
    assert execution.path[-3:] == ["ChargeCard", "ReleaseStock", "PaymentFailed"]
    assert execution.state("ChargeCard").attempts == 1  # Payment.Declined is not retried
    release_input = execution.state("ReleaseStock").input
    assert release_input["paymentError"] == {
        "Error": "Payment.Declined",
        "Cause": "insufficient funds",
    }


def test_retries_exhausted_falls_back_to_compensation(
    sfn: SfnHarness, order: dict[str, Any]
) -> None:
    timeout = Throw("Payment.GatewayTimeout", "the payment gateway did not answer")

    execution = sfn.execute(order, results={"ChargeCard": InOrder(*[timeout] * 4)})

    assert execution.status == "FAILED"
    assert execution.error == "Order.PaymentFailed"
    assert execution.state("ChargeCard").attempts == 4  # 1 + MaxAttempts 3
    assert "ReleaseStock" in execution.path


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"orderId": None}, id="no-order-id"),
        pytest.param({"lines": []}, id="no-lines"),
        pytest.param({"total": 0}, id="zero-total"),
        pytest.param({"total": "59.90"}, id="total-is-text"),
    ],
)
def test_invalid_orders_are_rejected(
    sfn: SfnHarness, order: dict[str, Any], change: dict[str, Any]
) -> None:
    for key, value in change.items():
        if value is None:
            del order[key]
        else:
            order[key] = value

    execution = sfn.execute(order)

    assert execution.status == "FAILED"
    assert execution.error == "Order.Invalid"
    assert execution.path == ["ValidateOrder", "RejectOrder"]


def test_missing_card_token_is_a_runtime_error_catch_cannot_handle(
    sfn: SfnHarness, order: dict[str, Any]
) -> None:
    del order["payment"]

    execution = sfn.execute(order)

    # A Parameters path that matches nothing fails the execution with States.Runtime,
    # which States.ALL does not catch: the compensation path is not taken.
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert "$.payment.cardToken" in execution.cause
    assert execution.path[-1] == "ChargeCard"
    assert "ReleaseStock" not in execution.path


def test_history_records_the_run(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)
    history = execution.history

    assert history[0].type == "ExecutionStarted"
    assert history[-1].type == "ExecutionSucceeded"
    assert [e.id for e in history] == list(range(1, len(history) + 1))
    assert all(e.previous_event_id < e.id for e in history)
    assert [e.details["index"] for e in execution.events("MapIterationStarted")] == [0, 1]

    scheduled = [json.loads(e.details["parameters"]) for e in execution.events("TaskScheduled")]
    assert [p.get("TopicArn") for p in scheduled if "TopicArn" in p] == [
        "arn:aws:sns:us-east-1:123456789012:order-confirmations"
    ]
    email = next(p for p in scheduled if "TopicArn" in p)
    assert email["Message"] == "Order o-1001 is confirmed"

    entered = [e.details["name"] for e in execution.events("TaskStateEntered")]
    assert entered == [
        "ReserveLine",
        "ReserveLine",
        "ChargeCard",
        "EmailCustomer",
        "NotifyWarehouse",
    ]

    # The same events as the GetExecutionHistory API returns them.
    last = history[-1].to_api()
    assert last["type"] == "ExecutionSucceeded"
    assert json.loads(last["executionSucceededEventDetails"]["output"]) == execution.output


def test_cancellation_window_takes_a_virtual_day(sfn: SfnHarness, order: dict[str, Any]) -> None:
    start = datetime(2024, 11, 29, 9, 30, tzinfo=timezone.utc)

    execution = sfn.execute(order, start_time=start)

    assert execution.start_time == start
    assert execution.stop_time == datetime(2024, 11, 30, 9, 30, tzinfo=timezone.utc)
    entered = execution.events("WaitStateEntered")[0]
    exited = execution.events("WaitStateExited")[0]
    assert exited.timestamp - entered.timestamp == timedelta(days=1)


def test_execution_is_described_like_the_api(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order, name="order-o-1001")

    described = execution.describe()
    assert described["executionArn"] == (
        "arn:aws:states:us-east-1:123456789012:execution:order-processing:order-o-1001"
    )
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["status"] == "COMPLETED"


def test_definition_is_loaded_once(sfn: SfnHarness) -> None:
    machine = sfn.load(DEFINITION)

    assert sfn.load(DEFINITION) is machine
    assert machine.name == "order-processing"
    assert machine.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:order-processing"
