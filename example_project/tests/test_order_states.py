"""Key states of the order workflow tested one by one with TestState, from pytest.

`@pytest.mark.sfn_state` declares the check: the state, its input and mock, and what
TestState must return; the expectations are checked before the test body runs. Without
a mock, a Task is answered like in an execution of the test (here by the real handler).
The YAML form of the same checks is `scenarios/order_states.sfn.yaml`.
"""

from __future__ import annotations

from typing import Any

import pytest
from charge_card import app as charge_card

from pytest_sfn import StateMock, StateTestResult
from pytest_sfn.plugin import SfnHarness

MACHINE = "../template.yaml#OrderProcessingStateMachine"
ORDER = {"orderId": "o-1001", "total": 59.9, "payment": {"cardToken": "tok_visa"}}
TIMEOUT = StateMock(error_output=("Payment.GatewayTimeout", "the gateway did not answer"))

pytestmark = pytest.mark.sfn(definition=MACHINE)


@pytest.mark.sfn_state(
    "ChargeCard",
    input=ORDER,
    mock={"result": {"StatusCode": 200, "Payload": {"chargeId": "ch_1", "amountCents": 5990}}},
    inspection_level="DEBUG",
    expect={
        "status": "SUCCEEDED",
        "next_state": "NotifyParties",
        "output": {**ORDER, "charge": {"chargeId": "ch_1"}},
        "inspection_data": {"afterResultSelector": {"chargeId": "ch_1"}},
    },
)
def test_charge_card_keeps_only_the_charge_id(sfn_state_result: StateTestResult) -> None:
    # The body can look further: the raw Lambda result the state received.
    assert sfn_state_result.inspection("result")["Payload"]["amountCents"] == 5990


# One test item per mark: test_gateway_timeout[retried], [retried-again], [compensated].
@pytest.mark.sfn_state(
    "ChargeCard",
    id="retried",
    input=ORDER,
    mock=TIMEOUT,
    inspection_level="DEBUG",
    expect={
        "status": "RETRIABLE",
        "inspection_data": {"errorDetails": {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}},
    },
)
@pytest.mark.sfn_state(
    "ChargeCard",
    id="retried-again",
    input=ORDER,
    mock=TIMEOUT,
    inspection_level="DEBUG",
    state_configuration={"retrier_retry_count": 2},
    expect={
        "status": "RETRIABLE",
        "inspection_data": {"errorDetails": {"retryIndex": 0, "retryBackoffIntervalSeconds": 8}},
    },
)
@pytest.mark.sfn_state(
    "ChargeCard",
    id="compensated",
    input=ORDER,
    mock=TIMEOUT,
    state_configuration={"retrier_retry_count": 3},
    expect={
        "status": "CAUGHT_ERROR",
        "next_state": "ReleaseStock",
        "output_contains": {"paymentError": {"Error": "Payment.GatewayTimeout"}},
    },
)
def test_gateway_timeout(sfn_state_result: StateTestResult) -> None:
    assert sfn_state_result.error == "Payment.GatewayTimeout"


@pytest.mark.parametrize(
    ("order", "route"),
    [
        pytest.param(
            {"orderId": "o-1", "total": 10, "lines": [{"sku": "MUG-01"}]}, "ReserveStock",
            marks=pytest.mark.sfn_state(
                "ValidateOrder", input={"orderId": "o-1", "total": 10, "lines": [{"sku": "MUG-01"}]},
                expect={"next_state": "ReserveStock"},
            ),
            id="valid",
        ),
        pytest.param(
            {"orderId": "o-2", "total": 10, "lines": []}, "RejectOrder",
            marks=pytest.mark.sfn_state(
                "ValidateOrder", input={"orderId": "o-2", "total": 10, "lines": []},
                expect={"next_state": "RejectOrder"},
            ),
            id="no-lines",
        ),
    ],
)  # fmt: skip
def test_validate_order_routes(
    order: dict[str, Any], route: str, sfn_state_result: StateTestResult
) -> None:
    assert sfn_state_result.output == order  # a Choice passes its input on


def test_charge_card_with_the_real_handler(sfn: SfnHarness) -> None:
    # No mock: the Task is answered as in an execution of this test, here by the Lambda
    # handler of src/charge_card run in-process.
    result = sfn.test_state("ChargeCard", ORDER, lambdas={"charge-card": charge_card.handler})

    assert (result.status, result.next_state) == ("SUCCEEDED", "NotifyParties")
    assert result.output["charge"]["chargeId"].startswith("ch_")
