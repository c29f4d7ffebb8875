"""Jackson-compatible JSON decoding: what AWS accepts, and its parser's error messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.service.jackson import JsonSyntaxError, decode

JACKSON_PREFIXES = ("Unexpected ", "Unrecognized ", "Illegal ", "Invalid numeric", "Non-standard")
VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


@pytest.mark.parametrize(
    ("text", "problem", "line", "column"),
    [
        ("not a definition", f"Unrecognized token 'not': was expecting {VALUES}", 1, 4),  # OBS
        ("{'a': 1}", "Unexpected character (''' (code 39)): was expecting double-quote to "
         "start field name", 1, 3),
        ('{"a":1,}', "Unexpected character ('}' (code 125)): was expecting double-quote to "
         "start field name", 1, 9),
        ("[1,]", "Unexpected character (']' (code 93)): expected a value", 1, 5),
        ('{"a":}', "Unexpected character ('}' (code 125)): expected a value", 1, 7),
        ("[1 2]", "Unexpected character ('2' (code 50)): was expecting comma to separate Array "
         "entries", 1, 5),
        ('{"a":1 "b":2}', "Unexpected character ('\"' (code 34)): was expecting comma to "
         "separate Object entries", 1, 9),
        ('{"a" 1}', "Unexpected character ('1' (code 49)): was expecting a colon to separate "
         "field name and value", 1, 7),
        ('{"a":', "Unexpected end-of-input within/between Object entries", 1, 6),
        ("[", "Unexpected end-of-input: expected close marker for Array (start marker at "
         '[Source: (String)"["; line: 1, column: 1])', 1, 2),
        ('{\n"a": {', "Unexpected end-of-input: expected close marker for Object (start marker "
         'at [Source: (String)"{\n"a": {"; line: 2, column: 6])', 2, 7),
        ("[}", "Unexpected close marker '}': expected ']' (for Array starting at [Source: "
         '(String)"[}"; line: 1, column: 1])', 1, 3),
        ('"abc', "Unexpected end-of-input: was expecting closing quote for a string value", 1, 5),
        ('"a\tb"', "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using "
         "backslash to be included in string value", 1, 4),
        ('"\\x"', "Unrecognized character escape 'x' (code 120)", 1, 4),
        ('"\\u12g4"', "Unexpected character ('g' (code 103)): expected a hex-digit for "
         "character escape sequence", 1, 7),
        ("-x", "Unexpected character ('x' (code 120)) in numeric value: expected digit (0-9) "
         "to follow minus sign, for valid numeric value", 1, 3),
        ("01", "Invalid numeric value: Leading zeroes not allowed", 1, 2),
        ("1.x", "Unexpected character ('x' (code 120)) in numeric value: Decimal point not "
         "followed by a digit", 1, 4),
        ("12abc", "Unexpected character ('a' (code 97)): Expected space separating root-level "
         "values", 1, 4),
        ("nul", f"Unrecognized token 'nul': was expecting {VALUES}", 1, 4),
        ("nullx", f"Unrecognized token 'nullx': was expecting {VALUES}", 1, 6),
        ("NaN", "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` "
         "to allow", 1, 4),
        ("[-Infinity]", "Non-standard token '-Infinity': enable "
         "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", 1, 11),
        ("'x'", f"Unexpected character (''' (code 39)): expected a valid value {VALUES}", 1, 2),
        ("\x01", "Illegal character ((CTRL-CHAR, code 1)): only regular white space (\\r, \\n, "
         "\\t) is allowed between tokens", 1, 2),
    ],
)  # fmt: skip
def test_jackson_messages(text: str, problem: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        decode(text)
    error = info.value
    assert (error.problem, error.line, error.column) == (problem, line, column)
    assert error.location == f'[Source: (String)"{text}"; line: {line}, column: {column}]'
    assert error.message == f"{problem}\n at {error.location}"


def test_long_sources_are_truncated_like_jackson() -> None:
    text = "x" * 600
    with pytest.raises(JsonSyntaxError) as info:
        decode(text)
    assert info.value.location == (
        f'[Source: (String)"{"x" * 500}"[truncated 100 chars]; line: 1, column: 257]'
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_no_value(text: str) -> None:
    assert decode(text) is None


@pytest.mark.parametrize(("text", "value"), [("{} trailing", {}), ('[1] {"x"', [1])])
def test_trailing_content_after_a_value_is_ignored_like_jackson(text: str, value: Any) -> None:
    assert decode(text) == value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(value=json_values, indent=st.sampled_from([None, 2]))
def test_valid_json_decodes_like_the_json_module(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    assert decode(text) == json.loads(text)


@given(value=json_values, cut=st.integers(min_value=0, max_value=200))
def test_any_prefix_either_decodes_or_fails_with_a_jackson_error(value: Any, cut: int) -> None:
    text = json.dumps(value)[:cut]
    try:
        decode(text)
    except JsonSyntaxError as error:
        assert error.problem.startswith(JACKSON_PREFIXES), error.problem  # never a fallback
        assert error.line == 1 and 1 <= error.column <= len(text) + 1
