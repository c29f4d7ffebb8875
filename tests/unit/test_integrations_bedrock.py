"""Amazon Bedrock tasks: invokeModel (Stubber, moto S3), customization jobs, responses."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from moto import mock_aws

from pytest_sfn import StateMachine
from pytest_sfn.integrations.bedrock import BedrockTasks, bedrock_response, invoke_model_response
from pytest_sfn.integrations.shapes import validate_result
from pytest_sfn.model.resource import Resource

INVOKE = "arn:aws:states:::bedrock:invokeModel"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def client(service: str) -> Any:
    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    return session.create_client(service, region_name="us-east-1")


def stream(payload: Any) -> StreamingBody:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def machine(parameters: dict[str, Any], resource: str = INVOKE) -> StateMachine:
    return StateMachine.from_definition(
        {
            "StartAt": "Summarise",
            "States": {
                "Summarise": {
                    "Type": "Task",
                    "Resource": resource,
                    "Parameters": parameters,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        }
    )


@pytest.fixture
def runtime() -> Iterator[tuple[Any, Stubber]]:
    bedrock = client("bedrock-runtime")
    with Stubber(bedrock) as stubber:
        yield bedrock, stubber
        stubber.assert_no_pending_responses()


def test_invoke_model_sends_json_body_and_parses_the_response(
    runtime: tuple[Any, Stubber],
) -> None:
    bedrock, stubber = runtime
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": []}
    stubber.add_response(
        "invoke_model",
        {
            "body": stream(bedrock_response(CLAUDE, "Short summary")),
            "contentType": "application/json",
        },
        {
            "modelId": CLAUDE,
            "body": json.dumps(body, separators=(",", ":")).encode(),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    sm = machine({"ModelId": CLAUDE, "Body": body})

    execution = sm.execute({}, tasks=BedrockTasks(bedrock))

    assert execution.path == ["Summarise"]
    assert execution.output["ContentType"] == "application/json"
    assert execution.output["Body"]["content"] == [{"type": "text", "text": "Short summary"}]
    assert validate_result(Resource.parse(INVOKE), execution.output) == []


def test_invoke_model_passes_guardrail_trace_and_accept(runtime: tuple[Any, Stubber]) -> None:
    bedrock, stubber = runtime
    stubber.add_response(
        "invoke_model",
        {"body": stream(b"plain text"), "contentType": "text/plain"},
        {
            "modelId": "m",
            "body": b"raw prompt",
            "contentType": "text/plain",
            "accept": "*/*",
            "guardrailIdentifier": "gr-1",
            "guardrailVersion": "DRAFT",
            "trace": "ENABLED",
        },
    )
    sm = machine(
        {
            "ModelId": "m",
            "Body": "raw prompt",
            "ContentType": "text/plain",
            "Accept": "*/*",
            "GuardrailIdentifier": "gr-1",
            "GuardrailVersion": "DRAFT",
            "Trace": "ENABLED",
        }
    )
    execution = sm.execute({}, tasks=BedrockTasks(bedrock))
    assert execution.output == {"Body": "plain text", "ContentType": "text/plain"}


@pytest.mark.parametrize(
    ("code", "status"),
    [("ValidationException", 400), ("ThrottlingException", 429), ("ModelTimeoutException", 408)],
)
def test_invoke_model_errors_are_bedrock_errors(
    runtime: tuple[Any, Stubber], code: str, status: int
) -> None:
    bedrock, stubber = runtime
    stubber.add_client_error("invoke_model", code, "nope", http_status_code=status)
    execution = machine({"ModelId": "m", "Body": {}}).execute({}, tasks=BedrockTasks(bedrock))
    assert execution.output["Error"] == f"Bedrock.{code}"
    assert execution.output["Cause"].startswith(
        f"nope (Service: BedrockRuntime, Status Code: {status}, Request ID: "
    )


def test_body_and_input_together_fail_the_task() -> None:
    execution = machine({"ModelId": "m", "Body": {}, "Input": {"S3Uri": "s3://b/k"}}).execute(
        {}, tasks=BedrockTasks(client("bedrock-runtime"))
    )
    # States.Runtime is not caught by States.ALL
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_input_and_output_s3_uris_use_s3_with_moto() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="prompts")
        s3.put_object(
            Bucket="prompts", Key="in.json", Body=b'{"prompt":"hi"}', ContentType="application/json"
        )
        bedrock = client("bedrock-runtime")
        with Stubber(bedrock) as stubber:
            stubber.add_response(
                "invoke_model",
                {"body": stream({"generation": "hello"}), "contentType": "application/json"},
                {"modelId": "meta.llama3-8b-instruct-v1:0", "body": b'{"prompt":"hi"}',
                 "contentType": "application/json", "accept": ANY},
            )  # fmt: skip
            sm = machine(
                {
                    "ModelId": "meta.llama3-8b-instruct-v1:0",
                    "Input": {"S3Uri": "s3://prompts/in.json"},
                    "Output": {"S3Uri": "s3://prompts/out.json"},
                }
            )
            execution = sm.execute({}, tasks=BedrockTasks(bedrock, s3))
        stored = s3.get_object(Bucket="prompts", Key="out.json")["Body"].read()
    assert execution.output == {
        "Body": {"S3Uri": "s3://prompts/out.json"},
        "ContentType": "application/json",
    }
    assert json.loads(stored) == {"generation": "hello"}


def test_a_missing_input_object_fails_the_task() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="prompts")
        sm = machine({"ModelId": "m", "Input": {"S3Uri": "s3://prompts/missing.json"}})
        execution = sm.execute({}, tasks=BedrockTasks(client("bedrock-runtime"), s3))
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "NoSuchKey" in (execution.cause or "")


JOB_ARN = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/abc"
JOB_PARAMS = {
    "JobName": "tune",
    "CustomModelName": "mine",
    "RoleArn": "arn:aws:iam::123456789012:role/r",
    "BaseModelIdentifier": "amazon.titan-text-express-v1",
    "TrainingDataConfig": {"S3Uri": "s3://data/train.jsonl"},
    "OutputDataConfig": {"S3Uri": "s3://data/out/"},
    "HyperParameters": {"epochCount": "1"},
}


def job_description(status: str) -> dict[str, Any]:
    return {
        "jobArn": JOB_ARN,
        "jobName": "tune",
        "outputModelName": "mine",
        "roleArn": JOB_PARAMS["RoleArn"],
        "status": status,
        "creationTime": "2024-01-01T00:00:00Z",
        "baseModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
        "trainingDataConfig": {"s3Uri": "s3://data/train.jsonl"},
        "validationDataConfig": {"validators": []},
        "outputDataConfig": {"s3Uri": "s3://data/out/"},
    }


def test_create_model_customization_job_request_response() -> None:
    control = client("bedrock")
    with Stubber(control) as stubber:
        stubber.add_response(
            "create_model_customization_job",
            {"jobArn": JOB_ARN},
            {
                "jobName": "tune",
                "customModelName": "mine",
                "roleArn": JOB_PARAMS["RoleArn"],
                "baseModelIdentifier": "amazon.titan-text-express-v1",
                "trainingDataConfig": {"s3Uri": "s3://data/train.jsonl"},
                "outputDataConfig": {"s3Uri": "s3://data/out/"},
                "hyperParameters": {"epochCount": "1"},
            },
        )
        sm = machine(JOB_PARAMS, "arn:aws:states:::bedrock:createModelCustomizationJob")
        execution = sm.execute({}, tasks=BedrockTasks(clients={"bedrock": control}))
    assert execution.output == {"JobArn": JOB_ARN}


@pytest.mark.parametrize(
    ("status", "caught"), [("Completed", False), ("Failed", True), ("Stopped", True)]
)
def test_create_model_customization_job_sync_polls_under_the_virtual_clock(
    status: str, caught: bool
) -> None:
    control = client("bedrock")
    with Stubber(control) as stubber:
        stubber.add_response("create_model_customization_job", {"jobArn": JOB_ARN})
        for _ in range(2):
            stubber.add_response(
                "get_model_customization_job",
                job_description("InProgress"),
                {"jobIdentifier": JOB_ARN},
            )
        stubber.add_response("get_model_customization_job", job_description(status))
        sm = machine(JOB_PARAMS, "arn:aws:states:::bedrock:createModelCustomizationJob.sync")
        execution = sm.execute(
            {}, tasks=BedrockTasks(clients={"bedrock": control}, poll_interval=300)
        )
    record = execution.state("Summarise")
    assert (record.exited_at - record.entered_at).total_seconds() == 900
    if caught:
        assert execution.output["Error"] == "States.TaskFailed"
        assert json.loads(execution.output["Cause"])["Status"] == status
    else:
        assert execution.output["Status"] == "Completed"
        assert execution.output["JobArn"] == JOB_ARN
        assert execution.output["TrainingDataConfig"] == {"S3Uri": "s3://data/train.jsonl"}
        resource = Resource.parse("arn:aws:states:::bedrock:createModelCustomizationJob.sync")
        assert validate_result(resource, execution.output) == []


def test_sdk_bedrock_resources_go_through_botocore() -> None:
    agent = client("bedrock-agent-runtime")
    with Stubber(agent) as stubber:
        stubber.add_response(
            "retrieve", {"retrievalResults": [{"content": {"text": "doc"}}]},
            {"knowledgeBaseId": "kb", "retrievalQuery": {"text": "q"}},
        )  # fmt: skip
        sm = machine(
            {"KnowledgeBaseId": "kb", "RetrievalQuery": {"Text": "q"}},
            "arn:aws:states:::aws-sdk:bedrockagentruntime:retrieve",
        )
        execution = sm.execute({}, tasks=BedrockTasks(clients={"bedrock-agent-runtime": agent}))
    assert execution.output == {"RetrievalResults": [{"Content": {"Text": "doc"}}]}


@pytest.mark.parametrize(
    ("model_id", "path"),
    [
        (CLAUDE, ("content", 0, "text")),
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", ("content", 0, "text")),
        ("amazon.nova-lite-v1:0", ("output", "message", "content", 0, "text")),
        ("amazon.titan-text-express-v1", ("results", 0, "outputText")),
        ("meta.llama3-8b-instruct-v1:0", ("generation",)),
        ("mistral.mistral-7b-instruct-v0:2", ("outputs", 0, "text")),
        ("cohere.command-r-v1:0", ("text",)),
        ("cohere.command-text-v14", ("generations", 0, "text")),
        ("ai21.jamba-instruct-v1:0", ("choices", 0, "message", "content")),
        ("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0", ("generation",)),
    ],
)  # fmt: skip
def test_bedrock_response_puts_the_text_where_each_family_does(
    model_id: str, path: tuple[str | int, ...]
) -> None:
    value: Any = bedrock_response(model_id, "the answer")
    for step in path:
        value = value[step]
    assert value == "the answer"


def test_bedrock_response_counts_tokens_and_rejects_unknown_families() -> None:
    body = bedrock_response(CLAUDE, "one two three", input_tokens=7)
    assert body["usage"] == {"input_tokens": 7, "output_tokens": 3}
    assert body["model"] == "claude-3-haiku-20240307-v1"
    with pytest.raises(ValueError, match="unknown Bedrock model family"):
        bedrock_response("acme.model-v1", "x")


def test_invoke_model_response_is_a_ready_mock() -> None:
    sm = machine({"ModelId": CLAUDE, "Body": {}})
    sm_result = invoke_model_response(CLAUDE, "Hi", output_tokens=1)
    execution = sm.execute({}, results={"Summarise": sm_result})
    assert execution.output["Body"]["content"][0]["text"] == "Hi"
    assert validate_result(Resource.parse(INVOKE), sm_result) == []
