"""Tests of statemachines/invoice_approval.asl.json, a JSONata state machine with variables.

The module-level marker gives the results of an ordinary invoice (an active vendor, a
manager who approves, a payment scheduled); each test overrides what its scenario changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from pytest_sfn import InOrder, TaskRequest, Throw
from pytest_sfn.plugin import SfnHarness


def vendor(status: str = "ACTIVE") -> dict[str, Any]:
    """The get-vendor Lambda's response."""
    return {
        "StatusCode": 200,
        "Payload": {"vendorId": "v-7", "name": "Acme GmbH", "status": status},
    }


APPROVED = {"StatusCode": 200, "Payload": {"approver": "maria.keller"}}
SCHEDULED = {"StatusCode": 200, "Payload": {"paymentId": "pay-4711"}}

pytestmark = pytest.mark.sfn(
    definition="../statemachines/invoice_approval.asl.json",
    results={"CheckVendor": vendor(), "RequestApproval": APPROVED, "SchedulePayment": SCHEDULED},
)


@pytest.fixture
def invoice() -> dict[str, Any]:
    """A small invoice: 2 x 149.50 + 4 x 89.99 = 658.96 EUR."""
    return {
        "invoiceId": "inv-1001",
        "vendor": {"id": "v-7", "name": "Acme"},
        "currency": "EUR",
        "paymentTermsDays": 30,
        "lines": [
            {"sku": "DESK-01", "quantity": 2, "unitPrice": 149.5},
            {"sku": "CHAIR-02", "quantity": 4, "unitPrice": 89.99},
        ],
    }


@pytest.fixture
def large_invoice(invoice: dict[str, Any]) -> dict[str, Any]:
    """Over the 10,000 auto-approval limit: 3 x 4,999.99 = 14,999.97 EUR."""
    return {**invoice, "lines": [{"sku": "SERVER-9", "quantity": 3, "unitPrice": 4999.99}]}


def test_small_invoice_is_approved_automatically_and_paid(
    sfn: SfnHarness, invoice: dict[str, Any]
) -> None:
    execution = sfn.execute(invoice)

    assert execution.status == "SUCCEEDED"
    assert execution.path == [
        "ReceiveInvoice",
        "PriceLines",
        "CheckVendor",
        "RouteApproval",
        "AutoApprove",
        "WaitForPaymentDate",
        "SchedulePayment",
    ]
    assert execution.output == {
        "invoiceId": "inv-1001",
        "status": "SCHEDULED",
        "paymentId": "pay-4711",
        "total": 658.96,
        "currency": "EUR",
        "lines": 2,
        "approvalRoute": "auto",
        "approvedBy": "policy:auto-approve",
        "receivedAt": "2024-01-01T00:00:00.000Z",
        "scheduledAt": "2024-01-29T00:00:00.000Z",  # $now() follows the virtual clock
    }


def test_large_invoice_waits_for_a_manager(sfn: SfnHarness, large_invoice: dict[str, Any]) -> None:
    requests: list[Any] = []

    def request_approval(request: TaskRequest) -> dict[str, Any]:
        requests.append(request.parameters["Payload"])
        return APPROVED

    execution = sfn.execute(large_invoice, results={"RequestApproval": request_approval})

    assert execution.status == "SUCCEEDED"
    assert "RequestApproval" in execution.path and "AutoApprove" not in execution.path
    assert requests == [
        {"invoiceId": "inv-1001", "vendorName": "Acme GmbH", "amount": "14,999.97 EUR"}
    ]
    # The matched Choice rule assigned the route; the Task assigned the approver.
    assert execution.state("RouteApproval").assigned == {"approvalRoute": "manager"}
    assert execution.output["approvalRoute"] == "manager"
    assert execution.output["approvedBy"] == "maria.keller"


def test_blocked_vendor_is_not_paid(sfn: SfnHarness, invoice: dict[str, Any]) -> None:
    execution = sfn.execute(invoice, results={"CheckVendor": vendor("SUSPENDED")})

    assert execution.status == "FAILED"
    assert execution.path[-2:] == ["RouteApproval", "VendorBlocked"]
    # The Fail state's Cause is an expression over variables set by earlier states.
    assert (execution.error, execution.cause) == (
        "Invoice.VendorBlocked",
        "Vendor v-7 is SUSPENDED; invoice inv-1001 was not paid.",
    )


def test_failed_vendor_check_is_caught_for_manual_review(
    sfn: SfnHarness, invoice: dict[str, Any]
) -> None:
    missing = Throw("Lambda.ResourceNotFoundException", "Function not found: get-vendor")

    execution = sfn.execute(invoice, results={"CheckVendor": missing})

    assert execution.status == "SUCCEEDED"
    assert execution.path[-2:] == ["CheckVendor", "ManualReview"]
    assert execution.output == {
        "invoiceId": "inv-1001",
        "status": "NEEDS_REVIEW",
        "reason": "Vendor check failed: Lambda.ResourceNotFoundException",
        "detail": "Function not found: get-vendor",
    }
    check = execution.state("CheckVendor")
    assert check.error == "Lambda.ResourceNotFoundException"
    # The catcher's Output and Assign read $states.errorOutput.
    assert check.output == {
        "invoiceId": "inv-1001",
        "error": {
            "Error": "Lambda.ResourceNotFoundException",
            "Cause": "Function not found: get-vendor",
        },
    }
    assert check.assigned == {
        "reviewReason": "Vendor check failed: Lambda.ResourceNotFoundException"
    }


def test_throttled_vendor_check_is_retried(sfn: SfnHarness, invoice: dict[str, Any]) -> None:
    throttled = Throw("Lambda.TooManyRequestsException", "Rate exceeded")

    execution = sfn.execute(invoice, results={"CheckVendor": InOrder(throttled, vendor())})

    assert execution.status == "SUCCEEDED"
    assert execution.state("CheckVendor").attempts == 2


def test_variables_reach_later_states(sfn: SfnHarness, invoice: dict[str, Any]) -> None:
    payments: list[Any] = []

    def schedule_payment(request: TaskRequest) -> dict[str, Any]:
        payments.append(request.parameters["Payload"])
        return SCHEDULED

    execution = sfn.execute(invoice, results={"SchedulePayment": schedule_payment})

    assert execution.state("ReceiveInvoice").assigned == {
        "invoiceId": "inv-1001",
        "vendorId": "v-7",
        "currency": "EUR",
        "paymentTermsDays": 30,
        "receivedAt": "2024-01-01T00:00:00.000Z",
    }
    assert execution.state("PriceLines").assigned["total"] == 658.96
    # Six states later, SchedulePayment builds its request from variables only.
    key = hashlib.sha256(b"inv-1001:658.96").hexdigest()
    assert payments == [
        {
            "invoiceId": "inv-1001",
            "vendorId": "v-7",
            "amount": 658.96,
            "currency": "EUR",
            "approvedBy": "policy:auto-approve",
            "idempotencyKey": key,
        }
    ]
    # History records each assignment as JSON text, as GetExecutionHistory does.
    exited = execution.events("TaskStateExited")[0]
    assert exited.details["name"] == "CheckVendor"
    assert exited.details["assignedVariables"] == {"vendorStatus": '"ACTIVE"'}
    assert exited.details["assignedVariablesDetails"] == {"truncated": False}


def test_map_prices_each_line_with_the_outer_currency(
    sfn: SfnHarness, invoice: dict[str, Any]
) -> None:
    del invoice["currency"]  # ReceiveInvoice defaults it to EUR

    execution = sfn.execute(invoice)

    assert execution.path_in("PriceLines", 1) == ["PriceLine"]
    second = execution.visits("PriceLine")[1]
    assert second.scope == ("PriceLines", 1)
    assert second.input == {
        "position": 2,
        "sku": "CHAIR-02",
        "quantity": 4,
        "unitPrice": 89.99,
        "currency": "EUR",
    }
    assert execution.state("PriceLines").assigned["lines"] == [
        {"position": 1, "sku": "DESK-01", "amount": 299, "currency": "EUR"},
        {"position": 2, "sku": "CHAIR-02", "amount": 359.96, "currency": "EUR"},
    ]


@pytest.mark.parametrize(("terms", "wait"), [(30, 28), (14, 12), (2, 0)])
def test_payment_waits_until_two_days_before_the_terms_end(
    sfn: SfnHarness, invoice: dict[str, Any], terms: int, wait: int
) -> None:
    execution = sfn.execute({**invoice, "paymentTermsDays": terms})

    waited = execution.state("WaitForPaymentDate")
    assert waited.exited_at - waited.entered_at == timedelta(days=wait)
    assert execution.stop_time - execution.start_time == timedelta(days=wait)


def test_invoice_without_a_vendor_fails_evaluating_an_expression(sfn: SfnHarness) -> None:
    execution = sfn.execute({"invoiceId": "inv-1002", "lines": []})

    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause == (
        "An error occurred while executing the state 'ReceiveInvoice' (entered at the event "
        "id #2). The JSONata expression '$states.input.vendor.id' specified for the field "
        "'Assign/vendorId' returned nothing (undefined)."
    )
    assert [(e.id, e.previous_event_id, e.type) for e in execution.history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "ExecutionFailed"),
    ]
    (failed,) = execution.events("EvaluationFailed")
    assert failed.to_api()["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError",
        "cause": execution.cause,
        "location": "Assign/vendorId",
        "state": "ReceiveInvoice",
    }
    assert json.loads(execution.describe()["input"]) == {"invoiceId": "inv-1002", "lines": []}
