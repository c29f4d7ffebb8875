"""Step Functions Local mock configurations through ``local_client(mock_config=...)``.

The state machine and mock file are the AWS documentation's example (aws-spec.md §7.2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import local_client

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
MACHINE = {
    "Comment": "This state machine is called: LambdaSQSIntegration",
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                    "BackoffRate": 2,
                }  # fmt: skip
            ],
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                "MessageBody.$": "$",
            },
            "End": True,
        },
    },
}
LAMBDA_OK = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_OK = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}
NOT_READY = {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}
TIMEOUT = {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}
MOCKS = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": LAMBDA_OK}},
        "LambdaMockedResourceNotReady": {"0": {"Throw": NOT_READY}},
        "MockedSQSSuccess": {"0": {"Return": SQS_OK}},
        "MockedLambdaRetry": {
            "0": {"Throw": NOT_READY},
            "1-2": {"Throw": TIMEOUT},
            "3": {"Return": LAMBDA_OK},
        },
    },
}


def setup(mock_config: Any = MOCKS, **extra: Any) -> tuple[Any, str]:
    client = local_client(mock_config=mock_config, **extra)
    arn = client.create_state_machine(
        name="LambdaSQSIntegration", definition=json.dumps(MACHINE), roleArn=ROLE
    )["stateMachineArn"]
    return client, arn


def run(client: Any, arn: str, case: str, **extra: Any) -> tuple[dict[str, Any], list[Any]]:
    execution = client.start_execution(stateMachineArn=f"{arn}#{case}", name=case, **extra)
    described = client.describe_execution(executionArn=execution["executionArn"])
    events = client.get_execution_history(executionArn=execution["executionArn"])["events"]
    return described, events


def test_happy_path() -> None:
    client, arn = setup()
    described, events = run(client, arn, "HappyPath", input='{"hello": "world"}')
    assert described["executionArn"] == (
        "arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:HappyPath"
    )
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == SQS_OK
    succeeded = [e for e in events if e["type"] == "TaskSucceeded"]
    assert [json.loads(e["taskSucceededEventDetails"]["output"]) for e in succeeded] == [
        LAMBDA_OK,
        SQS_OK,
    ]
    scheduled = [e["taskScheduledEventDetails"] for e in events if e["type"] == "TaskScheduled"]
    assert json.loads(scheduled[0]["parameters"]) == {
        "Payload": {"hello": "world"},
        "FunctionName": "HelloWorldFunction",
    }
    assert json.loads(scheduled[1]["parameters"])["MessageBody"] == LAMBDA_OK


def test_retry_path_consumes_one_entry_per_attempt() -> None:
    client, arn = setup()
    described, events = run(client, arn, "RetryPath")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == SQS_OK
    failures = [
        (e["taskFailedEventDetails"]["error"], e["taskFailedEventDetails"]["cause"])
        for e in events
        if e["type"] == "TaskFailed"
    ]
    assert failures == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
    ]
    # Back-off 2 + 4 + 8 seconds, on the virtual clock.
    assert (described["stopDate"] - described["startDate"]).total_seconds() == 14
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_hybrid_path_fails_on_the_unmocked_state_without_results() -> None:
    client, arn = setup()
    described, events = run(client, arn, "HybridPath")
    assert described["status"] == "FAILED"
    assert described["error"] == "pytest_sfn.UnmockedTask"
    assert "'SQSState'" in described["cause"] and "'HybridPath'" in described["cause"]
    assert events[-1]["type"] == "ExecutionFailed"
    assert [e["type"] for e in events].count("TaskSucceeded") == 1


def test_hybrid_path_falls_back_to_results() -> None:
    client, arn = setup(results={"SQSState": {"MessageId": "from-results"}})
    described, _ = run(client, arn, "HybridPath")
    assert json.loads(described["output"]) == {"MessageId": "from-results"}


def test_results_do_not_override_the_test_case() -> None:
    client, arn = setup(results={"LambdaState": "ignored", "SQSState": "ignored"})
    described, _ = run(client, arn, "HappyPath")
    assert json.loads(described["output"]) == SQS_OK


def test_running_out_of_entries_fails_the_execution() -> None:
    short = json.loads(json.dumps(MOCKS))
    short["MockedResponses"]["MockedLambdaRetry"] = {"0-1": {"Throw": NOT_READY}}
    client, arn = setup(short)
    described, _ = run(client, arn, "RetryPath")
    assert described["status"] == "FAILED"
    assert described["error"] == "pytest_sfn.UnmockedTask"
    assert described["cause"] == (
        "Task state 'LambdaState' was invoked 3 times but only 2 responses are mocked "
        "(/MockedResponses/MockedLambdaRetry, used by test case 'RetryPath')"
    )


def test_map_iterations_share_one_counter_per_state() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "End": True,
                        }
                    },  # fmt: skip
                },
                "End": True,
            }
        },
    }
    mocks = {
        "StateMachines": {"Mapper": {"TestCases": {"Three": {"Work": "Counting"}}}},
        "MockedResponses": {
            "Counting": {"0": {"Return": "first"}, "1-2": {"Return": "again"}},
        },
    }
    client = local_client(mock_config=mocks)
    arn = client.create_state_machine(
        name="Mapper", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=f"{arn}#Three", input="[1, 2, 3]")
    described = client.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["output"]) == ["first", "again", "again"]


def test_mock_config_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(MOCKS))
    client, arn = setup(str(path))
    assert run(client, arn, "HappyPath")[0]["status"] == "SUCCEEDED"


def test_express_sync_execution_with_a_test_case() -> None:
    client = local_client(mock_config=MOCKS)
    arn = client.create_state_machine(
        name="LambdaSQSIntegration", definition=json.dumps(MACHINE), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    result = client.start_sync_execution(stateMachineArn=f"{arn}#RetryPath")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == SQS_OK
    assert result["billingDetails"]["billedDurationInMilliseconds"] == 14_000
    assert result["stateMachineArn"] == arn


@pytest.mark.parametrize(
    ("mock_config", "case", "message"),
    [
        (MOCKS, "Nope", "Invalid mock test case name 'Nope' for state machine "
         "'LambdaSQSIntegration': state machine 'LambdaSQSIntegration' has no test case 'Nope' "
         "in the mock config; it defines: HappyPath, HybridPath, RetryPath"),
        (MOCKS, "HapyPath", "Invalid mock test case name 'HapyPath' for state machine "
         "'LambdaSQSIntegration': state machine 'LambdaSQSIntegration' has no test case "
         "'HapyPath' in the mock config (did you mean 'HappyPath'?); it defines: HappyPath, "
         "HybridPath, RetryPath"),
        ({"StateMachines": {}, "MockedResponses": {}}, "HappyPath",
         "Invalid mock test case name 'HappyPath' for state machine 'LambdaSQSIntegration': the "
         "mock config has no state machine 'LambdaSQSIntegration'; it defines: none"),
        (None, "HappyPath", "Invalid mock test case name 'HappyPath' for state machine "
         "'LambdaSQSIntegration': local_client() was given no mock_config"),
    ],
)  # fmt: skip
def test_unknown_test_cases_are_invalid_names(mock_config: Any, case: str, message: str) -> None:
    client, arn = setup(mock_config)
    with pytest.raises(ClientError) as info:
        client.start_execution(stateMachineArn=f"{arn}#{case}")
    assert info.value.response["Error"] == {"Code": "InvalidName", "Message": message}
    assert client.list_executions(stateMachineArn=arn)["executions"] == []


def test_a_test_case_suffix_only_selects_mocks_when_starting() -> None:
    client, arn = setup()
    with pytest.raises(ClientError) as info:
        client.describe_state_machine(stateMachineArn=f"{arn}#HappyPath")
    assert info.value.response["Error"]["Code"] == "StateMachineDoesNotExist"


def test_mock_config_from_the_sfn_local_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_sfn import local_client

    mock_file = tmp_path / "MockConfigFile.json"
    mock_file.write_text(
        json.dumps(
            {
                "StateMachines": {"Env": {"TestCases": {"Happy": {"T": "Ok"}}}},
                "MockedResponses": {"Ok": {"0": {"Return": {"from": "env"}}}},
            }
        )
    )
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(mock_file))
    client = local_client()
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        },
    }
    arn = client.create_state_machine(
        name="Env", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    started = client.start_execution(stateMachineArn=f"{arn}#Happy")
    described = client.describe_execution(executionArn=started["executionArn"])
    assert json.loads(described["output"]) == {"from": "env"}
