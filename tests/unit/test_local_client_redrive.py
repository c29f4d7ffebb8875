"""``RedriveExecution`` and the redrive fields of the local client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sfn import Throw, local_client
from pytest_sfn.mocks.results import ResultProvider
from pytest_sfn.service import SfnBackend

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
LAMBDA = "arn:aws:states:::lambda:invoke"
MACHINE = {
    "StartAt": "Reserve",
    "States": {
        "Reserve": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.r", "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.c", "End": True},
    },
}


def create(client: Any, definition: Any = MACHINE) -> str:
    arn: str = client.create_state_machine(
        name="orders", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def error_of(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return dict(info.value.response["Error"])


def test_redrive_with_a_fixed_tasks_factory() -> None:
    answers: dict[str, Any] = {"Reserve": "ok", "Charge": Throw("Card.Declined", "no")}
    client = local_client(tasks=lambda machine, case: ResultProvider(dict(answers)))
    arn = create(client)
    execution_arn = client.start_execution(stateMachineArn=arn, input='{"id": 1}')["executionArn"]
    failed = client.describe_execution(executionArn=execution_arn)
    assert (failed["status"], failed["error"], failed["redriveStatus"]) == (
        "FAILED",
        "Card.Declined",
        "REDRIVABLE",
    )
    assert failed["redriveCount"] == 0 and "redriveDate" not in failed
    before = client.get_execution_history(executionArn=execution_arn)["events"]

    answers["Charge"] = "charged"  # the fix: the factory is called again for the redrive
    redrive_date = client.redrive_execution(executionArn=execution_arn)["redriveDate"]

    described = client.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"id": 1, "r": "ok", "c": "charged"}
    assert described["redriveCount"] == 1
    assert described["redriveDate"] == redrive_date
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["startDate"] == failed["startDate"]
    assert described["input"] == '{"id": 1}'

    events = client.get_execution_history(executionArn=execution_arn)["events"]
    assert events[: len(before)] == before
    new = events[len(before) :]
    assert new[0]["type"] == "ExecutionRedriven"
    assert new[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert new[0]["id"] == len(before) + 1
    assert new[1]["stateEnteredEventDetails"]["name"] == "Charge"  # Reserve is not re-run
    assert [e["type"] for e in new][-1] == "ExecutionSucceeded"

    listed = client.list_executions(stateMachineArn=arn)["executions"][0]
    assert (listed["redriveCount"], listed["redriveDate"]) == (1, redrive_date)
    assert client.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"]
    not_redriven = client.list_executions(stateMachineArn=arn, redriveFilter="NOT_REDRIVEN")
    assert not_redriven["executions"] == []


def test_redrive_with_results_of_another_client_sharing_the_backend() -> None:
    backend = SfnBackend()
    broken = local_client(backend=backend, results={"Reserve": "ok"})
    arn = create(broken)
    execution_arn = broken.start_execution(stateMachineArn=arn)["executionArn"]
    failed = broken.describe_execution(executionArn=execution_arn)
    assert failed["error"] == "pytest_sfn.UnmockedTask"
    fixed = local_client(backend=backend, results={"Reserve": "again", "Charge": "paid"})
    fixed.redrive_execution(executionArn=execution_arn)
    described = fixed.describe_execution(executionArn=execution_arn)
    assert json.loads(described["output"]) == {"r": "ok", "c": "paid"}


def test_redrive_reuses_the_definition_the_execution_ran() -> None:
    client = local_client(results={"Reserve": "ok", "Charge": Throw("E")})
    arn = create(client)
    execution_arn = client.start_execution(stateMachineArn=arn)["executionArn"]
    updated = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    client.update_state_machine(stateMachineArn=arn, definition=json.dumps(updated))
    client.redrive_execution(executionArn=execution_arn)
    events = client.get_execution_history(executionArn=execution_arn)["events"]
    names = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    assert names == ["Reserve", "Charge", "Charge"]  # the old definition, not "P"


def test_client_token_is_idempotent() -> None:
    client = local_client(results={"Reserve": "ok", "Charge": Throw("E")})
    execution_arn = client.start_execution(stateMachineArn=create(client))["executionArn"]
    first = client.redrive_execution(executionArn=execution_arn, clientToken="t1")
    again = client.redrive_execution(executionArn=execution_arn, clientToken="t1")
    assert again["redriveDate"] == first["redriveDate"]
    assert client.describe_execution(executionArn=execution_arn)["redriveCount"] == 1
    client.redrive_execution(executionArn=execution_arn, clientToken="t2")
    assert client.describe_execution(executionArn=execution_arn)["redriveCount"] == 2


def test_refusals_and_unknown_executions() -> None:
    client = local_client(results={"Reserve": "ok", "Charge": "paid"})
    arn = create(client)
    execution_arn = client.start_execution(stateMachineArn=arn)["executionArn"]
    assert error_of(client.redrive_execution, executionArn=execution_arn) == {
        "Code": "ExecutionNotRedrivable",
        "Message": "Execution is SUCCEEDED and cannot be redriven.",
    }
    missing = execution_arn + "-nope"
    assert error_of(client.redrive_execution, executionArn=missing) == {
        "Code": "ExecutionDoesNotExist",
        "Message": f"Execution Does Not Exist: '{missing}'",
    }
    assert error_of(client.redrive_execution, executionArn="nope")["Code"] == "InvalidArn"


def test_modeled_exception_class() -> None:
    client = local_client(results={"Reserve": "ok", "Charge": "paid"})
    execution_arn = client.start_execution(stateMachineArn=create(client))["executionArn"]
    with pytest.raises(client.exceptions.ExecutionNotRedrivable):
        client.redrive_execution(executionArn=execution_arn)


def test_redrive_keeps_the_step_functions_local_test_case() -> None:
    mocks = {
        "StateMachines": {
            "orders": {"TestCases": {"Declined": {"Reserve": "Ok", "Charge": "Declined"}}}
        },
        "MockedResponses": {
            "Ok": {"0": {"Return": "reserved"}},
            "Declined": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no"}}},
        },
    }
    client = local_client(mock_config=mocks)
    arn = create(client)
    execution_arn = client.start_execution(stateMachineArn=f"{arn}#Declined")["executionArn"]
    client.redrive_execution(executionArn=execution_arn)
    described = client.describe_execution(executionArn=execution_arn)
    # The test case answers the redriven Charge again (not an unmocked Task).
    assert (described["status"], described["error"]) == ("FAILED", "Card.Declined")
    assert described["redriveCount"] == 1
