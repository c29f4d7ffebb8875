"""Redrive from the point of failure: ``Execution.redrive()``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn import Return, StateMachine, Throw
from pytest_sfn.engine.execution import Execution
from pytest_sfn.errors import ExecutionNotRedrivable, UnmockedTaskError

from ..conftest import machine

LAMBDA = "arn:aws:states:::lambda:invoke"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, **fields}


def types(execution: Execution, first: int = 1) -> list[str]:
    return [e.type for e in execution.history if e.id >= first]


def echo(request: Any) -> Any:
    return request.parameters


# --- Task failure -----------------------------------------------------------------------------

CHARGE = {
    "Prepare": {
        "Type": "Pass",
        "Result": {"amount": 5},
        "ResultPath": "$.order",
        "Assign": {"customer": "ann"},
        "Next": "Charge",
    },
    "Charge": task(
        Parameters={
            "who.$": "$customer",
            "amount.$": "$.order.amount",
            "retry.$": "$$.State.RetryCount",
            "redrives.$": "$$.Execution.RedriveCount",
        },
        Retry=[{"ErrorEquals": ["Busy"], "MaxAttempts": 1, "IntervalSeconds": 2}],
        ResultPath="$.charge",
        Next="Done",
    ),
    "Done": {"Type": "Pass", "End": True},
}


@pytest.fixture
def failed() -> Execution:
    execution = machine(CHARGE).execute({"id": 7}, results={"Charge": Throw("Busy", "try later")})
    assert execution.status == "FAILED"
    return execution


def test_task_failure_resumes_at_the_failed_state(failed: Execution) -> None:
    redriven = failed.redrive(results={"Charge": echo})
    assert redriven.status == "SUCCEEDED"
    assert redriven.output == {
        "id": 7,
        "order": {"amount": 5},
        "charge": {"who": "ann", "amount": 5, "retry": 0, "redrives": 1},
    }
    assert (redriven.execution_arn, redriven.name, redriven.input) == (
        failed.execution_arn,
        failed.name,
        failed.input,
    )
    assert redriven.redrive_count == 1
    assert redriven.start_time == failed.start_time
    assert redriven.redrive_date == failed.stop_time + timedelta(seconds=1)
    assert redriven.error is None and redriven.cause is None


def test_history_continues_with_execution_redriven(failed: Execution) -> None:
    redriven = failed.redrive(results={"Charge": {"ok": True}})
    old = len(failed.history)
    assert redriven.history[:old] == failed.history
    assert types(redriven, old + 1) == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    new = redriven.history[old:]
    assert [e.id for e in new] == list(range(old + 1, old + 1 + len(new)))
    assert [e.previous_event_id for e in new] == [e.id - 1 for e in new]
    marker = new[0]
    assert marker.to_api() == {
        "timestamp": redriven.redrive_date,
        "type": "ExecutionRedriven",
        "id": old + 1,
        "previousEventId": old,
        "executionRedrivenEventDetails": {"redriveCount": 1},
    }
    assert new[1].details["name"] == "Charge"
    assert new[1].details["input"] == '{"id":7,"order":{"amount":5}}'


def test_kept_and_redriven_states_and_transitions(failed: Execution) -> None:
    redriven = failed.redrive(results={"Charge": {}})
    assert [r.name for r in redriven.kept_states] == ["Prepare"]
    assert [(r.name, r.redrive) for r in redriven.redriven_states] == [("Charge", 1), ("Done", 1)]
    assert redriven.transitions == (2, 2)
    assert redriven.redrive_transitions == 2
    assert redriven.path == ["Prepare", "Charge", "Charge", "Done"]
    assert redriven.state("Charge").succeeded
    assert [(c.attempt, c.redrive) for c in redriven.calls("Charge")] == [(0, 0), (1, 0), (0, 1)]
    # The original object is unchanged.
    assert failed.status == "FAILED" and failed.redrive_count == 0
    assert (failed.kept_states, failed.redriven_states, failed.redrive_transitions) == ([], [], 0)


def test_retry_counters_reset(failed: Execution) -> None:
    # Two calls again (MaxAttempts 1 available anew), RetryCount restarting at 0.
    again = failed.redrive(results={"Charge": Throw("Busy", "still")})
    calls = [c for c in again.calls("Charge") if c.redrive == 1]
    assert [c.parameters["retry"] for c in calls] == [0, 1]
    assert again.status == "FAILED" and again.error == "Busy"
    assert again.describe()["redriveStatus"] == "REDRIVABLE"
    twice = again.redrive(results={"Charge": echo})
    assert twice.redrive_count == 2
    assert twice.output["charge"]["redrives"] == 2
    assert [e.details["redriveCount"] for e in twice.events("ExecutionRedriven")] == [1, 2]
    assert twice.transitions == (2, 1, 2)


def test_redrive_time_in_context(failed: Execution) -> None:
    sm = machine(
        {
            "T": task(Parameters={"ctx.$": "$$.Execution"}, End=True),
        }
    )
    first = sm.execute({}, results={"T": Throw("E")})
    assert "RedriveTime" not in first.calls("T")[0].parameters["ctx"]
    at = datetime(2024, 1, 3, 12, 30, tzinfo=timezone.utc)
    redriven = first.redrive(results={"T": echo}, at=at)
    context = redriven.output["ctx"]
    assert context["RedriveCount"] == 1
    assert context["RedriveTime"] == "2024-01-03T12:30:00.000Z"
    assert context["StartTime"] == "2024-01-01T00:00:00.000Z"
    assert redriven.redrive_date == at


def test_unmocked_task_failure_is_fixed_by_the_redrive() -> None:
    sm = machine({"A": task(Next="B"), "B": task(End=True)})
    first = sm.execute({}, results={"A": 1}, mock_errors="fail")
    assert first.error == "pytest_sfn.UnmockedTask"
    redriven = first.redrive(results={"B": 2})
    assert redriven.output == 2
    assert [c.state for c in redriven.calls()] == ["A", "B"]
    with pytest.raises(UnmockedTaskError):
        first.redrive(results={})


# --- other state types ------------------------------------------------------------------------


def test_fail_state_fails_again() -> None:
    first = machine({"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}).execute({})
    again = first.redrive()
    assert (again.status, again.error, again.cause) == ("FAILED", "E", "C")
    assert types(again, len(first.history) + 1) == [
        "ExecutionRedriven",
        "FailStateEntered",
        "ExecutionFailed",
    ]


def test_choice_is_re_evaluated_and_variables_are_restored() -> None:
    sm = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"mode": "x"}, "Next": "Pick"},
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Yes"}],
            },
            "Yes": {"Type": "Pass", "Parameters": {"mode.$": "$mode"}, "End": True},
        }
    )
    first = sm.execute({"go": False})
    assert first.error == "States.NoChoiceMatched"
    again = first.redrive()
    assert again.error == "States.NoChoiceMatched"  # same input, same rules
    assert [r.name for r in again.redriven_states] == ["Pick"]


def test_wait_with_past_timestamp_exits_immediately_and_timeout_clock_resets() -> None:
    sm = machine(
        {
            "W": {"Type": "Wait", "Timestamp": "2024-01-01T00:00:05Z", "Next": "T"},
            "T": task(End=True),
        },
        TimeoutSeconds=10,
    )
    first = sm.execute({}, results={"T": Return(1, duration=60)})
    assert first.status == "TIMED_OUT"
    assert first.stop_time == START + timedelta(seconds=10)
    # The Task restarts with a fresh 10-second execution clock.
    again = first.redrive(results={"T": Return(2, duration=8)})
    assert again.status == "SUCCEEDED" and again.output == 2
    assert again.stop_time == again.redrive_date + timedelta(seconds=8)
    # A redrive of a failed Wait with a past timestamp exits at once.
    waiting = machine(
        {
            "T": task(Next="W"),
            "W": {"Type": "Wait", "Timestamp": "2024-01-01T00:10:00Z", "End": True},
        },
        TimeoutSeconds=60,
    ).execute({}, results={"T": 1})
    assert waiting.status == "TIMED_OUT"
    later = waiting.redrive(at=START + timedelta(hours=1))
    assert later.status == "SUCCEEDED"
    assert later.stop_time == START + timedelta(hours=1)
    assert [r.name for r in later.redriven_states] == ["W"]


# --- Parallel -----------------------------------------------------------------------------------

PARALLEL = {
    "Fan": {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Left", "States": {"Left": task(End=True)}},
            {
                "StartAt": "Right1",
                "States": {"Right1": task(Next="Right2"), "Right2": task(End=True)},
            },
            {"StartAt": "Third", "States": {"Third": task(End=True)}},
        ],
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
        "End": True,
    }
}


def test_parallel_reruns_only_the_failed_branch_from_its_failed_state() -> None:
    sm = machine(PARALLEL)
    first = sm.execute(
        {}, results={"Left": "L", "Right1": "R1", "Right2": Throw("Boom"), "Third": "T"}
    )
    assert first.status == "FAILED"
    assert [c.state for c in first.calls()] == ["Left", "Right1", "Right2"] * 2
    fixed = {"Left": "L2", "Right1": "R1b", "Right2": "R2", "Third": "T2"}
    again = first.redrive(results=fixed)
    assert again.output == ["L", "R2", "T2"]  # Left kept; Right resumed at Right2
    assert [c.state for c in again.calls() if c.redrive == 1] == ["Right2", "Third"]
    old = len(first.history)
    assert types(again, old + 1) == [
        "ExecutionRedriven",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]
    assert again.path_in("Fan", 1)[-1:] == ["Right2"]
    assert {r.name for r in again.kept_states} >= {"Left", "Right1"}


def test_parallel_retry_during_the_redrive_reruns_every_branch() -> None:
    first = machine(PARALLEL).execute(
        {}, results={"Left": "L", "Right1": "R1", "Right2": Throw("Boom"), "Third": "T"}
    )
    calls: list[str] = []

    def flaky(request: Any) -> Any:
        calls.append(request.state_name)
        if request.state_name == "Right2" and calls.count("Right2") == 1:
            return Throw("Boom")
        return request.state_name

    again = first.redrive(results=dict.fromkeys(("Left", "Right1", "Right2", "Third"), flaky))
    assert again.output == ["Left", "Right2", "Third"]
    assert calls == ["Right2", "Left", "Right1", "Right2", "Third"]


# --- inline Map -----------------------------------------------------------------------------------

MAP = {
    "Each": {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrency": 1,
        "ItemProcessor": {
            "StartAt": "Double",
            "States": {
                "Double": {
                    "Type": "Pass",
                    "Parameters": {"v.$": "States.MathAdd($.v, $.v)"},
                    "Next": "Work",
                },
                "Work": task(End=True),
            },
        },
        "End": True,
    }
}


def work_failing_on(bad: int) -> Any:
    def answer(request: Any) -> Any:
        value = request.parameters["v"]
        return Throw("Bad", str(value)) if value == bad else value * 10

    return answer


def test_inline_map_reruns_only_failed_iterations() -> None:
    sm = machine(MAP)
    items = {"items": [{"v": 1}, {"v": 2}, {"v": 3}]}
    first = sm.execute(items, results={"Work": work_failing_on(4)})
    assert (first.error, first.cause) == ("Bad", "4")
    assert [c.parameters for c in first.calls()] == [{"v": 2}, {"v": 4}]
    again = first.redrive(results={"Work": work_failing_on(-1)})
    assert again.output == [20, 40, 60]
    # Iteration 0 kept; iteration 1 resumed at Work (Double not re-run); iteration 2 fresh.
    assert [(r.name, r.scope) for r in again.redriven_states] == [
        ("Each", ()),
        ("Work", ("Each", 1)),
        ("Double", ("Each", 2)),
        ("Work", ("Each", 2)),
    ]
    started = [
        e.details["index"] for e in again.events("MapIterationStarted") if e.id > len(first.history)
    ]
    assert started == [1, 2]
    assert again.redrive_transitions == 4


def test_data_limit_exceeded_reruns_the_whole_map() -> None:
    sm = machine(MAP)
    big = "x" * 300_000

    def answer(request: Any) -> Any:
        return big if request.parameters["v"] == 4 else request.parameters["v"]

    first = sm.execute({"items": [{"v": 1}, {"v": 2}]}, results={"Work": answer})
    assert first.error == "States.DataLimitExceeded"
    again = first.redrive(results={"Work": echo})
    assert again.output == [{"v": 2}, {"v": 4}]
    assert [c.parameters for c in again.calls() if c.redrive == 1] == [{"v": 2}, {"v": 4}]


def test_map_inside_parallel_resumes_recursively() -> None:
    sm = machine(
        {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "One", "States": {"One": task(End=True)}},
                    {"StartAt": "Each", "States": MAP},
                ],
                "End": True,
            }
        }
    )
    first = sm.execute(
        {"items": [{"v": 1}, {"v": 2}]}, results={"One": "one", "Work": work_failing_on(4)}
    )
    again = first.redrive(results={"Work": work_failing_on(-1)})
    assert again.output == ["one", [20, 40]]
    assert [(c.state, c.parameters) for c in again.calls() if c.redrive == 1] == [
        ("Work", {"v": 4})
    ]


# --- distributed Map ----------------------------------------------------------------------------


def test_distributed_map_redrives_its_map_run_failed_children() -> None:
    sm = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"v.$": "States.MathAdd($.v, $.v)"},
                            "Next": "Work",
                        },
                        "Work": task(End=True),
                    },
                },
                "End": True,
            }
        }
    )
    items = [{"v": 1}, {"v": 2}, {"v": 3}]
    first = sm.execute(items, results={"Work": work_failing_on(4)})
    assert first.error == "States.ExceedToleratedFailureThreshold"
    map_run_arn = first.events("MapRunStarted")[0].details["mapRunArn"]
    again = first.redrive(results={"Work": work_failing_on(-1)})
    assert again.output == [20, 40, 60]
    assert [(c.parameters, c.redrive) for c in again.calls()] == [
        ({"v": 2}, 0), ({"v": 4}, 0), ({"v": 6}, 0), ({"v": 4}, 1),
    ]  # fmt: skip
    assert [r.scope for r in again.redriven_states if r.name == "Double"] == []
    old = len(first.history)
    assert types(again, old + 1) == [
        "ExecutionRedriven",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunRedriven",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    redriven = again.events("MapRunRedriven")[0]
    assert redriven.to_api()["mapRunRedrivenEventDetails"] == {
        "mapRunArn": map_run_arn,
        "redriveCount": 1,
    }
    assert again.events("MapRunSucceeded")[0].previous_event_id == redriven.id


# --- JSONata ------------------------------------------------------------------------------------


def test_jsonata_machine_redrives() -> None:
    sm = StateMachine.from_definition(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"k": "{% $states.input.k %}"}, "Next": "Fan"},
                "Fan": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": task(End=True)}},
                        {
                            "StartAt": "B",
                            "States": {
                                "B": task(
                                    Arguments={
                                        "k": "{% $k %}",
                                        "n": "{% $states.context.Execution.RedriveCount %}",
                                    },
                                    End=True,
                                )
                            },
                        },
                    ],
                    "End": True,
                },
            },
        }
    )
    first = sm.execute({"k": "key"}, results={"A": "a", "B": Throw("No")})
    assert first.error == "No"
    again = first.redrive(results={"A": "a2", "B": echo})
    assert again.output == ["a", {"k": "key", "n": 1}]
    assert [c.state for c in again.calls() if c.redrive == 1] == ["B"]


# --- refusals -----------------------------------------------------------------------------------


def refused(execution: Execution, **kwargs: Any) -> str:
    with pytest.raises(ExecutionNotRedrivable) as info:
        execution.redrive(**kwargs)
    assert info.value.code == "ExecutionNotRedrivable"
    assert str(info.value) == f"ExecutionNotRedrivable: {info.value.message}"
    return info.value.message


FAIL = {"F": {"Type": "Fail", "Error": "E"}}
WAIT_THEN_FAIL = {
    "W": {"Type": "Wait", "Seconds": 360 * 86400, "Next": "F"},
    "F": {"Type": "Fail", "Error": "E"},
}


@pytest.mark.parametrize(
    ("states", "options", "redrive", "message"),
    [
        ({"P": {"Type": "Pass", "End": True}}, {}, {},
         "Execution is SUCCEEDED and cannot be redriven."),
        (FAIL, {"start_time": datetime(2023, 11, 1, tzinfo=timezone.utc)}, {},
         "Execution was started before the launch of RedriveExecution."),
        (FAIL, {}, {"at": START + timedelta(days=14, seconds=1)},
         "Execution redrivable period exceeded."),
        (WAIT_THEN_FAIL, {}, {"at": START + timedelta(days=366)},
         "Execution has exceeded the max execution time."),
    ],
)  # fmt: skip
def test_refusals(
    states: dict[str, Any], options: dict[str, Any], redrive: dict[str, Any], message: str
) -> None:
    execution = machine(states).execute({}, **options)
    assert refused(execution, **redrive) == message
    at = redrive.get("at")
    described = execution.describe(now=at)
    expected = message.rstrip(".") if execution.succeeded else message
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE",
        expected,
    )


def test_redrive_window_boundary_is_accepted() -> None:
    execution = machine(FAIL).execute({})
    at = execution.stop_time + timedelta(days=14)
    assert execution.describe(now=at)["redriveStatus"] == "REDRIVABLE"
    assert execution.redrive(at=at).redrive_date == at


def test_express_and_history_limit_refusals() -> None:
    express = StateMachine.from_definition(
        {"StartAt": "F", "States": FAIL}, name="X", type="EXPRESS"
    ).execute({})
    assert refused(express) == "Executions of EXPRESS state machines cannot be redriven."
    full = machine({"T": task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 99}], End=True)})
    overflowed = full.execute({}, results={"T": Throw("E")}, history_limit=20)
    assert overflowed.error == "States.Runtime"
    assert refused(overflowed) == "Execution history event limit exceeded."
    # One event short of the limit: no room for ExecutionRedriven and one more event.
    fail = machine(FAIL)
    size = len(fail.execute({}).history)
    assert refused(fail.execute({}, history_limit=size + 1)) == (
        "Execution history event limit exceeded."
    )
    assert fail.execute({}, history_limit=size + 2).redrive().status == "FAILED"


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"at": datetime(2024, 1, 2)}, "timezone-aware"),
        ({"at": START - timedelta(seconds=1)}, "before the execution stopped"),
        ({"results": {}, "tasks": echo}, "either results= or tasks="),
        ({"mock_errors": "ignore"}, "mock_errors"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, Any], problem: str) -> None:
    execution = machine(FAIL).execute({})
    with pytest.raises(ValueError, match=problem):
        execution.redrive(**kwargs)


def test_redrive_is_deterministic() -> None:
    sm = machine({"T": task(Parameters={"id.$": "States.UUID()"}, End=True)})
    first = sm.execute({}, results={"T": Throw("E")})
    one = first.redrive(results={"T": echo})
    two = first.redrive(results={"T": echo})
    assert one.output == two.output
    assert one.history == two.history
    assert first.redrive(results={"T": echo}, seed=5).output != one.output


def test_timeout_inside_a_parallel_resumes_the_branch_that_was_running() -> None:
    sm = machine(
        {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fast", "States": {"Fast": task(End=True)}},
                    {"StartAt": "Slow", "States": {"Slow": task(End=True)}},
                ],
                "End": True,
            }
        },
        TimeoutSeconds=30,
    )
    first = sm.execute({}, results={"Fast": "f", "Slow": Return("s", duration=60)})
    assert first.status == "TIMED_OUT"
    again = first.redrive(results={"Fast": "f2", "Slow": Return("s2", duration=20)})
    assert again.status == "SUCCEEDED"
    assert again.output == ["f", "s2"]
    assert [c.state for c in again.calls() if c.redrive == 1] == ["Slow"]


@given(
    values=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8),
    bad=st.integers(min_value=1, max_value=50),
)
@settings(max_examples=40, deadline=None)
def test_map_redrive_gives_the_output_of_a_run_that_never_failed(
    values: list[int], bad: int
) -> None:
    sm = machine(MAP)
    items = {"items": [{"v": v} for v in values]}
    first = sm.execute(items, results={"Work": work_failing_on(2 * bad)})
    clean = sm.execute(items, results={"Work": work_failing_on(-1)})
    if first.succeeded:
        assert bad not in values
        return
    again = first.redrive(results={"Work": work_failing_on(-1)})
    assert again.output == clean.output
    failed_at = values.index(bad)
    # Iterations before the failure are kept; the failed one resumes at Work; later ones run.
    rerun = [(r.name, r.scope[1]) for r in again.redriven_states if r.scope]
    expected = [("Work", failed_at)]
    for index in range(failed_at + 1, len(values)):
        expected += [("Double", index), ("Work", index)]
    assert rerun == expected
    assert again.redrive_transitions == 1 + len(expected)
