"""Assertion helpers on executions: messages, chaining, hidden frames."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_sfn import Execution, StateMachine, Throw
from pytest_sfn.testing import assertions

ORDERS = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload": {"amount.$": "$.amount", "currency": "EUR"}},
            "ResultSelector": {"paid.$": "$.Payload.paid"},
            "End": True,
        },
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def machine() -> StateMachine:
    return StateMachine.from_definition(ORDERS, name="Orders")


@pytest.fixture
def ok(machine: StateMachine) -> Execution:
    return machine.execute({"amount": 5}, results={"Charge": {"Payload": {"paid": 5}}}, name="ok")


@pytest.fixture
def declined(machine: StateMachine) -> Execution:
    return machine.execute(
        {"amount": 5}, results={"Charge": Throw("Card.Declined", "no funds left")}, name="no"
    )


def message(call: Any) -> str:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


def test_helpers_return_the_execution_for_chaining(ok: Execution) -> None:
    assert ok.assert_succeeded() is ok
    assert ok.assert_succeeded().assert_path(["Validate", "Charge"]) is ok
    assert ok.assert_output({"paid": 5}) is ok
    assert ok.assert_output({}, exact=False) is ok
    call = ok.assert_called_with("Charge", {"Payload": {"amount": 5}})
    assert call is ok.calls("Charge")[-1]


def test_assert_failed_passes(declined: Execution) -> None:
    assert declined.assert_failed() is declined
    assert declined.assert_failed("Card.Declined", "no funds left") is declined
    assert declined.assert_failed(cause=re.compile(r"funds")) is declined


def test_assert_succeeded_on_a_failure_shows_error_and_states(declined: Execution) -> None:
    assert message(declined.assert_succeeded).splitlines() == [
        "expected the execution to succeed, it ended FAILED",
        "execution 'no' ended FAILED: Card.Declined: no funds left",
        "  Validate  Pass  ok",
        "  Charge    Task  failed Card.Declined",
    ]


@pytest.mark.parametrize(
    ("kwargs", "first_line"),
    [
        pytest.param(
            {"error": "Card.Expired"},
            "expected the execution to fail with error 'Card.Expired', got 'Card.Declined'",
            id="error",
        ),
        pytest.param(
            {"cause": "nope"},
            "expected the cause to be 'nope', got 'no funds left'",
            id="cause",
        ),
        pytest.param(
            {"cause": re.compile("^funds")},
            "expected the cause to be matching /^funds/, got 'no funds left'",
            id="cause-pattern",
        ),
    ],
)
def test_assert_failed_mismatch(
    declined: Execution, kwargs: dict[str, Any], first_line: str
) -> None:
    lines = message(lambda: declined.assert_failed(**kwargs)).splitlines()
    assert lines[0] == first_line
    assert lines[1] == "execution 'no' ended FAILED: Card.Declined: no funds left"


def test_assert_failed_on_success(ok: Execution) -> None:
    assert message(ok.assert_failed).splitlines()[0] == (
        "expected the execution to fail, it ended SUCCEEDED"
    )


@pytest.mark.parametrize(
    ("expected", "lines"),
    [
        pytest.param(
            ["Validate", "Refund"],
            [
                "the path differs at index 1: expected 'Refund', got 'Charge'",
                "  expected: ['Validate', 'Refund']",
                "  actual:   ['Validate', 'Charge']",
            ],
            id="different-state",
        ),
        pytest.param(
            ["Validate"],
            [
                "the path differs the execution entered 1 more state(s): ['Charge']",
                "  expected: ['Validate']",
                "  actual:   ['Validate', 'Charge']",
            ],
            id="longer",
        ),
        pytest.param(
            ["Validate", "Charge", "Notify"],
            [
                "the path differs the execution stopped before ['Notify']",
                "  expected: ['Validate', 'Charge', 'Notify']",
                "  actual:   ['Validate', 'Charge']",
            ],
            id="shorter",
        ),
    ],
)
def test_assert_path_mismatch(ok: Execution, expected: list[str], lines: list[str]) -> None:
    assert message(lambda: ok.assert_path(expected)).splitlines()[:3] == lines


def test_assert_path_inside_a_map() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }  # fmt: skip
    execution = StateMachine.from_definition(definition).execute([1, 2])
    assert execution.assert_path(["One"], "Each", 1) is execution
    lines = message(lambda: execution.assert_path(["Two"], "Each", 0)).splitlines()
    assert lines[0] == "the path inside ('Each', 0) differs at index 0: expected 'Two', got 'One'"
    assert lines[-3:] == ["  Each       Map   ok", "    [0] One  Pass  ok", "    [1] One  Pass  ok"]


@pytest.mark.parametrize(
    ("parameters", "exact", "lines"),
    [
        pytest.param(
            {"Payload": {"amount": 6}},
            False,
            [
                "the last call of 'Charge' (call 1 of 1) sent other parameters (subset comparison)",
                "  first difference at /Payload/amount: values differ",
                "    expected: 6",
                "    actual:   5",
                '  sent: {"FunctionName":"charge","Payload":{"currency":"EUR","amount":5}}',
            ],
            id="subset",
        ),
        pytest.param(
            {"Payload": {"amount": 5, "currency": "EUR"}},
            True,
            [
                "the last call of 'Charge' (call 1 of 1) sent other parameters (exact comparison)",
                "  first difference at /FunctionName: unexpected key 'FunctionName'",
                '    actual:   "charge"',
                '  sent: {"FunctionName":"charge","Payload":{"currency":"EUR","amount":5}}',
            ],
            id="exact",
        ),
    ],
)
def test_assert_called_with_mismatch(
    ok: Execution, parameters: Any, exact: bool, lines: list[str]
) -> None:
    found = message(lambda: ok.assert_called_with("Charge", parameters, exact=exact))
    assert found.splitlines()[: len(lines)] == lines


def test_assert_called_with_a_state_never_called(ok: Execution) -> None:
    assert message(lambda: ok.assert_called_with("Charg", {})).splitlines()[0] == (
        "Task state 'Charg' was never called (did you mean 'Charge'?); called: Charge"
    )


def test_assert_output(ok: Execution, declined: Execution) -> None:
    assert message(lambda: ok.assert_output({"paid": 6})).splitlines()[:4] == [
        "the output differs (exact comparison)",
        "  first difference at /paid: values differ",
        "    expected: 6",
        "    actual:   5",
    ]
    assert message(lambda: declined.assert_output({})).splitlines()[0] == (
        "expected an output, but the execution ended FAILED"
    )


def test_module_functions_are_the_methods(ok: Execution) -> None:
    assert assertions.assert_succeeded(ok) is ok
    assert assertions.assert_path(ok, ("Validate", "Charge")) is ok


def test_helper_frames_are_hidden(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_sfn import StateMachine

        def test_it():
            definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
            execution = StateMachine.from_definition(definition).execute({})
            execution.assert_succeeded().assert_path(["Q"])
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       execution.assert_succeeded().assert_path(["Q"])',
            "E       AssertionError: the path differs at index 0: expected 'Q', got 'P'",
        ],
        consecutive=True,
    )
    output = result.stdout.str()
    assert "assertions.py" not in output
    assert "execution.py" not in output
