"""``compare_expectations``: every unmet expectation, with its pointer and first difference."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn import Execution, StateMachine, Throw
from pytest_sfn.testing import Mismatch, compare_expectations
from pytest_sfn.testing.compare import Difference
from pytest_sfn.testing.machines import state_names

ORDERS = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Result": {"valid": True}, "ResultPath": "$.check", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"amount.$": "$.amount"},
            "ResultPath": "$.charge",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["Card.Declined"], "Next": "Declined"}],
            "End": True,
        },
        "Declined": {"Type": "Fail", "Error": "OrderDeclined", "Cause": "declined"},
    },
}  # fmt: skip

MACHINE = StateMachine.from_definition(ORDERS, name="Orders")
NAMES = state_names(MACHINE)
OK = MACHINE.execute({"amount": 5}, results={"Charge": {"id": "c-1"}})
DECLINED = MACHINE.execute({"amount": 5}, results={"Charge": Throw("Card.Declined", "no")})


def test_state_names_include_nested_states() -> None:
    nested = StateMachine.from_definition(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                        {"StartAt": "Each", "States": {"Each": {
                            "Type": "Map", "End": True,
                            "ItemProcessor": {"StartAt": "M1", "States": {"M1": {"Type": "Pass", "End": True}}},
                        }}},
                    ],
                    "End": True,
                }
            },
        }
    )  # fmt: skip
    assert state_names(nested) == {"Fan", "B1", "Each", "M1"}
    assert {"Validate", "Charge", "Declined"} == NAMES


@pytest.mark.parametrize(
    ("execution", "expect"),
    [
        pytest.param(OK, {}, id="nothing-expected"),
        pytest.param(
            OK,
            {
                "status": "SUCCEEDED",
                "path": ["Validate", "Charge"],
                "output": {"amount": 5, "check": {"valid": True}, "charge": {"id": "c-1"}},
                "states": {"Validate": {"input": {"amount": 5}, "output": {"amount": 5, "check": {"valid": True}}}},
                "calls": {"Charge": [{"parameters": {"amount": 5}}]},
            },
            id="everything-met",
        ),
        pytest.param(OK, {"output_contains": {"charge": {}}}, id="output-contains"),
        pytest.param(
            DECLINED,
            {"status": "FAILED", "error": "OrderDeclined", "cause": "declined",
             "states": {"Charge": {"error": "Card.Declined", "cause": "no"}}},
            id="failure-met",
        ),
    ],
)  # fmt: skip
def test_met_expectations(execution: Execution, expect: dict[str, Any]) -> None:
    assert compare_expectations(expect, execution, state_names=NAMES) == ()


@pytest.mark.parametrize(
    ("execution", "expect", "mismatches"),
    [
        pytest.param(
            DECLINED, {"status": "SUCCEEDED"},
            [Mismatch("/expect/status", "status: expected \"SUCCEEDED\", got \"FAILED\" (OrderDeclined: declined)")],
            id="status",
        ),
        pytest.param(
            DECLINED, {"error": "Other", "cause": "x"},
            [
                Mismatch("/expect/error", 'error: expected "Other", got "OrderDeclined"'),
                Mismatch("/expect/cause", 'cause: expected "x", got "declined"'),
            ],
            id="error-and-cause",
        ),
        pytest.param(
            OK, {"path": ["Validate", "Refund"]},
            [Mismatch("/expect/path", "path differs",
                      Difference("/1", "Refund", "Charge", "values differ"), "Charge")],
            id="path",
        ),
        pytest.param(
            OK, {"path": ["Validate"]},
            [Mismatch("/expect/path", "path differs",
                      Difference("", ["Validate"], ["Validate", "Charge"], "expected 1 items, got 2"))],
            id="path-length",
        ),
        pytest.param(
            OK, {"output": {"amount": 5}},
            [Mismatch("/expect/output", "output differs",
                      Difference("/check", None, {"valid": True}, "unexpected key 'check'"))],
            id="output-exact",
        ),
        pytest.param(
            OK, {"output_contains": {"charge": {"id": "c-2"}}},
            [Mismatch("/expect/output_contains", "output_contains differs",
                      Difference("/charge/id", "c-2", "c-1", "values differ"))],
            id="output-contains",
        ),
        pytest.param(
            OK, {"output": 7},
            [Mismatch("/expect/output", 'output: expected 7, got {"amount":5,"check":{"valid":true},"charge":{"id":"c-1"}}')],
            id="scalar-output",
        ),
        pytest.param(
            DECLINED, {"output": {}},
            [Mismatch("/expect/output", "output: the execution has no output, it ended FAILED")],
            id="no-output",
        ),
        pytest.param(
            OK, {"states": {"Chrage": {"input": {}}}},
            [Mismatch("/expect/states/Chrage",
                      "states: 'Chrage' is not a state of the state machine (did you mean 'Charge'?)")],
            id="unknown-state",
        ),
        pytest.param(
            OK, {"states": {"Declined": {"input": {}}}},
            [Mismatch("/expect/states/Declined", "states: 'Declined' did not run")],
            id="state-did-not-run",
        ),
        pytest.param(
            OK, {"states": {"Charge": {"input": {"amount": 6}}}},
            [Mismatch("/expect/states/Charge/input", "states.Charge.input differs",
                      Difference("/amount", 6, 5, "values differ"), "Charge")],
            id="state-input",
        ),
        pytest.param(
            OK, {"calls": {"Charge": [{"parameters": {"amount": 5}}, {"parameters": {}}]}},
            [Mismatch("/expect/calls/Charge", "calls.Charge: expected 2 call(s), got 1", state="Charge")],
            id="call-count",
        ),
        pytest.param(
            OK, {"calls": {"Charge": [{"parameters": {}}]}},
            [Mismatch("/expect/calls/Charge/0/parameters", "calls.Charge[0].parameters differs",
                      Difference("/amount", None, 5, "unexpected key 'amount'"), "Charge")],
            id="call-parameters-are-exact",
        ),
        pytest.param(
            OK, {"calls": {"Chrge": []}},
            [Mismatch("/expect/calls/Chrge",
                      "calls: 'Chrge' is not a state of the state machine (did you mean 'Charge'?)")],
            id="unknown-called-state",
        ),
    ],
)  # fmt: skip
def test_unmet_expectations(
    execution: Execution, expect: dict[str, Any], mismatches: list[Mismatch]
) -> None:
    assert list(compare_expectations(expect, execution, state_names=NAMES)) == mismatches


def test_pointer_prefix_and_unchecked_names() -> None:
    found = compare_expectations(
        {"states": {"Nope": {"input": 1}}}, OK, pointer="/scenarios/3/expect"
    )
    assert found == (Mismatch("/scenarios/3/expect/states/Nope", "states: 'Nope' did not run"),)


def test_mismatch_lines() -> None:
    mismatch = Mismatch("/p", "output differs", Difference("/a", 1, 2, "values differ"))
    assert mismatch.lines() == [
        "output differs",
        "  first difference at /a: values differ",
        "    expected: 1",
        "    actual:   2",
    ]
    assert Mismatch("/p", "status: x").lines() == ["status: x"]
