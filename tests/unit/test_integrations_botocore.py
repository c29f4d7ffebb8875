from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import StateMachine
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import DefinitionError, MockError, UnmockedTaskError
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks, to_json
from pytest_sfn.plugin.guard import NetworkBlockedError

SDK = "arn:aws:states:::aws-sdk:"
TABLE = "orders"
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"


def machine(resource: str, parameters: dict[str, Any] | None = None, **fields: Any) -> StateMachine:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    return StateMachine.from_definition({"StartAt": "Call", "States": {"Call": state}})


def client(service: str) -> Any:
    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    return session.create_client(service, region_name="us-east-1")


@pytest.fixture
def dynamodb() -> Iterator[tuple[Any, Stubber]]:
    ddb = client("dynamodb")
    with Stubber(ddb) as stubber:
        yield ddb, stubber
        stubber.assert_no_pending_responses()


# -- aws-sdk integrations with Stubber ----------------------------------------------------


def test_sdk_get_item_returns_the_response_without_metadata(
    dynamodb: tuple[Any, Stubber],
) -> None:
    ddb, stubber = dynamodb
    key = {"id": {"S": "o-1"}}
    stubber.add_response(
        "get_item",
        {"Item": {"id": {"S": "o-1"}, "total": {"N": "42"}}},
        {"TableName": TABLE, "Key": key},
    )
    sm = machine(f"{SDK}dynamodb:getItem", {"TableName": TABLE, "Key.$": "$.key"})

    execution = sm.execute({"key": key}, tasks=BotocoreTasks(clients={"dynamodb": ddb}))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Item": {"id": {"S": "o-1"}, "total": {"N": "42"}}}


def test_sdk_put_item_sends_the_task_parameters(dynamodb: tuple[Any, Stubber]) -> None:
    ddb, stubber = dynamodb
    item = {"id": {"S": "o-2"}, "paid": {"BOOL": True}}
    stubber.add_response(
        "put_item",
        {},
        {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(id)"},
    )
    sm = machine(
        f"{SDK}dynamodb:putItem",
        {
            "TableName": TABLE,
            "Item.$": "$.item",
            "ConditionExpression": "attribute_not_exists(id)",
        },
        ResultPath="$.put",
    )

    execution = sm.execute({"item": item}, tasks=BotocoreTasks(clients={"dynamodb": ddb}))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"item": item, "put": {}}


def test_sdk_send_message_through_the_sqs_client() -> None:
    sqs = client("sqs")
    with Stubber(sqs) as stubber:
        stubber.add_response(
            "send_message",
            {"MessageId": "m-1", "MD5OfMessageBody": "abc"},
            {"QueueUrl": QUEUE_URL, "MessageBody": "hello", "DelaySeconds": 5},
        )
        sm = machine(
            f"{SDK}sqs:sendMessage",
            {"QueueUrl": QUEUE_URL, "MessageBody": "hello", "DelaySeconds": 5},
        )
        execution = sm.execute(tasks=BotocoreTasks(clients={"sqs": sqs}))
        stubber.assert_no_pending_responses()

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"MessageId": "m-1", "MD5OfMessageBody": "abc"}


def test_sdk_java_spelled_members_are_mapped_to_botocore_names() -> None:
    rds = client("rds")
    with Stubber(rds) as stubber:
        stubber.add_response(
            "describe_db_instances",
            {"DBInstances": [{"DBInstanceIdentifier": "db-1"}]},
            {"DBInstanceIdentifier": "db-1"},
        )
        sm = machine(f"{SDK}rds:describeDBInstances", {"DbInstanceIdentifier": "db-1"})
        execution = sm.execute(tasks=BotocoreTasks(clients={"rds": rds}))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"DBInstances": [{"DBInstanceIdentifier": "db-1"}]}


def test_sdk_clients_may_be_keyed_by_the_step_functions_service_name() -> None:
    sfn = client("stepfunctions")
    with Stubber(sfn) as stubber:
        stubber.add_response(
            "list_state_machines",
            {
                "stateMachines": [
                    {
                        "stateMachineArn": ARN,
                        "name": "m",
                        "type": "STANDARD",
                        "creationDate": datetime(2024, 1, 2, tzinfo=timezone.utc),
                    }
                ]
            },
            {"maxResults": 1},
        )
        sm = machine(f"{SDK}sfn:listStateMachines", {"MaxResults": 1})
        execution = sm.execute(tasks=BotocoreTasks(clients={"sfn": sfn}))

    assert execution.status == "SUCCEEDED"
    # Members (nested ones too) are PascalCase; the botocore camelCase is not kept.
    assert execution.output == {
        "StateMachines": [
            {
                "StateMachineArn": ARN,
                "Name": "m",
                "Type": "STANDARD",
                "CreationDate": "2024-01-02T00:00:00Z",
            }
        ]
    }


def test_sdk_timestamps_become_iso_strings() -> None:
    sfn = client("stepfunctions")
    created = datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=timezone.utc)
    with Stubber(sfn) as stubber:
        stubber.add_response(
            "describe_activity",
            {
                "activityArn": "arn:aws:states:us-east-1:123456789012:activity:a",
                "name": "a",
                "creationDate": created,
            },
            {"activityArn": "arn:aws:states:us-east-1:123456789012:activity:a"},
        )
        sm = machine(
            f"{SDK}sfn:describeActivity",
            {"ActivityArn": "arn:aws:states:us-east-1:123456789012:activity:a"},
        )
        execution = sm.execute(tasks=BotocoreTasks(clients={"sfn": sfn}))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "ActivityArn": "arn:aws:states:us-east-1:123456789012:activity:a",
        "Name": "a",
        "CreationDate": "2024-05-06T07:08:09.5Z",
    }


@pytest.mark.parametrize(
    ("code", "message", "error"),
    [
        (
            "ResourceNotFoundException",
            "Requested resource not found",
            "DynamoDb.ResourceNotFoundException",
        ),
        (
            "ConditionalCheckFailedException",
            "The conditional request failed",
            "DynamoDb.ConditionalCheckFailedException",
        ),
        # Not declared in the DynamoDB model: the service's base exception.
        (
            "ValidationException",
            "One or more parameter values were invalid",
            "DynamoDb.DynamoDbException",
        ),
    ],
)
def test_sdk_service_errors_fail_the_task_with_aws_names(
    dynamodb: tuple[Any, Stubber], code: str, message: str, error: str
) -> None:
    ddb, stubber = dynamodb
    stubber.add_client_error(
        "put_item",
        service_error_code=code,
        service_message=message,
        http_status_code=400,
        response_meta={"RequestId": "REQ123"},
    )
    sm = machine(f"{SDK}dynamodb:putItem", {"TableName": TABLE, "Item": {"id": {"S": "x"}}})

    execution = sm.execute(tasks=BotocoreTasks(clients={"dynamodb": ddb}))

    assert execution.status == "FAILED"
    assert execution.error == error
    assert execution.cause == f"{message} (Service: DynamoDb, Status Code: 400, Request ID: REQ123)"


def test_sdk_errors_are_seen_by_catch(dynamodb: tuple[Any, Stubber]) -> None:
    ddb, stubber = dynamodb
    stubber.add_client_error(
        "get_item", service_error_code="ResourceNotFoundException", service_message="gone"
    )
    sm = StateMachine.from_definition(
        {
            "StartAt": "Get",
            "States": {
                "Get": {
                    "Type": "Task",
                    "Resource": f"{SDK}dynamodb:getItem",
                    "Parameters": {"TableName": TABLE, "Key": {"id": {"S": "x"}}},
                    "Catch": [
                        {
                            "ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                            "Next": "Missing",
                        }
                    ],
                    "End": True,
                },
                "Missing": {"Type": "Pass", "End": True},
            },
        }
    )

    execution = sm.execute(tasks=BotocoreTasks(clients={"dynamodb": ddb}))

    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "DynamoDb.ResourceNotFoundException"
    assert execution.output["Cause"].startswith("gone (Service: DynamoDb, Status Code: 400")


def test_sdk_unknown_action_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"(?s)getItems is not recognized.*'getItem'"):
        machine(f"{SDK}dynamodb:getItems", {"TableName": TABLE})


def test_sdk_unknown_action_at_run_time_is_a_mock_error() -> None:
    from pytest_sfn.model.resource import Resource

    request = TaskRequest("Call", Resource.parse(f"{SDK}dynamodb:getItems"), {}, {})
    with pytest.raises(MockError, match="getItem"):
        BotocoreTasks(clients={"dynamodb": client("dynamodb")})(request)


def test_sdk_invalid_parameters_name_the_state() -> None:
    sm = machine(f"{SDK}dynamodb:getItem", {"TableName": TABLE})  # Key missing
    with pytest.raises(MockError, match=r"(?s)'Call'.*Missing required parameter.*Key"):
        sm.execute(tasks=BotocoreTasks(clients={"dynamodb": client("dynamodb")}))


# -- optimized integrations with Stubber ------------------------------------------------


def test_optimized_send_message_serializes_json_bodies_and_adds_sdk_metadata() -> None:
    sqs = client("sqs")
    with Stubber(sqs) as stubber:
        stubber.add_response(
            "send_message",
            {
                "MessageId": "m-1",
                "MD5OfMessageBody": "abc",
                "ResponseMetadata": {
                    "RequestId": "rid-1",
                    "HTTPStatusCode": 200,
                    "HTTPHeaders": {"x-amzn-requestid": "rid-1"},
                },
            },
            {"QueueUrl": QUEUE_URL, "MessageBody": '{"order":1,"items":["a"]}'},
        )
        sm = machine(
            "arn:aws:states:::sqs:sendMessage",
            {"QueueUrl": QUEUE_URL, "MessageBody": {"order": 1, "items": ["a"]}},
        )
        execution = sm.execute(tasks=BotocoreTasks(clients={"sqs": sqs}))
        stubber.assert_no_pending_responses()

    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "MessageId": "m-1",
        "MD5OfMessageBody": "abc",
        "SdkHttpMetadata": {
            "AllHttpHeaders": {"x-amzn-requestid": ["rid-1"]},
            "HttpHeaders": {"x-amzn-requestid": "rid-1"},
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": "rid-1"},
    }


@pytest.mark.parametrize(
    ("service", "resource", "method", "params", "code", "error", "java"),
    [
        (
            "dynamodb",
            "dynamodb:getItem",
            "get_item",
            {"TableName": TABLE, "Key": {"id": {"S": "x"}}},
            "ResourceNotFoundException",
            "DynamoDB.ResourceNotFoundException",
            "AmazonDynamoDBv2",
        ),
        (
            "dynamodb",
            "dynamodb:updateItem",
            "update_item",
            {"TableName": TABLE, "Key": {"id": {"S": "x"}}},
            "ValidationException",
            "DynamoDB.AmazonDynamoDBException",
            "AmazonDynamoDBv2",
        ),
        (
            "sqs",
            "sqs:sendMessage",
            "send_message",
            {"QueueUrl": QUEUE_URL, "MessageBody": "x"},
            "AWS.SimpleQueueService.NonExistentQueue",
            "SQS.AmazonSQSException",
            "AmazonSQS",
        ),
        (
            "sns",
            "sns:publish",
            "publish",
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "x"},
            "InvalidParameter",
            "SNS.InvalidParameterException",
            "AmazonSNS",
        ),
        (
            "sns",
            "sns:publish",
            "publish",
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "x"},
            "NotFound",
            "SNS.NotFoundException",
            "AmazonSNS",
        ),
    ],
)
def test_optimized_errors_use_the_optimized_prefixes(
    service: str,
    resource: str,
    method: str,
    params: dict[str, Any],
    code: str,
    error: str,
    java: str,
) -> None:
    svc = client(service)
    with Stubber(svc) as stubber:
        stubber.add_client_error(
            method,
            service_error_code=code,
            service_message="Boom",
            http_status_code=400,
            response_meta={"RequestId": "R1"},
        )
        sm = machine(f"arn:aws:states:::{resource}", params)
        execution = sm.execute(tasks=BotocoreTasks(clients={service: svc}))

    assert execution.status == "FAILED"
    assert execution.error == error
    assert execution.cause == (
        f"Boom (Service: {java}; Status Code: 400; Error Code: {code}; Request ID: R1; Proxy: null)"
    )


def test_optimized_put_events_with_failed_entries_fails_with_eventbridge_failed_entry() -> None:
    events = client("events")
    response = {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "nope"}],
    }
    with Stubber(events) as stubber:
        stubber.add_response(
            "put_events",
            response,
            {"Entries": [{"Source": "app", "DetailType": "t", "Detail": '{"a":1}'}]},
        )
        sm = machine(
            "arn:aws:states:::events:putEvents",
            {"Entries": [{"Source": "app", "DetailType": "t", "Detail": {"a": 1}}]},
        )
        execution = sm.execute(tasks=BotocoreTasks(clients={"events": events}))

    assert execution.status == "FAILED"
    assert execution.error == "EventBridge.FailedEntry"
    assert json.loads(execution.cause or "") == response


def test_optimized_publish_succeeds_with_sdk_metadata() -> None:
    sns = client("sns")
    with Stubber(sns) as stubber:
        stubber.add_response(
            "publish",
            {"MessageId": "sns-1"},
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": '{"k":"v"}'},
        )
        sm = machine(
            "arn:aws:states:::sns:publish",
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": {"k": "v"}},
        )
        execution = sm.execute(tasks=BotocoreTasks(clients={"sns": sns}))

    assert execution.status == "SUCCEEDED"
    assert execution.output["MessageId"] == "sns-1"
    assert execution.output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert set(execution.output["SdkResponseMetadata"]) == {"RequestId"}


# -- Lambda through botocore (Stubber) ---------------------------------------------------

INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:price"
START = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def body(text: str) -> StreamingBody:
    data = text.encode()
    return StreamingBody(io.BytesIO(data), len(data))


@pytest.fixture
def lambda_stub() -> Iterator[tuple[BotocoreTasks, Stubber]]:
    lam = client("lambda")
    with Stubber(lam) as stubber:
        yield BotocoreTasks(clients={"lambda": lam}), stubber
        stubber.assert_no_pending_responses()


def test_lambda_invoke_result_is_what_lambda_handlers_return(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    from pytest_sfn.integrations import LambdaHandlers

    tasks, stubber = lambda_stub
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": body('{"total": 42}')},
        {"FunctionName": "price", "Payload": '{"sku":"s-1","qty":2}'},
    )
    sm = machine(INVOKE, {"FunctionName": "price", "Payload.$": "$"})

    through_botocore = sm.execute({"sku": "s-1", "qty": 2}, tasks=tasks, start_time=START)
    in_process = sm.execute(
        {"sku": "s-1", "qty": 2},
        tasks=LambdaHandlers({"price": lambda event, context: {"total": 42}}),
        start_time=START,
    )

    # Same shaping code, and without response metadata the same deterministic request id:
    # the two answers are identical, header order included.
    assert through_botocore.status == "SUCCEEDED"
    assert through_botocore.output_json == in_process.output_json
    assert through_botocore.output["Payload"] == {"total": 42}
    headers = through_botocore.output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == str(len('{"total": 42}'))
    assert headers["Date"] == "Tue, 04 Mar 2025 05:06:07 GMT"


def test_lambda_invoke_sends_the_parameters_as_step_functions_does(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    context = base64.b64encode(b'{"custom":{"tenant":"t-1"}}').decode()
    stubber.add_response(
        "invoke",
        {
            "StatusCode": 200,
            "ExecutedVersion": "7",
            "LogResult": "U1RBUlQ=",
            "Payload": body('"ok"'),
            "ResponseMetadata": {"RequestId": "rid-1", "HTTPStatusCode": 200, "HTTPHeaders": {}},
        },
        {
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:price",
            "Qualifier": "live",
            "InvocationType": "RequestResponse",
            "LogType": "Tail",
            "ClientContext": context,
            "Payload": '"just text"',
        },
    )
    sm = machine(
        INVOKE,
        {
            "FunctionName": FUNCTION_ARN,
            "Qualifier": "live",
            "InvocationType": "RequestResponse",
            "LogType": "Tail",
            "ClientContext": context,
            "Payload": "just text",
        },
    )

    out = sm.execute({}, tasks=tasks).output

    assert list(out) == [
        "ExecutedVersion", "LogResult", "Payload", "SdkHttpMetadata", "SdkResponseMetadata",
        "StatusCode",
    ]  # fmt: skip
    assert (out["ExecutedVersion"], out["LogResult"], out["Payload"]) == ("7", "U1RBUlQ=", "ok")
    assert out["SdkResponseMetadata"] == {"RequestId": "rid-1"}
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["x-amzn-RequestId"] == "rid-1"
    assert headers["X-Amz-Executed-Version"] == "7"
    assert headers["X-Amz-Log-Result"] == "U1RBUlQ="


def test_lambda_invoke_without_payload_sends_an_empty_object(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_response(
        "invoke",
        {"StatusCode": 202, "Payload": body("")},
        {"FunctionName": "price", "InvocationType": "Event", "Payload": "{}"},
    )
    sm = machine(INVOKE, {"FunctionName": "price", "InvocationType": "Event"})

    out = sm.execute({"ignored": True}, tasks=tasks).output

    assert (out["Payload"], out["StatusCode"]) == ("", 202)
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 202
    assert out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "0"


def test_lambda_function_arn_sends_the_input_and_returns_the_output(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": body('{"price": 12.5}')},
        {"FunctionName": FUNCTION_ARN, "Payload": '{"sku":"s-1"}'},
    )
    sm = machine(FUNCTION_ARN, None, InputPath="$.item", ResultPath="$.quote")

    execution = sm.execute({"item": {"sku": "s-1"}}, tasks=tasks)

    assert execution.output == {"item": {"sku": "s-1"}, "quote": {"price": 12.5}}


UNHANDLED = {
    "errorMessage": "amount must be positive",
    "errorType": "ValueError",
    "requestId": "0f6f2c7e-6e0a-4c59-a0b5-2b8a3c1d9e10",
    "stackTrace": ['  File "/var/task/app.py", line 3, in handler\n    raise ValueError(...)\n'],
}


@pytest.mark.parametrize("resource", [INVOKE, FUNCTION_ARN])
@pytest.mark.parametrize(
    ("function_error", "payload", "error", "cause"),
    [
        (
            "Unhandled",
            json.dumps(UNHANDLED),  # the runtime's spacing; the cause is compact
            "ValueError",
            json.dumps(UNHANDLED, separators=(",", ":")),
        ),
        (
            "Handled",
            '{"errorMessage":"declined","errorType":"PaymentDeclined"}',
            "PaymentDeclined",
            '{"errorMessage":"declined","errorType":"PaymentDeclined"}',
        ),
        (
            "Unhandled",
            '{"errorMessage": "2024-01-01T00:00:03.000Z abc Task timed out after 3.00 seconds"}',
            "Lambda.Unknown",
            "The cause could not be determined because Lambda did not return an error type. "
            'Returned payload: {"errorMessage":"2024-01-01T00:00:03.000Z abc Task timed out '
            'after 3.00 seconds"}',
        ),
    ],
)
def test_lambda_function_errors_fail_with_the_error_type(
    lambda_stub: tuple[BotocoreTasks, Stubber],
    resource: str,
    function_error: str,
    payload: str,
    error: str,
    cause: str,
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_response(
        "invoke", {"StatusCode": 200, "FunctionError": function_error, "Payload": body(payload)}
    )
    parameters = {"FunctionName": "price"} if resource == INVOKE else None

    execution = machine(resource, parameters).execute({}, tasks=tasks)

    assert (execution.status, execution.error, execution.cause) == ("FAILED", error, cause)


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("TooManyRequestsException", 429, "Lambda.TooManyRequestsException"),
        ("ServiceException", 500, "Lambda.ServiceException"),
        ("ResourceNotFoundException", 404, "Lambda.ResourceNotFoundException"),
        ("InvalidParameterValueException", 400, "Lambda.InvalidParameterValueException"),
        ("SomethingNewException", 400, "Lambda.AWSLambdaException"),  # not in the model
    ],
)
def test_lambda_service_errors_use_lambda_names_and_java_causes(
    lambda_stub: tuple[BotocoreTasks, Stubber], code: str, status: int, error: str
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_client_error(
        "invoke",
        service_error_code=code,
        service_message="Rate exceeded",
        http_status_code=status,
        response_meta={"RequestId": "R1"},
    )

    execution = machine(INVOKE, {"FunctionName": "price"}).execute({}, tasks=tasks)

    assert execution.error == error
    assert execution.cause == (
        f"Rate exceeded (Service: AWSLambda; Status Code: {status}; Error Code: {code}; "
        "Request ID: R1; Proxy: null)"
    )


def test_lambda_throttling_is_retried_with_the_recommended_retrier(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    for _ in range(2):
        stubber.add_client_error(
            "invoke", service_error_code="TooManyRequestsException", http_status_code=429
        )
    stubber.add_response("invoke", {"StatusCode": 200, "Payload": body('{"ok": true}')})
    sm = machine(
        INVOKE,
        {"FunctionName": "price"},
        OutputPath="$.Payload",
        Retry=[
            {
                "ErrorEquals": [
                    "Lambda.ServiceException",
                    "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException",
                ],
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "BackoffRate": 2,
            }
        ],
    )

    execution = sm.execute({}, tasks=tasks)

    assert execution.output == {"ok": True}
    assert execution.state("Call").attempts == 3
    assert execution.stop_time - execution.start_time >= timedelta(seconds=3)


def test_lambda_sdk_invoke_is_an_ordinary_sdk_integration(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_response(
        "invoke",
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": body('{"errorType":"E"}')},
        {"FunctionName": "price", "Payload": '{"a":1}'},
    )
    sm = machine(f"{SDK}lambda:invoke", {"FunctionName": "price", "Payload": '{"a":1}'})

    execution = sm.execute({}, tasks=tasks)

    # No Payload parsing and no failure on FunctionError (AWS docs, connect-lambda).
    assert execution.status == "SUCCEEDED"
    assert execution.output == {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "Payload": '{"errorType":"E"}',
    }


def test_lambda_sdk_invoke_errors_use_the_sdk_cause(
    lambda_stub: tuple[BotocoreTasks, Stubber],
) -> None:
    tasks, stubber = lambda_stub
    stubber.add_client_error(
        "invoke",
        service_error_code="ResourceNotFoundException",
        service_message="Function not found: x",
        http_status_code=404,
        response_meta={"RequestId": "R2"},
    )
    execution = machine(f"{SDK}lambda:invoke", {"FunctionName": "x"}).execute({}, tasks=tasks)
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause == (
        "Function not found: x (Service: Lambda, Status Code: 404, Request ID: R2)"
    )


def test_lambda_invoke_without_function_name_is_a_mock_error() -> None:
    sm = machine(INVOKE, {"FunctionName.$": "$.missing"})
    with pytest.raises(MockError, match=r"'Call'.*FunctionName"):
        sm.execute({"missing": 3}, tasks=BotocoreTasks(clients={"lambda": client("lambda")}))


@pytest.mark.parametrize(
    ("resource", "answered"),
    [
        (INVOKE, True),
        (FUNCTION_ARN, True),
        (f"{FUNCTION_ARN}:live", True),
        (f"{SDK}lambda:invoke", True),
        (f"{INVOKE}.waitForTaskToken", False),
        ("arn:aws:states:::dynamodb:getItem", True),
        ("arn:aws:states:::http:invoke", False),
        ("arn:aws:states:::states:startExecution", False),
        ("arn:aws:states:us-east-1:123456789012:activity:approve", False),
    ],
)
def test_answers(resource: str, answered: bool) -> None:
    from pytest_sfn.model.resource import Resource

    assert BotocoreTasks.answers(Resource.parse(resource)) is answered


# -- resources this handler does not answer ---------------------------------------------


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "callback"),
        (f"{SDK}dynamodb:getItem.waitForTaskToken", "callback"),
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", "callback"),
        ("arn:aws:states:::elasticmapreduce:modifyInstanceFleetByName", "dynamodb:getItem"),
    ],
)
def test_unanswered_resources_raise_without_fallback(resource: str, message: str) -> None:
    sm = machine(resource, {"TableName": TABLE})
    with pytest.raises(UnmockedTaskError, match=message):
        sm.execute(tasks=BotocoreTasks(clients={"dynamodb": client("dynamodb")}))


def test_unanswered_resources_go_to_the_fallback() -> None:
    seen: list[str] = []

    def fallback(request: TaskRequest) -> TaskOutcome:
        seen.append(request.resource.arn)
        return TaskOutcome(output={"from": "fallback"})

    sm = machine("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {"QueueUrl": QUEUE_URL})
    execution = sm.execute(tasks=BotocoreTasks(fallback=fallback))

    assert execution.output == {"from": "fallback"}
    assert seen == ["arn:aws:states:::sqs:sendMessage.waitForTaskToken"]


# -- clients ------------------------------------------------------------------------------


def test_default_session_uses_dummy_credentials_and_the_region() -> None:
    tasks = BotocoreTasks(region_name="eu-west-2")
    ddb = tasks.client("dynamodb")

    credentials = ddb._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("testing", "testing")
    assert ddb.meta.region_name == "eu-west-2"
    assert tasks.client("dynamodb") is ddb


def test_boto3_sessions_are_accepted() -> None:
    boto3 = pytest.importorskip("boto3")
    session = boto3.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="us-west-1"
    )
    ddb = BotocoreTasks(session, region_name="ap-south-1").client("dynamodb")
    assert ddb.meta.region_name == "ap-south-1"
    assert ddb._request_signer._credentials.access_key == "k"


# -- JSON conversion ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 1, tzinfo=timezone.utc), "2024-01-01T00:00:00Z"),
        (datetime(2024, 1, 1, 0, 0, 0, 120000, tzinfo=timezone.utc), "2024-01-01T00:00:00.12Z"),
        (
            datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
            "2024-01-01T00:00:00Z",
        ),
        (datetime(2024, 1, 1), "2024-01-01T00:00:00Z"),
        (b"\x00\xff", "AP8="),
        (Decimal("3"), 3),
        (Decimal("1.5"), 1.5),
        (StreamingBody(io.BytesIO(b"hello"), 5), "hello"),
        (StreamingBody(io.BytesIO(b"\xff\xfe"), 2), "//4="),
        ({"a": [b"x", {"b": None}]}, {"a": ["eA==", {"b": None}]}),
    ],
)
def test_to_json(value: Any, expected: Any) -> None:
    assert to_json(value) == expected


@given(st.binary())
def test_to_json_blobs_round_trip_through_base64(data: bytes) -> None:
    assert base64.b64decode(to_json(data)) == data


# -- moto -----------------------------------------------------------------------------------


def test_moto_sdk_put_item_writes_and_optimized_get_item_reads() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        tasks = BotocoreTasks(region_name="us-east-1")
        ddb = tasks.client("dynamodb")
        ddb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sm = StateMachine.from_definition(
            {
                "StartAt": "Put",
                "States": {
                    "Put": {
                        "Type": "Task",
                        "Resource": f"{SDK}dynamodb:putItem",
                        "Parameters": {
                            "TableName": TABLE,
                            "Item": {"id": {"S.$": "$.id"}, "total": {"N": "42"}},
                        },
                        "ResultPath": None,
                        "Next": "Get",
                    },
                    "Get": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::dynamodb:getItem",
                        "Parameters": {"TableName": TABLE, "Key": {"id": {"S.$": "$.id"}}},
                        "ResultSelector": {
                            "Item.$": "$.Item",
                            "Status.$": "$.SdkHttpMetadata.HttpStatusCode",
                        },
                        "End": True,
                    },
                },
            }
        )

        execution = sm.execute({"id": "o-9"}, tasks=tasks)
        stored = ddb.get_item(TableName=TABLE, Key={"id": {"S": "o-9"}})["Item"]

    assert execution.status == "SUCCEEDED"
    assert stored == {"id": {"S": "o-9"}, "total": {"N": "42"}}
    assert execution.output == {
        "Item": {"id": {"S": "o-9"}, "total": {"N": "42"}},
        "Status": 200,
    }


def test_moto_missing_table_fails_with_resource_not_found() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        tasks = BotocoreTasks()
        sdk = machine(f"{SDK}dynamodb:getItem", {"TableName": "nope", "Key": {"id": {"S": "x"}}})
        optimized = machine(
            "arn:aws:states:::dynamodb:getItem", {"TableName": "nope", "Key": {"id": {"S": "x"}}}
        )
        sdk_run = sdk.execute(tasks=tasks)
        optimized_run = optimized.execute(tasks=tasks)

    assert sdk_run.error == "DynamoDb.ResourceNotFoundException"
    assert (
        sdk_run.cause is not None
        and "(Service: DynamoDb, Status Code: 400, Request ID: " in sdk_run.cause
    )
    assert optimized_run.error == "DynamoDB.ResourceNotFoundException"
    assert optimized_run.cause is not None
    assert (
        "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException;"
        in (optimized_run.cause)
    )


def test_unstubbed_calls_are_blocked_by_the_plugin_guard() -> None:
    sm = machine(f"{SDK}dynamodb:getItem", {"TableName": TABLE, "Key": {"id": {"S": "x"}}})
    with pytest.raises(NetworkBlockedError, match=r"DynamoDB\.GetItem"):
        sm.execute(tasks=BotocoreTasks())
