"""The same workflow driven through the Step Functions API, as deployment code would.

`pytest_sfn.local_client()` is a real botocore `stepfunctions` client answered in-process:
code written against boto3 (create the machine, start an execution, read its history) runs
unchanged, with no AWS account and no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import pytest_sfn
from pytest_sfn.loading import load_definition_source

TEMPLATE = Path(__file__).parent.parent / "template.yaml"
# The definition as CloudFormation deploys it: DefinitionSubstitutions filled in.
DEFINITION = json.dumps(
    load_definition_source(f"{TEMPLATE}#OrderProcessingStateMachine").definition
)
ROLE = "arn:aws:iam::123456789012:role/order-processing"
ORDER = {
    "orderId": "o-2002",
    "total": 12.5,
    "payment": {"cardToken": "tok_visa"},
    "lines": [{"sku": "MUG-01", "quantity": 1}],
}
RESULTS = {
    "ReserveLine": {"StatusCode": 200, "Payload": {"sku": "MUG-01", "reservationId": "res-1"}},
    "ChargeCard": {"StatusCode": 200, "Payload": {"chargeId": "ch_9"}},
    "ReleaseStock": {"StatusCode": 200, "Payload": None},
    "EmailCustomer": {"MessageId": "msg-email"},
    "NotifyWarehouse": {"MessageId": "msg-warehouse", "MD5OfMessageBody": "0" * 32},
}


@pytest.fixture
def client() -> Any:
    return pytest_sfn.local_client(results=RESULTS)


@pytest.fixture
def machine_arn(client: Any) -> str:
    created = client.create_state_machine(
        name="order-processing", definition=DEFINITION, roleArn=ROLE
    )
    return str(created["stateMachineArn"])


def test_start_and_describe(client: Any, machine_arn: str) -> None:
    started = client.start_execution(
        stateMachineArn=machine_arn, name="o-2002", input=json.dumps(ORDER)
    )
    described = client.describe_execution(executionArn=started["executionArn"])

    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "status": "COMPLETED",
        "orderId": "o-2002",
        "chargeId": "ch_9",
        "lineCount": 1,
    }


def test_history_pages_like_the_real_api(client: Any, machine_arn: str) -> None:
    arn = client.start_execution(stateMachineArn=machine_arn, input=json.dumps(ORDER))[
        "executionArn"
    ]
    paginator = client.get_paginator("get_execution_history")
    events = [
        e for page in paginator.paginate(executionArn=arn, maxResults=5) for e in page["events"]
    ]

    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_invalid_definitions_are_refused_as_aws_does(client: Any) -> None:
    broken = json.loads(DEFINITION)
    broken["StartAt"] = "NoSuchState"

    with pytest.raises(ClientError) as info:
        client.create_state_machine(name="broken", definition=json.dumps(broken), roleArn=ROLE)

    assert info.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "MISSING_TRANSITION_TARGET" in info.value.response["Error"]["Message"]
