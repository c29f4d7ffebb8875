"""The feedback-triage workflow (Bedrock -> DynamoDB -> HTTP webhook), tested three ways.

1. **Mocks**: each Task answered by a declarative result in the service's shape (here with
   the `sfn_mocks` builder; `scenarios/feedback_triage.sfn.yaml` does the same in YAML).
   Mock results are checked against the AWS API output shapes.
2. **botocore Stubbers**: the Tasks really call the bedrock-runtime and DynamoDB botocore
   clients, with the exact requests Step Functions would send, checked by `Stubber`.
3. **moto**: the DynamoDB write really lands in moto's table; Bedrock (which moto does not
   emulate) is stubbed.

In every test the HTTP Task goes through httpx to a respx route, with the API key the
EventBridge connection adds; no request leaves the process.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from pytest_sfn.integrations import bedrock_response, invoke_model_response
from pytest_sfn.plugin import SfnHarness

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
WEBHOOK = "https://hooks.example.com/support"
SUMMARY = "The customer's parcel arrived two weeks late."
FEEDBACK = {
    "ticketId": "T-1001",
    "customer": "ana@example.com",
    "feedback": "My parcel came two weeks after the promised date.",
}
TICKET = {
    "ticketId": {"S": "T-1001"},
    "customer": {"S": "ana@example.com"},
    "summary": {"S": SUMMARY},
    "status": {"S": "OPEN"},
}
# The connection of template.yaml, with a test value for the key CloudFormation would
# resolve from Secrets Manager.
CONNECTIONS = {
    "support-webhook": {
        "AuthorizationType": "API_KEY",
        "AuthParameters": {
            "ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": "test-key"}
        },
    }
}
# The webhook answers only requests carrying the connection's key.
WEBHOOK_ROUTE = {
    "method": "POST",
    "url": WEBHOOK,
    "match": {"headers": {"X-Api-Key": "test-key"}},
    "json": {"ok": True},
}

pytestmark = pytest.mark.sfn(
    definition="../template.yaml#FeedbackTriageStateMachine",
    connections=CONNECTIONS,
    http=[WEBHOOK_ROUTE],
)


def _client(service: str) -> Any:
    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    return session.create_client(service, region_name="us-east-1")


def _body(document: dict[str, Any]) -> StreamingBody:
    raw = json.dumps(document).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def bedrock() -> Iterator[Stubber]:
    """A stubbed bedrock-runtime client expecting the summary prompt once."""
    runtime = _client("bedrock-runtime")
    with Stubber(runtime) as stubber:
        prompt = "Summarise this customer feedback in one sentence: " + FEEDBACK["feedback"]
        request_body = {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 200,
            "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
        }
        stubber.add_response(
            "invoke_model",
            {"body": _body(bedrock_response(MODEL, SUMMARY)), "contentType": "application/json"},
            {
                # Step Functions sends the Body as compact JSON text.
                "modelId": MODEL,
                "body": json.dumps(request_body, separators=(",", ":")).encode(),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        yield stubber
        stubber.assert_no_pending_responses()


# --- 1. declarative mocks ---------------------------------------------------------------------


def test_with_mocks_the_ticket_is_saved_and_announced(sfn: SfnHarness, sfn_mocks: Any) -> None:
    sfn_mocks.state("SummariseFeedback").returns(invoke_model_response(MODEL, SUMMARY))
    sfn_mocks.state("SaveTicket").returns({})

    execution = sfn.execute(FEEDBACK)

    execution.assert_succeeded()
    assert execution.output == {"ticketId": "T-1001", "summary": SUMMARY, "notified": True}
    execution.assert_called_with(
        "SaveTicket",
        {
            "TableName": "support-tickets",
            "Item": TICKET,
            "ConditionExpression": "attribute_not_exists(ticketId)",
        },
    )


def test_a_mock_result_the_service_could_not_return_is_refused(
    sfn: SfnHarness, sfn_mocks: Any
) -> None:
    # PutItem's ConsumedCapacity.CapacityUnits is a number in the DynamoDB API.
    sfn_mocks.state("SummariseFeedback").returns(invoke_model_response(MODEL, SUMMARY))
    sfn_mocks.state("SaveTicket").returns({"ConsumedCapacity": {"CapacityUnits": "one"}})

    with pytest.raises(Exception, match="Field 'CapacityUnits' must be a number"):
        sfn.execute(FEEDBACK)


# --- 2. botocore Stubbers ---------------------------------------------------------------------


def test_with_stubbers_the_services_get_the_requests_aws_sends(
    sfn: SfnHarness, bedrock: Stubber
) -> None:
    dynamodb = _client("dynamodb")
    with Stubber(dynamodb) as table:
        table.add_response(
            "put_item",
            {},
            {
                "TableName": "support-tickets",
                "Item": TICKET,
                "ConditionExpression": "attribute_not_exists(ticketId)",
            },
        )
        execution = sfn.execute(
            FEEDBACK, botocore={"bedrock-runtime": bedrock.client, "dynamodb": dynamodb}
        )
        table.assert_no_pending_responses()

    execution.assert_succeeded()
    assert execution.output["summary"] == SUMMARY
    # The optimized integration's output: the parsed model response and its content type.
    assert execution.calls("SummariseFeedback")[0].result["ContentType"] == "application/json"


def test_a_throttled_model_is_retried(sfn: SfnHarness) -> None:
    runtime = _client("bedrock-runtime")
    dynamodb = _client("dynamodb")
    with Stubber(runtime) as model, Stubber(dynamodb) as table:
        model.add_client_error(
            "invoke_model", "ThrottlingException", "Too many requests", http_status_code=429
        )
        model.add_response(
            "invoke_model",
            {"body": _body(bedrock_response(MODEL, SUMMARY)), "contentType": "application/json"},
        )
        table.add_response("put_item", {})
        execution = sfn.execute(
            FEEDBACK, botocore={"bedrock-runtime": runtime, "dynamodb": dynamodb}
        )

    execution.assert_succeeded()
    failed, succeeded = execution.calls("SummariseFeedback")
    assert failed.error == "Bedrock.ThrottlingException"
    assert succeeded.result["Body"]["content"][0]["text"] == SUMMARY
    # The retry waited IntervalSeconds (2 s) of virtual time, not real time.
    gap = succeeded.started_at - failed.started_at
    assert gap.total_seconds() == pytest.approx(2, abs=0.01)


# --- 3. moto ------------------------------------------------------------------------------------


@pytest.fixture
def tickets_table() -> Iterator[Any]:
    """moto's DynamoDB with the template's support-tickets table."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="support-tickets",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "ticketId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "ticketId", "KeyType": "HASH"}],
        )
        yield dynamodb


def test_with_moto_the_ticket_lands_in_the_table(
    sfn: SfnHarness, bedrock: Stubber, tickets_table: Any
) -> None:
    execution = sfn.execute(
        FEEDBACK, botocore={"bedrock-runtime": bedrock.client, "dynamodb": tickets_table}
    )

    execution.assert_succeeded()
    stored = tickets_table.get_item(TableName="support-tickets", Key={"ticketId": {"S": "T-1001"}})
    assert stored["Item"] == TICKET


def test_with_moto_a_ticket_is_never_stored_twice(
    sfn: SfnHarness, bedrock: Stubber, tickets_table: Any
) -> None:
    tickets_table.put_item(TableName="support-tickets", Item={**TICKET, "status": {"S": "CLOSED"}})

    execution = sfn.execute(
        FEEDBACK, botocore={"bedrock-runtime": bedrock.client, "dynamodb": tickets_table}
    )

    # The condition failed in moto; the Catch took the AlreadyTriaged route and the
    # webhook was not called.
    execution.assert_succeeded()
    assert execution.path == ["SummariseFeedback", "SaveTicket", "AlreadyTriaged"]
    assert execution.calls("SaveTicket")[0].error == "DynamoDB.ConditionalCheckFailedException"
    stored = tickets_table.get_item(TableName="support-tickets", Key={"ticketId": {"S": "T-1001"}})
    assert stored["Item"]["status"] == {"S": "CLOSED"}


# --- the webhook --------------------------------------------------------------------------------


def test_a_webhook_outage_is_retried_then_fails_the_execution(
    sfn: SfnHarness, sfn_mocks: Any
) -> None:
    sfn_mocks.state("SummariseFeedback").returns(invoke_model_response(MODEL, SUMMARY))
    sfn_mocks.state("SaveTicket").returns({})

    execution = sfn.execute(
        FEEDBACK, http=[{"method": "POST", "url": WEBHOOK, "status": 503, "text": "down"}]
    )

    execution.assert_failed("States.Http.StatusCode.503")
    assert len(execution.calls("NotifySupport")) == 3  # the first call and two retries
