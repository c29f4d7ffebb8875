"""Static rules of workflow variables: names, scopes, and ``$var`` references in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sfn.parsing._validate_common import Collector
from pytest_sfn.parsing._validate_variables import check_variables
from pytest_sfn.parsing.validate import validate_definition
from tests.unit.test_validate import (
    DISTRIBUTED,
    LAMBDA,
    jsonata,
    map_,
    one,
    parallel,
    pass_,
    sm,
    summary,
    task,
    wait,
)

S = "SCHEMA_VALIDATION_FAILED"
INVALID_NAME = "INVALID_VARIABLE_NAME"
OUTER = (
    "The variable '{}' is assigned in an outer scope, so it cannot be assigned inside a "
    "Parallel branch or a Map processor"
)


def chain(state: dict[str, Any], target: str) -> dict[str, Any]:
    """``state`` going to ``target`` instead of ending."""
    out = {key: value for key, value in state.items() if key != "End"}
    return {**out, "Next": target}


def scope(*states: dict[str, Any], prefix: str = "I", distributed: bool = False) -> dict[str, Any]:
    """A branch or processor chaining ``states`` as I0 -> I1 -> ... (names from ``prefix``)."""
    names = [f"{prefix}{i}" for i in range(len(states))]
    body = {}
    for i, state in enumerate(states):
        body[names[i]] = chain(state, names[i + 1]) if i + 1 < len(states) else state
    workflow: dict[str, Any] = {"StartAt": names[0], "States": body}
    if distributed:
        workflow["ProcessorConfig"] = DISTRIBUTED["ProcessorConfig"]
    return workflow


def outer_then(inner: dict[str, Any], *, assign: dict[str, Any] | None = None) -> dict[str, Any]:
    """A machine: Pass ``O`` assigning ``x`` (or ``assign``), then the state ``N``."""
    return sm({"O": chain(pass_(Assign=assign or {"x": 1}), "N"), "N": inner}, start="O")


def case(id_: str, definition: Any, code: str, location: str, message: str) -> Any:
    return pytest.param(definition, code, location, message, id=id_)


# -- inner scopes may not assign an outer scope's names ----------------------------------------

# fmt: off
SHADOWING = [
    case("map", outer_then(map_(ItemProcessor=scope(pass_(Assign={"x": 2})))), S,
         "/States/N/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("legacy-iterator", outer_then({"Type": "Map", "Iterator": scope(pass_(Assign={"x": 2})),
         "End": True}), S, "/States/N/Iterator/States/I0/Assign/x", OUTER.format("x")),
    case("parallel", outer_then(parallel(scope(pass_()), scope(pass_(Assign={"x": 2}), prefix="J"))),
         S, "/States/N/Branches/1/States/J0/Assign/x", OUTER.format("x")),
    case("jsonpath-dollar-key", outer_then(map_(ItemProcessor=scope(pass_(Assign={"x.$": "$"})))),
         S, "/States/N/ItemProcessor/States/I0/Assign/x.$", OUTER.format("x")),
    case("outer-dollar-key", outer_then(map_(ItemProcessor=scope(pass_(Assign={"x": 2}))),
         assign={"x.$": "$.a"}), S, "/States/N/ItemProcessor/States/I0/Assign/x",
         OUTER.format("x")),
    case("jsonata", jsonata(outer_then(map_(ItemProcessor=scope(pass_(Assign={"x": "{% 2 %}"}))))),
         S, "/States/N/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("inner-catcher", outer_then(map_(ItemProcessor=scope(task(
         Catch=[{"ErrorEquals": ["States.ALL"], "Next": "I0", "Assign": {"x": 1}}])))), S,
         "/States/N/ItemProcessor/States/I0/Catch/0/Assign/x", OUTER.format("x")),
    case("inner-choice-rule", outer_then(map_(ItemProcessor={"StartAt": "C", "States": {
         "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "D",
                                              "Assign": {"x": 1}}], "Default": "D"},
         "D": {"Type": "Succeed"}}})), S, "/States/N/ItemProcessor/States/C/Choices/0/Assign/x",
         OUTER.format("x")),
    case("outer-catcher", sm({"N": chain(task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "M",
         "Assign": {"x": 1}}]), "M"),
         "M": map_(ItemProcessor=scope(pass_(Assign={"x": 2})))}, start="N"), S,
         "/States/M/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("outer-choice-rule", sm({"C": {"Type": "Choice", "Choices": [
         {"Variable": "$.a", "IsNull": True, "Next": "M", "Assign": {"x": 1}}], "Default": "M"},
         "M": map_(ItemProcessor=scope(pass_(Assign={"x": 2})))}, start="C"), S,
         "/States/M/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("outer-assigns-later", sm({"M": chain(map_(ItemProcessor=scope(pass_(Assign={"x": 2}))),
         "O"), "O": pass_(Assign={"x": 1})}, start="M"), S,
         "/States/M/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("map-state-own-assign", sm({"M": map_(Assign={"x": 1},
         ItemProcessor=scope(pass_(Assign={"x": 2})))}, start="M"), S,
         "/States/M/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
    case("grandparent", outer_then(map_(ItemProcessor=scope(
         parallel(scope(wait(Seconds=0, Assign={"x": 3}), prefix="J"))))), S,
         "/States/N/ItemProcessor/States/I0/Branches/0/States/J0/Assign/x", OUTER.format("x")),
    case("parent-not-top", sm({"M": map_(ItemProcessor=scope(pass_(Assign={"y": 1}),
         parallel(scope(pass_(Assign={"y": 2}), prefix="J"))))}, start="M"), S,
         "/States/M/ItemProcessor/States/I1/Branches/0/States/J0/Assign/y", OUTER.format("y")),
    case("distributed", outer_then(map_(ItemProcessor=scope(pass_(Assign={"x": 2}),
         distributed=True))), S, "/States/N/ItemProcessor/States/I0/Assign/x", OUTER.format("x")),
]
# fmt: on


@pytest.mark.parametrize(("definition", "code", "location", "message"), SHADOWING)
def test_an_inner_scope_cannot_assign_an_outer_name(
    definition: dict[str, Any], code: str, location: str, message: str
) -> None:
    found = validate_definition(definition)
    assert [(d.code, d.location, d.message) for d in found] == [(code, location, message)]
    assert found[0].hint.startswith(" (assigned at /States/")


def test_the_hint_points_at_the_outer_assignment() -> None:
    definition = outer_then(map_(ItemProcessor=scope(pass_(Assign={"x": 2}))))
    (diagnostic,) = validate_definition(definition)
    assert diagnostic.hint == " (assigned at /States/O/Assign/x)"


def test_every_inner_assignment_is_reported() -> None:
    definition = outer_then(
        parallel(
            scope(pass_(Assign={"x": 2}), pass_(Assign={"x": 3})),
            scope(pass_(Assign={"x": 4}), prefix="J"),
        )
    )
    assert [d.location for d in validate_definition(definition)] == [
        "/States/N/Branches/0/States/I0/Assign/x",
        "/States/N/Branches/0/States/I1/Assign/x",
        "/States/N/Branches/1/States/J0/Assign/x",
    ]


VALID_SCOPES = {
    "siblings-share-names": one(
        parallel(scope(pass_(Assign={"x": 1})), scope(pass_(Assign={"x": 2}), prefix="J"))
    ),
    "inner-reassigns-its-own": one(
        map_(ItemProcessor=scope(pass_(Assign={"i": 1}), pass_(Assign={"i": 2})))
    ),
    "inner-reads-outer": (
        outer_then(map_(ItemProcessor=scope(pass_(Parameters={"v.$": "$x"}, Assign={"y.$": "$x"}))))
    ),
    "two-maps-same-inner-name": sm(
        {
            "M1": chain(map_(ItemProcessor=scope(pass_(Assign={"i": 1}))), "M2"),
            "M2": map_(ItemProcessor=scope(pass_(Assign={"i": 2}), prefix="J")),
        },
        start="M1",
    ),
    "outer-reuses-after-sequence": sm(
        {"A": chain(pass_(Assign={"x": 1}), "B"), "B": pass_(Assign={"x": 2})},
        start="A",
    ),
    "different-names": (
        outer_then(map_(ItemProcessor=scope(pass_(Assign={"y": 1}))), assign={"x": 1})
    ),
}


@pytest.mark.parametrize("definition", VALID_SCOPES.values(), ids=VALID_SCOPES)
def test_scopes_that_are_valid(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []


def test_an_invalid_name_reports_its_name_only() -> None:
    definition = outer_then(map_(ItemProcessor=scope(pass_(Assign={"1x": 2}))), assign={"1x": 1})
    assert [d.code for d in validate_definition(definition)] == [INVALID_NAME, INVALID_NAME]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.from_regex(r"[a-z][a-zA-Z0-9]{0,6}", fullmatch=True), min_size=1, max_size=5, unique=True
    ),
    st.integers(min_value=1, max_value=3),
)
def test_nesting_depth_does_not_matter(names: list[str], depth: int) -> None:
    inner: dict[str, Any] = pass_(Assign=dict.fromkeys(names, 1))
    for level in range(depth):
        inner = map_(ItemProcessor=scope(inner, prefix=f"L{level}_"))
    definition = sm({"O": chain(pass_(Assign={names[-1]: 0}), "M"), "M": inner}, start="O")
    found = validate_definition(definition)
    assert [d.message for d in found] == [OUTER.format(names[-1])]


def test_check_variables_on_an_empty_collector() -> None:
    collector = Collector()
    check_variables(collector)
    assert collector.diagnostics == []


# -- variable names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("x", True),
        ("camelCase", True),
        ("with_underscore", True),
        ("ñandú", True),
        ("变量", True),
        ("x" * 80, True),
        ("x" * 81, False),
        ("_x", False),
        ("1x", False),
        ("a-b", False),
        ("a b", False),
        ("a.b", False),
        ("a[0]", False),
        ("$x", False),
        ("", False),
    ],
)
def test_variable_names(name: str, valid: bool) -> None:
    for definition in (one(pass_(Assign={name: 1})), jsonata(one(pass_(Assign={name: 1})))):
        found = summary(validate_definition(definition))
        if valid:
            assert found == []
        else:
            assert [(code, loc) for code, loc, _ in found] == [
                (INVALID_NAME, f"/States/A/Assign/{name}".replace("~", "~0"))
            ]
            assert found[0][2].startswith(f"Invalid variable name '{name}'")


def test_states_is_reserved_in_both_languages() -> None:
    for definition in (
        one(pass_(Assign={"states.$": "$"})),
        jsonata(one(pass_(Assign={"states": "{% 1 %}"}))),
    ):
        assert [d.code for d in validate_definition(definition)] == ["RESERVED_VARIABLE_NAME"]


# -- references ---------------------------------------------------------------------------------

VALID_REFERENCES = {
    # AWS accepts a reference to a variable nothing assigns; it fails at run time.
    "jsonata-undefined": jsonata(one(pass_(Output="{% $doesNotExist %}"))),
    "jsonata-undefined-in-assign": jsonata(one(pass_(Assign={"r": "{% $doesNotExist %}"}))),
    "jsonpath-undefined": one(pass_(Parameters={"v.$": "$doesNotExist"})),
    "distributed-reads-outer": (
        outer_then(
            map_(
                ItemProcessor=scope(
                    pass_(Output="{% $x %}", QueryLanguage="JSONata"), distributed=True
                )
            )
        )
    ),
    "jsonpath-everywhere": sm(
        {
            "Set": chain(
                pass_(
                    Assign={
                        "n": 1,
                        "items": [1, 2],
                        "path": "$.a",
                        "answer": "a",
                        "role": "arn:aws:iam::1:role/r",
                        "t": "2024-01-01T00:00:00Z",
                        "e": "E",
                    }
                ),
                "T",
            ),
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "InputPath": "$n",
                "Parameters": {
                    "a.$": "$items[0]",
                    "b.$": "States.Format('{} {}', $answer, $.x)",
                    "c.$": "States.ArrayLength($items)",
                },
                "TimeoutSecondsPath": "$n",
                "HeartbeatSecondsPath": "$n",
                "Credentials": {"RoleArn.$": "$role"},
                "ResultSelector": {"r.$": "$.Payload", "n.$": "$n"},
                "OutputPath": "$",
                "Assign": {"m.$": "States.MathAdd($n, 1)"},
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$answer", "StringEqualsPath": "$answer", "Next": "W"},
                    {"Not": {"Variable": "$n", "NumericGreaterThanPath": "$m"}, "Next": "W"},
                ],
                "Default": "W",
            },
            "W": chain(wait(SecondsPath="$n"), "W2"),
            "W2": chain(wait(TimestampPath="$t"), "M"),
            "M": chain(
                map_(
                    ItemsPath="$items",
                    MaxConcurrencyPath="$n",
                    ItemSelector={"v.$": "$$.Map.Item.Value", "n.$": "$n"},
                    ItemProcessor=scope(pass_(), prefix="P"),
                ),
                "F",
            ),
            "F": {"Type": "Fail", "ErrorPath": "$e", "CausePath": "States.Format('{}', $e)"},
        },
        start="Set",
    ),
}


@pytest.mark.parametrize("definition", VALID_REFERENCES.values(), ids=VALID_REFERENCES)
def test_references_aws_accepts(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("definition", "location"),
    [
        (one(pass_(ResultPath="$x")), "/States/A/ResultPath"),
        (one(pass_(ResultPath="$x.y")), "/States/A/ResultPath"),
        (
            one(task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "A", "ResultPath": "$x"}])),
            "/States/A/Catch/0/ResultPath",
        ),
    ],
)
def test_result_path_cannot_reference_a_variable(definition: dict[str, Any], location: str) -> None:
    assert summary(validate_definition(definition)) == [
        (S, location, "The value for the field 'ResultPath' must be a valid Reference Path")
    ]


def test_retrier_fields_cannot_reference_variables() -> None:
    definition = one(
        task(Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": "$n", "MaxAttempts": "$m"}])
    )
    assert summary(validate_definition(definition)) == [
        (S, "/States/A/Retry/0/IntervalSeconds", "Expected value of type [INTEGER]"),
        (S, "/States/A/Retry/0/MaxAttempts", "Expected value of type [INTEGER]"),
    ]
