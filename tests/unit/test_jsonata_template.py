"""JSONata field templates: literal vs expression, field paths in causes, compile errors.

Causes are AWS's (aws-spec.md section 5.9; TV-17 for the literal rules): ``returned nothing
(undefined).``, ``threw an error during evaluation. CODE: message`` and, for code-less bounds,
``threw an error during evaluation: message``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonata import JsonataEnv
from pytest_sfn.expressions.jsonata_template import (
    JsonataTemplate,
    JsonataTemplateError,
    QueryEvaluationError,
    compile_jsonata_template,
    evaluate_jsonata_template,
    template_references,
    template_uses_states_field,
)

ENV = JsonataEnv(random.Random(0), lambda: "uuid-1", lambda: 0)
INPUT = {"input_value": "string literal", "input_values": [1, 2, 3], "bar": None}


def render(value: JSON, field: str = "Output", **variables: JSON) -> Any:
    template = compile_jsonata_template(value, field, f"/States/S/{field}")
    bindings = {"states": {"input": INPUT, "context": {"State": {"Name": "S"}}}, **variables}
    return evaluate_jsonata_template(template, bindings, ENV)


def cause_of(value: JSON, field: str = "Output", **variables: JSON) -> tuple[str, str]:
    with pytest.raises(QueryEvaluationError) as caught:
        render(value, field, **variables)
    return caught.value.cause or "", caught.value.location


# --- literals (TV-17) ------------------------------------------------------------------------------

TV17_LITERALS = {
    "constant_null": None,
    "constant_int": 0,
    "constant_float": 0.1,
    "constant_bool": True,
    "constant_str": "constant string",
    "constant_not_jsonata": " {% states.input %} ",
    "constant_varpath_states": "$states.input",
    "constant_varpath": "$no.such.var.path",
    "constant_jp_input": "$",
    "constant_jp_input.$": "$",
    "constant_jp_input_path": "$.input_value",
    "constant_jp_context": "$$",
    "constant_if": "States.Format('Format:{}', 101)",
    "constant_lst_empty": [],
    "constant_lst": [None, 0, 0.1, True, [], {"constant": 0}, " {% states.input %} "],
    "constant_obj_empty": {},
    "constant_obj": {"in_obj_constant_lst": ["$states.input", "$no.such.var.path"]},
}


def test_literal_strings_and_dollar_keys_are_copied_verbatim() -> None:
    template = compile_jsonata_template(TV17_LITERALS, "Output", "/States/S/Output")
    assert template.is_literal
    assert template.literal == TV17_LITERALS
    assert template.expressions == ()
    assert render(TV17_LITERALS) == TV17_LITERALS


@pytest.mark.parametrize("value", [None, 0, 0.1, True, "text", [], {}, [1, "{% x"]])
def test_any_json_literal_is_its_own_value(value: JSON) -> None:
    assert render(value) == value


def test_expressions_are_evaluated_at_any_depth_next_to_literals() -> None:
    template = {
        "ja_states_input": "{% $states.input %}",
        "ja_var_access": "{% $var_input_value %}",
        "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
        "nested": {"list": ["{% $states.context.State.Name %}", "literal", {"n": "{% 1 + 1 %}"}]},
        "key.$": "$.not_a_path",
        "untouched": " {% 1 %}",
    }
    result = render(template, var_input_value="string literal", var_constant_1=1)
    assert result == {
        "ja_states_input": INPUT,
        "ja_var_access": "string literal",
        "ja_expr": 7,
        "nested": {"list": ["S", "literal", {"n": 2}]},
        "key.$": "$.not_a_path",
        "untouched": " {% 1 %}",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", INPUT),
        ("{% 'Condition Output block' %}", "Condition Output block"),
        ("{% null %}", None),
        ("{% [] %}", []),
        ("{% $states.input.bar %}", None),
        ({"v": "{% $states.input.bar %}", "kept": 1}, {"v": None, "kept": 1}),
        ({"outer": {"v": "{% null %}"}}, {"outer": {"v": None}}),
        ({"values": ["{% null %}", 1]}, {"values": [None, 1]}),
        ({"literal": None, "kept": 1}, {"literal": None, "kept": 1}),
        ("{% 1 + 1 %}", 2),
        ("{% 10 / 4 %}", 2.5),
    ],
)
def test_field_values(value: JSON, expected: JSON) -> None:
    result = render(value)
    assert result == expected
    assert type(result) is type(expected)


def test_a_literal_template_returns_the_value_itself() -> None:
    value = {"a": [1, 2]}
    template = compile_jsonata_template(value, "Output", "/States/S/Output")
    assert evaluate_jsonata_template(template, {}, ENV) is value


def test_evaluations_do_not_share_results() -> None:
    template = compile_jsonata_template({"v": "{% $x %}"}, "Output", "/States/S/Output")
    first = evaluate_jsonata_template(template, {"x": 1}, ENV)
    second = evaluate_jsonata_template(template, {"x": 2}, ENV)
    assert (first, second) == ({"v": 1}, {"v": 2})


# --- causes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "field", "location"),
    [
        ("{% $states.input.missing %}", "Output", "Output"),
        ({"v": "{% $states.input.missing %}"}, "Output", "Output/v"),
        ({"a": {"b": "{% $states.input.missing %}"}}, "Output", "Output/a/b"),
        ({"values": ["{% $states.input.missing %}", 1]}, "Output", "Output/values[0]"),
        ({"a": {"b": [[1, "{% $states.input.missing %}"]]}}, "Output", "Output/a/b[0][1]"),
        ({"x": {"y": "{% $states.input.missing %}"}}, "Assign", "Assign/x/y"),
        (
            {"Input": {"pushLocation": "{% $states.input.missing %}"}},
            "Arguments",
            "Arguments/Input/pushLocation",
        ),
        ("{% $states.input.missing %}", "Seconds", "Seconds"),
        ("{% $states.input.missing %}", "Choices[1]/Condition", "Choices[1]/Condition"),
    ],
)
def test_nothing_fails_naming_the_field_path(value: JSON, field: str, location: str) -> None:
    assert cause_of(value, field) == (
        "The JSONata expression '$states.input.missing' specified for the field "
        f"'{location}' returned nothing (undefined).",
        location,
    )


@pytest.mark.parametrize(
    ("value", "cause", "location"),
    [
        (
            "{% $doesNotExist %}",
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned "
            "nothing (undefined).",
            "Output",
        ),
        (
            {"FunctionResult": "{%   $randomSeeded($states.input.FunctionInput.fst)\n%}"},
            "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for "
            "the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted "
            "to invoke a non-function",
            "Output/FunctionResult",
        ),
        (
            {"v": "{% $sum(['a']) %}"},
            "The JSONata expression '$sum(['a'])' specified for the field 'Output/v' threw an "
            'error during evaluation. T0412: Argument 1 of function "sum" must be an array of '
            '"numbers"',
            "Output/v",
        ),
        (
            {"v": "{% $range(1, 360146, 1) %}"},
            "The JSONata expression '$range(1, 360146, 1)' specified for the field 'Output/v' threw "
            "an error during evaluation: Expression evaluation memory limit exceeded: Check for "
            "excessive memory usage",
            "Output/v",
        ),
        (
            {"r": "{% [1..900000] ~> $count() %}"},
            "The JSONata expression '[1..900000] ~> $count()' specified for the field 'Output/r' "
            "threw an error during evaluation: Expression evaluation memory limit exceeded: Check "
            "for excessive memory usage",
            "Output/r",
        ),
        (
            {"r": "{% 1" + "+1" * 100 + " %}"},
            "The JSONata expression '1" + "+1" * 100 + "' specified for the field 'Output/r' threw "
            "an error during evaluation: Stack overflow error: Check for non-terminating recursive "
            "function. Consider rewriting as tail-recursive",
            "Output/r",
        ),
        (
            "{% 0/0 + $states.input.input_value %}",
            "The JSONata expression '0/0 + $states.input.input_value' specified for the field "
            "'Output' threw an error during evaluation. T2001: The left side of the \"+\" "
            "operator must evaluate to a number",
            "Output",
        ),
    ],
)
def test_error_causes(value: JSON, cause: str, location: str) -> None:
    assert cause_of(value) == (cause, location)


def test_the_error_is_a_catchable_query_evaluation_error() -> None:
    with pytest.raises(StatesError) as caught:
        render({"v": "{% $nope %}"}, "Assign")
    error = caught.value
    assert isinstance(error, QueryEvaluationError)
    assert error.error == "States.QueryEvaluationError"
    assert error.location == "Assign/v"
    assert str(error).startswith("States.QueryEvaluationError: The JSONata expression '$nope'")


def test_the_first_failing_expression_in_document_order_is_reported() -> None:
    template = {"a": "{% 1 %}", "b": "{% $nope1 %}", "c": "{% $nope2 %}"}
    assert cause_of(template)[1] == "Output/b"


# --- compile errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pointer", "message"),
    [
        ("{% a[1,2) %}", "/States/S/Output", 'Expected "]", got ","'),
        ({"v": "{% phone[1,2) %}"}, "/States/S/Output/v", 'Expected "]", got ","'),
        ({"a": [1, {"b": "{% 1 + %}"}]}, "/States/S/Output/a/1/b", "Unexpected end of expression"),
        ({"x/y": {"~z": "{%%}"}}, "/States/S/Output/x~1y/~0z", "Unexpected end of expression"),
    ],
)
def test_syntax_errors_point_at_the_string(value: JSON, pointer: str, message: str) -> None:
    with pytest.raises(JsonataTemplateError) as caught:
        compile_jsonata_template(value, "Output", "/States/S/Output")
    error = caught.value
    assert (error.pointer, error.message) == (pointer, message)
    assert error.code == "INVALID_JSONATA_EXPRESSION"
    assert str(error) == f"{message} at {pointer}"


# --- static questions ------------------------------------------------------------------------------


def test_template_properties() -> None:
    whole = compile_jsonata_template("{%  $states.input.a  %}", "TimeoutSeconds", "/p")
    assert (whole.is_expression, whole.is_literal, whole.expression_text) == (
        True,
        False,
        "$states.input.a",
    )
    assert whole.field == "TimeoutSeconds" and whole.pointer == "/p"
    mixed = compile_jsonata_template({"a": "{% 1 %}", "b": 2}, "Output", "/p")
    assert (mixed.is_expression, mixed.is_literal, mixed.expression_text) == (False, False, "")
    assert mixed.literal is None
    assert [e.body for e in mixed.expressions] == ["1"]
    assert isinstance(mixed, JsonataTemplate)


@pytest.mark.parametrize(
    ("value", "references"),
    [
        ("{% $states.input.a %}", set()),
        ({"a": "{% $x %}", "b": ["{% $y.z + $sum($w) %}"], "c": "$notAReference"}, {"x", "y", "w"}),
        ("{% ($local := 1; $local + $outer) %}", {"outer"}),
        ("{% $map($items, function($v){$v * $factor}) %}", {"items", "factor"}),
        ({"literal": "{ $x }"}, set()),
    ],
)
def test_template_references(value: JSON, references: set[str]) -> None:
    assert template_references(compile_jsonata_template(value, "Output", "/p")) == references


@pytest.mark.parametrize(
    ("value", "field", "used"),
    [
        ("{% $states.result.Payload %}", "result", True),
        ({"a": ["{% $states.errorOutput %}"]}, "errorOutput", True),
        ("{% $states.input %}", "result", False),
        ("{% $states %}", "result", False),
        ("{% $states.resultant %}", "result", False),
        ({"a": "$states.result"}, "result", False),
        ("{% $lookup($states, 'result') %}", "result", False),
    ],
)
def test_template_uses_states_field(value: JSON, field: str, used: bool) -> None:
    assert (
        template_uses_states_field(compile_jsonata_template(value, "Output", "/p"), field) is used
    )
