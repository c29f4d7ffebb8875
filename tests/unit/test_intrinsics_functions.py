"""Evaluating every intrinsic function: AWS-observed vectors, edge cases and failures.

Vectors marked OBS were recorded against real AWS (LocalStack's validated snapshots,
digested in the project's aws-spec.md section 5.13).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import pytest

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.intrinsics import (
    FUNCTIONS,
    ArgType,
    Intrinsic,
    IntrinsicCall,
    Param,
    PathArg,
    evaluate_intrinsic,
    parse_intrinsic,
)
from pytest_sfn.expressions.intrinsics._registry import Env, register

INTRINSIC_FAILURE = "States.IntrinsicFailure"
ARRAY_UNIQUE_SNAPSHOT_INPUT = [
    None, None, True, True, False, False, 1, 1, 1.1, 0, 0, "HelloWorld", "HelloWorld",
    [], [], [None], [None], {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1},
]  # fmt: skip


def resolver(paths: Mapping[str, JSON]) -> Any:
    def resolve(text: str) -> JSON:
        if text not in paths:
            raise StatesError("States.Runtime", f"no such path {text}")
        return paths[text]

    return resolve


def run(text: str, seed: int = 0, uuid: str = "uuid-1", **paths: JSON) -> JSON:
    """Evaluate ``text``; keyword ``x=1`` makes path ``$.x`` resolve to 1."""
    table = {f"$.{name}": value for name, value in paths.items()}
    table["$"] = dict(paths)
    return evaluate_intrinsic(
        parse_intrinsic(text), resolver(table), rng=random.Random(seed), uuid4=lambda: uuid
    )


def failure(text: str, **paths: JSON) -> str:
    with pytest.raises(StatesError) as info:
        run(text, **paths)
    assert info.value.error == INTRINSIC_FAILURE
    assert info.value.cause is not None
    return info.value.cause


# --- States.Format -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "Formatting argument ."),
        (" ", "Formatting argument  ."),
        ("HelloWorld", "Formatting argument HelloWorld."),
        (None, "Formatting argument null."),
        (1, "Formatting argument 1."),
        (1.1, "Formatting argument 1.1."),
        ('{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'),
        ({"Arg1": 1, "Arg2": []}, "Formatting argument {Arg1=1, Arg2=[]}."),
    ],
    ids=["empty", "blank", "string", "null", "int", "float", "json-string", "object"],
)
def test_format_obs(value: JSON, expected: str) -> None:  # OBS
    assert run("States.Format('Formatting argument {}.', $.v)", v=value) == expected


def test_format_two_arguments_obs() -> None:  # OBS
    obj = {"Arg1": 1, "Arg2": []}
    result = run("States.Format('Formatting arguments fst={} and snd={}.', $.f, $.s)", f=obj, s=obj)
    assert result == "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."


def test_format_context_object_obs() -> None:  # OBS: $$.StateMachine rendered Java-style
    call = parse_intrinsic(
        "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Id, $$.StateMachine)"
    )
    context = {
        "$$.Execution.Id": "exec-arn",
        "$$.StateMachine": {
            "Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm",
            "Name": "sm",
        },
    }
    result = evaluate_intrinsic(call, resolver(context), rng=random.Random(), uuid4=str)
    assert result == (
        "Formatting arguments fst=exec-arn and snd="
        "{Id=arn:aws:states:us-east-1:111111111111:stateMachine:sm, Name=sm}."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('Hello, my name is {}.', $.name)", "Hello, my name is Arnav."),
        ("States.Format($.template, $.name)", "Hello, my name is Arnav."),
        ("States.Format('no placeholders')", "no placeholders"),
        ("States.Format('')", ""),
        ("States.Format('{}{}{}', 1, 'b', true)", "1btrue"),
        ("States.Format('{} {}', false, null)", "false null"),
        ("States.Format('{}', 1.0)", "1.0"),
        ("States.Format('{}', -0.5)", "-0.5"),
        ("States.Format('{}', 12345678.9)", "1.23456789E7"),
        ("States.Format('{}', 0.0001)", "1.0E-4"),
        ("States.Format('{}', 10000000000)", "10000000000"),
        ("States.Format('{}', States.Array(1, 'a', null, States.Array()))", "[1, a, null, []]"),
        ("States.Format('{}', $.nested)", "{a={b=[x, 2.5]}, c=true}"),
        (r"States.Format('\{} is {}', 'x')", "{} is x"),
        (r"States.Format('{\} and {}', 'x')", "{} and x"),
        (r"States.Format('\{\}')", "{}"),
        (r"States.Format('it\'s {}', 'me')", "it's me"),
        (r"States.Format('C:\\{}', 'dir')", "C:\\dir"),
        ("States.Format('{ {} }', 'x')", "{ x }"),
        ("States.Format('{}', '{}')", "{}"),
        ("States.Format($.braces, 'x')", "\\x"),
    ],
)
def test_format(text: str, expected: str) -> None:
    result = run(
        text,
        name="Arnav",
        template="Hello, my name is {}.",
        nested={"a": {"b": ["x", 2.5]}, "c": True},
        braces="\\{}",
    )
    assert result == expected


def test_format_template_from_a_path_has_no_escapes() -> None:
    # A template that is not a literal: every {} is a placeholder, backslashes are text.
    with pytest.raises(
        StatesError, match="the template has 2 {} placeholders but 1 value was given"
    ):
        run("States.Format($.braces, 'x')", braces="\\{}{}")


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "States.Format('{} and {}', 1)",
            "Invalid arguments to States.Format: the template has 2 {} placeholders but 1 "
            "value was given.",
        ),
        (
            "States.Format('{}', 1, 2)",
            "Invalid arguments to States.Format: the template has 1 {} placeholder but 2 "
            "values were given.",
        ),
        (
            "States.Format('none', 1)",
            "Invalid arguments to States.Format: the template has 0 {} placeholders but 1 "
            "value was given.",
        ),
        (
            "States.Format($.n, 1)",
            "Invalid argument 1 (template) to States.Format: expected a string, got a number (5).",
        ),
    ],
)
def test_format_failures(text: str, cause: str) -> None:
    assert failure(text, n=5) == cause


# --- JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        (" ", None),
        ("\t\r\n ", None),
        ("null", None),
        ("-0", 0),
        ("1", 1),
        ("1.1", 1.1),
        ("true", True),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
        ('  {"a": {"b": null}}  ', {"a": {"b": None}}),
        ('"caf\\u00e9"', "café"),
    ],
    ids=repr,
)
def test_string_to_json(text: str, expected: JSON) -> None:  # OBS (first ten)
    result = run("States.StringToJson($.s)", s=text)
    assert result == expected
    assert type(result) is type(expected)


def test_string_to_json_of_a_literal_obs() -> None:  # OBS: JsonMerge escaped argument
    text = (
        'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), '
        "$.input_field, false)"
    )
    result = run(text, input_field={"constant_input_field": "constant_value"})
    assert result == {"constant_in_literal": "false", "constant_input_field": "constant_value"}


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("[1,", "Expecting value at position 3"),
        ("{'a': 1}", "Expecting property name enclosed in double quotes at position 1"),
        ("1 2", "Extra data at position 2"),
        ("NaN", "NaN is not a JSON value"),
        ("-Infinity", "-Infinity is not a JSON value"),
        ("1e999", "the number 1e999 is out of range"),
        ("undefined", "Expecting value at position 0"),
    ],
)
def test_string_to_json_rejects_invalid_json(text: str, detail: str) -> None:
    assert failure("States.StringToJson($.s)", s=text) == (
        f"Invalid arguments to States.StringToJson: the string is not valid JSON ({detail})."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (0, "0"),
        (1, "1"),
        (1.1, "1.1"),
        (True, "true"),
        ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
        ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
        ({"a": {"b": [None, False, 2.5]}}, '{"a":{"b":[null,false,2.5]}}'),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("tab\tnl\ncr\r\b\f\x01\x1f", '"tab\\tnl\\ncr\\r\\b\\f\\u0001\\u001F"'),
        ("café ☕ 🎉 / \x7f", '"café ☕ 🎉 / \x7f"'),
        (1e20, "1.0E20"),
        (-0.0, "-0.0"),
    ],
    ids=repr,
)
def test_json_to_string(value: JSON, expected: str) -> None:  # OBS (first eight)
    assert run("States.JsonToString($.v)", v=value) == expected


def test_json_merge_obs() -> None:  # OBS
    result = run(
        "States.JsonMerge($.a, $.b, false)",
        a={"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3},
        b={"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4},
    )
    assert result == {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}


def test_json_merge_keeps_first_object_key_order_and_leaves_inputs_alone() -> None:
    left, right = {"x": 1, "y": 2}, {"z": 3, "x": 9}
    result = run("States.JsonMerge($.l, $.r, false)", l=left, r=right)
    assert list(result) == ["x", "y", "z"]
    assert result == {"x": 9, "y": 2, "z": 3}
    assert left == {"x": 1, "y": 2}
    assert right == {"z": 3, "x": 9}


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "States.JsonMerge($.o, $.o, true)",
            "Invalid arguments to States.JsonMerge: deep merging is not supported; the third "
            "argument (isDeepMerge) must be false.",
        ),
        (
            "States.JsonMerge($.o, $.arr, false)",
            "Invalid argument 2 (json2) to States.JsonMerge: expected an object, got an array ([1]).",
        ),
        (
            "States.JsonMerge($.o, $.o, 'false')",
            "Invalid argument 3 (isDeepMerge) to States.JsonMerge: expected a boolean, got a "
            'string ("false").',
        ),
        (
            "States.StringToJson($.o)",
            "Invalid argument 1 (jsonString) to States.StringToJson: expected a string, got an "
            'object ({"k":1}).',
        ),
    ],
)
def test_json_failures(text: str, cause: str) -> None:
    assert failure(text, o={"k": 1}, arr=[1]) == cause


# --- arrays --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", []),
        ("States.Array($.v, $.v)", [{"Arg1": 1, "Arg2": []}, {"Arg1": 1, "Arg2": []}]),
        ("States.Array(1, 'a', null, true, 2.5)", [1, "a", None, True, 2.5]),
        ("States.Array(States.Array(), States.Array(1))", [[], [1]]),
    ],
)
def test_array(text: str, expected: JSON) -> None:
    assert run(text, v={"Arg1": 1, "Arg2": []}) == expected


@pytest.mark.parametrize("value", ["", " ", "HelloWorld", None, 1, 1.1, '{"Arg1": 1, "Arg2": []}'])
def test_array_of_two_paths_obs(value: JSON) -> None:  # OBS
    assert run("States.Array($.f, $.s)", f=value, s=value) == [value, value]


@pytest.mark.parametrize(
    ("items", "size", "expected"),
    [
        ([], 1, []),
        ([], 5, []),
        ([0], 1, [[0]]),
        ([0], 5, [[0]]),
        ([0, 1], 1, [[0], [1]]),
        ([0, 1], 2, [[0, 1]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
        ([0, 1, 2, 3], 4, [[0, 1, 2, 3]]),
        ([0, 1, 2, 3], 5, [[0, 1, 2, 3]]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
        ([0, 1, 2], 1.5, [[0, 1], [2]]),
        ([0, 1, 2], 0.5, [[0], [1], [2]]),
    ],
)
def test_array_partition(items: list[JSON], size: float, expected: JSON) -> None:  # OBS
    assert run("States.ArrayPartition($.a, $.n)", a=items, n=size) == expected


@pytest.mark.parametrize(
    ("items", "value", "expected"),
    [
        ([], None, False),
        ([], [], False),
        ([], 1, False),
        ([[1, 2, 3], 2], None, False),
        ([[1, 2, 3], 2], [1, 2, 3], True),
        ([{"1": 2, "2": []}], [], False),
        ([{"1": 2, "2": []}], {"1": 2, "2": []}, True),
        ([{"1": 2, "2": []}], {"2": [], "1": 2}, True),
        ([True, False], True, True),
        ([True, False], False, True),
        ([1, 2, 3], 2, True),
        ([1, 2, 3], 4, False),
        ([None], None, True),
        ([1], True, False),
        ([True], 1, False),
        ([0], False, False),
        ([1], 1.0, False),
        (["1"], 1, False),
        ([[1, 2]], [2, 1], False),
        ([{"a": [1, {"b": None}]}], {"a": [1, {"b": None}]}, True),
    ],
)
def test_array_contains(items: list[JSON], value: JSON, expected: bool) -> None:  # OBS (first 9)
    assert run("States.ArrayContains($.a, $.v)", a=items, v=value) is expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("0, 9, 3", [0, 3, 6, 9]),
        ("0, 10, 3", [0, 3, 6, 9]),
        ("1, 9, 9", [1]),
        ("1, 9, 2", [1, 3, 5, 7, 9]),
        ("5, 5, 1", [5]),
        ("5, 5, -1", [5]),
        ("9, 1, -2", [9, 7, 5, 3, 1]),
        ("0, -3, -1", [0, -1, -2, -3]),
        ("9, 1, 2", []),
        ("1, 9, -2", []),
        ("1, 1000, 1", list(range(1, 1001))),
        ("1.5, 4.4, 1.49", [2, 3, 4]),
        ("-1.5, 1, 1", [-1, 0, 1]),
    ],
)
def test_array_range(args: str, expected: list[int]) -> None:  # OBS (first four)
    assert run(f"States.ArrayRange({args})") == expected


@pytest.mark.parametrize(
    ("args", "cause"),
    [
        ("1, 9, 0", "Invalid arguments to States.ArrayRange: the step (argument 3) must not be 0."),
        (
            "0, 1000, 1",
            "Invalid arguments to States.ArrayRange: the range from 0 to 1000 with step 1 has "
            "1001 elements; at most 1000 are allowed.",
        ),
        (
            "1, 9, 0.4",
            "Invalid arguments to States.ArrayRange: the step (argument 3) must not be 0.",
        ),
        (
            "'1', 9, 1",
            'Invalid argument 1 (start) to States.ArrayRange: expected a number, got a string ("1").',
        ),
    ],
)
def test_array_range_failures(args: str, cause: str) -> None:
    assert failure(f"States.ArrayRange({args})") == cause


@pytest.mark.parametrize(
    ("index", "expected"),
    [(5, 6), (0, 1), (8, 9), (2.0, 3)],
)
def test_array_get_item(index: float, expected: int) -> None:  # OBS: index 5 -> 6
    assert run("States.ArrayGetItem($.a, $.i)", a=[1, 2, 3, 4, 5, 6, 7, 8, 9], i=index) == expected


@pytest.mark.parametrize(
    ("index", "cause"),
    [
        (9, "Invalid arguments to States.ArrayGetItem: the index 9 is out of bounds for an array "
         "of length 9."),
        (-1, "Invalid arguments to States.ArrayGetItem: the index -1 is out of bounds for an "
         "array of length 9."),
        (1.5, "Invalid argument 2 (index) to States.ArrayGetItem: expected an integer, got a "
         "number (1.5)."),
        ("1", 'Invalid argument 2 (index) to States.ArrayGetItem: expected an integer, got a '
         'string ("1").'),
        (None, "Invalid argument 2 (index) to States.ArrayGetItem: expected an integer, got null."),
        (True, "Invalid argument 2 (index) to States.ArrayGetItem: expected an integer, got a "
         "boolean (true)."),
    ],
)  # fmt: skip
def test_array_get_item_failures(index: JSON, cause: str) -> None:
    assert failure("States.ArrayGetItem($.a, $.i)", a=list(range(1, 10)), i=index) == cause


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], 0), ([1, 2, 3, 4, 5, 6, 7, 8, 9], 9), (ARRAY_UNIQUE_SNAPSHOT_INPUT, 20)],
)
def test_array_length(items: list[JSON], expected: int) -> None:  # OBS (9 and 20)
    assert run("States.ArrayLength($.a)", a=items) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], []),
        ([1, 2, 3, 3, 3, 3, 3, 3, 4], [1, 2, 3, 4]),
        ([3, 1, 3, 2, 1], [3, 1, 2]),
        (
            ARRAY_UNIQUE_SNAPSHOT_INPUT,
            [None, True, False, 1, 1.1, 0, "HelloWorld", [], [None], {"a": 1, "b": 2},
             {"a": 1, "b": 1}],
        ),
        ([{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": 1, "b": 2}]),
        ([1, True, 1.0, "1"], [1, True, 1.0, "1"]),
        ([[1, 2], [2, 1], [1, 2]], [[1, 2], [2, 1]]),
    ],
)  # fmt: skip
def test_array_unique(items: list[JSON], expected: list[JSON]) -> None:  # DOC example
    result = run("States.ArrayUnique($.a)", a=items)
    assert result == expected
    assert [type(x) for x in result] == [type(x) for x in expected]


@pytest.mark.parametrize(
    "text",
    [
        "States.ArrayLength($.s)",
        "States.ArrayUnique($.s)",
        "States.ArrayContains($.s, 1)",
        "States.ArrayPartition($.s, 1)",
        "States.ArrayGetItem($.s, 0)",
    ],
)
def test_array_functions_reject_non_arrays(text: str) -> None:
    name = text.split("(")[0]
    assert failure(text, s="abc") == (
        f'Invalid argument 1 (array) to {name}: expected an array, got a string ("abc").'
    )


@pytest.mark.parametrize("size", [0, -1, 0.4])
def test_array_partition_needs_a_positive_size(size: float) -> None:
    cause = failure("States.ArrayPartition($.a, $.n)", a=[1], n=size)
    assert cause.startswith("Invalid arguments to States.ArrayPartition: the chunk size must be")


# --- encoding and hashing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "encoded"),
    [
        ("", ""),
        ("Data to encode", "RGF0YSB0byBlbmNvZGU="),
        ("a", "YQ=="),
        ("ab", "YWI="),
        ("abc", "YWJj"),
        ("café ☕", "Y2Fmw6kg4piV"),
        ("??>>", "Pz8+Pg=="),
    ],
)
def test_base64_round_trip(plain: str, encoded: str) -> None:  # OBS (first two)
    assert run("States.Base64Encode($.s)", s=plain) == encoded
    assert run("States.Base64Decode($.s)", s=encoded) == plain


def test_unpaired_surrogates_encode_as_question_marks_like_java() -> None:
    assert run("States.Base64Encode($.s)", s="a\ud800") == "YT8="
    assert run("States.Hash($.s, 'MD5')", s="\ud800") == run("States.Hash('?', 'MD5')")


def test_base64_encode_has_no_line_breaks() -> None:
    assert "\n" not in run("States.Base64Encode($.s)", s="x" * 1000)


@pytest.mark.parametrize(
    ("encoded", "plain"),
    [("YQ", "a"), ("YWI", "ab"), ("/w==", "\ufffd")],
    ids=["unpadded-2", "unpadded-3", "invalid-utf8"],
)
def test_base64_decode_is_lenient_like_java(encoded: str, plain: str) -> None:
    assert run("States.Base64Decode($.s)", s=encoded) == plain


@pytest.mark.parametrize(
    "encoded", ["Y", "YQ=", "YQ===", "Y Q==", "YQ==\n", "YQ==YQ==", "é", "$$$$"]
)
def test_base64_decode_rejects_invalid_input(encoded: str) -> None:
    assert failure("States.Base64Decode($.s)", s=encoded) == (
        "Invalid arguments to States.Base64Decode: the input is not a valid Base64 string."
    )


@pytest.mark.parametrize("function", ["States.Base64Encode", "States.Base64Decode"])
def test_base64_input_limit_is_10000_characters(function: str) -> None:
    assert run(f"{function}($.s)", s="A" * 10_000) is not None
    assert failure(f"{function}($.s)", s="A" * 10_001) == (
        f"Invalid arguments to {function}: the input string has 10001 characters; at most "
        "10000 are allowed."
    )


def test_length_limits_count_utf16_units_like_java() -> None:
    emoji = "🎉" * 5_000  # 5,000 code points, 10,000 UTF-16 units
    assert isinstance(run("States.Base64Encode($.s)", s=emoji), str)
    cause = failure("States.Base64Encode($.s)", s=emoji + "x")
    assert "has 10001 characters" in cause


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        (
            "SHA-384",
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27"
            "e1fb9e9374a15562",
        ),
        (
            "SHA-512",
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f"
            "1d593fc50283731a533d30d425402d4f91316d871303aac4",
        ),
    ],
)
def test_hash_obs(algorithm: str, digest: str) -> None:  # OBS
    assert run("States.Hash($.d, $.a)", d="input data", a=algorithm) == digest
    assert run(f"States.Hash('input data', '{algorithm}')") == digest


def test_hash_hashes_utf8_bytes() -> None:
    # MD5 of b"\xc3\xa9" (UTF-8); the Latin-1 byte b"\xe9" would give 3406877694691ddd...
    assert run("States.Hash('é', 'MD5')") == "66ddcd97cfdeabb2f6fb8a999b4bc76f"


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "States.Hash('x', 'SHA256')",
            "Invalid arguments to States.Hash: the hashing algorithm 'SHA256' is not supported "
            "(did you mean 'SHA-256'?); use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512.",
        ),
        (
            "States.Hash('x', 'md5')",
            "Invalid arguments to States.Hash: the hashing algorithm 'md5' is not supported; use "
            "one of MD5, SHA-1, SHA-256, SHA-384, SHA-512.",
        ),
        (
            "States.Hash($.o, 'MD5')",
            'Invalid argument 1 (data) to States.Hash: expected a string, got an object ({"k":1}).',
        ),
        (
            "States.Hash($.long, 'MD5')",
            "Invalid arguments to States.Hash: the input data has 10001 characters; at most "
            "10000 are allowed.",
        ),
    ],
)
def test_hash_failures(text: str, cause: str) -> None:
    assert failure(text, o={"k": 1}, long="x" * 10_001) == cause


# --- math ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (-9, 3, -6),
        (1.49, 1.50, 3),
        (1.50, 1.51, 4),
        (-1.49, -1.50, -2),
        (-1.50, -1.51, -3),
        (1.49, 0, 1),
        (1.49, -1.49, 0),
        (1.50, 0, 2),
        (1.51, 0, 2),
        (-1.49, 0, -1),
        (-1.50, 0, -1),
        (-1.51, 0, -2),
        (0.5, 0, 1),
        (1.5, 0, 2),
        (2.5, 0, 3),
        (3.5, 0, 4),
        (-0.5, 0.5, 1),
        (-0.5, 0, 0),
        (-1.5, 0, -1),
        (-2.5, 0, -2),
        (-3.5, 0, -3),
        (2147483647, 1, 2147483648),
        (-2147483648, 0, -2147483648),
        (2147483647.4, 0, 2147483647),
    ],
)
def test_math_add_rounds_each_argument_like_java(a: float, b: float, expected: int) -> None:  # OBS
    result = run("States.MathAdd($.a, $.b)", a=a, b=b)
    assert result == expected
    assert type(result) is int


def test_math_add_with_literals_and_nesting() -> None:  # OBS: nested_calls_2
    text = (
        "States.ArrayGetItem(States.StringSplit($.name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($.name, '-')), -1))"
    )
    assert run(text, name="my-state-machine-abc123") == "abc123"


@pytest.mark.parametrize(
    ("args", "cause"),
    [
        (
            "2147483648, 0",
            "Invalid arguments to States.MathAdd: argument 1 is 2147483648; values must be between "
            "-2147483648 and 2147483647.",
        ),
        (
            "0, -2147483649",
            "Invalid arguments to States.MathAdd: argument 2 is -2147483649; values must be "
            "between -2147483648 and 2147483647.",
        ),
        (
            "true, 0",
            "Invalid argument 1 (value1) to States.MathAdd: expected a number, got a boolean (true).",
        ),
        (
            "1, '2'",
            'Invalid argument 2 (value2) to States.MathAdd: expected a number, got a string ("2").',
        ),
        ("1, null", "Invalid argument 2 (value2) to States.MathAdd: expected a number, got null."),
    ],
)
def test_math_add_failures(args: str, cause: str) -> None:
    assert failure(f"States.MathAdd({args})") == cause


@pytest.mark.parametrize(
    ("start", "end", "low", "high"),
    [
        (12.50, 44.51, 13, 45),
        (9999, 99999, 9999, 99999),
        (-99999, -9999, -99999, -9999),
        (0, 1, 0, 1),
    ],
)
def test_math_random_stays_in_range(start: float, end: float, low: int, high: int) -> None:  # OBS
    for seed in range(50):
        value = run("States.MathRandom($.s, $.e)", seed=seed, s=start, e=end)
        assert low <= value < high
        assert type(value) is int


def test_math_random_without_seed_uses_the_engine_rng() -> None:
    draws = {run("States.MathRandom(0, 1000000)", seed=seed) for seed in range(5)}
    assert len(draws) == 5
    assert run("States.MathRandom(0, 1000000)", seed=7) == run(
        "States.MathRandom(0, 1000000)", seed=7
    )
    assert run("States.MathRandom(10, 20)", seed=3) == 10 + random.Random(3).randrange(10)


def test_math_random_with_seed_ignores_the_engine_rng() -> None:  # OBS: same seed, same value
    values = {run("States.MathRandom(0, 999, 3)", seed=engine_seed) for engine_seed in range(10)}
    assert len(values) == 1
    # Drawn as new java.util.Random(42).nextInt(10), which is 0.
    assert run("States.MathRandom(0, 10, 42)") == 0
    assert run("States.MathRandom(5, 15, 42)") == 5


def test_math_random_seed_is_rounded() -> None:
    assert run("States.MathRandom(0, 1000, 41.6)") == run("States.MathRandom(0, 1000, 42)")


def test_math_random_huge_bounds_are_still_deterministic() -> None:
    text = "States.MathRandom(-9999999999, 9999999999, 1)"
    value = run(text)
    assert -9999999999 <= value < 9999999999
    assert run(text, seed=99) == value


@pytest.mark.parametrize("args", ["1, 1", "5, 1", "1.4, 0.6"])
def test_math_random_needs_end_above_start(args: str) -> None:
    assert failure(f"States.MathRandom({args})").startswith(
        "Invalid arguments to States.MathRandom: the end (argument 2) must be greater than the start"
    )


# --- strings and UUID ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("Hello\nWorld", "\n", ["Hello", "World"]),
        ("", ",", []),
        ("abc", "", ["abc"]),
        ("", "", []),
        ("a--b", "--", ["a", "b"]),
        ("a.b", "x", ["a.b"]),
    ],
)
def test_string_split(text: str, delimiters: str, expected: list[str]) -> None:  # OBS (first 8)
    assert run("States.StringSplit($.s, $.d)", s=text, d=delimiters) == expected


def test_string_split_with_a_literal_newline_obs() -> None:  # OBS: escape_sequence template
    assert run("States.StringSplit('Hello\nWorld', '\n')") == ["Hello", "World"]


def test_string_split_rejects_non_strings() -> None:
    assert failure("States.StringSplit($.a, ',')", a=[1]) == (
        "Invalid argument 1 (inputString) to States.StringSplit: expected a string, got an "
        "array ([1])."
    )


def test_uuid_comes_from_the_injected_generator() -> None:
    assert run("States.UUID()", uuid="5f2d-fixed") == "5f2d-fixed"
    assert run("States.Array(States.UUID(), States.UUID())", uuid="u") == ["u", "u"]


# --- evaluation machinery -----------------------------------------------------------------


def test_path_errors_from_the_resolver_propagate_unchanged() -> None:
    call = parse_intrinsic("States.ArrayLength($.missing)")
    with pytest.raises(StatesError) as info:
        evaluate_intrinsic(call, resolver({}), rng=random.Random(), uuid4=str)
    assert info.value.error == "States.Runtime"
    assert info.value.cause == "no such path $.missing"


def test_arguments_are_evaluated_left_to_right_innermost_first() -> None:
    seen: list[str] = []

    def resolve(text: str) -> JSON:
        seen.append(text)
        return 1

    call = parse_intrinsic("States.Array($.a, States.MathAdd($.b, $.c), $.d)")
    assert evaluate_intrinsic(call, resolve, rng=random.Random(), uuid4=str) == [1, 2, 1]
    assert seen == ["$.a", "$.b", "$.c", "$.d"]


def test_an_error_stops_evaluation_before_later_arguments() -> None:
    seen: list[str] = []

    def resolve(text: str) -> JSON:
        seen.append(text)
        return "x"

    call = parse_intrinsic("States.Array(States.ArrayLength($.a), $.b)")
    with pytest.raises(StatesError):
        evaluate_intrinsic(call, resolve, rng=random.Random(), uuid4=str)
    assert seen == ["$.a"]


def test_hand_built_calls_are_checked_at_evaluation() -> None:
    env_kwargs: dict[str, Any] = {"rng": random.Random(), "uuid4": str}
    with pytest.raises(StatesError, match="Unknown intrinsic function 'States.Nope'"):
        evaluate_intrinsic(
            IntrinsicCall("States.Nope", (), "States.Nope()"), resolver({}), **env_kwargs
        )
    with pytest.raises(StatesError, match=r"States.ArrayLength takes exactly 1 argument, got 2\."):
        call = IntrinsicCall("States.ArrayLength", (PathArg("$.a"), 1), "")
        evaluate_intrinsic(call, resolver({"$.a": []}), **env_kwargs)


def test_string_literals_reach_non_template_parameters_as_plain_strings() -> None:
    assert run(r"States.StringSplit('a\{}b', '{}')") == ["a", "b"]
    assert run(r"States.Array('x{}y')") == ["x{}y"]


# --- registry ---------------------------------------------------------------------------

ALL_FUNCTIONS = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}


def test_every_documented_function_is_registered_with_its_arity() -> None:
    assert {name: (f.min_args, f.max_args) for name, f in FUNCTIONS.items()} == ALL_FUNCTIONS


def test_registry_is_read_only_and_rejects_duplicates() -> None:
    with pytest.raises(TypeError):
        FUNCTIONS["States.New"] = FUNCTIONS["States.UUID"]  # type: ignore[index]
    with pytest.raises(ValueError, match="already registered"):
        register(Intrinsic("States.UUID", (), lambda: "x"))
    with pytest.raises(ValueError, match="start with 'States.'"):
        register(Intrinsic("Custom.Thing", (), lambda: "x"))
    assert "Custom.Thing" not in FUNCTIONS


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ((Param("a", variadic=True), Param("b")), "only the last parameter may be variadic"),
        ((Param("a", optional=True), Param("b")), "required parameter after an optional one"),
    ],
)
def test_invalid_declarations_are_rejected(params: tuple[Param, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Intrinsic("States.Bad", params, lambda *a: None)


def test_declared_types_are_enforced_before_the_function_runs() -> None:
    calls: list[tuple[Any, ...]] = []

    def spy(*args: Any) -> JSON:
        calls.append(args)
        return "ok"

    function = Intrinsic(
        "States.Spy",
        (
            Param("s", ArgType.STRING),
            Param("n", ArgType.ROUNDED_INTEGER),
            Param("i", ArgType.INTEGER, optional=True),
        ),
        spy,
    )
    env = Env(random.Random(), str)
    assert function.invoke(["a", 2.5, 3.0], env) == "ok"
    assert calls == [("a", 3, 3)]
    assert type(calls[0][2]) is int
    with pytest.raises(
        StatesError, match=r"Invalid argument 3 \(i\) to States.Spy: expected an integer"
    ):
        function.invoke(["a", 1, 3.5], env)
    with pytest.raises(
        StatesError, match=r"Invalid argument 2 \(n\) to States.Spy: expected a number"
    ):
        function.invoke(["a", float("nan")], env)
    assert len(calls) == 1
