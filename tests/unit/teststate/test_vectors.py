"""aws-spec §1.10 test vectors through the local client (exact text) and run_state (decoded)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_sfn import StateMachine, local_client, run_state
from tests.unit.teststate.vectors import TV17_MACHINE, VECTORS


def _client_call(request: dict[str, Any]) -> dict[str, Any]:
    response = local_client().test_state(**request)
    response.pop("ResponseMetadata")
    return response


def _decoded(response: dict[str, Any]) -> dict[str, Any]:
    """Every JSON-text member decoded (what run_state's values must equal)."""
    out = dict(response)
    if "output" in out:
        out["output"] = json.loads(out["output"])
    if "inspectionData" in out:
        out["inspectionData"] = {
            k: json.loads(v) if isinstance(v, str) else v for k, v in out["inspectionData"].items()
        }
    return out


def _kwargs(request: dict[str, Any]) -> dict[str, Any]:
    names = {
        "stateName": "state_name",
        "inspectionLevel": "inspection_level",
        "stateConfiguration": "state_configuration",
        "mock": "mock",
    }
    kwargs: dict[str, Any] = {names[k]: v for k, v in request.items() if k in names}
    if "input" in request:
        kwargs["input"] = json.loads(request["input"])
    return kwargs


def _check_tv14(response: dict[str, Any]) -> dict[str, Any]:
    """TV-14: a JSONata catcher's $states holds input, context and errorOutput (no result)."""
    output = json.loads(response.pop("output"))
    assert list(output) == ["input", "context", "errorOutput"]
    assert output["input"] == {"Value": "HelloWorld"}
    assert output["errorOutput"] == {"Error": response["error"], "Cause": response["cause"]}
    assert output["context"]["State"]["Name"] == "StateName"
    return response


@pytest.mark.parametrize(
    ("name", "request_", "expected", "decoded"),
    [pytest.param(*vector, id=vector[0]) for vector in VECTORS],
)
def test_local_client_answers_the_vector_exactly(
    name: str, request_: dict[str, Any], expected: dict[str, Any], decoded: tuple[str, ...]
) -> None:
    response = _client_call(request_)
    if name.startswith("TV-14"):
        response = _check_tv14(response)
    for key in decoded:  # AWS's doc example reformats this member (see vectors.py)
        assert json.loads(response.pop(key)) == json.loads(expected[key])
        expected = {k: v for k, v in expected.items() if k != key}
    assert response == expected


@pytest.mark.parametrize(
    ("name", "request_", "expected"),
    [pytest.param(i, r, e, id=i) for i, r, e, _ in VECTORS],
)
def test_run_state_gives_the_same_values(
    name: str, request_: dict[str, Any], expected: dict[str, Any]
) -> None:
    result = run_state(request_["definition"], **_kwargs(request_))
    api = result.to_api()
    if name.startswith("TV-14"):
        api = _check_tv14(api)
    assert _decoded(api) == _decoded(expected)
    assert result.status == expected["status"]
    assert result.next_state == expected.get("nextState")
    if "output" in api:
        assert result.output == json.loads(api["output"])


def test_tv17_through_a_loaded_machine() -> None:
    machine = StateMachine.from_definition(TV17_MACHINE)
    result = machine.test_state("Literals", input={"a": 1})
    assert result.status == "SUCCEEDED"
    assert result.output == TV17_MACHINE["States"]["Literals"]["Output"]
    assert result.next_state is None
