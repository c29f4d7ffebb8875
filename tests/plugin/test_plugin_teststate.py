"""TestState in pytest: ``sfn.test_state``, ``@pytest.mark.sfn_state`` and YAML ``test_state:``."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import StateMock
from pytest_sfn.plugin.marks import state_mark
from pytest_sfn.testing.state_checks import (
    compare_state_expectations,
    state_configuration_from_yaml,
    state_mock_from_yaml,
)
from pytest_sfn.teststate import StateTestResult

ORDERS = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Review"}],
            "Default": "Charge",
        },
        "Review": {"Type": "Succeed"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"charged.$": "$.Payload.amount"},
            "ResultPath": "$.charge",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Declined"}],
            "Next": "Done",
        },
        "Declined": {"Type": "Fail", "Error": "OrderDeclined"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip


def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def orders(pytester: pytest.Pytester) -> Path:
    return write(pytester, "orders.asl.json", json.dumps(ORDERS))


# --- pure logic ---------------------------------------------------------------------------

CAUGHT = StateTestResult(
    status="CAUGHT_ERROR",
    output_json='{"error":{"Error":"Card.Declined","Cause":"no"}}',
    error="Card.Declined",
    cause="no",
    next_state="Declined",
    inspection_data={"input": "{}", "errorDetails": {"catchIndex": 0}},
)


@pytest.mark.parametrize(
    ("expect", "messages"),
    [
        pytest.param({}, [], id="nothing"),
        pytest.param(
            {
                "status": "CAUGHT_ERROR",
                "next_state": "Declined",
                "error": "Card.Declined",
                "cause": "no",
            },
            [],
            id="all-met",
        ),  # fmt: skip
        pytest.param(
            {"status": "FAILED"},
            ['status: expected "FAILED", got "CAUGHT_ERROR" (Card.Declined: "no")'],
            id="status",
        ),
        pytest.param(
            {"next_state": None}, ['next_state: expected null, got "Declined"'], id="next-null"
        ),
        pytest.param({"output_contains": {"error": {"Error": "Card.Declined"}}}, [], id="subset"),
        pytest.param(
            {"output": {"error": {"Error": "Card.Declined"}}}, ["output differs"], id="exact"
        ),
        pytest.param(
            {"inspection_data": {"errorDetails": {"catchIndex": 0}, "input": {}}},
            [],
            id="inspection-decoded",
        ),  # fmt: skip
        pytest.param(
            {"inspection_data": {"errorDetails": {"catchIndex": 1}}},
            ["inspection_data.errorDetails differs"],
            id="inspection-differs",
        ),
        pytest.param(
            {"inspection_data": {"afterParameter": {}}},
            ["inspection_data.afterParameter: not returned (members: errorDetails, input)"],
            id="inspection-missing",
        ),
    ],
)
def test_compare_state_expectations(expect: dict[str, Any], messages: list[str]) -> None:
    found = compare_state_expectations(expect, CAUGHT)
    assert [m.message for m in found] == messages


def test_output_of_a_state_without_output_is_a_mismatch() -> None:
    retriable = StateTestResult(status="RETRIABLE", error="E", cause="c")
    found = compare_state_expectations({"output": {}, "inspection_data": {"input": {}}}, retriable)
    assert [m.message for m in found] == [
        "output: the state has no output, its status is RETRIABLE",
        "inspection_data: none was returned (inspection_level must be DEBUG or TRACE)",
    ]
    assert [m.pointer for m in found] == ["/expect/output", "/expect/inspection_data"]


@pytest.mark.parametrize(
    ("yaml_mock", "expected"),
    [
        ({"result": {"a": 1}}, StateMock(result={"a": 1})),
        ({"result": "text"}, StateMock(result="text")),
        ({"error_output": "E"}, StateMock(error_output=("E", None))),
        ({"error_output": {"error": "E", "cause": "c"}, "field_validation_mode": "NONE"},
         StateMock(error_output=("E", "c"), field_validation_mode="NONE")),
    ],
)  # fmt: skip
def test_state_mock_from_yaml(yaml_mock: dict[str, Any], expected: StateMock) -> None:
    assert state_mock_from_yaml(yaml_mock) == expected


def test_state_configuration_from_yaml() -> None:
    assert state_configuration_from_yaml(
        {"retrier_retry_count": 1, "map_item_reader_data": [1, 2], "errorCausedByState": "X"}
    ) == {"retrierRetryCount": 1, "mapItemReaderData": "[1, 2]", "errorCausedByState": "X"}


@pytest.mark.parametrize(
    ("args", "kwargs", "problem"),
    [
        ((), {}, "takes the state name as its only positional argument"),
        (("A",), {"expct": {}}, "unexpected keyword argument 'expct' (did you mean 'expect'?)"),
        (("A",), {"expect": {"stauts": "FAILED"}}, "unknown key 'stauts' (did you mean 'status'?)"),
        (("A",), {"expect": {"status": "DONE"}}, "status must be one of SUCCEEDED, FAILED"),
        (("A",), {"mock": {"errorOutput": {}}}, "unknown key 'errorOutput'"),
        (("A",), {"mock": {"result": 1, "error_output": "E"}}, "exactly one of 'result'"),
        (("A",), {"state_configuration": 3}, "state_configuration=...) must be a dict"),
        (("A",), {"definition": 3}, "definition=...) must be a path"),
    ],
)
def test_bad_state_marks(args: tuple[Any, ...], kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(TypeError, match=re.escape(problem)):
        state_mark(pytest.mark.sfn_state(*args, **kwargs).mark)


def test_state_mark_converts_mock_and_configuration() -> None:
    checked = state_mark(
        pytest.mark.sfn_state(
            "Charge",
            input={"a": 1},
            mock={"error_output": {"error": "E", "cause": "c"}},
            state_configuration={"retrier_retry_count": 2},
            expect={"status": "RETRIABLE"},
        ).mark
    )
    assert checked.state_name == "Charge"
    assert checked.options == {
        "input": {"a": 1},
        "mock": StateMock(error_output=("E", "c")),
        "state_configuration": {"retrierRetryCount": 2},
    }
    assert checked.expect == {"status": "RETRIABLE"}


# --- sfn.test_state --------------------------------------------------------------------------


def test_harness_test_state_uses_the_tests_mocks_and_handlers(
    pytester: pytest.Pytester, orders: Path
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import StateMock, StateTestError

        pytestmark = pytest.mark.sfn(
            definition="orders.asl.json",
            mocks={"Charge": {"return": {"Payload": {"amount": 30}}}},
        )

        def test_unmocked_task_is_answered_by_the_marker_mocks(sfn):
            result = sfn.test_state("Charge", {"total": 5})
            assert (result.status, result.next_state) == ("SUCCEEDED", "Done")
            assert result.output == {"total": 5, "charge": {"charged": 30}}

        def test_mock_wins(sfn):
            result = sfn.test_state(
                "Charge", mock=StateMock(error_output=("Card.Declined", "no")),
                inspection_level="DEBUG",
            )
            assert (result.status, result.next_state) == ("CAUGHT_ERROR", "Declined")
            assert result.inspection("errorDetails") == {"catchIndex": 0}

        def test_lambda_handler_answers(sfn):
            result = sfn.test_state(
                "Charge", {"amount": 7}, mocks={}, results=None,
                lambdas={"charge": lambda event, context: {"amount": event["amount"] * 2}},
            )
            assert result.output == {"amount": 7, "charge": {"charged": 30}}

        def test_choice(sfn):
            assert sfn.test_state("Route", {"total": 500}).next_state == "Review"

        def test_refused_request_is_a_state_test_error(sfn):
            with pytest.raises(StateTestError, match="not supported when a mock is specified"):
                sfn.test_state("Route", mock=StateMock(result=1))
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=5)


def test_harness_test_state_with_a_handler_when_no_mock(
    pytester: pytest.Pytester, orders: Path
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(
            definition="orders.asl.json",
            lambdas={"charge": lambda event, context: {"amount": event["total"] * 2}},
        )
        def test_it(sfn):
            result = sfn.test_state("Charge", {"total": 4})
            assert result.output == {"total": 4, "charge": {"charged": 8}}

        def test_no_definition(sfn):
            with pytest.raises(ValueError, match="needs a state machine"):
                sfn.test_state("Charge")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


# --- @pytest.mark.sfn_state ------------------------------------------------------------------

MARKED = """
import pytest
from pytest_sfn import StateMock

pytestmark = pytest.mark.sfn(definition="orders.asl.json")


@pytest.mark.sfn_state(
    "Charge",
    input={"total": 5},
    mock={"result": {"Payload": {"amount": 5}}},
    inspection_level="DEBUG",
    expect={
        "status": "SUCCEEDED",
        "next_state": "Done",
        "output": {"total": 5, "charge": {"charged": 5}},
        "inspection_data": {"afterParameters": {"FunctionName": "charge", "Payload": {"total": 5}}},
    },
)
def test_charge(sfn_state_result):
    assert sfn_state_result.next_state == "Done"


@pytest.mark.sfn_state("Route", input={"total": 500}, expect={"next_state": "Review"})
def test_without_the_fixture():
    pass


@pytest.mark.sfn_state(
    "Charge", id="throttled",
    mock=StateMock(error_output=("Lambda.TooManyRequestsException", "slow")),
    state_configuration={"retrier_retry_count": 1}, inspection_level="DEBUG",
    expect={"status": "RETRIABLE",
            "inspection_data": {"errorDetails": {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}}},
)
@pytest.mark.sfn_state(
    "Charge", id="exhausted",
    mock=StateMock(error_output=("Lambda.TooManyRequestsException", "slow")),
    state_configuration={"retrier_retry_count": 2},
    expect={"status": "FAILED", "error": "Lambda.TooManyRequestsException"},
)
def test_stacked(sfn_state_result):
    assert sfn_state_result.error == "Lambda.TooManyRequestsException"


@pytest.mark.parametrize(
    "total",
    [
        pytest.param(500, marks=pytest.mark.sfn_state("Route", input={"total": 500},
                     expect={"next_state": "Review"})),
        pytest.param(5, marks=pytest.mark.sfn_state("Route", input={"total": 5},
                     expect={"next_state": "Charge"})),
    ],
)
def test_parametrized(total, sfn_state_result):
    assert sfn_state_result.output == {"total": total}
"""


def test_marker_forms_pass(pytester: pytest.Pytester, orders: Path) -> None:
    pytester.makepyfile(MARKED)
    result = pytester.runpytest("-v", "--strict-markers")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(
        [
            "*::test_charge PASSED*",
            "*::test_without_the_fixture PASSED*",
            "*::test_stacked?throttled? PASSED*",
            "*::test_stacked?exhausted? PASSED*",
            "*::test_parametrized?500? PASSED*",
            "*::test_parametrized?5? PASSED*",
        ]
    )


def test_unmet_expectations_fail_before_the_body(pytester: pytest.Pytester, orders: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json")
        @pytest.mark.sfn_state(
            "Charge",
            input={"total": 5},
            mock={"error_output": {"error": "Card.Declined", "cause": "no"}},
            inspection_level="DEBUG",
            expect={"status": "FAILED", "next_state": "Declined",
                    "inspection_data": {"errorDetails": {"catchIndex": 3}}},
        )
        def test_declined():
            raise RuntimeError("the body must not run")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sfn_state('Charge'): 2 expectation(s) not met",
            '*expect.status: expected "FAILED", got "CAUGHT_ERROR" (Card.Declined: "no")',
            "*expect.inspection_data.errorDetails differs",
            "*first difference at /catchIndex: values differ",
            "*TestState returned CAUGHT_ERROR",
            "*next_state: Declined",
            '*inspection_data.errorDetails: {"catchIndex":0}',
        ]
    )
    result.stdout.no_fnmatch_line("*the body must not run*")


def test_bad_marker_and_missing_marker(pytester: pytest.Pytester, orders: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json")
        @pytest.mark.sfn_state("Charge", expct={})
        def test_typo():
            pass

        def test_fixture_without_marker(sfn_state_result):
            pass

        @pytest.mark.sfn(definition="orders.asl.json")
        @pytest.mark.sfn_state("Route", mock={"result": 1})
        def test_refused():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*unexpected keyword argument 'expct' (did you mean 'expect'?)*",
            "*needs a @pytest.mark.sfn_state('StateName', ...) marker*",
            "*ValidationException: State type 'Choice' is not supported when a mock is specified*",
        ]
    )


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.sfn_state(state_name, *, input={}, mock=None*", "@pytest.mark.sfn_redrive(*"]
    )


# --- YAML test_state: ------------------------------------------------------------------------

STATES_FILE = """\
state_machine: orders.asl.json
mocks:
  Charge: {return: {Payload: {amount: 30}}}
test_state:
  - name: charge succeeds with the shared mock
    state: Charge
    input: {total: 5}
    expect:
      status: SUCCEEDED
      next_state: Done
      output: {total: 5, charge: {charged: 30}}
  - name: throttled is retriable
    state: Charge
    mock:
      error_output: {error: Lambda.TooManyRequestsException, cause: slow}
    state_configuration: {retrier_retry_count: 1}
    inspection_level: DEBUG
    expect:
      status: RETRIABLE
      inspection_data:
        errorDetails: {retryIndex: 0, retryBackoffIntervalSeconds: 4}
  - state: Route
    input: {total: 500}
    expect: {status: SUCCEEDED, next_state: Review, output_contains: {total: 500}}
"""


def test_yaml_entries_are_items(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", STATES_FILE)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*orders.sfn.yaml::charge succeeds with the shared mock PASSED*",
            "*orders.sfn.yaml::throttled is retriable PASSED*",
            "*orders.sfn.yaml::Route PASSED*",
        ]
    )


def test_yaml_failure_report_names_lines(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        test_state:
          - name: declined
            state: Charge
            mock:
              error_output: Card.Declined
            expect:
              status: FAILED
              next_state: Declined
          - state: Chrage
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "test_state 'declined' (orders.sfn.yaml:3) of state 'Charge' failed",
            'orders.sfn.yaml:8: expect.status: expected "FAILED", got "CAUGHT_ERROR"*',
            "*TestState returned CAUGHT_ERROR",
            "*output: {*Card.Declined*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["state: 'Chrage' is not a state of the state machine (did you mean 'Charge'?)"]
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "test_state:\n  - state: Charge\n    mock: {reslt: 1}\n",
            "orders.sfn.yaml:4: /test_state/0/mock/reslt: unknown key 'reslt' (did you mean 'result'?)*",
        ),
        (
            "test_state:\n  - state: Charge\n    expect: {status: DONE}\n",
            "orders.sfn.yaml:4: /test_state/0/expect/status: *",
        ),
        (
            "test_state:\n  - state: Charge\n    mock: {}\n",
            "orders.sfn.yaml:4: /test_state/0/mock: a TestState mock needs exactly one of 'result' or 'error_output'",
        ),
        (
            "scenarios:\n  - name: Charge\ntest_state:\n  - state: Charge\n",
            "orders.sfn.yaml:5: /test_state/0/state: duplicate test_state name (its state's) 'Charge' (first used at line 3)*",
        ),
        ("mocks: {}\n", "orders.sfn.yaml:1: /: the file needs 'scenarios' or 'test_state' (or both)"),
    ],
)  # fmt: skip
def test_yaml_errors_are_line_aware(
    pytester: pytest.Pytester, orders: Path, text: str, message: str
) -> None:
    write(pytester, "orders.sfn.yaml", "state_machine: orders.asl.json\n" + text)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_a_refused_state_test_is_a_clean_error_with_a_hint(pytester: pytest.Pytester) -> None:
    (pytester.path / "pay.asl.json").write_text(
        json.dumps(
            {
                "StartAt": "Charge",
                "States": {
                    "Charge": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "charge"},
                        "End": True,
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(definition="pay.asl.json")

        @pytest.mark.sfn_state("Chrage", mock={"result": {"StatusCode": 200}})
        def test_typo(sfn_state_result):
            pass

        @pytest.mark.sfn_state("Charge", mock={"result": {"StatusCode": "200"}})
        def test_bad_mock(sfn_state_result):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sfn_state('Chrage'): ValidationException: State not found in "
            "definition (did you mean 'Charge'?)",
            "@pytest.mark.sfn_state('Charge'): ValidationException: Mock result schema "
            "validation error: Field 'StatusCode' must be a number",
        ]
    )
    output = result.stdout.str()
    assert "Traceback" not in output and "During handling" not in output
