"""``SfnBackend`` used directly: dispatch, clock, sharing between threads, engine limits."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from pytest_sfn import local_client
from pytest_sfn.service import RequestContext, SfnBackend
from pytest_sfn.service.errors import ApiError

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
CTX = RequestContext()


def test_operations_run_without_botocore() -> None:
    backend = SfnBackend()
    created = backend.handle(
        "CreateStateMachine", {"name": "m", "definition": PASS, "roleArn": ROLE}, CTX
    )
    started = backend.handle("StartExecution", {"stateMachineArn": created["stateMachineArn"]}, CTX)
    described = backend.handle("DescribeExecution", {"executionArn": started["executionArn"]}, CTX)
    assert described["status"] == "SUCCEEDED"
    assert isinstance(described["startDate"], datetime)


def test_unknown_operations_and_model_violations_are_api_errors() -> None:
    backend = SfnBackend()
    with pytest.raises(ApiError) as info:
        backend.handle("DescribeStateMachineAlias", {"stateMachineAliasArn": "a"}, CTX)
    assert (info.value.code, info.value.status) == ("pytest_sfn.Unsupported", 400)
    with pytest.raises(ApiError) as info:
        backend.handle("ListStateMachines", {"maxResults": 5000}, CTX)
    assert info.value.code == "ValidationException"


def test_the_clock_starts_where_asked_and_ticks_per_change() -> None:
    start = datetime(2030, 6, 1, tzinfo=timezone.utc)
    backend = SfnBackend(start_time=start)
    created = backend.handle(
        "CreateStateMachine", {"name": "m", "definition": PASS, "roleArn": ROLE}, CTX
    )
    assert created["creationDate"] == start + timedelta(milliseconds=1)
    backend.handle("ListStateMachines", {}, CTX)  # reads do not move the clock
    assert backend.now() == start + timedelta(milliseconds=1)


def test_request_ids_are_deterministic_uuids() -> None:
    assert [SfnBackend().next_request_id() for _ in range(2)] == [
        "00000000-0000-4000-8000-000000000001"
    ] * 2


def test_many_threads_share_one_backend() -> None:
    backend = SfnBackend()
    arn = local_client(backend=backend).create_state_machine(
        name="m", definition=PASS, roleArn=ROLE
    )["stateMachineArn"]
    failures: list[BaseException] = []

    def worker() -> None:
        client = local_client(backend=backend)
        try:
            for _ in range(10):
                client.start_execution(stateMachineArn=arn)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    executions = backend.executions()
    assert len({e.execution_arn for e in executions}) == 60
    starts = [e.start_time for e in executions]
    assert starts == sorted(starts) and len(set(starts)) == 60


def test_jsonata_definitions_run_through_the_client() -> None:
    client = local_client()
    jsonata = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.n * 2 %}", "End": True}},
    }
    arn = client.create_state_machine(name="j", definition=json.dumps(jsonata), roleArn=ROLE)[
        "stateMachineArn"
    ]
    started = client.start_execution(stateMachineArn=arn, input='{"n": 21}')
    described = client.describe_execution(executionArn=started["executionArn"])
    assert (described["status"], described["output"]) == ("SUCCEEDED", "42")
