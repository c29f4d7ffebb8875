"""The fluent ``Mocks`` builder."""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest

from pytest_sfn import Return, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError, UnmockedTaskError
from pytest_sfn.mocks import MockHandler, Mocks, Response
from pytest_sfn.model.resource import Resource
from tests.conftest import machine

LAMBDA = Resource.parse("arn:aws:states:::lambda:invoke")
HERE = os.path.relpath(__file__)


def line() -> int:
    """The line of the caller."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def request(state: str = "S", parameters: Any = None, invocation: int = 0) -> TaskRequest:
    return TaskRequest(state, LAMBDA, parameters, {}, invocation=invocation)


def outcomes(handler: MockHandler, n: int, state: str = "S", parameters: Any = None) -> list[Any]:
    out: list[Any] = []
    for i in range(n):
        outcome = handler(request(state, parameters, i))
        out.append((outcome.error, outcome.cause) if outcome.failed else outcome.output)
    return out


def test_chained_responses_in_invocation_order() -> None:
    mocks = Mocks()
    mocks.state("S").throws("Busy").then_throws("Busy", "again").then_returns(1).then_returns(
        2, times=2
    )
    assert outcomes(mocks.handler(), 5) == [("Busy", None), ("Busy", "again"), 1, 2, 2]


def test_repeat_last() -> None:
    mocks = Mocks()
    mocks.state("S").returns("a").returns("b").repeat_last()
    assert outcomes(mocks.handler(), 4) == ["a", "b", "b", "b"]


def test_when_applies_to_the_next_response_only() -> None:
    mocks = Mocks()
    mocks.state("S").when({"c": "ups"}).returns("U").when({"c": "dhl"}, mode="exact").returns(
        "D"
    ).returns("any")
    responses = mocks.build().states["S"].responses
    assert [(r.match, r.match_mode) for r in responses] == [
        ({"c": "ups"}, "subset"),
        ({"c": "dhl"}, "exact"),
        (None, "subset"),
    ]
    handler = mocks.handler()
    assert handler(request(parameters={"c": "dhl", "x": 1})).output == "any"  # exact: no
    assert handler(request(parameters={"c": "ups", "x": 1}, invocation=1)).output == "U"


def test_computed_responses_see_the_request() -> None:
    mocks = Mocks()
    mocks.state("S").computed(lambda req: {"echo": req.parameters}, duration=2).then_computed(
        lambda req: Return(req.attempt, duration=5)
    )
    handler = mocks.handler()
    assert handler(request(parameters=[1])) == TaskOutcome(output={"echo": [1]}, duration=2)
    assert handler(request(invocation=1)) == TaskOutcome(output=0, duration=5)


def test_durations_and_heartbeats() -> None:
    mocks = Mocks()
    mocks.state("S").returns(1, duration=10, heartbeats=[2, 4]).throws("E", "C", duration=1)
    responses = mocks.build().states["S"].responses
    assert responses[0].duration == 10 and responses[0].heartbeats == (2, 4)
    assert responses[1].throws == ("E", "C") and responses[1].duration == 1


def test_the_same_builder_is_returned_for_a_name() -> None:
    mocks = Mocks()
    mocks.state("S").returns(1)
    mocks.state("S").returns(2)
    assert "S" in mocks and len(mocks) == 1
    assert [r.returns for r in mocks.build().states["S"].responses] == [1, 2]
    assert repr(mocks) == "<Mocks ['S']>"
    assert repr(mocks.state("S")) == "<StateMockBuilder 'S': 2 responses>"


def test_origins_point_at_the_calling_test_code() -> None:
    mocks = Mocks()
    first = line() + 1
    builder = mocks.state("S").returns(1)
    second = line() + 1
    builder.returns(2)
    state = mocks.build().states["S"]
    assert state.origin == f"{HERE}:{first}"
    assert [r.origin for r in state.responses] == [f"{HERE}:{first}", f"{HERE}:{second}"]
    handler = MockHandler(mocks.build())
    handler(request())
    assert handler.unused() == [f"S response #2 ({HERE}:{second}) was never used"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda m: m.state(""), r"mocks\.state\(\) needs a state name, not ''"),
        (lambda m: m.state("S").repeat_last(), r"mocks\.state\('S'\)\.repeat_last\(\) needs a response before it \(.*test_mocks_fluent\.py:\d+\)"),
        (lambda m: m.state("S").returns(1).repeat_last().returns(2), r"no response can follow \.repeat_last\(\)"),
        (lambda m: m.state("S").returns(1, times=0), "times must be at least 1, not 0"),
        (lambda m: m.state("S").when({}).when({}), r"\.when\(\) twice in a row"),
        (lambda m: m.state("S").when({}, mode="fuzzy"), "'subset' or 'exact', not 'fuzzy'"),
        (lambda m: m.state("S").computed(42), r"\.computed\(\) needs a callable, not 42"),
        (lambda m: m.state("S").returns(1, duration=-2), "duration must be at least 0 seconds"),
        (lambda m: m.state("S").build(), r"mocks\.state\('S'\) has no responses \(.*\): add \.returns\(\.\.\.\) or \.throws\(\.\.\.\)"),
        (lambda m: m.state("S").returns(1).when({"a": 1}).build(), r"\.when\(\.\.\.\) is not followed by a response"),
        (lambda m: (m.state("S"), m.build()), r"mocks\.state\('S'\) has no responses"),
    ],
)  # fmt: skip
def test_misuse_is_reported(build: Any, message: str) -> None:
    with pytest.raises(MockError, match=message):
        build(Mocks())


def test_through_the_engine() -> None:
    sm = machine(
        {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"amount.$": "$.amount"},
                "Retry": [
                    {"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}
                ],
                "End": True,
            }
        }
    )
    mocks = Mocks()
    mocks.state("Charge").throws("Lambda.TooManyRequestsException", "slow down").then_returns(
        {"Payload": {"charged": True}}
    )
    execution = sm.execute({"amount": 5}, tasks=mocks.handler())
    assert execution.output == {"Payload": {"charged": True}}
    assert [c.parameters for c in execution.calls("Charge")] == [{"amount": 5}, {"amount": 5}]
    other = Mocks()
    other.state("Charger").returns(1)
    with pytest.raises(
        UnmockedTaskError, match=r"\(did you mean 'Charger'\?\)\. Mocked states: Charger\.$"
    ):
        sm.execute({"amount": 5}, tasks=other.handler())


def test_build_gives_response_objects() -> None:
    mocks = Mocks()
    mocks.state("S").returns(None)
    (response,) = mocks.build().states["S"].responses
    assert isinstance(response, Response) and response.returns is None
