"""``.sync`` jobs through BotocoreTasks: start, poll under the virtual clock, AWS's results."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from pytest_sfn import StateMachine
from pytest_sfn.errors import MockError
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

S = "arn:aws:states:::"
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/main/abc"


def client(service: str) -> Any:
    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    return session.create_client(service, region_name="us-east-1")


def machine(resource: str, parameters: dict[str, Any], **fields: Any) -> StateMachine:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
    catch = {"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}
    states: dict[str, Any] = {
        "Job": {**state, **fields, **catch},
        "Caught": {"Type": "Pass", "End": True},
    }
    return StateMachine.from_definition({"StartAt": "Job", "States": states})


def ecs_task(status: str, exit_code: int | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app"}
    if exit_code is not None:
        container["exitCode"] = exit_code
    return {"taskArn": TASK_ARN, "lastStatus": status, "containers": [container]}


def run_ecs(polls: list[dict[str, Any]], **tasks_options: Any) -> Any:
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_response(
            "run_task",
            {"tasks": [ecs_task("PROVISIONING")]},
            {"cluster": "main", "taskDefinition": "app:1", "launchType": "FARGATE"},
        )
        for task in polls:
            stubber.add_response(
                "describe_tasks", {"tasks": [task]}, {"cluster": "main", "tasks": [TASK_ARN]}
            )
        sm = machine(
            S + "ecs:runTask.sync",
            {"Cluster": "main", "TaskDefinition": "app:1", "LaunchType": "FARGATE"},
        )
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"ecs": ecs}, **tasks_options))
        stubber.assert_no_pending_responses()
    return execution


def test_ecs_run_task_sync_polls_until_stopped_and_returns_the_task() -> None:
    execution = run_ecs([ecs_task("RUNNING"), ecs_task("RUNNING"), ecs_task("STOPPED", 0)])

    assert execution.path == ["Job"]
    assert execution.output == {
        "TaskArn": TASK_ARN,
        "LastStatus": "STOPPED",
        "Containers": [{"Name": "app", "ExitCode": 0}],
    }
    # three polls, 10 virtual seconds apart, nothing slept
    record = execution.state("Job")
    assert (record.exited_at - record.entered_at).total_seconds() == 30


def test_the_poll_interval_is_configurable() -> None:
    execution = run_ecs([ecs_task("STOPPED", 0)], poll_interval=60)
    record = execution.state("Job")
    assert (record.exited_at - record.entered_at).total_seconds() == 60


@pytest.mark.parametrize("exit_code", [1, None])
def test_ecs_container_failure_is_states_task_failed_with_the_task_as_cause(
    exit_code: int | None,
) -> None:
    execution = run_ecs([ecs_task("STOPPED", exit_code)])

    assert execution.path == ["Job", "Caught"]
    assert execution.output["Error"] == "States.TaskFailed"
    cause = json.loads(execution.output["Cause"])
    assert cause["TaskArn"] == TASK_ARN and cause["LastStatus"] == "STOPPED"


def test_the_task_timeout_applies_to_the_virtual_duration() -> None:
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_response("run_task", {"tasks": [ecs_task("PENDING")]})
        for _ in range(3):
            stubber.add_response("describe_tasks", {"tasks": [ecs_task("RUNNING")]})
        stubber.add_response("describe_tasks", {"tasks": [ecs_task("STOPPED", 0)]})
        sm = machine(S + "ecs:runTask.sync", {"TaskDefinition": "app:1"}, TimeoutSeconds=25)
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"ecs": ecs}))
    assert execution.output["Error"] == "States.Timeout"


def test_a_job_that_never_finishes_is_a_test_error() -> None:
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_response("run_task", {"tasks": [ecs_task("PENDING")]})
        for _ in range(3):
            stubber.add_response("describe_tasks", {"tasks": [ecs_task("RUNNING")]})
        sm = machine(S + "ecs:runTask.sync", {"TaskDefinition": "app:1"})
        with pytest.raises(MockError, match="still running after 3 polls of DescribeTasks"):
            sm.execute({}, tasks=BotocoreTasks(clients={"ecs": ecs}, max_polls=3))


@pytest.mark.parametrize(
    ("state", "caught"),
    [("SUCCEEDED", False), ("FAILED", True), ("TIMEOUT", True), ("STOPPED", True)],
)
def test_glue_start_job_run_sync(state: str, caught: bool) -> None:
    glue = client("glue")
    with Stubber(glue) as stubber:
        stubber.add_response(
            "start_job_run", {"JobRunId": "jr_1"}, {"JobName": "etl", "Arguments": {"--day": "1"}}
        )
        stubber.add_response(
            "get_job_run",
            {"JobRun": {"Id": "jr_1", "JobName": "etl", "JobRunState": "RUNNING"}},
            {"JobName": "etl", "RunId": "jr_1"},
        )
        stubber.add_response(
            "get_job_run", {"JobRun": {"Id": "jr_1", "JobName": "etl", "JobRunState": state}}
        )
        sm = machine(S + "glue:startJobRun.sync", {"JobName": "etl", "Arguments": {"--day": "1"}})
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"glue": glue}))
    job_run = {"Id": "jr_1", "JobName": "etl", "JobRunState": state}
    if caught:
        assert execution.output == {
            "Error": "States.TaskFailed",
            "Cause": json.dumps(job_run, separators=(",", ":")),
        }
    else:
        assert execution.output == job_run


@pytest.mark.parametrize(("status", "caught"), [("SUCCEEDED", False), ("FAILED", True)])
def test_batch_submit_job_sync(status: str, caught: bool) -> None:
    batch = client("batch")
    job = {
        "jobName": "nightly",
        "jobId": "j-1",
        "jobQueue": "q",
        "status": status,
        "startedAt": 1,
        "jobDefinition": "d",
    }
    with Stubber(batch) as stubber:
        stubber.add_response(
            "submit_job",
            {"jobName": "nightly", "jobId": "j-1"},
            {"jobName": "nightly", "jobQueue": "q", "jobDefinition": "d"},
        )
        stubber.add_response(
            "describe_jobs", {"jobs": [{**job, "status": "RUNNING"}]}, {"jobs": ["j-1"]}
        )
        stubber.add_response("describe_jobs", {"jobs": [job]}, {"jobs": ["j-1"]})
        sm = machine(
            S + "batch:submitJob.sync",
            {"JobName": "nightly", "JobQueue": "q", "JobDefinition": "d"},
        )
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"batch": batch}))
    expected = {
        "JobName": "nightly",
        "JobId": "j-1",
        "JobQueue": "q",
        "Status": status,
        "StartedAt": 1,
        "JobDefinition": "d",
    }
    if caught:
        assert execution.output["Error"] == "States.TaskFailed"
        assert json.loads(execution.output["Cause"]) == expected
    else:
        assert execution.output == expected


@pytest.mark.parametrize(
    ("state", "caught"), [("SUCCEEDED", False), ("FAILED", True), ("CANCELLED", True)]
)
def test_athena_start_query_execution_sync(state: str, caught: bool) -> None:
    athena = client("athena")
    done = datetime(2024, 1, 1, 0, 1, tzinfo=timezone.utc)
    with Stubber(athena) as stubber:
        stubber.add_response(
            "start_query_execution", {"QueryExecutionId": "q-1"}, {"QueryString": "SELECT 1"}
        )
        stubber.add_response(
            "get_query_execution",
            {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "QUEUED"}}},
            {"QueryExecutionId": "q-1"},
        )
        stubber.add_response(
            "get_query_execution",
            {
                "QueryExecution": {
                    "QueryExecutionId": "q-1",
                    "Status": {"State": state, "CompletionDateTime": done},
                }
            },
        )
        sm = machine(S + "athena:startQueryExecution.sync", {"QueryString": "SELECT 1"})
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"athena": athena}))
    result = {
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": {"State": state, "CompletionDateTime": "2024-01-01T00:01:00Z"},
        }
    }
    if caught:
        assert json.loads(execution.output["Cause"]) == result
    else:
        assert execution.output == result


def test_start_errors_use_the_optimized_error_names() -> None:
    glue = client("glue")
    with Stubber(glue) as stubber:
        stubber.add_client_error(
            "start_job_run", "EntityNotFoundException", "no such job", http_status_code=400
        )
        sm = machine(S + "glue:startJobRun.sync", {"JobName": "etl"})
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"glue": glue}))
    assert execution.output["Error"] == "Glue.EntityNotFoundException"
    assert execution.output["Cause"].startswith("no such job (Service: AWSGlue; Status Code: 400;")


def test_request_response_run_task_returns_pascal_case_with_sdk_metadata() -> None:
    ecs = client("ecs")
    with Stubber(ecs) as stubber:
        stubber.add_response("run_task", {"tasks": [ecs_task("PENDING")], "failures": []})
        sm = StateMachine.from_definition(
            {
                "StartAt": "Job",
                "States": {
                    "Job": {
                        "Type": "Task",
                        "Resource": S + "ecs:runTask",
                        "Parameters": {"TaskDefinition": "app:1"},
                        "End": True,
                    }
                },
            }
        )
        execution = sm.execute({}, tasks=BotocoreTasks(clients={"ecs": ecs}))
    assert execution.output["Tasks"] == [
        {"TaskArn": TASK_ARN, "LastStatus": "PENDING", "Containers": [{"Name": "app"}]}
    ]
    assert execution.output["Failures"] == []
    assert set(execution.output) == {"Tasks", "Failures", "SdkHttpMetadata", "SdkResponseMetadata"}
