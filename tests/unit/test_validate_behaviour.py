"""Whole-definition behaviour of the validator: every problem reported, ordering, query
language resolution, warnings, intrinsics, and properties that hold for any input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sfn.errors import Diagnostic
from pytest_sfn.parsing import _validate_common
from pytest_sfn.parsing.validate import validate_definition
from tests.unit.test_validate import (
    DISTRIBUTED,
    LAMBDA,
    PROCESSOR,
    SUCCEED,
    VALID,
    choice,
    jsonata,
    map_,
    one,
    pass_,
    rule,
    sm,
    summary,
    task,
)

S = "SCHEMA_VALIDATION_FAILED"
T = "MISSING_TRANSITION_TARGET"
KNOWN_CODES = {
    S,
    T,
    "MISSING_END_STATE",
    "DUPLICATE_STATE_NAME",
    "INVALID_STATE_NAME",
    "DUPLICATE_LABEL_NAME",
    "INVALID_LABEL_NAME",
    "INVALID_JSONATA_EXPRESSION",
    "UNSUPPORTED_JSONATA_EXPRESSION",
    "INVALID_VARIABLE_NAME",
    "RESERVED_VARIABLE_NAME",
    "NO_DOLLAR",
    "NO_PATH",
    "PASS_RESULT_IS_STATIC",
}


def resolve(definition: Any, location: str) -> Any:
    """The node a JSON pointer designates (KeyError/IndexError/TypeError when none)."""
    if location in ("", "/"):
        return definition
    node = definition
    for raw in location[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


# -- every problem, in a stable order -------------------------------------------------------


def test_every_problem_is_reported() -> None:
    definition = {
        "StartAt": "Charge",
        "Comnent": "typo",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 0,
                "Retry": [
                    {"ErrorEquals": ["States.ALL"]},
                    {"ErrorEquals": ["States.Timout"], "BackoffRate": 0.5},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refnd"}],
                "Next": "Notify",
            },
            "Notify": {"Type": "Pass", "Nxt": "Done"},
            "Refund": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"},
            "Done": {"Type": "Succeed"},
        },
    }
    assert summary(validate_definition(definition)) == [
        (S, "/", "Field 'Comnent' is not supported (did you mean 'Comment'?)"),
        (S, "/States/Charge/TimeoutSeconds", "Minimum value is 1"),
        (
            S,
            "/States/Charge/Retry/0/ErrorEquals",
            "States.ALL must appear alone and at end of list",
        ),
        (
            S,
            "/States/Charge/Retry/1/ErrorEquals/0",
            "'States.Timout' is not a predefined error name; names starting with 'States.' "
            "are reserved (did you mean 'States.Timeout'?)",
        ),
        (S, "/States/Charge/Retry/1/BackoffRate", "Minimum value is 1.0"),
        (S, "/States/Notify", "Field 'Nxt' is not supported (did you mean 'Next'?)"),
        (
            S,
            "/States/Notify",
            "This object should have only one of the following fields: [Next, End]",
        ),
        (
            S,
            "/States/Refund",
            "There should only be one of the following fields: [Error, ErrorPath]",
        ),
        (T, "/States/Charge/Catch/0/Next", "Missing 'Next' target: Refnd (did you mean 'Refund'?)"),
        (T, "/States/Refund", 'State "Refund" is not reachable.'),
        (T, "/States/Done", 'State "Done" is not reachable.'),
    ]


def test_results_are_deterministic() -> None:
    definition = sm({"A": {"Type": "Pass", "Next": "X", "Foo": 1}, "B": pass_(ResultPath="x")})
    assert validate_definition(definition) == validate_definition(copy.deepcopy(definition))


def test_input_is_not_modified() -> None:
    definition = sm({"A": {"Type": "Pass", "Next": "X", "Parameters": {"a.$": "x"}}})
    before = copy.deepcopy(definition)
    validate_definition(definition)
    assert definition == before


def test_diagnostics_are_diagnostic_objects() -> None:
    [diagnostic] = validate_definition(one(pass_(InputPath=1)))
    assert isinstance(diagnostic, Diagnostic)
    assert diagnostic.as_api() == {
        "severity": "ERROR",
        "code": S,
        "message": "Expected value of type [STRING]",
        "location": "/States/A/InputPath",
    }


# -- transitions and reachability -----------------------------------------------------------


def test_missing_end_state_alone_hides_unreachable_states() -> None:
    definition = sm(
        {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "A"},
            "Unused": {"Type": "Pass", "Next": "A"},
        }
    )
    assert summary(validate_definition(definition)) == [
        ("MISSING_END_STATE", "", "Workflow has no terminal state")
    ]


def test_missing_target_comes_before_missing_end_state() -> None:
    definition = sm({"A": {"Type": "Pass", "Next": "NOPE"}})
    assert summary(validate_definition(definition)) == [
        (T, "/States/A/Next", "Missing 'Next' target: NOPE"),
        ("MISSING_END_STATE", "", "Workflow has no terminal state"),
    ]


def test_unreachable_terminal_state_is_reported_when_a_terminal_exists() -> None:
    definition = sm(
        {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "A"},
            "C": pass_(),
        }
    )
    assert summary(validate_definition(definition)) == [
        (T, "/States/C", 'State "C" is not reachable.')
    ]


def test_dangling_start_at_makes_every_state_unreachable() -> None:
    definition = sm({"A": pass_(), "B": pass_()}, start="Nope")
    assert summary(validate_definition(definition)) == [
        (T, "/StartAt", "Missing 'Next' target: Nope"),
        (T, "/States/A", 'State "A" is not reachable.'),
        (T, "/States/B", 'State "B" is not reachable.'),
    ]


def test_states_reached_through_choices_defaults_and_catchers_are_reachable() -> None:
    definition = sm(
        {
            "A": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], End=None),
            "Caught": {
                "Type": "Choice",
                "Choices": [rule(IsNull=True, Next="ByRule")],
                "Default": "ByDefault",
            },
            "ByRule": SUCCEED,
            "ByDefault": SUCCEED,
        }
    )
    definition["States"]["A"].pop("End")
    definition["States"]["A"]["Next"] = "ByRule"
    assert validate_definition(definition) == []


def test_scopes_are_checked_independently() -> None:
    branch = {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Outer"}, "Y": SUCCEED}}
    definition = sm(
        {
            "A": {"Type": "Parallel", "Branches": [branch], "Next": "Outer"},
            "Outer": map_(ItemProcessor={"StartAt": "Z", "States": {"Z": pass_()}}),
        }
    )
    assert summary(validate_definition(definition)) == [
        (
            T,
            "/States/A/Branches/0/States/X/Next",
            "Missing 'Next' target: Outer (the state 'Outer' is defined at /States/Outer, in "
            "another scope: transitions cannot enter or leave a Parallel branch or a Map "
            "processor)",
        ),
        (T, "/States/A/Branches/0/States/Y", 'State "Y" is not reachable.'),
    ]


def test_state_names_are_unique_across_scopes() -> None:
    definition = sm(
        {
            "A": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B", "States": {"B": SUCCEED}},
                    {"StartAt": "B", "States": {"B": SUCCEED}},
                ],
                "Next": "B",
            },
            "B": SUCCEED,
        }
    )
    assert summary(validate_definition(definition)) == [
        ("DUPLICATE_STATE_NAME", "/States/A/Branches/1/States/B", "Duplicate State name: B"),
        ("DUPLICATE_STATE_NAME", "/States/B", "Duplicate State name: B"),
    ]


# -- query languages --------------------------------------------------------------------------


def test_nested_states_inherit_the_machine_language_not_the_enclosing_state() -> None:
    inner = {"StartAt": "P", "States": {"P": pass_(Output={"a": 1})}}
    definition = one(map_(QueryLanguage="JSONata", Items=[1], ItemProcessor=inner))
    assert summary(validate_definition(definition)) == [
        (
            S,
            "/States/A/ItemProcessor/States/P",
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for "
            "the 'JSONata' QueryLanguage",
        )
    ]
    assert validate_definition(jsonata(one(map_(ItemProcessor=inner)))) == []


def test_unrecognised_state_language_is_treated_as_jsonata() -> None:
    definition = one(pass_(QueryLanguage="foo", InputPath="$.a"))
    assert summary(validate_definition(definition)) == [
        (
            S,
            "/States/A",
            "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for "
            "the 'JSONPath' QueryLanguage",
        ),
        (S, "/States/A/QueryLanguage", "Value should be one of the following: [JSONPath, JSONata]"),
    ]


def test_unrecognised_machine_language_is_treated_as_jsonata() -> None:
    definition = one(pass_(Output={"v": "{% 1 %}"}), QueryLanguage="jsonpath")
    assert summary(validate_definition(definition)) == [
        (
            S,
            "/QueryLanguage",
            "Value should be one of the following: [JSONPath, JSONata] (did you mean 'JSONPath'?)",
        )
    ]


def test_a_downgrade_replaces_the_field_language_checks_of_that_state() -> None:
    definition = jsonata(one(map_(QueryLanguage="JSONPath", Output={"a": 1}, MaxConcurrency=-1)))
    assert summary(validate_definition(definition)) == [
        (
            S,
            "/States/A",
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        ),
        (S, "/States/A/MaxConcurrency", "Minimum value is 0"),
    ]


def test_lowercase_jsonpath_under_a_jsonata_machine_is_not_a_downgrade() -> None:
    definition = jsonata(one(pass_(QueryLanguage="jsonpath")))
    assert [d.location for d in validate_definition(definition)] == ["/States/A/QueryLanguage"]


def test_jsonata_strings_need_both_delimiters_and_no_padding() -> None:
    for literal in ("{% 1", "1 %}", " {% %}", "{% %} ", "{%}"):
        assert validate_definition(jsonata(one(pass_(Output=literal)))) == [], literal


# -- did you mean ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "field", "suggestion"),
    [
        (pass_(), "Nxt", "Next"),
        (pass_(), "end", "End"),
        (pass_(), "ResultPth", "ResultPath"),
        (task(), "Resourse", "Resource"),
        (task(), "Retries", "Retry"),
        (choice(rule(IsNull=True))["States"]["C"], "Choises", "Choices"),
        (map_(), "ItemSelecter", "ItemSelector"),
    ],
)
def test_misspelt_field_names_get_a_suggestion(
    state: dict[str, Any], field: str, suggestion: str
) -> None:
    definition = sm({"A": {**state, field: 1}, "D": SUCCEED})
    messages = [
        d.message + d.hint for d in validate_definition(definition) if d.location == "/States/A"
    ]
    assert f"Field '{field}' is not supported (did you mean '{suggestion}'?)" in messages


def test_a_field_of_another_state_type_gets_no_suggestion() -> None:
    messages = [d.message for d in validate_definition(one(pass_(Retry=[])))]
    assert messages == ["Field 'Retry' is not supported"]


@pytest.mark.parametrize(
    ("target", "hint"),
    [("Chrge", " (did you mean 'Charge'?)"), ("charge", " (did you mean 'Charge'?)"), ("Zzz", "")],
)
def test_misspelt_transition_targets_get_a_suggestion(target: str, hint: str) -> None:
    definition = sm({"A": {"Type": "Pass", "Next": target}, "Charge": pass_()})
    assert (T, "/States/A/Next", f"Missing 'Next' target: {target}{hint}") in summary(
        validate_definition(definition)
    )


# -- warnings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "code", "location"),
    [
        (one(pass_(Parameters={"a": "$.x"})), "NO_DOLLAR", "/States/A/Parameters/a"),
        (
            one(task(Parameters={"n": {"a": "$$.Execution.Id"}})),
            "NO_DOLLAR",
            "/States/A/Parameters/n/a",
        ),
        (one(pass_(Parameters={"a": "States.UUID()"})), "NO_DOLLAR", "/States/A/Parameters/a"),
        (one(pass_(Result={"a.$": "$.x"})), "PASS_RESULT_IS_STATIC", "/States/A/Result/a.$"),
        (
            one(pass_(Result=[{"b": {"a.$": "$"}}])),
            "PASS_RESULT_IS_STATIC",
            "/States/A/Result/0/b/a.$",
        ),
        (one({"Type": "Fail", "Error": "$.error"}), "NO_PATH", "/States/A/Error"),
        (one({"Type": "Fail", "Cause": "$$.Execution.Id"}), "NO_PATH", "/States/A/Cause"),
    ],
)
def test_warnings(definition: dict[str, Any], code: str, location: str) -> None:
    assert [(d.severity, d.code, d.location) for d in validate_definition(definition)] == [
        ("WARNING", code, location)
    ]


def test_plain_strings_raise_no_warning() -> None:
    definition = one(pass_(Parameters={"a": "$", "b": "$var", "c": "text", "d": "States"}))
    assert validate_definition(definition) == []


# -- intrinsic functions -------------------------------------------------------------------------


def test_intrinsic_problems_carry_the_parser_detail() -> None:
    [diagnostic] = validate_definition(one(pass_(Parameters={"k.$": "States.Nope(1)"})))
    assert diagnostic.message.startswith(
        "The value for the field 'k.$' must be a valid JSONPath or a valid intrinsic function "
        "call: "
    )
    assert "States.Nope" in diagnostic.message
    assert "\n" not in diagnostic.message


def test_nested_intrinsics_and_every_path_kind_are_accepted() -> None:
    value = "States.Array(States.MathAdd($.a, 1), $$.Execution.Id, $myVar, 'x', null)"
    assert validate_definition(one(pass_(Parameters={"k.$": value}))) == []


def test_fallback_when_intrinsics_are_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the intrinsics package, calls are recognised by shape and not parsed."""

    def fallback() -> Any:
        return (lambda text: text.startswith("States.") and text.endswith(")")), (lambda text: None)

    monkeypatch.setattr(_validate_common, "_intrinsic_functions", fallback)
    assert validate_definition(one(pass_(Parameters={"k.$": "States.Nope(1)"}))) == []
    assert [d.location for d in validate_definition(one(pass_(Parameters={"k.$": "x"})))] == [
        "/States/A/Parameters/k.$"
    ]


# -- properties ------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.text(max_size=8)
    | st.sampled_from(["$", "$.a", "$$.x", "$v", "{% %}", "{% 1 %}", "States.ALL", "A", "D"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(
        st.sampled_from(["Type", "Next", "End", "a.$", "x", "States", "StartAt", "Variable"])
        | st.text(max_size=5),
        children,
        max_size=3,
    ),
    max_leaves=8,
)  # fmt: skip


def _nodes(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*prefix, index))
    return found


@st.composite
def mutated_definitions(draw: st.DrawFn) -> Any:
    """A valid definition with a few nodes replaced, added or removed."""
    definition = copy.deepcopy(draw(st.sampled_from(list(VALID.values()))))
    for _ in range(draw(st.integers(1, 3))):
        paths = _nodes(definition)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = resolve_path(definition, path[:-1])
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(JSON_VALUES)
    return definition


def resolve_path(definition: Any, path: tuple[Any, ...]) -> Any:
    node = definition
    for part in path:
        node = node[part]
    return node


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_definitions())
def test_any_definition_yields_well_formed_diagnostics(definition: Any) -> None:
    diagnostics = validate_definition(definition)
    for diagnostic in diagnostics:
        assert diagnostic.code in KNOWN_CODES
        assert diagnostic.severity in ("ERROR", "WARNING")
        assert diagnostic.message
        if diagnostic.location:
            resolve(definition, diagnostic.location)  # points at something that exists


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value: Any) -> None:
    diagnostics = validate_definition(value)
    assert diagnostics or isinstance(value, dict)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(VALID)),
    st.data(),
    st.text(alphabet="qwzxjk", min_size=3, max_size=8),
)
def test_an_unknown_field_adds_exactly_one_diagnostic(name: str, data: Any, field: str) -> None:
    definition = copy.deepcopy(VALID[name])
    state_name = data.draw(st.sampled_from(sorted(definition["States"])))
    definition["States"][state_name][field] = 1
    assert summary(validate_definition(definition)) == [
        (S, f"/States/{state_name}", f"Field '{field}' is not supported")
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=8, unique=True))
def test_any_chain_of_names_is_valid(names: list[str]) -> None:
    states: dict[str, Any] = {
        name: {"Type": "Pass", "Next": following}
        for name, following in zip(names, names[1:], strict=False)
    }
    states[names[-1]] = pass_()
    assert validate_definition(sm(states, start=names[0])) == []


def test_large_definitions_validate_clean() -> None:
    # Speed is measured in benchmarks/, never by timed tests.
    count = 4000
    states = {
        f"S{i}": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Parameters": {"Payload.$": "$.x"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "Next": f"S{i + 1}",
        }
        for i in range(count)
    }
    states[f"S{count}"] = {"Type": "Map", "ItemProcessor": DISTRIBUTED, "Next": "Done"}
    states["Done"] = SUCCEED
    definition = sm(states, start="S0")
    assert validate_definition(definition) == []


def test_processor_constant_is_valid() -> None:
    assert validate_definition(sm(PROCESSOR["States"], start="I")) == []
