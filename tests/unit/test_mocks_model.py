"""The mock model: Response, StateMock, MockSet."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytest_sfn import Return, StatesError, TaskOutcome, TaskRequest, Throw
from pytest_sfn.errors import MockError
from pytest_sfn.mocks import NOTHING, MockSet, Response, StateMock
from pytest_sfn.model.resource import Resource

LAMBDA = Resource.parse("arn:aws:states:::lambda:invoke")


def request(parameters: Any = None, state: str = "S") -> TaskRequest:
    return TaskRequest(state, LAMBDA, parameters, {})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "needs exactly one of returns, throws or compute, got none"),
        ({"returns": 1, "throws": ("E", None)}, "got returns and throws"),
        ({"returns": 1, "compute": len}, "got returns and compute"),
        ({"throws": ("E",)}, r"throws must be an \(error, cause\) pair"),
        ({"returns": 1, "match_mode": "fuzzy"}, "match_mode must be 'subset' or 'exact', not 'fuzzy'"),
        ({"returns": 1, "duration": -1}, "duration must be at least 0 seconds, got -1"),
        ({"returns": 1, "duration": 5, "heartbeats": (6,)}, r"heartbeat at 6 s must lie within .* \(0 to 5 s\)"),
        ({"returns": 1, "origin": "f.yaml:3 /x", "duration": -1}, r"\(f\.yaml:3 /x\)$"),
    ],
)  # fmt: skip
def test_invalid_responses(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(MockError, match=message):
        Response(**fields)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (Response(returns=None), TaskOutcome(output=None)),
        (Response(returns={"a": 1}, duration=3, heartbeats=(1, 2)), TaskOutcome(output={"a": 1}, duration=3, heartbeats=(1, 2))),
        (Response(throws=("E", "C"), duration=2), TaskOutcome(failed=True, error="E", cause="C", duration=2)),
        (Response(throws=(None, None)), TaskOutcome(failed=True)),
        (Response(compute=lambda r: r.parameters["x"] * 2, duration=4), TaskOutcome(output=6, duration=4)),
        (Response(compute=lambda r: Return(r.state_name, duration=1)), TaskOutcome(output="S", duration=1)),
        (Response(compute=lambda r: Throw("E", "from compute")), TaskOutcome(failed=True, error="E", cause="from compute")),
        (Response(compute=lambda r: StatesError("Returned", "c")), TaskOutcome(failed=True, error="Returned", cause="c")),
        (Response(compute=lambda r: TaskOutcome(output="raw")), TaskOutcome(output="raw")),
    ],
)  # fmt: skip
def test_outcomes(response: Response, outcome: TaskOutcome) -> None:
    assert response.outcome(request({"x": 3})) == outcome


def test_a_computed_response_may_raise_a_states_error() -> None:
    def fail(_: TaskRequest) -> Any:
        raise StatesError("Custom.Error", "raised")

    assert Response(compute=fail).outcome(request()) == TaskOutcome(
        failed=True, error="Custom.Error", cause="raised"
    )


@pytest.mark.parametrize(
    ("response", "parameters", "accepted"),
    [
        (Response(returns=1), {"anything": True}, True),
        (Response(returns=1, match={"a": 1}), {"a": 1, "b": 2}, True),
        (Response(returns=1, match={"a": 1}, match_mode="exact"), {"a": 1, "b": 2}, False),
        (Response(returns=1, match={"a": 1}, match_mode="exact"), {"a": 1}, True),
        (Response(returns=1, match={"a": 1}), {"a": 2}, False),
    ],
)
def test_accepts(response: Response, parameters: Any, accepted: bool) -> None:
    assert response.accepts(parameters) is accepted


@pytest.mark.parametrize(
    ("response", "text"),
    [
        (Response(returns={"ok": True}), 'returns {"ok":true}'),
        (Response(throws=("E", "why")), "throws E (why)"),
        (Response(throws=("E", None)), "throws E"),
        (Response(returns="x" * 100), 'returns "' + "x" * 76 + "..."),
        (Response(returns=1, match={"a": 1}, match_mode="exact"), 'returns 1 when parameters match {"a":1} (exact)'),
        (Response(compute=len), "computed by len"),
    ],
)  # fmt: skip
def test_describe(response: Response, text: str) -> None:
    assert response.describe() == text


def test_nothing_is_distinct_from_null() -> None:
    assert repr(NOTHING) == "NOTHING"
    assert Response(returns=None).returns is None
    assert Response(throws=("E", None)).returns is NOTHING


def test_state_mocks_need_responses() -> None:
    with pytest.raises(MockError, match=r"Task state 'S' has no responses \(f:1\)"):
        StateMock("S", (), origin="f:1")
    with pytest.raises(MockError, match="holds 1, not a Response"):
        StateMock("S", (1,))  # type: ignore[arg-type]
    assert StateMock("S", [Response(returns=1)]).responses == (Response(returns=1),)  # type: ignore[arg-type]


def test_mock_set_keys_must_name_their_state() -> None:
    with pytest.raises(MockError, match="key 'A' holds the mock of state 'B'"):
        MockSet({"A": StateMock("B", (Response(returns=1),))})


def test_merged_lets_the_other_set_win_per_state() -> None:
    base = MockSet(
        {
            "A": StateMock("A", (Response(returns="base"),)),
            "B": StateMock("B", (Response(returns="base"),)),
        },
        source="file.yaml",
    )
    override = MockSet({"B": StateMock("B", (Response(returns="override"),))})
    merged = base.merged(override)
    assert {name: mock.responses[0].returns for name, mock in merged.states.items()} == {
        "A": "base",
        "B": "override",
    }
    assert merged.source == "file.yaml"
    assert base.merged(MockSet(source="other.yaml")).source == "other.yaml"


def test_mock_sets_copy_their_states_and_can_be_deep_copied() -> None:
    states = {"A": StateMock("A", (Response(returns=1),))}
    mocks = MockSet(states)
    states.clear()
    assert list(mocks.states) == ["A"]
    assert copy.deepcopy(mocks) == mocks


def test_lists_are_normalised_to_tuples() -> None:
    response = Response(throws=["E", "C"], heartbeats=[1], duration=2)  # type: ignore[arg-type]
    assert response.throws == ("E", "C")
    assert response.heartbeats == (1,)
    assert hash(response) == hash(Response(throws=("E", "C"), heartbeats=(1,), duration=2))
