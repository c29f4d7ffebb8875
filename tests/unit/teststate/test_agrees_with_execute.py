"""TestState and a full execution agree: one state tested alone gives what it gives in a run.

``run_state`` evaluates a state with the engine's own pieces; an execution of a machine
whose only state is that state must produce the same output (and, for Tasks answered the
same way, the same status and error).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn import StateMachine, StateMock, Throw, run_state

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
OBJECTS = st.dictionaries(st.sampled_from(["a", "b", "c"]), SCALARS, max_size=3)

PASS_STATES: list[dict[str, Any]] = [
    {"Type": "Pass"},
    {"Type": "Pass", "Result": {"fixed": 1}, "ResultPath": "$.r"},
    {"Type": "Pass", "Parameters": {"copy.$": "$", "n": 2}, "ResultPath": "$.p"},
    {"Type": "Pass", "Parameters": {"len.$": "States.ArrayLength(States.Array($.a, $.b))"}},
    {"Type": "Pass", "InputPath": "$", "OutputPath": "$"},
    {
        "QueryLanguage": "JSONata",
        "Type": "Pass",
        "Output": "{% $merge([$states.input, {'x': 1}]) %}",
    },
]

CHARGE: dict[str, Any] = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
    "ResultSelector": {"id.$": "$.Payload.id"},
    "ResultPath": "$.charge",
}


def _alone(state: dict[str, Any]) -> StateMachine:
    return StateMachine.from_definition({"StartAt": "S", "States": {"S": {**state, "End": True}}})


def _cause(text: str | None) -> str | None:
    """A runtime error's cause without what differs by construction: the state's name
    (TestState calls a lone state ``StateName``) and the id of its entered event."""
    if text is None:
        return None
    return re.sub(r"state '[^']*' \(entered at the event id #\d+\)", "state (...)", text)


@pytest.mark.parametrize("state", PASS_STATES, ids=lambda s: ",".join(sorted(s)))
@given(value=OBJECTS)
@settings(max_examples=25, deadline=None)
def test_a_pass_state_tested_alone_does_what_it_does_in_an_execution(
    state: dict[str, Any], value: dict[str, Any]
) -> None:
    tested = run_state({**state, "End": True}, input=value)
    executed = _alone(state).execute(value)

    assert tested.status == executed.status
    assert tested.output == executed.output
    assert tested.error == executed.error
    assert _cause(tested.cause) == _cause(executed.cause)


@given(payload=OBJECTS, order=OBJECTS)
@settings(max_examples=25, deadline=None)
def test_a_mocked_task_outputs_what_the_same_answer_gives_in_an_execution(
    payload: dict[str, Any], order: dict[str, Any]
) -> None:
    answer = {"StatusCode": 200, "Payload": {**payload, "id": "ch_1"}}

    tested = run_state({**CHARGE, "End": True}, input=order, mock=StateMock(result=answer))
    executed = _alone(CHARGE).execute(order, results={"S": answer})

    assert tested.output == executed.output == {**order, "charge": {"id": "ch_1"}}


@pytest.mark.parametrize("error", ["Lambda.ServiceException", "Payment.Declined"])
def test_an_unhandled_error_fails_both_the_same_way(error: str) -> None:
    tested = run_state(
        {**CHARGE, "End": True}, input={}, mock=StateMock(error_output=(error, "boom"))
    )
    executed = _alone(CHARGE).execute({}, results={"S": Throw(error, "boom")})

    assert (tested.status, tested.error, tested.cause) == ("FAILED", error, "boom")
    assert (executed.status, executed.error, executed.cause) == ("FAILED", error, "boom")
