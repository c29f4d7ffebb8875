"""Whatever the definition and input, the engine answers with an Execution or one of our errors.

Random state machines (valid and invalid, JSONPath and JSONata) are loaded and run with random
inputs and task answers; no raw Python exception may escape from deep inside the engine.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sfn import DefinitionError, SfnError, StateMachine, Throw

NAMES = ["A", "B", "C", "D"]
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from(["x", "", "2024-01-01T00:00:00Z"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "items"]), children, max_size=3)
    ),
    max_leaves=6,
)
paths = st.sampled_from(
    ["$", "$.a", "$.b", "$.items", "$.a.b", "$$.State.Name", "$[0]", "$.items[*]", "$.nope"]
)
jsonata = st.sampled_from(
    [
        "{% $states.input %}",
        "{% $states.input.a %}",
        "{% $nope %}",
        "{% 1 + 'x' %}",
        "{% [1, 2] %}",
        "{% true %}",
        "{% $states.input.items %}",
    ]
)


@st.composite
def jsonpath_state(draw: Any, name: str, nxt: str | None) -> dict[str, Any]:
    kinds = ["Pass", "Task", "Choice", "Wait", "Map", "Parallel"]
    kind = draw(st.sampled_from(kinds if nxt else [*kinds, "Succeed", "Fail"]))
    state: dict[str, Any] = {"Type": kind}
    if kind not in ("Choice", "Succeed", "Fail"):
        state.update({"Next": nxt} if nxt else {"End": True})
    if kind == "Pass":
        if draw(st.booleans()):
            state["Parameters"] = {"v.$": draw(paths), "k": draw(json_values)}
        if draw(st.booleans()):
            state["ResultPath"] = draw(st.sampled_from(["$.r", "$", None, "$.a.b"]))
    elif kind == "Task":
        state["Resource"] = "arn:aws:states:::lambda:invoke"
        if draw(st.booleans()):
            state["Retry"] = [
                {"ErrorEquals": ["States.ALL"], "MaxAttempts": draw(st.integers(0, 2))}
            ]
        if draw(st.booleans()):
            state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": draw(st.sampled_from(NAMES))}]
        if draw(st.booleans()):
            state["TimeoutSecondsPath"] = draw(paths)
    elif kind == "Choice":
        state["Choices"] = [
            {"Variable": draw(paths), "NumericGreaterThan": 1, "Next": draw(st.sampled_from(NAMES))}
        ]
        state["Default"] = nxt or NAMES[0]
    elif kind == "Wait":
        state.update(
            draw(
                st.sampled_from([{"Seconds": 5}, {"SecondsPath": "$.a"}, {"TimestampPath": "$.b"}])
            )
        )
    elif kind == "Fail":
        state.update(
            draw(
                st.sampled_from(
                    [
                        {},
                        {"ErrorPath": "$.a"},
                        {"Error": "E", "CausePath": "States.JsonToString($)"},
                    ]
                )
            )
        )
    elif kind == "Map":
        state["ItemsPath"] = draw(paths)
        state["ItemProcessor"] = {
            "StartAt": f"{name}In",
            "States": {f"{name}In": {"Type": "Pass", "End": True}},
        }
        if draw(st.booleans()):
            state["MaxConcurrencyPath"] = draw(paths)
    elif kind == "Parallel":
        state["Branches"] = [
            {"StartAt": f"{name}B", "States": {f"{name}B": {"Type": "Pass", "End": True}}}
        ]
    return state


@st.composite
def jsonata_state(draw: Any, name: str, nxt: str | None) -> dict[str, Any]:
    kinds = ["Pass", "Task", "Choice", "Map", "Wait"]
    kind = draw(st.sampled_from(kinds if nxt else [*kinds, "Fail"]))
    state: dict[str, Any] = {"Type": kind}
    if kind not in ("Choice", "Fail"):
        state.update({"Next": nxt} if nxt else {"End": True})
    if kind in ("Pass", "Task", "Map"):
        if draw(st.booleans()):
            state["Output"] = {"o": draw(jsonata)}
        if draw(st.booleans()):
            state["Assign"] = {"v": draw(jsonata)}
    if kind == "Task":
        state["Resource"] = "arn:aws:states:::lambda:invoke"
        state["Arguments"] = {"x": draw(jsonata)}
    elif kind == "Choice":
        state["Choices"] = [{"Condition": draw(jsonata), "Next": draw(st.sampled_from(NAMES))}]
        state["Default"] = nxt or NAMES[0]
    elif kind == "Map":
        state["Items"] = draw(jsonata)
        state["ItemProcessor"] = {
            "StartAt": f"{name}In",
            "States": {f"{name}In": {"Type": "Pass", "End": True}},
        }
    elif kind == "Fail":
        state["Error"] = draw(jsonata)
    elif kind == "Wait":
        state["Seconds"] = draw(jsonata)
    return state


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    language = draw(st.sampled_from(["JSONPath", "JSONata"]))
    maker = jsonpath_state if language == "JSONPath" else jsonata_state
    following = [*NAMES[1:], None]
    states = {name: draw(maker(name, nxt)) for name, nxt in zip(NAMES, following, strict=True)}
    return {"QueryLanguage": language, "StartAt": "A", "States": states}


answers = st.sampled_from([{"Payload": 1}, Throw("Boom", "c"), {"a": [1, 2]}, None])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=definitions(), value=json_values, answer=answers)
def test_engine_never_leaks_raw_exceptions(
    definition: dict[str, Any], value: Any, answer: Any
) -> None:
    try:
        machine = StateMachine.from_definition(definition)
    except DefinitionError:
        return
    try:
        execution = machine.execute(
            value, results={"A": answer, "B": answer, "C": answer, "D": answer}, history_limit=200
        )
    except SfnError:
        return
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    if execution.status == "FAILED":
        assert execution.history[-1].type == "ExecutionFailed"
    assert [e.id for e in execution.history] == list(range(1, len(execution.history) + 1))
