"""The AWS Step Functions Local mock example, run unchanged.

`statemachines/LambdaSQSIntegration.asl.json` and `mocks/MockConfigFile.json` are the
state machine and mock file of the Step Functions Local documentation ("Using mocked
service integrations"), byte for byte in content. A suite written for Step Functions Local
keeps its mock file: the marker's `scenario=` names the test case, as the
`<state machine ARN>#<TestCase>` of `StartExecution` does.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import pytest_sfn
from pytest_sfn.plugin import SfnHarness

HERE = Path(__file__).parent
DEFINITION = HERE.parent / "statemachines" / "LambdaSQSIntegration.asl.json"
MOCK_CONFIG = HERE.parent / "mocks" / "MockConfigFile.json"
ROLE = "arn:aws:iam::123456789012:role/DummyRole"
LAMBDA_RESULT = {"StatusCode": 200, "body": "Hello from Lambda!"}
SQS_RESULT = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}

pytestmark = pytest.mark.sfn(
    definition="../statemachines/LambdaSQSIntegration.asl.json",
    mocks="../mocks/MockConfigFile.json",
)


@pytest.mark.sfn(scenario="HappyPath")
def test_happy_path(sfn: SfnHarness) -> None:
    execution = sfn.execute({"greeting": "hi"})

    execution.assert_succeeded().assert_path(["LambdaState", "SQSState"])
    assert execution.output == SQS_RESULT
    assert execution.calls("SQSState")[0].parameters == {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
        "MessageBody": {"StatusCode": 200, "Payload": LAMBDA_RESULT},
    }


@pytest.mark.sfn(scenario="RetryPath")
def test_retry_path(sfn: SfnHarness) -> None:
    execution = sfn.execute({"greeting": "hi"})

    execution.assert_succeeded()
    lambda_calls = execution.calls("LambdaState")
    assert [call.error for call in lambda_calls] == [
        "Lambda.ResourceNotReadyException",  # "0"
        "Lambda.TimeoutException",  # "1-2"
        "Lambda.TimeoutException",
        None,  # "3"
    ]
    # IntervalSeconds 2, BackoffRate 2: 2 + 4 + 8 virtual seconds of back-off.
    assert lambda_calls[-1].started_at - lambda_calls[0].started_at == timedelta(seconds=14)


@pytest.mark.sfn(scenario="LambdaSQSIntegration#HappyPath")  # the machine named explicitly
def test_test_case_with_the_machine_name(sfn: SfnHarness) -> None:
    assert sfn.execute({}).output == SQS_RESULT


@pytest.mark.sfn(
    scenario="HybridPath",
    # Step Functions Local calls the real SQS for the state HybridPath leaves unmocked;
    # here the test answers it.
    results={"SQSState": {"MessageId": "from-the-test", "MD5OfMessageBody": "0" * 32}},
)
def test_hybrid_path(sfn: SfnHarness) -> None:
    execution = sfn.execute({})

    assert execution.output == {"MessageId": "from-the-test", "MD5OfMessageBody": "0" * 32}


def test_through_the_client_as_with_step_functions_local(sfn_client: Any) -> None:
    # The calls a Step Functions Local suite makes, against the in-process client.
    arn = sfn_client.create_state_machine(
        name="LambdaSQSIntegration", definition=DEFINITION.read_text(), roleArn=ROLE
    )["stateMachineArn"]

    for test_case in ("HappyPath", "RetryPath"):
        started = sfn_client.start_execution(
            stateMachineArn=f"{arn}#{test_case}", name=f"exec-{test_case}", input="{}"
        )
        described = sfn_client.describe_execution(executionArn=started["executionArn"])

        assert started["executionArn"] == (
            f"arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:exec-{test_case}"
        )
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == SQS_RESULT


def test_local_client_reads_the_mock_config_file() -> None:
    # Without pytest fixtures: the SFN_MOCK_CONFIG file of Step Functions Local.
    client = pytest_sfn.local_client(mock_config=str(MOCK_CONFIG))
    arn = client.create_state_machine(
        name="LambdaSQSIntegration", definition=DEFINITION.read_text(), roleArn=ROLE
    )["stateMachineArn"]

    started = client.start_execution(stateMachineArn=f"{arn}#RetryPath", input="{}")
    history = client.get_execution_history(executionArn=started["executionArn"])["events"]

    assert [e["type"] for e in history].count("TaskFailed") == 3
    assert history[-1]["type"] == "ExecutionSucceeded"
