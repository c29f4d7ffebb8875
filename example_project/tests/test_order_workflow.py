"""The order workflow loaded from the SAM template, with declarative mocks.

`tests/test_order_processing.py` answers each Task with `results=`; this module shows the
other ways: mocks files (`mocks/*.yaml`) named by the marker, the fluent `sfn_mocks`
builder, the mocks of a YAML scenario, and the real Lambda handler code of `src/`.
Mocks are strict (the default): a Task without a mock, a mock for a state the machine
does not have, or a mock response the test leaves unused fails the test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pytest_sfn import DefinitionError, Mocks, UnmockedTaskError
from pytest_sfn.plugin import SfnHarness

TEMPLATE = "../template.yaml"
MACHINE = f"{TEMPLATE}#OrderProcessingStateMachine"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
CHARGED = {"StatusCode": 200, "Payload": {"chargeId": "ch_5f2c1d3a9b7e"}}
RESERVATIONS = [
    {"sku": "MUG-01", "reservationId": "res-o-1001-MUG-01"},
    {"sku": "TEA-17", "reservationId": "res-o-1001-TEA-17"},
]

# Every test runs the template's state machine; stock is available for order o-1001.
pytestmark = pytest.mark.sfn(definition=MACHINE, mocks="../mocks/stock_reserved.yaml")


@pytest.fixture
def order() -> dict[str, Any]:
    return {
        "orderId": "o-1001",
        "total": 59.9,
        "payment": {"cardToken": "tok_visa"},
        "lines": [{"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-17", "quantity": 1}],
    }


# --- loading from the template -------------------------------------------------------------


def test_the_template_state_machine_is_chosen_by_logical_id(sfn: SfnHarness) -> None:
    machine = sfn.load(MACHINE)

    assert machine.name == "order-processing"  # the SAM Name property
    assert machine.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:order-processing"
    assert machine.type == "STANDARD"


def test_a_template_with_several_state_machines_needs_a_logical_id(sfn: SfnHarness) -> None:
    with pytest.raises(DefinitionError, match="AMBIGUOUS_STATE_MACHINE") as caught:
        sfn.load(TEMPLATE)

    # The message lists the choices, ready to paste.
    assert "template.yaml#FeedbackTriageStateMachine" in str(caught.value)


def test_definition_substitutions_are_resolved(sfn: SfnHarness) -> None:
    states = sfn.load(MACHINE).definition["States"]

    # ${ChargeCardFunctionArn} is !GetAtt ChargeCardFunction.Arn: the function's ARN,
    # built from its FunctionName as CloudFormation would.
    assert states["ChargeCard"]["Parameters"]["FunctionName"] == LAMBDA + "charge-card"
    assert states["ReleaseStock"]["Parameters"]["FunctionName"] == LAMBDA + "release-stock"
    email, warehouse = (branch["States"] for branch in states["NotifyParties"]["Branches"])
    assert email["EmailCustomer"]["Parameters"]["TopicArn"] == (
        "arn:aws:sns:us-east-1:123456789012:order-confirmations"
    )
    assert warehouse["NotifyWarehouse"]["Parameters"]["QueueUrl"] == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/warehouse"
    )


@pytest.mark.sfn(
    mocks="../mocks/order_completes.yaml",
    substitutions={"ChargeCardFunctionArn": LAMBDA + "charge-card:live"},
)
def test_substitutions_override_the_template(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    execution.assert_called_with("ChargeCard", {"FunctionName": LAMBDA + "charge-card:live"})


# --- mocks files -----------------------------------------------------------------------------


@pytest.mark.sfn(mocks="../mocks/order_completes.yaml")
def test_happy_path(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    execution.assert_succeeded().assert_path(
        [
            "ValidateOrder",
            "ReserveStock",
            "ChargeCard",
            "NotifyParties",
            "CancellationWindow",
            "CompleteOrder",
            "OrderCompleted",
        ]
    )
    assert execution.output == {
        "orderId": "o-1001",
        "status": "COMPLETED",
        "chargeId": "ch_5f2c1d3a9b7e",
        "lineCount": 2,
    }
    execution.assert_called_with(
        "ChargeCard",
        {
            "FunctionName": LAMBDA + "charge-card",
            "Payload": {"orderId": "o-1001", "amount": 59.9, "cardToken": "tok_visa"},
        },
        exact=True,
    )


@pytest.mark.sfn(mocks="../mocks/order_completes.yaml")
def test_every_order_line_is_reserved(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    calls = execution.calls("ReserveLine")  # one per Map iteration, in order
    assert [call.parameters for call in calls] == [
        {
            "FunctionName": LAMBDA + "reserve-stock",
            "Payload": {"orderId": "o-1001", "sku": "MUG-01", "quantity": 2},
        },
        {
            "FunctionName": LAMBDA + "reserve-stock",
            "Payload": {"orderId": "o-1001", "sku": "TEA-17", "quantity": 1},
        },
    ]
    assert [call.scope for call in calls] == [("ReserveStock", 0), ("ReserveStock", 1)]
    assert execution.state("ReserveStock").output["reservations"] == RESERVATIONS


@pytest.mark.sfn(mocks="../mocks/card_declined.yaml")
def test_declined_card_releases_the_stock(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    execution.assert_failed("Order.PaymentFailed")
    assert execution.path[-3:] == ["ChargeCard", "ReleaseStock", "PaymentFailed"]
    assert execution.calls("ChargeCard")[0].error == "Payment.Declined"
    execution.assert_called_with(
        "ReleaseStock",
        {
            "FunctionName": LAMBDA + "release-stock",
            "Payload": {"orderId": "o-1001", "reservations": RESERVATIONS},
        },
        exact=True,
    )


@pytest.mark.sfn(
    mocks="../scenarios/order_processing.sfn.yaml",
    scenario="retries exhausted fall back to compensation",
)
def test_mocks_of_a_yaml_scenario(sfn: SfnHarness, order: dict[str, Any]) -> None:
    execution = sfn.execute(order)

    execution.assert_failed("Order.PaymentFailed")
    assert [call.attempt for call in execution.calls("ChargeCard")] == [0, 1, 2, 3]


# --- the fluent sfn_mocks builder ------------------------------------------------------------


@pytest.mark.sfn(mocks="../mocks/order_completes.yaml")
def test_gateway_timeouts_are_retried(
    sfn: SfnHarness, sfn_mocks: Mocks, order: dict[str, Any]
) -> None:
    # Replaces the ChargeCard mock of order_completes.yaml; the others still apply.
    sfn_mocks.state("ChargeCard").throws(
        "Payment.GatewayTimeout", "the payment gateway did not answer", times=2
    ).then_returns(CHARGED)

    execution = sfn.execute(order)

    execution.assert_succeeded()
    calls = execution.calls("ChargeCard")
    assert [(call.attempt, call.error) for call in calls] == [
        (0, "Payment.GatewayTimeout"),
        (1, "Payment.GatewayTimeout"),
        (2, None),
    ]
    # Back-off: 2 s, then 2 s x BackoffRate 2 = 4 s, in virtual time.
    assert calls[2].started_at - calls[0].started_at == timedelta(seconds=6)


@pytest.mark.sfn(mocks="../mocks/order_completes.yaml")
def test_a_slow_gateway_times_out(sfn: SfnHarness, sfn_mocks: Mocks, order: dict[str, Any]) -> None:
    # 45 virtual seconds is over the state's TimeoutSeconds (30): States.Timeout, retried.
    sfn_mocks.state("ChargeCard").returns(CHARGED, duration=45).then_returns(CHARGED)

    execution = sfn.execute(order)

    execution.assert_succeeded()
    assert [call.error for call in execution.calls("ChargeCard")] == ["States.Timeout", None]
    assert len(execution.events("TaskTimedOut")) == 1


def test_charge_picked_by_parameters(sfn: SfnHarness, sfn_mocks: Mocks) -> None:
    # `when` chooses a response by the Task's effective parameters.
    sfn_mocks.state("ChargeCard").when({"Payload": {"cardToken": "tok_expired"}}).throws(
        "Payment.Declined", "card expired"
    )
    sfn_mocks.state("ReleaseStock").returns({"StatusCode": 200, "Payload": None})
    order = {
        "orderId": "o-1001",
        "total": 10,
        "payment": {"cardToken": "tok_expired"},
        "lines": [{"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-17", "quantity": 1}],
    }

    execution = sfn.execute(order)

    execution.assert_failed("Order.PaymentFailed")
    assert execution.state("ReleaseStock").input["paymentError"] == {
        "Error": "Payment.Declined",
        "Cause": "card expired",
    }


def test_a_task_without_a_mock_fails_the_test(sfn: SfnHarness, order: dict[str, Any]) -> None:
    # Only ReserveLine is mocked (by the module's marker): ChargeCard has no answer. That is
    # a mistake in the test, not a Task failure: States.ALL cannot catch it.
    with pytest.raises(UnmockedTaskError, match=r"'ChargeCard'.*Mocked states: ReserveLine"):
        sfn.execute(order)


# --- the real Lambda handlers ----------------------------------------------------------------


@pytest.mark.sfn(strict=False)  # not every path calls every handler
@pytest.mark.parametrize(
    ("token", "status", "path_end"),
    [
        ("tok_visa", "SUCCEEDED", ["CompleteOrder", "OrderCompleted"]),
        ("tok_chargeDeclined", "FAILED", ["ChargeCard", "ReleaseStock", "PaymentFailed"]),
    ],
)
def test_with_the_real_handlers(
    sfn: SfnHarness,
    real_lambdas: Mocks,
    order: dict[str, Any],
    token: str,
    status: str,
    path_end: list[str],
) -> None:
    order["payment"]["cardToken"] = token

    execution = sfn.execute(order)

    assert execution.status == status
    assert execution.path[-len(path_end) :] == path_end
    reserved = [call.result["Payload"]["reservationId"] for call in execution.calls("ReserveLine")]
    assert reserved == ["res-o-1001-MUG-01", "res-o-1001-TEA-17"]


@pytest.mark.sfn(strict=False)
def test_the_real_charge_handler_declines(
    sfn: SfnHarness, real_lambdas: Mocks, order: dict[str, Any]
) -> None:
    order["payment"]["cardToken"] = "tok_insufficientFunds"

    execution = sfn.execute(order)

    charge = execution.calls("ChargeCard")[0]
    assert charge.error == "Payment.Declined"  # the handler's exception class name
    assert '"errorMessage": "insufficient funds"' in (charge.cause or "")
    released = execution.calls("ReleaseStock")[0].result["Payload"]["released"]
    assert released == ["res-o-1001-MUG-01", "res-o-1001-TEA-17"]
