"""Step Functions Local ``MockConfigFile.json``: the AWS example (aws-spec.md §7.2) unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import StateMachine, TaskOutcome
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.mocks import (
    MockHandler,
    MockSet,
    ResultProvider,
    SfnLocalConfig,
    SfnLocalTestCase,
    load_sfn_local_config,
    split_test_case,
)

# The AWS documentation's example, verbatim.
DEFINITION = """{"Comment":"This state machine is called: LambdaSQSIntegration","StartAt":"LambdaState","States":{
  "LambdaState":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
    "Parameters":{"Payload.$":"$","FunctionName":"HelloWorldFunction"},
    "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":2}],
    "Next":"SQSState"},
  "SQSState":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
    "Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/myQueue","MessageBody.$":"$"},
    "End":true}}}"""
MOCK_FILE = """{"StateMachines":{"LambdaSQSIntegration":{"TestCases":{
    "HappyPath":{"LambdaState":"MockedLambdaSuccess","SQSState":"MockedSQSSuccess"},
    "RetryPath":{"LambdaState":"MockedLambdaRetry","SQSState":"MockedSQSSuccess"},
    "HybridPath":{"LambdaState":"MockedLambdaSuccess"}}}},
 "MockedResponses":{
   "MockedLambdaSuccess":{"0":{"Return":{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}}},
   "LambdaMockedResourceNotReady":{"0":{"Throw":{"Error":"Lambda.ResourceNotReadyException","Cause":"Lambda resource is not ready."}}},
   "MockedSQSSuccess":{"0":{"Return":{"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}},
   "MockedLambdaRetry":{
     "0":{"Throw":{"Error":"Lambda.ResourceNotReadyException","Cause":"Lambda resource is not ready."}},
     "1-2":{"Throw":{"Error":"Lambda.TimeoutException","Cause":"Lambda timed out."}},
     "3":{"Return":{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}}}}}"""
LAMBDA_OK = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_OK = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}


@pytest.fixture
def mock_file(tmp_path: Path) -> Path:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(MOCK_FILE)
    return path


@pytest.fixture
def config(mock_file: Path) -> SfnLocalConfig:
    return load_sfn_local_config(mock_file)


@pytest.fixture
def machine() -> StateMachine:
    return StateMachine.from_definition(DEFINITION, name="LambdaSQSIntegration")


def test_happy_path(config: SfnLocalConfig, machine: StateMachine) -> None:
    handler = MockHandler(config.select("LambdaSQSIntegration#HappyPath"))
    execution = machine.execute({"hello": "world"}, tasks=handler)
    assert execution.status == "SUCCEEDED"
    assert execution.output == SQS_OK
    assert [call.result for call in execution.calls("LambdaState")] == [LAMBDA_OK]
    assert execution.calls("SQSState")[0].parameters["MessageBody"] == LAMBDA_OK
    assert handler.unused() == []


def test_retry_path_consumes_one_entry_per_attempt(
    config: SfnLocalConfig, machine: StateMachine
) -> None:
    handler = MockHandler(config.test_case("LambdaSQSIntegration", "RetryPath"))
    execution = machine.execute({}, tasks=handler)
    assert execution.status == "SUCCEEDED"
    assert execution.output == SQS_OK
    assert [(c.attempt, c.error) for c in execution.calls("LambdaState")] == [
        (0, "Lambda.ResourceNotReadyException"),
        (1, "Lambda.TimeoutException"),
        (2, "Lambda.TimeoutException"),
        (3, None),
    ]
    assert execution.stop_time is not None
    assert (execution.stop_time - execution.start_time).total_seconds() == 2 + 4 + 8
    assert handler.unused() == []


def test_hybrid_path_with_a_fallback(config: SfnLocalConfig, machine: StateMachine) -> None:
    case = config.select("LambdaSQSIntegration#HybridPath")
    handler = case.handler(ResultProvider({"SQSState": {"MessageId": "real service"}}))
    execution = machine.execute({}, tasks=handler)
    assert execution.output == {"MessageId": "real service"}
    assert [answer.describe() for answer in handler.answers] == [
        f"LambdaState response #1 ({config.source}:6 /MockedResponses/MockedLambdaSuccess/0): "
        f"returns {json.dumps(LAMBDA_OK, separators=(',', ':'))}",
        "SQSState: answered by the fallback handler",
    ]


def test_hybrid_path_without_a_fallback_names_the_unmocked_state(
    config: SfnLocalConfig, machine: StateMachine, mock_file: Path
) -> None:
    with pytest.raises(UnmockedTaskError) as info:
        machine.execute({}, tasks=MockHandler(config.select("LambdaSQSIntegration#HybridPath")))
    assert str(info.value) == (
        "Task state 'SQSState' (resource arn:aws:states:::sqs:sendMessage) has no mock in test "
        f"case 'HybridPath' of state machine 'LambdaSQSIntegration' in {mock_file}. Mocked "
        "states: LambdaState."
    )


def test_running_out_of_entries_names_the_mocked_response(
    mock_file: Path, machine: StateMachine
) -> None:
    short = json.loads(MOCK_FILE)
    short["MockedResponses"]["MockedLambdaRetry"] = {"0-1": {"Throw": {"Error": "E", "Cause": "C"}}}
    mock_file.write_text(json.dumps(short, indent=1))
    line = next(
        number
        for number, text in enumerate(mock_file.read_text().splitlines(), 1)
        if text.strip() == '"MockedLambdaRetry": {'
    )
    case = load_sfn_local_config(mock_file).test_case("LambdaSQSIntegration", "RetryPath")
    with pytest.raises(UnmockedTaskError) as info:
        machine.execute({}, tasks=MockHandler(case))
    assert str(info.value) == (
        "Task state 'LambdaState' was invoked 3 times but only 2 responses are mocked "
        f"({mock_file}:{line} /MockedResponses/MockedLambdaRetry, used by test case 'RetryPath')"
    )


def test_a_test_case_is_a_mock_set(config: SfnLocalConfig) -> None:
    case = config.test_case("LambdaSQSIntegration", "RetryPath")
    assert isinstance(case, SfnLocalTestCase) and isinstance(case, MockSet)
    assert (case.machine, case.name) == ("LambdaSQSIntegration", "RetryPath")
    retry = case.states["LambdaState"].responses
    assert [r.throws or r.returns for r in retry] == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        LAMBDA_OK,
    ]
    assert retry[1] is retry[2]  # one "1-2" entry
    assert retry[1].origin == f"{config.source}:11 /MockedResponses/MockedLambdaRetry/1-2"
    merged = MockSet().merged(case)
    assert sorted(merged.states) == ["LambdaState", "SQSState"]


def test_unused_entries_are_reported_with_their_lines(mock_file: Path) -> None:
    config = load_sfn_local_config(mock_file)
    handler = MockHandler(config.test_case("LambdaSQSIntegration", "RetryPath"))
    assert handler.calls == []
    assert handler.unused() == [
        f"LambdaState response #1 ({mock_file}:10 /MockedResponses/MockedLambdaRetry/0) was never used",
        f"LambdaState responses #2-#3 ({mock_file}:11 /MockedResponses/MockedLambdaRetry/1-2) were never used",
        f"LambdaState response #4 ({mock_file}:12 /MockedResponses/MockedLambdaRetry/3) was never used",
        f"SQSState response #1 ({mock_file}:8 /MockedResponses/MockedSQSSuccess/0) was never used",
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("Order#Happy", ("Order", "Happy")),
        ("Order", ("Order", None)),
        ("Order#", ("Order", "")),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:Order#Happy", ("Order", "Happy")),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:Order", ("Order", None)),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:Order:live#Happy", ("Order", "Happy")),
    ],
)
def test_split_test_case(spec: str, expected: tuple[str, str | None]) -> None:
    assert split_test_case(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("LambdaSQSIntegration", "'LambdaSQSIntegration' names no test case: write '<StateMachine>#<TestCase>'"),
        ("LambdaSQSIntegration#HapyPath", "no test case 'HapyPath' in the mock config (did you mean 'HappyPath'?); it defines: HappyPath, HybridPath, RetryPath"),
        ("LambdaSQS#HappyPath", "no state machine 'LambdaSQS'"),
    ],
)  # fmt: skip
def test_select_errors(config: SfnLocalConfig, spec: str, message: str) -> None:
    with pytest.raises(MockError, match=re.escape(message)):
        config.select(spec)


@pytest.mark.parametrize(
    ("responses", "key", "message"),
    [
        ({"R": {"0": {"Return": 1}, "1": {"Return": 2, "Throw": {"Error": "E", "Cause": "C"}}}}, "1",
         "at /MockedResponses/R/1: each entry holds exactly one of 'Return' or 'Throw'"),
        ({"R": {"0": {"Throw": {"Error": "E"}}}}, "Throw", "at /MockedResponses/R/0/Throw: missing key 'Cause'"),
        ({"R": {"0": {"Throw": {"Error": "E", "Cause": None}}}}, "Cause",
         "at /MockedResponses/R/0/Throw/Cause: 'Cause' must be a string, got null"),
        ({"R": {"0": {"Return": 1}, "2-3": {"Return": 1}}}, "2-3",
         "at /MockedResponses/R/2-3: invocation indexes must be consecutive from 0: this entry leaves a gap"),
        ({"R": {"0-1": {"Return": 1}, "1-2": {"Return": 1}}}, "1-2",
         "at /MockedResponses/R/1-2: invocation indexes must be consecutive from 0: this entry overlaps"),
    ],
)  # fmt: skip
def test_file_errors_give_file_and_line(
    tmp_path: Path, responses: Any, key: str, message: str
) -> None:
    path = tmp_path / "mocks.json"
    data = {"MockedResponses": responses, "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}}
    path.write_text(json.dumps(data, indent=2))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if f'"{key}":' in text)
    with pytest.raises(MockError) as info:
        load_sfn_local_config(path)
    assert str(info.value).startswith(f"{path}:{line}: invalid mock config {message}")


def test_a_test_case_handler_is_hybrid() -> None:
    config = load_sfn_local_config(
        {
            "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 1}}},
        }
    )
    handler = config.test_case("M", "T").handler(lambda request: TaskOutcome(output="fallback"))
    assert handler.strict is False
    assert config.source is None
    assert config.test_cases["M"]["T"] == {"S": "R"}
    assert config.responses["R"].origin == "/MockedResponses/R"
