"""History events: types, ids, previousEventId links and detail members, as AWS records them."""

from __future__ import annotations

import json

import pytest

from pytest_sfn import Return, Throw
from pytest_sfn.engine.history import details_member

from ..conftest import machine


def chain(execution) -> list[tuple[int, int, str]]:
    return [(e.id, e.previous_event_id, e.type) for e in execution.history]


def test_pass_only_sequence() -> None:
    execution = machine({"P": {"Type": "Pass", "End": True}}).execute({"a": 1})
    assert chain(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    started, entered, exited, succeeded = (e.to_api() for e in execution.history)
    assert started["executionStartedEventDetails"] == {
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::123456789012:role/pytest-sfn-execution-role",
    }
    assert entered["stateEnteredEventDetails"] == {
        "name": "P",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert exited["stateExitedEventDetails"] == {
        "name": "P",
        "output": '{"a":1}',
        "outputDetails": {"truncated": False},
    }
    assert succeeded["executionSucceededEventDetails"] == {
        "output": '{"a":1}',
        "outputDetails": {"truncated": False},
    }
    assert set(started) == {
        "timestamp",
        "type",
        "id",
        "previousEventId",
        "executionStartedEventDetails",
    }


def test_optimized_lambda_task_sequence() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "End": True,
            }
        }
    )
    execution = sm.execute({}, results={"T": {"StatusCode": 200, "Payload": 1}})
    assert [t for _, _, t in chain(execution)] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    scheduled = execution.events("TaskScheduled")[0].to_api()["taskScheduledEventDetails"]
    assert scheduled == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": "us-east-1",
        "parameters": '{"FunctionName":"f"}',
    }
    succeeded = execution.events("TaskSucceeded")[0].to_api()["taskSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == {"StatusCode": 200, "Payload": 1}


def test_legacy_lambda_arn_sequence() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Hello"
    sm = machine({"T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 5, "End": True}})
    execution = sm.execute({"x": 1}, results={"T": {"y": 2}})
    assert [t for _, _, t in chain(execution)][2:5] == [
        "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
    ]  # fmt: skip
    scheduled = execution.events("LambdaFunctionScheduled")[0].to_api()
    assert scheduled["lambdaFunctionScheduledEventDetails"] == {
        "resource": arn, "input": '{"x":1}', "inputDetails": {"truncated": False}, "timeoutInSeconds": 5,
    }  # fmt: skip
    assert (
        "lambdaFunctionStartedEventDetails"
        not in execution.events("LambdaFunctionStarted")[0].to_api()
    )


def test_legacy_lambda_failure() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Hello"
    execution = machine({"T": {"Type": "Task", "Resource": arn, "End": True}}).execute(
        {}, results={"T": Throw("Exception", "boom")}
    )
    failed = execution.events("LambdaFunctionFailed")[0].to_api()
    assert failed["lambdaFunctionFailedEventDetails"] == {"error": "Exception", "cause": "boom"}
    assert chain(execution)[-1] == (6, 5, "ExecutionFailed")


def test_activity_sequence() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:Approve"
    execution = machine({"T": {"Type": "Task", "Resource": arn, "End": True}}).execute(
        {}, results={"T": {"ok": 1}}
    )
    assert [t for _, _, t in chain(execution)][2:5] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]


def test_uncaught_task_failure_sequence() -> None:
    sm = machine(
        {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}}
    )
    execution = sm.execute({}, results={"T": Throw("SQS.AmazonSQSException", "denied")})
    assert chain(execution)[-2:] == [(5, 4, "TaskFailed"), (6, 5, "ExecutionFailed")]
    assert execution.history[-2].to_api()["taskFailedEventDetails"] == {
        "resourceType": "sqs", "resource": "sendMessage", "error": "SQS.AmazonSQSException", "cause": "denied",
    }  # fmt: skip
    assert execution.history[-1].to_api()["executionFailedEventDetails"] == {
        "error": "SQS.AmazonSQSException", "cause": "denied",
    }  # fmt: skip


def test_callback_sequence_and_timeout() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "TimeoutSeconds": 60,
                "End": True,
            }
        }
    )
    ok = sm.execute({}, results={"T": Return({"answer": 42}, submitted={"MessageId": "m-1"})})
    assert [t for _, _, t in chain(ok)][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    submitted = ok.events("TaskSubmitted")[0].to_api()["taskSubmittedEventDetails"]
    assert submitted["resource"] == "sendMessage.waitForTaskToken"
    assert json.loads(submitted["output"]) == {"MessageId": "m-1"}
    late = sm.execute({}, results={"T": Return({"answer": 42}, duration=61)})
    assert [t for _, _, t in chain(late)][-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert late.history[-1].to_api()["executionFailedEventDetails"] == {"error": "States.Timeout"}


def test_inline_map_links() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    execution = sm.execute([1, 2])
    assert chain(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "PassStateEntered"),
        (6, 5, "PassStateExited"),
        (7, 6, "MapIterationSucceeded"),
        (8, 3, "MapIterationStarted"),
        (9, 8, "PassStateEntered"),
        (10, 9, "PassStateExited"),
        (11, 10, "MapIterationSucceeded"),
        (12, 11, "MapStateSucceeded"),
        (13, 11, "MapStateExited"),  # AWS-recorded: links past MapStateSucceeded
        (14, 13, "ExecutionSucceeded"),
    ]
    assert execution.events("MapStateStarted")[0].to_api()["mapStateStartedEventDetails"] == {
        "length": 2
    }
    assert execution.events("MapIterationStarted")[1].to_api()[
        "mapIterationStartedEventDetails"
    ] == {"name": "M", "index": 1}
    assert "mapStateSucceededEventDetails" not in execution.events("MapStateSucceeded")[0].to_api()


def test_map_with_max_concurrency_one_chains_iterations() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    execution = sm.execute([1, 2])
    second = execution.events("MapIterationStarted")[1]
    # AWS-recorded: links to the previous iteration's last state event, not its MapIterationSucceeded.
    assert second.previous_event_id == execution.events("PassStateExited")[0].id


def test_caught_error_exit_carries_assigned_variables() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Assign": {"why.$": "$.Cause"}, "Next": "After"}
                ],
                "End": True,
            },
            "After": {"Type": "Pass", "Parameters": {"why.$": "$why"}, "End": True},
        }
    )
    execution = sm.execute({}, results={"T": Throw("E", "the cause")})
    exited = execution.events("TaskStateExited")[0].to_api()["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"why": '"the cause"'}
    assert exited["assignedVariablesDetails"] == {"truncated": False}
    assert execution.output == {"why": "the cause"}


def test_exclude_execution_data() -> None:
    execution = machine({"P": {"Type": "Pass", "End": True}}).execute({"secret": 1})
    api = execution.history[1].to_api(include_execution_data=False)
    assert api["stateEnteredEventDetails"] == {"name": "P", "inputDetails": {"truncated": False}}


@pytest.mark.parametrize(
    ("event_type", "member"),
    [
        ("ExecutionStarted", "executionStartedEventDetails"),
        ("PassStateEntered", "stateEnteredEventDetails"),
        ("MapStateExited", "stateExitedEventDetails"),
        ("TaskScheduled", "taskScheduledEventDetails"),
        ("LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"),
        ("MapIterationAborted", "mapIterationAbortedEventDetails"),
        ("MapRunFailed", "mapRunFailedEventDetails"),
        ("EvaluationFailed", "evaluationFailedEventDetails"),
        ("ParallelStateStarted", None),
        ("TaskStateAborted", None),
        ("LambdaFunctionStarted", None),
    ],
)
def test_details_member_names(event_type: str, member: str | None) -> None:
    assert details_member(event_type) == member


def test_timestamps_follow_the_virtual_clock() -> None:
    sm = machine(
        {"W": {"Type": "Wait", "Seconds": 10, "Next": "P"}, "P": {"Type": "Pass", "End": True}}
    )
    execution = sm.execute({})
    stamps = [
        (e.type, (e.timestamp - execution.start_time).total_seconds()) for e in execution.history
    ]
    assert stamps == [
        ("ExecutionStarted", 0), ("WaitStateEntered", 0), ("WaitStateExited", 10),
        ("PassStateEntered", 10), ("PassStateExited", 10), ("ExecutionSucceeded", 10),
    ]  # fmt: skip


FAILING_MAP = {
    "M": {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}},
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
        "End": True,
    }
}


def test_map_failure_and_retry_links_as_aws_records_them() -> None:
    execution = machine(FAILING_MAP).execute([1])
    assert chain(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "FailStateEntered"),
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateStarted"),  # the retry: no MapStateFailed in between
        (8, 7, "MapIterationStarted"),
        (9, 8, "FailStateEntered"),
        (10, 9, "MapIterationFailed"),
        (11, 9, "MapStateFailed"),
        (12, 11, "ExecutionFailed"),
    ]


def test_caught_map_failure_exits_after_map_state_failed() -> None:
    caught = {k: v for k, v in FAILING_MAP["M"].items() if k not in ("Retry", "End")}
    definition = {
        "M": {**caught, "Catch": [{"ErrorEquals": ["Boom"], "Next": "D"}], "Next": "D"},
        "D": {"Type": "Succeed"},
    }
    execution = machine(definition).execute([1])
    assert chain(execution)[5:8] == [
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateFailed"),
        (8, 7, "MapStateExited"),
    ]
