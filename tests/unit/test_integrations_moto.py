"""BotocoreTasks against moto's ``mock_aws``: DynamoDB, SQS, S3 and Lambda end to end.

moto answers the botocore clients in-process, so these tests check what a state machine
writes and reads through real service semantics (and the error names moto's errors map to).
moto's Lambda runs functions in Docker by default; there is none here, so the Lambda tests
use ``mock_aws(config={"lambda": {"use_docker": False}})``, whose ``Invoke`` returns the
request payload (or the next queued result) without running the code.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sfn import StateMachine
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

moto = pytest.importorskip("moto")

SDK = "arn:aws:states:::aws-sdk:"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
TABLE = "orders"
BUCKET = "orders-archive"
FUNCTION = "price"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"
REQUEST_ID = r"[A-Za-z0-9-]+"
NO_DOCKER = {"lambda": {"use_docker": False}}


def machine(resource: str, parameters: Any = None, **fields: Any) -> StateMachine:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


def java_v1_cause(message: str, service: str, status: int, code: str) -> str:
    """A regex for an optimized integration's cause (any request id)."""
    return (
        f"{re.escape(message)} \\(Service: {service}; Status Code: {status}; Error Code: "
        f"{re.escape(code)}; Request ID: {REQUEST_ID}; Proxy: null\\)"
    )


def java_v2_cause(message: str, service: str, status: int) -> str:
    """A regex for an AWS SDK integration's cause (any request id)."""
    return (
        f"{re.escape(message)} \\(Service: {service}, Status Code: {status}, "
        f"Request ID: {REQUEST_ID}\\)"
    )


@pytest.fixture
def aws() -> Iterator[BotocoreTasks]:
    with moto.mock_aws():
        yield BotocoreTasks(region_name=REGION)


# -- DynamoDB ---------------------------------------------------------------------------


def _create_table(tasks: BotocoreTasks) -> Any:
    ddb = tasks.client("dynamodb")
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "id", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "id", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return ddb


def test_dynamodb_optimized_put_item_then_get_item(aws: BotocoreTasks) -> None:
    ddb = _create_table(aws)
    key = {"customer": {"S.$": "$.customer"}, "id": {"S.$": "$.id"}}
    sm = StateMachine.from_definition(
        {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName": TABLE, "Item": {**key, "total": {"N": "42"}}},
                    "ResultPath": "$.put",
                    "Next": "Get",
                },
                "Get": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName": TABLE, "Key": key},
                    "ResultPath": "$.get",
                    "End": True,
                },
            },
        }
    )

    execution = sm.execute({"customer": "c-1", "id": "o-1"}, tasks=aws)

    item = {"customer": {"S": "c-1"}, "id": {"S": "o-1"}, "total": {"N": "42"}}
    assert execution.status == "SUCCEEDED"
    stored = ddb.get_item(TableName=TABLE, Key={"customer": {"S": "c-1"}, "id": {"S": "o-1"}})
    assert stored["Item"] == item
    put, get = execution.output["put"], execution.output["get"]
    assert list(put) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    assert put["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert get["Item"] == item
    assert get["SdkResponseMetadata"]["RequestId"] != put["SdkResponseMetadata"]["RequestId"]


def test_dynamodb_sdk_query_returns_the_pascal_case_response(aws: BotocoreTasks) -> None:
    ddb = _create_table(aws)
    for customer, order in (("c-1", "o-1"), ("c-1", "o-2"), ("c-2", "o-3")):
        ddb.put_item(TableName=TABLE, Item={"customer": {"S": customer}, "id": {"S": order}})
    sm = machine(
        f"{SDK}dynamodb:query",
        {
            "TableName": TABLE,
            "KeyConditionExpression": "customer = :c",
            "ExpressionAttributeValues": {":c": {"S.$": "$.customer"}},
        },
    )

    execution = sm.execute({"customer": "c-1"}, tasks=aws)

    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "Items": [
            {"customer": {"S": "c-1"}, "id": {"S": "o-1"}},
            {"customer": {"S": "c-1"}, "id": {"S": "o-2"}},
        ],
        "Count": 2,
        "ScannedCount": 2,
    }


def test_dynamodb_errors_keep_each_family_s_prefix(aws: BotocoreTasks) -> None:
    _create_table(aws)
    # Query without the key condition's value: a ValidationException from DynamoDB.
    params = {"TableName": TABLE, "KeyConditionExpression": "customer = :c"}
    sdk = machine(f"{SDK}dynamodb:query", params).execute(tasks=aws)
    key = {"customer": {"S": "c"}}  # the sort key is missing
    optimized = machine(
        "arn:aws:states:::dynamodb:getItem", {"TableName": TABLE, "Key": key}
    ).execute(tasks=aws)

    # A ValidationException is not declared in DynamoDB's model: each family falls back to
    # its client's base exception.
    assert sdk.error == "DynamoDb.DynamoDbException"
    assert re.fullmatch(
        rf".+ \(Service: DynamoDb, Status Code: 400, Request ID: {REQUEST_ID}\)", sdk.cause or ""
    )
    assert optimized.error == "DynamoDB.AmazonDynamoDBException"
    assert re.fullmatch(
        java_v1_cause("Validation Exception", "AmazonDynamoDBv2", 400, "ValidationException"),
        optimized.cause or "",
    )


# -- SQS ----------------------------------------------------------------------------------


def test_sqs_optimized_send_message_reaches_the_queue(aws: BotocoreTasks) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sm = machine(
        "arn:aws:states:::sqs:sendMessage",
        {"QueueUrl": url, "MessageBody.$": "$", "MessageAttributes": {}},
    )

    execution = sm.execute({"order": "o-1", "items": ["a", "é"]}, tasks=aws)

    assert execution.status == "SUCCEEDED"
    received = sqs.receive_message(QueueUrl=url)["Messages"]
    # Step Functions sends a JSON body as compact text (non-ASCII kept).
    assert [message["Body"] for message in received] == ['{"order":"o-1","items":["a","é"]}']
    assert execution.output["MessageId"] == received[0]["MessageId"]
    assert execution.output["MD5OfMessageBody"] == received[0]["MD5OfBody"]
    assert execution.output["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_sqs_send_message_to_a_missing_queue(aws: BotocoreTasks) -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/missing"
    optimized = machine(
        "arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}
    ).execute(tasks=aws)

    # SQS answers with the query-protocol code, which Step Functions' SDK for Java 1.x does
    # not model: the optimized integration fails with the client's base exception, as
    # observed on AWS (aws-spec.md §5.18).
    assert optimized.error == "SQS.AmazonSQSException"
    assert re.fullmatch(
        java_v1_cause(
            "The specified queue does not exist.",
            "AmazonSQS",
            400,
            "AWS.SimpleQueueService.NonExistentQueue",
        ),
        optimized.cause or "",
    )


def test_sqs_errors_are_caught_by_name(aws: BotocoreTasks) -> None:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/missing"
    sm = StateMachine.from_definition(
        {
            "StartAt": "Send",
            "States": {
                "Send": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": url, "MessageBody": "x"},
                    "Catch": [{"ErrorEquals": ["SQS.AmazonSQSException"], "Next": "Lost"}],
                    "End": True,
                },
                "Lost": {"Type": "Pass", "End": True},
            },
        }
    )
    execution = sm.execute({}, tasks=aws)
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Send", "Lost"]
    assert execution.output["Error"] == "SQS.AmazonSQSException"


# -- S3 -----------------------------------------------------------------------------------


def test_s3_put_get_and_list_round_trip(aws: BotocoreTasks) -> None:
    aws.client("s3").create_bucket(Bucket=BUCKET)
    body = '{"order":"o-1","total":42}'
    sm = StateMachine.from_definition(
        {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": f"{SDK}s3:putObject",
                    "Parameters": {
                        "Bucket": BUCKET,
                        "Key": "orders/o-1.json",
                        "Body.$": "States.JsonToString($.order)",
                        "ContentType": "application/json",
                    },
                    "ResultPath": "$.put",
                    "Next": "Get",
                },
                "Get": {
                    "Type": "Task",
                    "Resource": f"{SDK}s3:getObject",
                    "Parameters": {"Bucket": BUCKET, "Key": "orders/o-1.json"},
                    "ResultSelector": {
                        "Body.$": "States.StringToJson($.Body)",
                        "ContentType.$": "$.ContentType",
                        "ContentLength.$": "$.ContentLength",
                        "ETag.$": "$.ETag",
                    },
                    "ResultPath": "$.get",
                    "Next": "List",
                },
                "List": {
                    "Type": "Task",
                    "Resource": f"{SDK}s3:listObjectsV2",
                    "Parameters": {"Bucket": BUCKET, "Prefix": "orders/"},
                    "ResultSelector": {"Keys.$": "$.Contents[*].Key", "Count.$": "$.KeyCount"},
                    "ResultPath": "$.list",
                    "End": True,
                },
            },
        }
    )

    execution = sm.execute({"order": {"order": "o-1", "total": 42}}, tasks=aws)

    assert execution.status == "SUCCEEDED"
    out = execution.output
    assert out["get"] == {
        "Body": {"order": "o-1", "total": 42},
        "ContentType": "application/json",
        "ContentLength": len(body),
        "ETag": out["put"]["ETag"],
    }
    assert out["list"] == {"Keys": ["orders/o-1.json"], "Count": 1}
    stored = aws.client("s3").get_object(Bucket=BUCKET, Key="orders/o-1.json")
    assert stored["Body"].read().decode() == body


@pytest.mark.parametrize(
    ("bucket", "key", "error", "message"),
    [
        (BUCKET, "nope", "S3.NoSuchKeyException", "The specified key does not exist."),
        ("no-such-bucket", "k", "S3.NoSuchBucketException", "The specified bucket does not exist"),
    ],
)
def test_s3_missing_objects_fail_with_sdk_error_names(
    aws: BotocoreTasks, bucket: str, key: str, error: str, message: str
) -> None:
    aws.client("s3").create_bucket(Bucket=BUCKET)
    execution = machine(f"{SDK}s3:getObject", {"Bucket": bucket, "Key": key}).execute(tasks=aws)

    assert execution.error == error
    assert re.fullmatch(java_v2_cause(message, "S3", 404), execution.cause or "")


# -- Lambda -------------------------------------------------------------------------------


def _create_function(tasks: BotocoreTasks, name: str = FUNCTION) -> None:
    iam = tasks.client("iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    tasks.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
    )


@pytest.fixture
def lambda_aws() -> Iterator[BotocoreTasks]:
    with moto.mock_aws(config=NO_DOCKER):
        tasks = BotocoreTasks(region_name=REGION)
        _create_function(tasks)
        yield tasks


def _queue_result(result: str) -> None:
    """The next moto (no-Docker) ``Invoke`` returns ``result`` instead of the payload."""
    from moto.awslambda_simple.models import lambda_simple_backends

    lambda_simple_backends[ACCOUNT][REGION].lambda_simple_results_queue.append(result)


def test_lambda_invoke_returns_the_aws_response_shape(lambda_aws: BotocoreTasks) -> None:
    sm = machine("arn:aws:states:::lambda:invoke", {"FunctionName": FUNCTION, "Payload.$": "$"})

    execution = sm.execute({"order": "o-1", "total": 42}, tasks=lambda_aws)

    # moto's no-Docker Invoke echoes the request payload, which Step Functions sends as
    # compact JSON.
    assert execution.status == "SUCCEEDED"
    out = execution.output
    assert list(out) == [
        "ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"
    ]  # fmt: skip
    assert out["ExecutedVersion"] == "$LATEST"
    assert out["Payload"] == {"order": "o-1", "total": 42}
    assert out["StatusCode"] == 200
    rid = out["SdkResponseMetadata"]["RequestId"]
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert headers["x-amzn-RequestId"] == rid  # the id moto returned
    assert headers["Content-Length"] == str(len('{"order":"o-1","total":42}'))
    assert headers["Date"] == "Mon, 01 Jan 2024 00:00:00 GMT"  # the virtual clock
    assert out["SdkHttpMetadata"]["AllHttpHeaders"] == {k: [v] for k, v in headers.items()}


def test_lambda_function_arn_returns_the_function_output(lambda_aws: BotocoreTasks) -> None:
    _queue_result('{"price": 12.5, "currency": "EUR"}')
    execution = machine(FUNCTION_ARN).execute({"sku": "s-1"}, tasks=lambda_aws)

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"price": 12.5, "currency": "EUR"}
    scheduled = execution.events("LambdaFunctionScheduled")
    assert [event.details["resource"] for event in scheduled] == [FUNCTION_ARN]


def test_lambda_sdk_invoke_keeps_the_payload_as_text(lambda_aws: BotocoreTasks) -> None:
    sm = machine(
        f"{SDK}lambda:invoke",
        {"FunctionName": FUNCTION, "Payload.$": "States.JsonToString($)"},
    )

    execution = sm.execute({"sku": "s-1"}, tasks=lambda_aws)

    assert execution.status == "SUCCEEDED"
    assert execution.output["StatusCode"] == 200
    assert execution.output["Payload"] == '{"sku":"s-1"}'
    assert "SdkHttpMetadata" not in execution.output


def test_lambda_missing_function_fails_with_resource_not_found() -> None:
    # moto's no-Docker backend answers every name; the default backend looks the function
    # up first (and never reaches Docker for a function that does not exist).
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:missing"
    with moto.mock_aws():
        tasks = BotocoreTasks(region_name=REGION)
        runs = {
            "optimized": machine(
                "arn:aws:states:::lambda:invoke", {"FunctionName": "missing"}
            ).execute(tasks=tasks),
            "bare": machine(missing).execute(tasks=tasks),
            "sdk": machine(f"{SDK}lambda:invoke", {"FunctionName": "missing"}).execute(tasks=tasks),
        }

    message = f"Function not found: {missing}"
    for name in ("optimized", "bare"):
        assert runs[name].error == "Lambda.ResourceNotFoundException", name
        assert re.fullmatch(
            java_v1_cause(message, "AWSLambda", 404, "ResourceNotFoundException"),
            runs[name].cause or "",
        ), runs[name].cause
    assert runs["sdk"].error == "Lambda.ResourceNotFoundException"
    assert re.fullmatch(java_v2_cause(message, "Lambda", 404), runs["sdk"].cause or "")


def test_lambda_resource_not_found_is_retried_and_caught() -> None:
    sm = StateMachine.from_definition(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "missing"},
                    "Retry": [
                        {"ErrorEquals": ["Lambda.ResourceNotFoundException"], "MaxAttempts": 2}
                    ],
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Fallback"}],
                    "End": True,
                },
                "Fallback": {"Type": "Pass", "End": True},
            },
        }
    )
    with moto.mock_aws():
        execution = sm.execute({}, tasks=BotocoreTasks(region_name=REGION))

    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Call", "Fallback"]
    assert execution.state("Call").attempts == 3
    assert execution.output["Error"] == "Lambda.ResourceNotFoundException"
    assert execution.output["Cause"].startswith(f"Function not found: {FUNCTION_ARN[:-5]}missing ")
