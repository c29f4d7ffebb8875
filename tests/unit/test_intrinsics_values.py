"""Java-compatible value helpers behind the intrinsics, and hypothesis invariants."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.intrinsics import (
    StringLiteral,
    evaluate_intrinsic,
    parse_intrinsic,
)
from pytest_sfn.expressions.intrinsics._json import (
    describe,
    java_double_to_string,
    java_round,
    java_to_string,
    json_key,
    to_json_text,
    utf16_length,
)
from pytest_sfn.expressions.intrinsics.array import (
    MAX_RANGE_LENGTH,
    array_partition,
    array_range,
    array_unique,
    range_length,
)
from pytest_sfn.expressions.intrinsics.encoding import base64_decode, base64_encode
from pytest_sfn.expressions.intrinsics.json_ import json_to_string, string_to_json
from pytest_sfn.expressions.intrinsics.math import JavaRandom
from pytest_sfn.expressions.intrinsics.string import string_split

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


def evaluate(text: str, **paths: JSON) -> JSON:
    table = {f"$.{name}": value for name, value in paths.items()}
    return evaluate_intrinsic(
        parse_intrinsic(text), table.__getitem__, rng=random.Random(0), uuid4=lambda: "u"
    )


def quote(text: str) -> str:
    """``text`` as an intrinsic string literal, every reserved character escaped."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("{", "\\{").replace("}", "\\}")
    return f"'{escaped}'"


# --- Java rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, 0),
        (0.5, 1),
        (-0.5, 0),
        (1.5, 2),
        (2.5, 3),
        (-2.5, -2),
        (-1.51, -2),
        (0.49999999999999994, 0),
        (-0.49999999999999994, 0),
        (4503599627370497.0, 4503599627370497),
        (1e20, 100000000000000000000),
    ],
)
def test_java_round(value: float, expected: int) -> None:
    assert java_round(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_java_round_is_floor_of_value_plus_a_half(value: float) -> None:
    assert java_round(value) == math.floor(Fraction(value) + Fraction(1, 2))


# --- Java Double.toString --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1.0"),
        (1.1, "1.1"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0012345, "0.0012345"),
        (9999999.0, "9999999.0"),
        (123456.789, "123456.789"),
        (0.30000000000000004, "0.30000000000000004"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (1e20, "1.0E20"),
        (-1e21, "-1.0E21"),
        (0.0001, "1.0E-4"),
        (1.5e-5, "1.5E-5"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_java_double_to_string(value: float, expected: str) -> None:
    assert java_double_to_string(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_double_to_string_round_trips(value: float) -> None:
    text = java_double_to_string(value)
    assert float(text) == value
    mantissa = text.split("E")[0]
    assert "." in mantissa
    assert ("E" in text) == (value != 0 and not 1e-3 <= abs(value) < 1e7)


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("raw", "raw"),
        (None, "null"),
        (True, "true"),
        (7, "7"),
        (7.0, "7.0"),
        ([], "[]"),
        ({}, "{}"),
        (["a", None, [1.5]], "[a, null, [1.5]]"),
        ({"Arg1": 1, "Arg2": []}, "{Arg1=1, Arg2=[]}"),
        ({"k": {"x": "y z"}, "b": False}, "{k={x=y z}, b=false}"),
    ],
)
def test_java_to_string(value: JSON, expected: str) -> None:
    assert java_to_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        ({"a": [1, 2.0, "x"], "b": {}}, '{"a":[1,2.0,"x"],"b":{}}'),
        ("\u2028 é", '"\u2028 é"'),
        ("\x00", '"\\u0000"'),
    ],
)
def test_to_json_text(value: JSON, expected: str) -> None:
    assert to_json_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "a boolean (true)"),
        (3, "a number (3)"),
        ("s", 'a string ("s")'),
        ([1], "an array ([1])"),
        ({"a": 1}, 'an object ({"a":1})'),
        ("x" * 100, 'a string ("' + "x" * 56 + "...)"),
    ],
)
def test_describe(value: JSON, expected: str) -> None:
    assert describe(value) == expected


@pytest.mark.parametrize(
    ("text", "length"), [("", 0), ("abc", 3), ("é", 1), ("🎉", 2), ("a🎉b", 4), ("\ud800", 1)]
)
def test_utf16_length(text: str, length: int) -> None:
    assert utf16_length(text) == length


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}, True),
        ([1, 2], [2, 1], False),
        (1, True, False),
        (0, False, False),
        (1, 1.0, False),
        (None, "null", False),
        ({"a": None}, {}, False),
        ("x", "x", True),
    ],
)
def test_json_key_equality(a: JSON, b: JSON, equal: bool) -> None:
    assert (json_key(a) == json_key(b)) is equal
    hash(json_key(a))


# --- java.util.Random ------------------------------------------------------------------------


def test_java_random_matches_the_jdk() -> None:
    # Well-known JDK outputs: new Random(42).nextInt(), new Random(0).nextInt(), and the
    # first ten new Random(42).nextInt(10).
    assert JavaRandom(42).next_bits(32) == -1170105035
    assert JavaRandom(0).next_bits(32) == -1155484576
    generator = JavaRandom(42)
    assert [generator.next_int(10) for _ in range(10)] == [0, 3, 8, 4, 0, 5, 5, 8, 9, 3]


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(1, 2**31 - 1))
def test_java_random_next_int_is_in_range_and_repeatable(seed: int, bound: int) -> None:
    value = JavaRandom(seed).next_int(bound)
    assert 0 <= value < bound
    assert JavaRandom(seed).next_int(bound) == value


# --- invariants of the functions ---------------------------------------------------------------


@given(st.lists(json_values, max_size=30), st.integers(1, 40))
def test_partition_chunks_concatenate_back_to_the_input(items: list[JSON], size: int) -> None:
    chunks = array_partition(items, size)
    assert [item for chunk in chunks for item in chunk] == items
    assert len(chunks) == math.ceil(len(items) / size)
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


@given(st.lists(json_values, max_size=30))
def test_unique_is_idempotent_and_keeps_every_distinct_value(items: list[JSON]) -> None:
    unique = array_unique(items)
    assert array_unique(unique) == unique
    keys = [json_key(item) for item in unique]
    assert len(set(keys)) == len(keys)
    assert set(keys) == {json_key(item) for item in items}
    # first occurrences, in their original order
    firsts = [next(i for i, x in enumerate(items) if json_key(x) == key) for key in keys]
    assert firsts == sorted(firsts)


@given(st.integers(-500, 500), st.integers(-500, 500), st.integers(-50, 50).filter(bool))
def test_range_length_formula(start: int, end: int, step: int) -> None:
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    assert range_length(start, end, step) == len(expected)
    if len(expected) <= MAX_RANGE_LENGTH:
        assert array_range(start, end, step) == expected
    else:
        with pytest.raises(Exception, match="at most 1000"):
            array_range(start, end, step)


@given(st.text(max_size=200))
def test_base64_decode_inverts_encode(text: str) -> None:
    assert base64_decode(base64_encode(text)) == text
    assert base64_encode(text).isascii()


@given(st.text(max_size=60), st.text(max_size=4))
def test_string_split_pieces_hold_no_delimiters(text: str, delimiters: str) -> None:
    pieces = string_split(text, delimiters)
    assert all(piece for piece in pieces)
    assert not any(char in piece for piece in pieces for char in delimiters)
    assert "".join(pieces) == "".join(char for char in text if char not in delimiters)


@given(json_values)
def test_string_to_json_inverts_json_to_string(value: JSON) -> None:
    assert json_key(string_to_json(json_to_string(value))) == json_key(value)


@given(st.text(max_size=80))
def test_any_string_survives_quoting_and_parsing(text: str) -> None:
    call = parse_intrinsic(f"States.Array({quote(text)})")
    assert call.args == (StringLiteral(text, (text,)),)
    assert evaluate(f"States.Format({quote(text)})") == text


@given(st.text(max_size=10), st.lists(st.tuples(json_scalars, st.text(max_size=10)), max_size=5))
def test_format_fills_placeholders_in_order(head: str, tail: list[tuple[JSON, str]]) -> None:
    values = [value for value, _ in tail]
    pieces = [head] + [piece for _, piece in tail]
    template = "{}".join(quote(piece)[1:-1] for piece in pieces)
    args = "".join(f", $.v{i}" for i in range(len(values)))
    result = evaluate(
        f"States.Format('{template}'{args})", **{f"v{i}": v for i, v in enumerate(values)}
    )
    expected = pieces[0] + "".join(
        java_to_string(v) + p for v, p in zip(values, pieces[1:], strict=True)
    )
    assert result == expected


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_math_add_is_the_sum_of_java_rounded_arguments(a: float, b: float) -> None:
    assert evaluate("States.MathAdd($.a, $.b)", a=a, b=b) == java_round(a) + java_round(b)


@given(st.integers(-1000, 1000), st.integers(1, 1000), st.integers())
def test_seeded_math_random_is_deterministic_and_in_range(
    start: int, width: int, seed: int
) -> None:
    text = f"States.MathRandom($.s, $.e, {seed})"
    first = evaluate(text, s=start, e=start + width)
    assert start <= first < start + width
    assert evaluate(text, s=start, e=start + width) == first


def test_argument_failures_are_intrinsic_failures() -> None:
    with pytest.raises(StatesError) as info:
        evaluate("States.ArrayLength($.x)", x=1)
    assert info.value.error == "States.IntrinsicFailure"
