"""Paging of the list operations: pages concatenate to the full listing, in both orders."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sfn import local_client

ROLE = "arn:aws:iam::123456789012:role/sfn-role"
MAP = {
    "StartAt": "Fanout",
    "States": {
        "Fanout": {
            "Type": "Map",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "StartAt": "Double",
                "States": {"Double": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
EXECUTIONS = 23
MACHINES = 17

page_sizes = st.integers(min_value=1, max_value=30)
fixture_ok = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """One client with a long history, many executions and many state machines."""
    client = local_client()
    create = client.create_state_machine
    mapped = create(name="map", definition=json.dumps(MAP), roleArn=ROLE)["stateMachineArn"]
    long_run = client.start_execution(stateMachineArn=mapped, input=json.dumps(list(range(30))))
    busy = create(name="busy", definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"]
    for i in range(EXECUTIONS):
        client.start_execution(stateMachineArn=busy, name=f"run-{i:02d}")
    for i in range(MACHINES - 2):
        create(name=f"extra-{i}", definition=json.dumps(PASS), roleArn=ROLE)
    return {"client": client, "history": long_run["executionArn"], "busy": busy}


def pages(call: Any, key: str, size: int, **params: Any) -> list[list[Any]]:
    out: list[list[Any]] = []
    token: str | None = None
    while True:
        extra = {"nextToken": token} if token else {}
        response = call(maxResults=size, **params, **extra)
        out.append(response[key])
        token = response.get("nextToken")
        if token is None:
            return out


@fixture_ok
@given(size=page_sizes, reverse=st.booleans(), include=st.booleans())
def test_history_pages_concatenate_to_the_whole_history(
    world: dict[str, Any], size: int, reverse: bool, include: bool
) -> None:
    client = world["client"]
    params = {"executionArn": world["history"], "reverseOrder": reverse, "includeExecutionData": include}  # fmt: skip
    everything = client.get_execution_history(maxResults=1000, **params)
    assert "nextToken" not in everything
    chunks = pages(client.get_execution_history, "events", size, **params)
    assert [e for chunk in chunks for e in chunk] == everything["events"]
    assert all(len(chunk) == size for chunk in chunks[:-1]) and 0 < len(chunks[-1]) <= size
    ids = [e["id"] for e in everything["events"]]
    assert ids == sorted(ids, reverse=reverse)
    assert sorted(ids) == list(range(1, len(ids) + 1))


@fixture_ok
@given(size=page_sizes, status=st.sampled_from([None, "SUCCEEDED", "FAILED"]))
def test_execution_pages_concatenate_to_all_executions_newest_first(
    world: dict[str, Any], size: int, status: str | None
) -> None:
    client = world["client"]
    params: dict[str, Any] = {"stateMachineArn": world["busy"]}
    if status:
        params["statusFilter"] = status
    chunks = pages(client.list_executions, "executions", size, **params)
    names = [e["name"] for chunk in chunks for e in chunk]
    expected = [f"run-{i:02d}" for i in reversed(range(EXECUTIONS))] if status != "FAILED" else []
    assert names == expected


@fixture_ok
@given(size=page_sizes)
def test_state_machine_pages_concatenate_to_all_machines_by_name(
    world: dict[str, Any], size: int
) -> None:
    chunks = pages(world["client"].list_state_machines, "stateMachines", size)
    names = [m["name"] for chunk in chunks for m in chunk]
    assert names == sorted(names) and len(names) == MACHINES


def test_default_history_page_is_100_events(world: dict[str, Any]) -> None:
    client = world["client"]
    first = client.get_execution_history(executionArn=world["history"])
    assert len(first["events"]) == 100 and "nextToken" in first
    zero = client.get_execution_history(executionArn=world["history"], maxResults=0)
    assert zero["events"] == first["events"]


def test_a_token_only_works_for_the_query_that_issued_it(world: dict[str, Any]) -> None:
    client = world["client"]
    token = client.get_execution_history(executionArn=world["history"], maxResults=5)["nextToken"]
    with pytest.raises(ClientError) as info:
        client.get_execution_history(
            executionArn=world["history"], maxResults=5, nextToken=token, reverseOrder=True
        )
    assert info.value.response["Error"] == {"Code": "InvalidToken", "Message": "Invalid Token: 'Invalid token'"}  # fmt: skip
    with pytest.raises(ClientError) as info:
        client.list_executions(stateMachineArn=world["busy"], nextToken=token)
    assert info.value.response["Error"]["Code"] == "InvalidToken"
