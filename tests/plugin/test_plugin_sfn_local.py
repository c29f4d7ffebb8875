"""The AWS Step Functions Local mock example (aws-spec.md §7.2) runs unchanged."""

from __future__ import annotations

import pytest

# The state machine and MockConfigFile.json exactly as AWS documents them.
DEFINITION = """\
{"Comment":"This state machine is called: LambdaSQSIntegration","StartAt":"LambdaState","States":{
  "LambdaState":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
    "Parameters":{"Payload.$":"$","FunctionName":"HelloWorldFunction"},
    "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":2}],
    "Next":"SQSState"},
  "SQSState":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
    "Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/myQueue","MessageBody.$":"$"},
    "End":true}}}
"""
MOCK_CONFIG = """\
{"StateMachines":{"LambdaSQSIntegration":{"TestCases":{
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
     "3":{"Return":{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}}}}}
"""

SQS_RESULT = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "LambdaSQSIntegration.asl.json").write_text(DEFINITION)
    (pytester.path / "MockConfigFile.json").write_text(MOCK_CONFIG)
    return pytester


def test_test_cases_through_the_marker(project: pytest.Pytester) -> None:
    project.makepyfile(
        f"""
        import pytest

        SQS_RESULT = {SQS_RESULT!r}

        pytestmark = pytest.mark.sfn(
            definition="LambdaSQSIntegration.asl.json", mocks="MockConfigFile.json"
        )

        @pytest.mark.sfn(scenario="HappyPath")
        def test_happy_path(sfn):
            execution = sfn.execute({{"name": "x"}})
            execution.assert_succeeded().assert_path(["LambdaState", "SQSState"])
            assert execution.output == SQS_RESULT
            execution.assert_called_with("LambdaState", {{"Payload": {{"name": "x"}}}})
            assert execution.calls("SQSState")[0].parameters["MessageBody"]["StatusCode"] == 200

        @pytest.mark.sfn(scenario="RetryPath")
        def test_retry_path(sfn):
            execution = sfn.execute({{}})
            assert execution.output == SQS_RESULT
            assert [c.error for c in execution.calls("LambdaState")] == [
                "Lambda.ResourceNotReadyException", "Lambda.TimeoutException",
                "Lambda.TimeoutException", None,
            ]
            # Retry back-off (2, 4, 8 seconds) on the virtual clock.
            assert (execution.stop_time - execution.start_time).total_seconds() == 14

        @pytest.mark.sfn(scenario="HybridPath", results={{"SQSState": {{"MessageId": "real"}}}})
        def test_hybrid_path_with_a_result_for_the_real_service(sfn):
            assert sfn.execute({{}}).output == {{"MessageId": "real"}}

        @pytest.mark.sfn(scenario="LambdaSQSIntegration#HappyPath")
        def test_explicit_machine_name(sfn):
            sfn.execute({{}}).assert_succeeded()
        """
    )
    project.runpytest().assert_outcomes(passed=4)


def test_hybrid_path_without_the_real_service_fails_clearly(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="LambdaSQSIntegration.asl.json", mocks="MockConfigFile.json",
                         scenario="HybridPath")
        def test_it(sfn):
            sfn.execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.UnmockedTaskError: Task state 'SQSState' (resource "
            "arn:aws:states:::sqs:sendMessage) has no mock in test case 'HybridPath' of state "
            "machine 'LambdaSQSIntegration' in *MockConfigFile.json. Mocked states: LambdaState."
        ]
    )


def test_unknown_test_case(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="LambdaSQSIntegration.asl.json", mocks="MockConfigFile.json",
                         scenario="HapyPath")
        def test_it(sfn):
            sfn.execute({})
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: state machine 'LambdaSQSIntegration' has no test "
            "case 'HapyPath' in the mock config (did you mean 'HappyPath'?); it defines: "
            "HappyPath, HybridPath, RetryPath"
        ]
    )


def test_test_case_arns_through_sfn_client(project: pytest.Pytester) -> None:
    """``start_execution(stateMachineArn="<arn>#<TestCase>")`` as with Step Functions Local."""
    project.makepyfile(
        """
        import pytest
        from pathlib import Path

        pytestmark = pytest.mark.sfn(mocks="MockConfigFile.json")

        def test_it(sfn_client):
            arn = sfn_client.create_state_machine(
                name="LambdaSQSIntegration",
                definition=Path("LambdaSQSIntegration.asl.json").read_text(),
                roleArn="arn:aws:iam::123456789012:role/DummyRole",
            )["stateMachineArn"]
            statuses = {}
            for case in ("HappyPath", "RetryPath", "HybridPath"):
                run = sfn_client.start_execution(stateMachineArn=f"{arn}#{case}", name=f"exec-{case}")
                statuses[case] = sfn_client.describe_execution(executionArn=run["executionArn"])
            assert statuses["HappyPath"]["status"] == "SUCCEEDED"
            assert statuses["RetryPath"]["status"] == "SUCCEEDED"
            assert statuses["HybridPath"]["status"] == "FAILED"
            assert statuses["HybridPath"]["error"] == "pytest_sfn.UnmockedTask"
            history = sfn_client.get_execution_history(executionArn=statuses["RetryPath"]["executionArn"])
            failures = [e["type"] for e in history["events"] if e["type"] == "TaskFailed"]
            assert len(failures) == 3

            with pytest.raises(sfn_client.exceptions.InvalidName) as info:
                sfn_client.start_execution(stateMachineArn=f"{arn}#Nope")
            assert "Invalid mock test case name 'Nope'" in str(info.value)
        """
    )
    project.runpytest().assert_outcomes(passed=1)
