"""Pure helpers behind the JSONata adapter, and the fast path against the engine.

JavaScript number text and JSON text were checked against Node's ``String(n)`` and
``JSON.stringify``; ``java.util.Random`` values are AWS's ``$random(seed)`` (aws-spec.md 5.9).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pytest_sfn._types import JSON
from pytest_sfn.expressions._jsonata_functions import (
    ERROR_TEMPLATES,
    FUNCTION,
    MAX_RANGE_ELEMENTS,
    UNDEFINED,
    FunctionError,
    LimitExceeded,
    fn_decode_url,
    fn_decode_url_component,
    fn_encode_url,
    fn_encode_url_component,
    fn_partition,
    fn_range,
    fn_string,
    java_random_double,
    js_number_to_string,
    js_stringify,
    render_template,
    signature_error,
)
from pytest_sfn.expressions.jsonata import JsonataEnv, compile_expression

# --- JavaScript text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (0.30000000000000004, "0.30000000000000004"),
        (123.456, "123.456"),
        (1e-6, "0.000001"),
        (1.5e-6, "0.0000015"),
        (1e-7, "1e-7"),
        (-2.5e-10, "-2.5e-10"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (1.5e20, "150000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (2.0**63, "9223372036854776000"),
        (9223372036854775807, "9223372036854775807"),
        (-9223372036854775808, "-9223372036854775808"),
        (9223372036854775808, "9223372036854776000"),
        (10**30, "1e+30"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ],
)
def test_js_number_to_string(number: float, text: str) -> None:
    assert js_number_to_string(number) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_text_reads_back_as_the_same_number(number: float) -> None:
    assert float(js_number_to_string(number)) == number


@pytest.mark.parametrize(
    ("value", "indent", "text"),
    [
        ({"a": [1, 2.5, None, True, "x"]}, None, '{"a":[1,2.5,null,true,"x"]}'),
        ([], 2, "[]"),
        ({}, 2, "{}"),
        ({"a": {"b": []}}, 2, '{\n  "a": {\n    "b": []\n  }\n}'),
        ([1, [2]], 2, "[\n  1,\n  [\n    2\n  ]\n]"),
        ('é\n"\\', None, '"é\\n\\"\\\\"'),
        ("\ud800", None, '"\\ud800"'),
        ([FUNCTION, UNDEFINED], None, '["",null]'),
        ([math.nan], None, "[null]"),
        (1e21, None, "1e+21"),
    ],
)
def test_js_stringify(value: Any, indent: int | None, text: str) -> None:
    assert js_stringify(value, indent) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1 / 3, "0.333333333333333"),
        (0.1 + 0.2, "0.3"),
        (123456789.123456789, "123456789.123457"),
        (1234567890123455.0, "1234567890123460"),  # half away from zero, as toPrecision
        (-1234567890123455.0, "-1234567890123460"),
        (2.0**63, "9223372036854780000"),
    ],
)
def test_string_rounds_non_integers_to_15_significant_digits(value: float, text: str) -> None:
    assert fn_string([value]) == text


def test_string_refuses_a_nested_infinity() -> None:
    with pytest.raises(FunctionError) as caught:
        fn_string([[math.inf]])
    assert (caught.value.code, caught.value.message) == ("D1001", "Number out of range: null")


@pytest.mark.parametrize(
    ("code", "fields", "text"),
    [
        ("T2002", {"token": "+"}, 'The right side of the "+" operator must evaluate to a number'),
        ("T1005", {"token": "sum"}, "Attempted to invoke a non-function. Did you mean $sum?"),
        ("D3137", {"message": 'raw "text"'}, 'raw "text"'),
        ("D3030", {"value": [1, "a"]}, 'Unable to cast value to a number: [1,"a"]'),
        ("S0202", {}, "Expected undefined, got undefined"),
    ],
)
def test_render_template(code: str, fields: dict[str, Any], text: str) -> None:
    assert render_template(ERROR_TEMPLATES[code], fields) == text


# --- java.util.Random -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "value"),
    [(42, 0.7275636800328681), (0, 0.730967787376657), (7, 0.7306990420600421)],
)
def test_java_random_double(seed: int, value: float) -> None:
    assert java_random_double(seed) == value


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_java_random_double_is_in_the_unit_interval(seed: int) -> None:
    assert 0 <= java_random_double(seed) < 1


# --- $partition and $range --------------------------------------------------------------------------


@given(st.lists(st.integers(), min_size=1, max_size=30), st.integers(min_value=1, max_value=40))
def test_partition_splits_in_order(items: list[int], size: int) -> None:
    chunks = fn_partition([items, size])
    assert [x for chunk in chunks for x in chunk] == items
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert 1 <= len(chunks[-1]) <= size


@given(
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=-7, max_value=7).filter(bool),
)
def test_range_is_inclusive_when_the_step_lands_on_the_end(start: int, end: int, step: int) -> None:
    result = fn_range([start, end, step])
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    if not expected:
        assert result is UNDEFINED
    elif len(expected) == 1:
        assert result == expected[0]
    else:
        assert result == expected


def test_range_refuses_more_elements_than_aws_builds() -> None:
    assert len(fn_range([1, MAX_RANGE_ELEMENTS, 1])) == MAX_RANGE_ELEMENTS
    with pytest.raises(LimitExceeded):
        fn_range([1, MAX_RANGE_ELEMENTS + 1, 1])


def test_signature_error_text() -> None:
    error = signature_error("range", 4)
    assert str(error) == 'T0410: Argument 4 of function "range" does not match function signature'


# --- URL functions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (fn_encode_url_component, "a b&c/é~*'()", "a%20b%26c%2F%C3%A9~*'()"),
        (fn_encode_url_component, "😀", "%F0%9F%98%80"),
        (fn_encode_url, "https://x.com/a b?q=1&r=[x]#f", "https://x.com/a%20b?q=1&r=%5Bx%5D#f"),
        (fn_decode_url_component, "a%20b%26c%2F%C3%A9", "a b&c/é"),
        (fn_decode_url_component, "%F0%9F%98%80", "😀"),
        (fn_decode_url, "a%20b%26c%2F%C3%A9%3f", "a b%26c%2Fé%3f"),
        (fn_decode_url, "plain", "plain"),
    ],
)
def test_url_functions(function: Any, text: str, expected: str) -> None:
    assert function([text]) == expected
    assert function([UNDEFINED]) is UNDEFINED


@pytest.mark.parametrize(
    ("function", "text", "name"),
    [
        (fn_encode_url_component, "\ud800", "encodeUrlComponent"),
        (fn_encode_url, "a\udfff", "encodeUrl"),
        (fn_decode_url_component, "%", "decodeUrlComponent"),
        (fn_decode_url_component, "%zz", "decodeUrlComponent"),
        (fn_decode_url_component, "%C3", "decodeUrlComponent"),
        (fn_decode_url_component, "%C3%28", "decodeUrlComponent"),
        (fn_decode_url, "%E0%A4%A", "decodeUrl"),
        (fn_decode_url, "%ED%A0%80", "decodeUrl"),  # an encoded surrogate
        (fn_decode_url, "%80", "decodeUrl"),
    ],
)
def test_malformed_urls(function: Any, text: str, name: str) -> None:
    with pytest.raises(FunctionError) as caught:
        function([text])
    assert caught.value.code == "D3140"
    assert caught.value.message == f"Malformed URL passed to ${name}(): {js_stringify(text)}"


@given(st.text())
def test_url_component_round_trip(text: str) -> None:
    assume(not any("\ud800" <= c <= "\udfff" for c in text))
    assert fn_decode_url_component([fn_encode_url_component([text])]) == text


# --- fast path == engine ---------------------------------------------------------------------------

KEYS = ["a", "b", "c"]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1.0, -0.0, 2.0**63, 1e20])
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=3)
    ),
    max_leaves=15,
)
ENV = JsonataEnv(random.Random(0), lambda: "u", lambda: 0)


def typed(value: Any) -> Any:
    """``value`` with every number tagged by its type, for an exact comparison."""
    return json.loads(json.dumps(value, default=str), parse_float=lambda s: ("float", s))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=3),
    JSON_VALUES,
    st.sampled_from(["states.input", "states.result", "v", "w"]),
    st.lists(st.sampled_from(KEYS), max_size=3),
)
def test_fast_path_matches_the_engine(
    state_input: dict[str, JSON], variable: JSON, head: str, names: list[str]
) -> None:
    text = "{% $" + ".".join([head, *names]) + " %}"
    expression = compile_expression(text)
    assert expression.has_fast_path
    bindings = {"states": {"input": state_input, "result": variable}, "v": variable}
    fast = expression.evaluate(bindings, ENV)
    slow = expression.evaluate_slow(bindings, ENV)
    assert typed(fast) == typed(slow)
    assert (fast is UNDEFINED) == (slow is UNDEFINED)


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)


@settings(max_examples=100, deadline=None)
@given(SCALARS)
def test_literal_fast_path_matches_the_engine(value: JSON) -> None:
    text = "{% " + js_stringify(value) + " %}"
    expression = compile_expression(text)
    assert expression.has_fast_path
    assert typed(expression.evaluate({}, ENV)) == typed(expression.evaluate_slow({}, ENV))


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("$states.input", True),
        ("$states.input.a.b", True),
        ("$states.result.Payload", True),
        ("$x", True),
        ("$x.field", True),
        ("$x.`a b`", True),
        ("42", True),
        ("'text'", True),
        ("-1.5", True),
        ("true", True),
        ("null", True),
        ("$", False),
        ("$states.input.a[0]", False),
        ("$states.input.a[]", False),
        ("$states.input.a + 1", False),
        ("$states.input.*", False),
        ("$x.$string()", False),
        ("$states.input{'k': 1}", False),
        ("$x@$y", False),
        ("$x^(a)", False),
        ("[$x]", False),
    ],
)
def test_fast_path_shapes(text: str, fast: bool) -> None:
    assert compile_expression("{% " + text + " %}").has_fast_path is fast


def test_fast_path_through_an_array_defers_to_the_engine() -> None:
    bindings: dict[str, JSON] = {"x": {"items": [{"id": 1}, {"id": 2}]}, "one": [{"id": 3}]}
    assert compile_expression("{% $x.items.id %}").evaluate(bindings, ENV) == [1, 2]
    assert compile_expression("{% $one.id %}").evaluate(bindings, ENV) == 3
    assert compile_expression("{% $x.items %}").evaluate(bindings, ENV) == [{"id": 1}, {"id": 2}]
