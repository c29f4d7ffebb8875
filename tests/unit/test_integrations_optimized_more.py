"""EMR, EMR on EKS, EMR Serverless, CodeBuild, SageMaker, DataBrew, MediaConvert and EKS
optimized integrations through BotocoreTasks (Stubber, and moto where it runs without Docker)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import botocore.session
import moto
import pytest
from botocore.stub import Stubber

from pytest_sfn import StateMachine
from pytest_sfn.integrations.botocore_tasks import OPTIMIZED_INTEGRATIONS, BotocoreTasks
from pytest_sfn.integrations.shapes import OPTIMIZED_APIS
from pytest_sfn.integrations.sync import SYNC_JOBS
from pytest_sfn.model.resource import Resource

S = "arn:aws:states:::"
CLUSTER = "j-2AXXXXXXGAPLF"
STEP = "s-1XXXXXXXXXXA"
ROLE = "arn:aws:iam::123456789012:role/sfn"
BUILD_ID = "app:0c9a7b1e-5f2c-4a11-9c3b-1f2e3d4c5b6a"
BUILD_ARN = f"arn:aws:codebuild:us-east-1:123456789012:build/{BUILD_ID}"
JOB_RUN_ARN = "arn:aws:emr-serverless:us-east-1:123456789012:/applications/app-1/jobruns/jr-1"
TRAINING_ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/train"


def client(service: str) -> Any:
    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    return session.create_client(service, region_name="us-east-1")


def machine(resource: str, parameters: dict[str, Any]) -> StateMachine:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    task = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
    states = {"Job": {**task, "Catch": catch}, "Caught": {"Type": "Pass", "End": True}}
    return StateMachine.from_definition({"StartAt": "Job", "States": states})


def run(resource: str, parameters: dict[str, Any], service: str, calls: list[Any]) -> Any:
    """Execute one Task against a stubbed client: ``calls`` are ``(operation, response,
    expected params)`` or ``(operation, error code)``."""
    stubbed = client(service)
    with Stubber(stubbed) as stubber:
        for call in calls:
            if len(call) == 2:
                stubber.add_client_error(call[0], call[1], "it went wrong", http_status_code=400)
            else:
                stubber.add_response(*call)
        execution = machine(resource, parameters).execute(
            {}, tasks=BotocoreTasks(clients={service: stubbed})
        )
        stubber.assert_no_pending_responses()
    return execution


def duration(execution: Any) -> float:
    record = execution.state("Job")
    return float((record.exited_at - record.entered_at).total_seconds())


# -- EMR ------------------------------------------------------------------------------------

EMR_CLUSTER_PARAMS = {
    "Name": "etl",
    "ReleaseLabel": "emr-6.15.0",
    "Instances": {"KeepJobFlowAliveWhenNoSteps": True, "InstanceCount": 1},
    "JobFlowRole": "EMR_EC2_DefaultRole",
    "ServiceRole": "EMR_DefaultRole",
}


def emr_cluster(state: str) -> dict[str, Any]:
    return {"Cluster": {"Id": CLUSTER, "Name": "etl", "Status": {"State": state}}}


def test_emr_create_cluster_returns_the_cluster_id_without_sdk_metadata() -> None:
    execution = run(
        S + "elasticmapreduce:createCluster",
        EMR_CLUSTER_PARAMS,
        "emr",
        [("run_job_flow", {"JobFlowId": CLUSTER}, EMR_CLUSTER_PARAMS)],
    )
    assert execution.output == {"ClusterId": CLUSTER}


@pytest.mark.parametrize(
    ("final", "caught"),
    [("WAITING", False), ("RUNNING", False), ("TERMINATED_WITH_ERRORS", True)],
)
def test_emr_create_cluster_sync_waits_for_a_ready_cluster(final: str, caught: bool) -> None:
    describe = {"ClusterId": CLUSTER}
    execution = run(
        S + "elasticmapreduce:createCluster.sync",
        EMR_CLUSTER_PARAMS,
        "emr",
        [
            ("run_job_flow", {"JobFlowId": CLUSTER}, EMR_CLUSTER_PARAMS),
            ("describe_cluster", emr_cluster("STARTING"), describe),
            ("describe_cluster", emr_cluster("BOOTSTRAPPING"), describe),
            ("describe_cluster", emr_cluster(final), describe),
        ],
    )
    assert duration(execution) == 30
    if caught:
        assert execution.path == ["Job", "Caught"]
        assert execution.output["Error"] == "States.TaskFailed"
        assert json.loads(execution.output["Cause"]) == emr_cluster(final)
    else:
        assert execution.output == emr_cluster(final)


def test_emr_add_step_sends_one_step_and_returns_its_id() -> None:
    step = {"Name": "s", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {"Jar": "a.jar"}}
    execution = run(
        S + "elasticmapreduce:addStep",
        {"ClusterId": CLUSTER, "Step": step},
        "emr",
        [("add_job_flow_steps", {"StepIds": [STEP]}, {"JobFlowId": CLUSTER, "Steps": [step]})],
    )
    assert execution.output == {"StepId": STEP}


@pytest.mark.parametrize(("final", "caught"), [("COMPLETED", False), ("FAILED", True)])
def test_emr_add_step_sync_polls_describe_step(final: str, caught: bool) -> None:
    step = {"Name": "s", "HadoopJarStep": {"Jar": "a.jar"}}
    described = {"Step": {"Id": STEP, "Status": {"State": final}}}
    execution = run(
        S + "elasticmapreduce:addStep.sync",
        {"ClusterId": CLUSTER, "Step": step},
        "emr",
        [
            ("add_job_flow_steps", {"StepIds": [STEP]}, {"JobFlowId": CLUSTER, "Steps": [step]}),
            (
                "describe_step",
                {"Step": {"Id": STEP, "Status": {"State": "RUNNING"}}},
                {"ClusterId": CLUSTER, "StepId": STEP},
            ),
            ("describe_step", described, {"ClusterId": CLUSTER, "StepId": STEP}),
        ],
    )
    assert (execution.path == ["Job", "Caught"]) is caught
    assert (json.loads(execution.output["Cause"]) if caught else execution.output) == described


@pytest.mark.parametrize(
    ("api", "parameters", "operation", "sent", "response", "result"),
    [
        (
            "terminateCluster",
            {"ClusterId": CLUSTER},
            "terminate_job_flows",
            {"JobFlowIds": [CLUSTER]},
            {},
            {},
        ),
        (
            "setClusterTerminationProtection",
            {"ClusterId": CLUSTER, "TerminationProtected": True},
            "set_termination_protection",
            {"JobFlowIds": [CLUSTER], "TerminationProtected": True},
            {},
            {},
        ),
        (
            "cancelStep",
            {"ClusterId": CLUSTER, "StepId": STEP},
            "cancel_steps",
            {"ClusterId": CLUSTER, "StepIds": [STEP]},
            {"CancelStepsInfoList": [{"StepId": STEP, "Status": "SUBMITTED"}]},
            {"CancelStepsInfoList": [{"StepId": STEP, "Status": "SUBMITTED"}]},
        ),
    ],
)
def test_emr_wrapped_requests(
    api: str,
    parameters: dict[str, Any],
    operation: str,
    sent: dict[str, Any],
    response: dict[str, Any],
    result: dict[str, Any],
) -> None:
    execution = run(S + f"elasticmapreduce:{api}", parameters, "emr", [(operation, response, sent)])
    assert execution.output == result


def test_emr_terminate_cluster_sync_waits_for_terminated() -> None:
    execution = run(
        S + "elasticmapreduce:terminateCluster.sync",
        {"ClusterId": CLUSTER},
        "emr",
        [
            ("terminate_job_flows", {}, {"JobFlowIds": [CLUSTER]}),
            ("describe_cluster", emr_cluster("TERMINATING"), {"ClusterId": CLUSTER}),
            ("describe_cluster", emr_cluster("TERMINATED"), {"ClusterId": CLUSTER}),
        ],
    )
    assert execution.output == emr_cluster("TERMINATED")


def test_emr_create_cluster_sync_with_moto() -> None:
    with moto.mock_aws():
        tasks = BotocoreTasks()
        params = {**EMR_CLUSTER_PARAMS, "Instances": {
            "KeepJobFlowAliveWhenNoSteps": True, "InstanceCount": 1,
            "MasterInstanceType": "m5.xlarge",
        }}  # fmt: skip
        execution = machine(S + "elasticmapreduce:createCluster.sync", params).execute(
            {}, tasks=tasks
        )
    cluster = execution.output["Cluster"]
    assert cluster["Name"] == "etl"
    assert cluster["Status"]["State"] == "WAITING"
    assert cluster["Id"].startswith("j-")


# -- CodeBuild ------------------------------------------------------------------------------


def build(status: str) -> dict[str, Any]:
    return {"id": BUILD_ID, "arn": BUILD_ARN, "buildStatus": status}


@pytest.mark.parametrize(
    ("final", "caught"),
    [("SUCCEEDED", False), ("FAILED", True), ("FAULT", True), ("TIMED_OUT", True)],
)
def test_codebuild_start_build_sync_returns_the_build(final: str, caught: bool) -> None:
    execution = run(
        S + "codebuild:startBuild.sync",
        {"ProjectName": "app"},
        "codebuild",
        [
            ("start_build", {"build": build("IN_PROGRESS")}, {"projectName": "app"}),
            ("batch_get_builds", {"builds": [build("IN_PROGRESS")]}, {"ids": [BUILD_ID]}),
            ("batch_get_builds", {"builds": [build(final)]}, {"ids": [BUILD_ID]}),
        ],
    )
    expected = {"Build": {"Id": BUILD_ID, "Arn": BUILD_ARN, "BuildStatus": final}}
    assert duration(execution) == 20
    if caught:
        assert execution.output["Error"] == "States.TaskFailed"
        assert json.loads(execution.output["Cause"]) == expected
    else:
        assert execution.output == expected


def test_codebuild_start_build_batch_sync_returns_the_batch() -> None:
    batch = {"id": "app:1", "buildBatchStatus": "SUCCEEDED"}
    execution = run(
        S + "codebuild:startBuildBatch.sync",
        {"ProjectName": "app"},
        "codebuild",
        [
            ("start_build_batch", {"buildBatch": {"id": "app:1"}}, {"projectName": "app"}),
            ("batch_get_build_batches", {"buildBatches": [batch]}, {"ids": ["app:1"]}),
        ],
    )
    assert execution.output == {"BuildBatch": {"Id": "app:1", "BuildBatchStatus": "SUCCEEDED"}}


def test_codebuild_stop_build_request_response_has_sdk_metadata() -> None:
    execution = run(
        S + "codebuild:stopBuild",
        {"Id": BUILD_ID},
        "codebuild",
        [("stop_build", {"build": build("STOPPED")}, {"id": BUILD_ID})],
    )
    assert execution.output["Build"]["BuildStatus"] == "STOPPED"
    assert {"SdkHttpMetadata", "SdkResponseMetadata"} <= set(execution.output)


# -- SageMaker ------------------------------------------------------------------------------

TRAINING = {
    "TrainingJobName": "train",
    "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}


def training(status: str) -> dict[str, Any]:
    return {
        "TrainingJobName": "train",
        "TrainingJobArn": TRAINING_ARN,
        "TrainingJobStatus": status,
        "SecondaryStatus": "Completed" if status == "Completed" else "Training",
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "ResourceConfig": {"VolumeSizeInGB": 10},
        "StoppingCondition": {},
        "CreationTime": "2024-01-01T00:00:00Z",
        "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/out/model.tar.gz"},
    }


@pytest.mark.parametrize(
    ("final", "caught"), [("Completed", False), ("Failed", True), ("Stopped", True)]
)
def test_sagemaker_create_training_job_sync(final: str, caught: bool) -> None:
    execution = run(
        S + "sagemaker:createTrainingJob.sync",
        TRAINING,
        "sagemaker",
        [
            ("create_training_job", {"TrainingJobArn": TRAINING_ARN}, TRAINING),
            ("describe_training_job", training("InProgress"), {"TrainingJobName": "train"}),
            ("describe_training_job", training(final), {"TrainingJobName": "train"}),
        ],
    )
    result = json.loads(execution.output["Cause"]) if caught else execution.output
    assert (execution.path == ["Job", "Caught"]) is caught
    assert result["TrainingJobStatus"] == final
    assert result["CreationTime"] == "2024-01-01T00:00:00Z"
    assert result["ModelArtifacts"] == {"S3ModelArtifacts": "s3://bucket/out/model.tar.gz"}


def test_sagemaker_create_model_and_endpoint_config_with_moto() -> None:
    with moto.mock_aws():
        tasks = BotocoreTasks()
        model = machine(
            S + "sagemaker:createModel",
            {"ModelName": "m", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": "img"}},
        ).execute({}, tasks=tasks)
        variant = {
            "VariantName": "v",
            "ModelName": "m",
            "InstanceType": "ml.t2.medium",
            "InitialInstanceCount": 1,
        }
        config = machine(
            S + "sagemaker:createEndpointConfig",
            {"EndpointConfigName": "c", "ProductionVariants": [variant]},
        ).execute({}, tasks=tasks)
    assert model.output["ModelArn"].endswith(":model/m")
    assert config.output["EndpointConfigArn"].endswith(":endpoint-config/c")
    assert config.output["SdkHttpMetadata"]["HttpStatusCode"] == 200


# -- DataBrew, MediaConvert, EMR Serverless, EMR on EKS, EKS --------------------------------


@pytest.mark.parametrize(("final", "caught"), [("SUCCEEDED", False), ("TIMEOUT", True)])
def test_databrew_start_job_run_sync(final: str, caught: bool) -> None:
    run_params = {"Name": "clean", "RunId": "run-1"}
    execution = run(
        S + "databrew:startJobRun.sync",
        {"Name": "clean"},
        "databrew",
        [
            ("start_job_run", {"RunId": "run-1"}, {"Name": "clean"}),
            ("describe_job_run", {"JobName": "clean", "RunId": "run-1", "State": "RUNNING"},
             run_params),
            ("describe_job_run", {"JobName": "clean", "RunId": "run-1", "State": final},
             run_params),
        ],
    )  # fmt: skip
    result = json.loads(execution.output["Cause"]) if caught else execution.output
    assert (execution.path == ["Job", "Caught"]) is caught
    assert result == {"JobName": "clean", "RunId": "run-1", "State": final}


@pytest.mark.parametrize(("final", "caught"), [("COMPLETE", False), ("ERROR", True)])
def test_mediaconvert_create_job_sync(final: str, caught: bool) -> None:
    sent = {"Role": ROLE, "Settings": {}}
    execution = run(
        S + "mediaconvert:createJob.sync",
        sent,
        "mediaconvert",
        [
            ("create_job", {"Job": {"Id": "job-1", "Role": ROLE, "Settings": {}}}, sent),
            ("get_job", {"Job": {"Id": "job-1", "Role": ROLE, "Settings": {},
                                 "Status": "PROGRESSING"}}, {"Id": "job-1"}),
            ("get_job", {"Job": {"Id": "job-1", "Role": ROLE, "Settings": {},
                                 "Status": final}}, {"Id": "job-1"}),
        ],
    )  # fmt: skip
    result = json.loads(execution.output["Cause"]) if caught else execution.output
    assert (execution.path == ["Job", "Caught"]) is caught
    assert result == {"Job": {"Id": "job-1", "Role": ROLE, "Settings": {}, "Status": final}}


@pytest.mark.parametrize(("final", "caught"), [("SUCCESS", False), ("CANCELLED", True)])
def test_emr_serverless_start_job_run_sync(final: str, caught: bool) -> None:
    start = {"applicationId": "app-1", "executionRoleArn": ROLE, "clientToken": "t"}
    ids = {"applicationId": "app-1", "jobRunId": "jr-1"}

    when = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def job_run(state: str) -> dict[str, Any]:
        return {
            "jobRun": {
                "applicationId": "app-1",
                "jobRunId": "jr-1",
                "arn": JOB_RUN_ARN,
                "createdBy": ROLE,
                "createdAt": when,
                "updatedAt": when,
                "executionRole": ROLE,
                "state": state,
                "stateDetails": state.lower(),
                "releaseLabel": "emr-7.0.0",
                "jobDriver": {"sparkSubmit": {"entryPoint": "s3://b/job.py"}},
            }
        }

    execution = run(
        S + "emr-serverless:startJobRun.sync",
        {"ApplicationId": "app-1", "ExecutionRoleArn": ROLE, "ClientToken": "t"},
        "emr-serverless",
        [
            (
                "start_job_run",
                {"applicationId": "app-1", "jobRunId": "jr-1", "arn": JOB_RUN_ARN},
                start,
            ),
            ("get_job_run", job_run("RUNNING"), ids),
            ("get_job_run", job_run(final), ids),
        ],
    )
    result = json.loads(execution.output["Cause"]) if caught else execution.output
    assert (execution.path == ["Job", "Caught"]) is caught
    assert result["JobRun"]["State"] == final
    assert result["JobRun"]["CreatedAt"] == "2024-01-01T00:00:00Z"
    assert result["JobRun"]["JobDriver"] == {"SparkSubmit": {"EntryPoint": "s3://b/job.py"}}


def test_emr_containers_start_job_run_sync() -> None:
    ids = {"id": "jr-1", "virtualClusterId": "vc-1"}
    execution = run(
        S + "emr-containers:startJobRun.sync",
        {"VirtualClusterId": "vc-1", "ReleaseLabel": "emr-6.15.0", "ClientToken": "t"},
        "emr-containers",
        [
            ("start_job_run", {"id": "jr-1", "virtualClusterId": "vc-1"},
             {"virtualClusterId": "vc-1", "releaseLabel": "emr-6.15.0", "clientToken": "t"}),
            ("describe_job_run", {"jobRun": {"id": "jr-1", "state": "COMPLETED"}}, ids),
        ],
    )  # fmt: skip
    assert execution.output == {"JobRun": {"Id": "jr-1", "State": "COMPLETED"}}


def test_eks_create_cluster_sync_waits_for_active() -> None:
    execution = run(
        S + "eks:createCluster.sync",
        {"Name": "k", "RoleArn": ROLE, "ResourcesVpcConfig": {}},
        "eks",
        [
            ("create_cluster", {"cluster": {"name": "k", "status": "CREATING"}},
             {"name": "k", "roleArn": ROLE, "resourcesVpcConfig": {}}),
            ("describe_cluster", {"cluster": {"name": "k", "status": "ACTIVE"}}, {"name": "k"}),
        ],
    )  # fmt: skip
    assert execution.output == {"Cluster": {"Name": "k", "Status": "ACTIVE"}}


# -- error names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "parameters", "service", "operation", "code", "error", "java"),
    [
        ("elasticmapreduce:createCluster", EMR_CLUSTER_PARAMS, "emr", "run_job_flow",
         "InternalServerError", "EMR.AmazonElasticMapReduceException",
         "AmazonElasticMapReduce"),
        ("emr-containers:startJobRun", {"VirtualClusterId": "vc", "ClientToken": "t"},
         "emr-containers", "start_job_run", "ValidationException",
         "EMRContainers.ValidationException", "AmazonEMRContainers"),
        ("emr-serverless:startJobRun", {"ApplicationId": "a", "ExecutionRoleArn": ROLE,
                                        "ClientToken": "t"},
         "emr-serverless", "start_job_run", "ResourceNotFoundException",
         "EMRServerless.ResourceNotFoundException", "AWSEMRServerless"),
        ("codebuild:startBuild", {"ProjectName": "app"}, "codebuild", "start_build",
         "ResourceNotFoundException", "CodeBuild.ResourceNotFoundException", "AWSCodeBuild"),
        ("codebuild:stopBuild", {"Id": BUILD_ID}, "codebuild", "stop_build",
         "ThrottlingException", "CodeBuild.AWSCodeBuildException", "AWSCodeBuild"),
        ("sagemaker:createTrainingJob.sync", TRAINING, "sagemaker", "create_training_job",
         "ResourceLimitExceeded", "SageMaker.AmazonSageMakerException", "AmazonSageMaker"),
        ("databrew:startJobRun", {"Name": "clean"}, "databrew", "start_job_run",
         "ResourceNotFoundException", "DataBrew.ResourceNotFoundException", "AWSGlueDataBrew"),
        ("mediaconvert:createJob", {"Role": ROLE, "Settings": {}}, "mediaconvert",
         "create_job", "TooManyRequestsException", "MediaConvert.TooManyRequestsException",
         "AWSMediaConvert"),
        ("eks:createCluster", {"Name": "k", "RoleArn": ROLE, "ResourcesVpcConfig": {}}, "eks",
         "create_cluster", "ResourceInUseException", "EKS.ResourceInUseException", "AmazonEKS"),
    ],
)  # fmt: skip
def test_service_errors_use_the_family_error_names(
    resource: str,
    parameters: dict[str, Any],
    service: str,
    operation: str,
    code: str,
    error: str,
    java: str,
) -> None:
    execution = run(S + resource, parameters, service, [(operation, code)])
    assert execution.path == ["Job", "Caught"]
    assert execution.output["Error"] == error
    assert execution.output["Cause"].startswith(
        f"it went wrong (Service: {java}; Status Code: 400;"
    )


# -- which resources are answered -----------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "answered"),
    [
        ("elasticmapreduce:createCluster", True),
        ("elasticmapreduce:createCluster.sync", True),
        ("elasticmapreduce:addStep.sync", True),
        ("elasticmapreduce:cancelStep", True),
        ("elasticmapreduce:cancelStep.sync", False),
        ("elasticmapreduce:modifyInstanceFleetByName", False),
        ("elasticmapreduce:modifyInstanceGroupByName", False),
        ("emr-containers:createVirtualCluster", True),
        ("emr-containers:startJobRun.sync", True),
        ("emr-serverless:startJobRun.sync", True),
        ("emr-serverless:createApplication.sync", True),
        ("codebuild:startBuild.sync", True),
        ("codebuild:batchGetReports", True),
        ("codebuild:stopBuild.sync", False),
        ("sagemaker:createTrainingJob.sync", True),
        ("sagemaker:createEndpoint", True),
        ("sagemaker:createEndpoint.sync", False),
        ("databrew:startJobRun.sync", True),
        ("mediaconvert:createJob.sync", True),
        ("eks:createNodegroup.sync", True),
        ("eks:deleteCluster", True),
        ("eks:deleteCluster.sync", False),
        ("eks:call", False),
        ("eks:runJob.sync", False),
        ("apigateway:invoke", False),
        ("sagemaker:createTrainingJob.waitForTaskToken", False),
    ],
)
def test_answers(resource: str, answered: bool) -> None:
    assert BotocoreTasks.answers(Resource.parse(S + resource)) is answered


def test_every_sync_job_polls_the_api_the_shared_table_records() -> None:
    for key, job in SYNC_JOBS.items():
        sync = OPTIMIZED_APIS[key].sync
        assert sync and sync[1] == job.describe, key
        assert key in OPTIMIZED_INTEGRATIONS, key


def test_every_optimized_integration_calls_the_api_the_shared_table_records() -> None:
    for key, integration in OPTIMIZED_INTEGRATIONS.items():
        api = OPTIMIZED_APIS[key]
        assert (integration.botocore_service, integration.operation) == (
            api.botocore_service,
            api.operation,
        ), key
