from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_sfn import InOrder, StateMachine, Throw, UnmockedTaskError

from ..conftest import machine

LAMBDA = "arn:aws:states:::lambda:invoke"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def elapsed(execution) -> float:
    return (execution.stop_time - execution.start_time).total_seconds()


# --- Wait -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "value", "seconds"),
    [
        ({"Seconds": 0}, {}, 0),
        ({"Seconds": 86400}, {}, 86400),
        ({"SecondsPath": "$.s"}, {"s": 90}, 90),
        ({"Timestamp": "2024-01-02T00:00:00Z"}, {}, 86400),
        ({"Timestamp": "2023-01-01T00:00:00Z"}, {}, 0),
        ({"TimestampPath": "$.t"}, {"t": "2024-01-01T01:00:00+01:00"}, 0),
        ({"TimestampPath": "$.t"}, {"t": "2024-01-01T00:00:30.5Z"}, 30.5),
    ],
)
def test_wait_advances_virtual_time(
    state: dict[str, object], value: object, seconds: float
) -> None:
    sm = machine({"W": {"Type": "Wait", "End": True, **state}})
    execution = sm.execute(value, start_time=START)
    assert execution.status == "SUCCEEDED"
    assert elapsed(execution) == seconds
    assert execution.output == value


def test_a_year_long_wait_finishes_instantly() -> None:
    sm = machine({"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}})
    execution = sm.execute({})
    assert execution.stop_time == execution.start_time + timedelta(days=365)


@pytest.mark.parametrize(
    ("state", "value", "cause"),
    [
        (
            {"SecondsPath": "$.input.waitSeconds"},
            {},
            "The SecondsPath parameter does not reference an input value: $.input.waitSeconds",
        ),
        (
            {"SecondsPath": "$.input.waitSeconds"},
            {"input": {"waitSeconds": 1.5}},
            "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5",
        ),
        (
            {"SecondsPath": "$.input.waitSeconds"},
            {"input": {"waitSeconds": -1}},
            "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1",
        ),
        (
            {"TimestampPath": "$.start_at"},
            {"start_at": "2016-12-05 21:29:29Z"},
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.start_at == 2016-12-05 21:29:29Z",
        ),
        ({"Seconds": 31_536_001}, {}, "Wait state delay is too long."),
    ],
)
def test_wait_runtime_errors(state: dict[str, object], value: object, cause: str) -> None:
    execution = machine({"W": {"Type": "Wait", "End": True, **state}}).execute(value)
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith(cause)


def test_express_wait_limit_is_five_minutes() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 301, "End": True}}}
    sm = StateMachine.from_definition(definition, type="EXPRESS")
    execution = sm.execute({})
    assert execution.status == "FAILED"
    assert execution.history == ()


# --- Fail / Succeed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "error", "cause"),
    [
        ({}, None, None),
        ({"Error": "MyError"}, "MyError", None),
        ({"Error": "MyError", "Cause": "because"}, "MyError", "because"),
        ({"ErrorPath": "$.e", "CausePath": "$.c"}, "FromInput", "why"),
        (
            {"ErrorPath": "States.Format('E{}', $.n)", "CausePath": "States.JsonToString($.obj)"},
            "E3",
            '{"a":1}',
        ),
    ],
)
def test_fail(state: dict[str, object], error: str | None, cause: str | None) -> None:
    execution = machine({"F": {"Type": "Fail", **state}}).execute(
        {"e": "FromInput", "c": "why", "n": 3, "obj": {"a": 1}}
    )
    assert (execution.status, execution.error, execution.cause) == ("FAILED", error, cause)
    assert [e.type for e in execution.history] == [
        "ExecutionStarted",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    details = execution.history[-1].details
    assert details == {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}


def test_fail_error_path_missing() -> None:
    execution = machine({"F": {"Type": "Fail", "ErrorPath": "$.ErrorX"}}).execute({"a": 1})
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith(
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{\"a\":1}'"
    )


def test_succeed_applies_input_and_output_path() -> None:
    sm = machine({"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}})
    assert sm.execute({"a": {"b": 5}}).output == 5


# --- Parallel -------------------------------------------------------------------------------


def branch(name: str, result: object) -> dict[str, object]:
    return {"StartAt": name, "States": {name: {"Type": "Pass", "Result": result, "End": True}}}


def test_parallel_outputs_in_branch_order() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("A", 1),
                    branch("B", {"b": 2}),
                    {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}},
                ],
                "ResultSelector": {"first.$": "$[0]", "all.$": "$"},
                "ResultPath": "$.out",
                "End": True,
            }
        }
    )
    execution = sm.execute({"in": 0})
    assert execution.output == {"in": 0, "out": {"first": 1, "all": [1, {"b": 2}, {"in": 0}]}}
    assert execution.path == ["P"]
    assert execution.path_in("P", 1) == ["B"]
    types = [e.type for e in execution.history]
    assert types[:4] == [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
    ]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    started = execution.events("ParallelStateStarted")[0].id
    firsts = execution.events("PassStateEntered")
    assert all(e.previous_event_id == started for e in firsts)


def test_parallel_branch_failure_propagates_the_branch_error() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("A", 1),
                    {
                        "StartAt": "F",
                        "States": {"F": {"Type": "Fail", "Error": "BranchBoom", "Cause": "c"}},
                    },
                ],
                "Catch": [{"ErrorEquals": ["BranchBoom"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    execution = sm.execute({})
    assert execution.path == ["P", "Caught"]
    assert execution.output == {"Error": "BranchBoom", "Cause": "c"}
    assert "ParallelStateFailed" in [e.type for e in execution.history]


def test_branch_variables_do_not_leak() -> None:
    sm = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {
                            "A": {
                                "Type": "Pass",
                                "Assign": {"y": 2},
                                "Parameters": {"x.$": "$x"},
                                "End": True,
                            }
                        },
                    }
                ],
                "Next": "Read",
            },
            "Read": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": True},
        }
    )
    execution = sm.execute({})
    assert execution.output == {"x": 1}
    assert execution.state("P").output == [{"x": 1}]


# --- Map ------------------------------------------------------------------------------------


def map_state(**fields: object) -> dict[str, object]:
    processor = fields.pop(
        "processor", {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    )
    return {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}}


@pytest.mark.parametrize(
    ("fields", "value", "expected"),
    [
        ({}, [1, 2, 3], [1, 2, 3]),
        ({"ItemsPath": "$.items"}, {"items": []}, []),
        (
            {
                "ItemsPath": "$.items",
                "ItemSelector": {
                    "i.$": "$$.Map.Item.Index",
                    "v.$": "$$.Map.Item.Value",
                    "c.$": "$.ctx",
                },
            },
            {"items": ["a", "b"], "ctx": 9},
            [{"i": 0, "v": "a", "c": 9}, {"i": 1, "v": "b", "c": 9}],
        ),
        (
            {"ItemsPath": "$.items", "Parameters": {"v.$": "$$.Map.Item.Value"}},
            {"items": [5]},
            [{"v": 5}],
        ),
        (
            {"ItemsPath": "$.items", "ResultPath": "$.results"},
            {"items": [1]},
            {"items": [1], "results": [1]},
        ),
        ({"MaxConcurrencyPath": "$.c", "ItemsPath": "$.items"}, {"c": 1, "items": [1, 2]}, [1, 2]),
    ],
)
def test_inline_map(fields: dict[str, object], value: object, expected: object) -> None:
    execution = machine(map_state(**fields)).execute(value)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == expected


def test_legacy_iterator() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "Iterator": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Result": 0, "End": True}},
                },
                "End": True,
            }
        }
    )
    assert sm.execute([1, 2]).output == [0, 0]


@pytest.mark.parametrize(
    ("fields", "value", "cause"),
    [
        ({}, {"foo": "bar"}, 'Map state input must be an array but was: {"foo":"bar"}'),
        ({"ItemsPath": "$.x"}, {"x": 1}, 'Reference path "$.x" must point to array.'),
        (
            {"MaxConcurrencyPath": "$.m", "ItemsPath": "$.i"},
            {"m": "NoNumber", "i": []},
            'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.m',
        ),
    ],
)
def test_map_runtime_errors(fields: dict[str, object], value: object, cause: str) -> None:
    execution = machine(map_state(**fields)).execute(value)
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith(cause)


def test_map_iteration_failure_fails_the_map_with_the_iteration_error() -> None:
    processor = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                "Default": "Ok",
            },
            "Bad": {"Type": "Fail", "Error": "SomeFailure", "Cause": "item 2"},
            "Ok": {"Type": "Succeed"},
        },
    }
    execution = machine(map_state(processor=processor)).execute([1, 2, 3])
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "SomeFailure",
        "item 2",
    )
    types = [e.type for e in execution.history]
    assert types[-4:] == [
        "FailStateEntered",
        "MapIterationFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert execution.path_in("M", 0) == ["C", "Ok"]
    assert execution.path_in("M", 1) == ["C", "Bad"]
    assert execution.path_in("M", 2) == []


def test_map_tasks_share_an_invocation_counter() -> None:
    processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    execution = machine(map_state(processor=processor)).execute(
        [1, 2, 3], results={"T": InOrder("a", "b", "c")}
    )
    assert execution.output == ["a", "b", "c"]


def test_distributed_map_runs_a_map_run() -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I",
        "States": {"I": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}},
    }
    execution = machine(map_state(processor=processor, Label="Batch")).execute([1, 2])
    assert execution.output == [{"v": 1}, {"v": 2}]
    types = [e.type for e in execution.history]
    assert types == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    assert execution.events("MapStateStarted")[0].details == {"length": 2}
    links = [(e.id, e.previous_event_id) for e in execution.history]
    # AWS-recorded (Nov 2024): MapStateExited links to MapRunStarted.
    assert links[3:7] == [(4, 3), (5, 4), (6, 5), (7, 4)]
    arn = execution.events("MapRunStarted")[0].details["mapRunArn"]
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:Test/Batch:")


@pytest.mark.parametrize(
    ("tolerance", "failures", "status"),
    [
        ({}, 0, "SUCCEEDED"),
        ({}, 1, "FAILED"),
        ({"ToleratedFailureCount": 1}, 1, "SUCCEEDED"),
        ({"ToleratedFailureCount": 1}, 2, "FAILED"),
        ({"ToleratedFailurePercentage": 50}, 2, "SUCCEEDED"),
        ({"ToleratedFailurePercentage": 49}, 2, "FAILED"),
        ({"ToleratedFailureCountPath": "$.n"}, 2, "SUCCEEDED"),
    ],
)
def test_distributed_map_tolerated_failures(
    tolerance: dict[str, object], failures: int, status: str
) -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    }
    sm = machine(map_state(processor=processor, ItemsPath="$.items", **tolerance))
    answers = InOrder(*([Throw("Bad")] * failures + ["ok"] * (4 - failures)))
    execution = sm.execute({"items": [1, 2, 3, 4], "n": 2}, results={"T": answers})
    assert execution.status == status
    if status == "FAILED":
        assert execution.error == "States.ExceedToleratedFailureThreshold"
        assert execution.cause == "The specified tolerated failure threshold was exceeded"


# --- Context object, determinism, misc ------------------------------------------------------


def test_context_object() -> None:
    sm = machine({"P": {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}})
    execution = sm.execute({"a": 1}, name="run-1", start_time=START)
    assert execution.output["ctx"] == {
        "Execution": {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:Test:run-1",
            "Input": {"a": 1},
            "StartTime": "2024-01-01T00:00:00.000Z",
            "Name": "run-1",
            "RoleArn": "arn:aws:iam::123456789012:role/pytest-sfn-execution-role",
            "RedriveCount": 0,
        },
        "State": {"Name": "P", "EnteredTime": "2024-01-01T00:00:00.000Z"},
        "StateMachine": {
            "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Test",
            "Name": "Test",
        },
    }


def test_task_token_only_for_callback_tasks() -> None:
    sm = machine(
        {
            "Cb": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                   "Parameters": {"token.$": "$$.Task.Token"}, "Next": "Plain"},
            "Plain": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"ctx.$": "$$"}, "End": True},
        }
    )  # fmt: skip
    calls = []
    execution = sm.execute(
        {},
        results={
            "Cb": lambda r: calls.append(r) or {"cb": 1},
            "Plain": lambda r: calls.append(r) or 1,
        },
    )
    assert execution.status == "SUCCEEDED"
    assert calls[0].task_token and calls[0].parameters["token"] == calls[0].task_token
    assert "Task" not in calls[1].parameters["ctx"]
    assert [e.type for e in execution.history][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


def test_same_seed_same_result_different_seed_different_uuid() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Pass",
                "Parameters": {"u.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"},
                "End": True,
            }
        }
    )
    a, b, c = sm.execute({}, seed=1), sm.execute({}, seed=1), sm.execute({}, seed=2)
    assert a.output == b.output and a.name == b.name
    assert a.output["u"] != c.output["u"]


def test_unmocked_task_raises_a_mock_error_naming_the_state() -> None:
    sm = machine({"Charge": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    with pytest.raises(UnmockedTaskError, match="'Charge'.*did you mean 'Charg'|'Charge'"):
        sm.execute({}, results={"Charg": 1})


def test_task_result_over_256_kib_is_data_limit_exceeded_and_catchable() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, results={"T": "x" * 262_144})
    assert execution.path == ["T", "Caught"]
    assert execution.output["Error"] == "States.DataLimitExceeded"


def test_history_limit() -> None:
    sm = machine(
        {
            "L": {"Type": "Pass", "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "End"}],
                "Default": "L",
            },
            "End": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, history_limit=50)
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert len(execution.history) == 50
    described = execution.describe()
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE",
        "Execution history event limit exceeded.",
    )


def test_retry_count_only_in_retryable_states() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"s.$": "$$.State"},
                "Next": "P",
            },
            "P": {"Type": "Pass", "Parameters": {"s.$": "$$.State"}, "End": True},
        }
    )
    seen = []
    execution = sm.execute({}, results={"T": lambda r: seen.append(r.parameters["s"]) or {}})
    assert list(seen[0]) == ["Name", "EnteredTime", "RetryCount"]
    assert execution.output == {"s": {"Name": "P", "EnteredTime": "2024-01-01T00:00:00.000Z"}}


def test_context_timestamps_have_milliseconds() -> None:
    sm = machine(
        {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "End": True},
        }
    )
    start = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    assert sm.execute({}, start_time=start).output == {"t": "2024-05-06T07:08:10.123Z"}


def test_oversized_state_output_fails_without_exit_event() -> None:
    sm = machine({"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * (257 * 1024)}, "End": True}})
    execution = sm.execute({})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        "The state/task 'State_1' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )
    assert [e.type for e in execution.history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "ExecutionFailed",
    ]


@pytest.mark.parametrize(
    ("resource", "named"),
    [
        ("arn:aws:states:::lambda:invoke", "lambda"),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:Big",
            "arn:aws:lambda:us-east-1:123456789012:function:Big",
        ),
    ],
)
def test_oversized_task_result_names_the_integration(resource: str, named: str) -> None:
    sm = machine({"T": {"Type": "Task", "Resource": resource, "End": True}})
    execution = sm.execute({}, results={"T": "é" * 140_000})  # 280,000 bytes of UTF-8
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause.startswith(f"The state/task '{named}' returned a result")


@pytest.mark.parametrize(
    ("states", "status", "expected"),
    [
        ({"P": {"Type": "Pass", "End": True}}, "SUCCEEDED",
         {"redriveStatus": "NOT_REDRIVABLE", "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"}),
        ({"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}, "FAILED",
         {"redriveStatus": "REDRIVABLE", "error": "E", "cause": "C"}),
        ({"F": {"Type": "Fail"}}, "FAILED", {"redriveStatus": "REDRIVABLE"}),
    ],
)  # fmt: skip
def test_describe(states: dict[str, object], status: str, expected: dict[str, str]) -> None:
    described = machine(states).execute({"a": 1}, name="n").describe()
    assert described["status"] == status
    assert described["input"] == '{"a":1}'
    assert {k: described[k] for k in expected} == expected
    assert ("error" in described) is ("error" in expected)
    assert ("output" in described) is (status == "SUCCEEDED")


def test_describe_timed_out_has_no_error() -> None:
    sm = machine({"W": {"Type": "Wait", "Seconds": 60, "End": True}}, TimeoutSeconds=1)
    execution = sm.execute({})
    described = execution.describe()
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    assert execution.error == "States.Timeout"


def test_distributed_tolerance_errors_come_after_map_state_started() -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "H",
        "States": {"H": {"Type": "Pass", "End": True}},
    }
    sm = machine(
        map_state(processor=processor, ItemsPath="$.Items", ToleratedFailureCountPath="$.T")
    )
    execution = sm.execute({"Items": [0], "T": {}})
    assert [(e.id, e.previous_event_id, e.type) for e in execution.history][1:] == [
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "ExecutionFailed"),
    ]
    assert execution.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). The "
        'ToleratedFailureCountPath field refers to value "{}" which is not a valid integer: $.T'
    )


def test_parallel_exit_links_to_last_branch_event() -> None:
    sm = machine(
        {"P": {"Type": "Parallel", "Branches": [branch("A", 1), branch("B", 2)], "End": True}}
    )
    history = sm.execute({}).history
    succeeded = next(e for e in history if e.type == "ParallelStateSucceeded")
    exited = next(e for e in history if e.type == "ParallelStateExited")
    assert exited.previous_event_id == succeeded.previous_event_id == succeeded.id - 1


def test_state_records_are_in_entry_order() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "Next": "After",
            },
            "After": {"Type": "Succeed"},
        }
    )
    execution = sm.execute([1, 2])
    assert [(r.name, r.scope) for r in execution.states] == [
        ("M", ()),
        ("I", ("M", 0)),
        ("I", ("M", 1)),
        ("After", ()),
    ]


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    import gc

    sm = machine({"P": {"Type": "Pass", "End": True}})
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        sm.execute({})
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_mock_errors_fail_ends_the_execution_unseen_by_catch() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                "End": True,
            },
            "C": {"Type": "Succeed"},
        }
    )
    with pytest.raises(UnmockedTaskError):
        sm.execute({})
    execution = sm.execute({}, mock_errors="fail")
    assert execution.status == "FAILED"
    assert execution.error == "pytest_sfn.UnmockedTask"
    assert "'T'" in execution.cause
    assert [e.type for e in execution.history][-2:] == ["TaskScheduled", "ExecutionFailed"]


def test_null_input_is_not_the_empty_object() -> None:
    sm = machine({"P": {"Type": "Pass", "End": True}})
    assert sm.execute().output == {}
    assert sm.execute(None).output is None


def test_negative_max_concurrency_fails_clearly() -> None:
    execution = machine(map_state(ItemsPath="$.v", MaxConcurrencyPath="$.m")).execute(
        {"v": [1], "m": -1}
    )
    assert execution.error == "States.Runtime"
    assert "MaxConcurrency must not be negative" in execution.cause


def test_virtual_time_has_millisecond_precision() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 3, "JitterStrategy": "FULL"}],
                "End": True,
            }
        }
    )
    execution = sm.execute({}, results={"T": InOrder(Throw("X"), Throw("X"), 1)})
    assert all(e.timestamp.microsecond % 1000 == 0 for e in execution.history)
    assert execution.stop_time > execution.start_time


DISTRIBUTED = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "IteratorInner",
    "States": {"IteratorInner": {"Type": "Pass", "End": True}},
}


def test_result_writer_export_returns_the_map_run_descriptor() -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "result-bucket", "Prefix": "mapJobs"},
    }
    sm = machine(map_state(processor=DISTRIBUTED, ResultWriter=writer, Label="TestMap"))
    execution = sm.execute(["Hello", "World"])
    arn = execution.events("MapRunStarted")[0].details["mapRunArn"]
    run_id = arn.rsplit(":", 1)[1]
    assert execution.output == {
        "MapRunArn": arn,
        "ResultWriterDetails": {
            "Bucket": "result-bucket",
            "Key": f"mapJobs/{run_id}/manifest.json",
        },
    }


@pytest.mark.parametrize(
    ("transformation", "expected"),
    [("COMPACT", [[1, 2], 3]), ("FLATTEN", [1, 2, 3])],
)
def test_result_writer_config_reshapes_results(transformation: str, expected: object) -> None:
    writer = {"WriterConfig": {"Transformation": transformation, "OutputType": "JSON"}}
    sm = machine(map_state(processor=DISTRIBUTED, ResultWriter=writer))
    assert sm.execute([[1, 2], 3]).output == expected


@pytest.mark.parametrize("mode", ["INLINE", "DISTRIBUTED"])
def test_unanswered_task_in_a_map_is_not_caught_by_the_map(mode: str) -> None:
    processor = {
        "ProcessorConfig": {"Mode": mode, "ExecutionType": "STANDARD"}
        if mode == "DISTRIBUTED"
        else {"Mode": mode},
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    }
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": processor,
                "ToleratedFailurePercentage": 100,
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
        if mode == "DISTRIBUTED"
        else {
            "M": {
                "Type": "Map",
                "ItemProcessor": processor,
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    execution = sm.execute([1], mock_errors="fail")
    assert execution.status == "FAILED"
    assert execution.error == "pytest_sfn.UnmockedTask"
    assert execution.state("M").attempts == 1


def test_unanswered_task_in_a_parallel_is_not_caught_by_the_parallel() -> None:
    branch = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                "End": True,
            },
            "C": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({}, mock_errors="fail")
    assert (execution.status, execution.error) == ("FAILED", "pytest_sfn.UnmockedTask")


def test_inline_map_accepts_tolerated_failure_fields() -> None:
    # AWS-recorded: accepted on an INLINE Map, and without effect there.
    execution = machine(map_state(ToleratedFailureCount=1)).execute([1])
    assert execution.output == [1]


def test_max_concurrency_path_accepts_a_numeric_string() -> None:
    execution = machine(map_state(ItemsPath="$.v", MaxConcurrencyPath="$.m")).execute(
        {"v": [1, 2], "m": "1"}
    )
    assert execution.output == [1, 2]


def test_context_object_key_order() -> None:
    sm = machine({"P": {"Type": "Pass", "Parameters": {"c.$": "$$"}, "End": True}})
    assert list(sm.execute({}).output["c"]) == ["Execution", "StateMachine", "State"]
