"""Parsing intrinsic function calls: structure, literals, escapes, paths and errors."""

from __future__ import annotations

import pytest

from pytest_sfn.errors import SfnError
from pytest_sfn.expressions.intrinsics import (
    IntrinsicCall,
    IntrinsicSyntaxError,
    PathArg,
    StringLiteral,
    iter_paths,
    looks_like_intrinsic,
    parse_intrinsic,
)
from pytest_sfn.expressions.intrinsics._grammar import (
    MAX_DEPTH,
    Scanner,
    TokenType,
    describe_arity,
    parse,
)


def lit(value: str) -> StringLiteral:
    """A literal without placeholders."""
    return StringLiteral(value, (value,))


def only_arg(text: str) -> object:
    call = parse_intrinsic(text)
    assert len(call.args) == 1
    return call.args[0]


# --- structure -----------------------------------------------------------------------


def test_nested_calls_build_a_tree_with_source_text() -> None:
    text = "States.Array(States.ArrayGetItem($.a, 0), 'x', States.UUID())"
    assert parse_intrinsic(text) == IntrinsicCall(
        "States.Array",
        (
            IntrinsicCall(
                "States.ArrayGetItem", (PathArg("$.a"), 0), "States.ArrayGetItem($.a, 0)"
            ),
            lit("x"),
            IntrinsicCall("States.UUID", (), "States.UUID()"),
        ),
        text,
    )


def test_documented_nine_level_example_parses() -> None:
    text = (
        "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), "
        "'.'), 1))"
    )
    call = parse_intrinsic(text)
    assert call.name == "States.Format"
    assert [p.text for p in iter_paths(call)] == ["$.ImageRecipe.Arn", "$.ImageRecipe.Arn"]


def test_call_text_is_the_exact_source_slice() -> None:
    call = parse_intrinsic("States.Array( States.MathAdd( 1 ,2 ) )")
    inner = call.args[0]
    assert isinstance(inner, IntrinsicCall)
    assert inner.text == "States.MathAdd( 1 ,2 )"
    assert call.text == "States.Array( States.MathAdd( 1 ,2 ) )"


@pytest.mark.parametrize(
    "text",
    [
        "States.MathAdd(1,2)",
        "States.MathAdd(1, 2)",
        "States.MathAdd( 1 , 2 )",
        "States.MathAdd(\n\t1,\r\n 2\n)",
        "States.MathAdd (1, 2)",
        "States.MathAdd(1, 2)   ",
    ],
    ids=["tight", "spaced", "padded", "newlines-tabs", "space-before-paren", "trailing"],
)
def test_whitespace_between_tokens_is_ignored(text: str) -> None:
    assert parse_intrinsic(text).args == (1, 2)


# --- literals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("-0", 0),
        ("1.5", 1.5),
        ("-2.25", -2.25),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        ("2e+2", 200.0),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_number_and_keyword_literals(source: str, value: object) -> None:
    arg = only_arg(f"States.Array({source})")
    assert arg == value
    assert type(arg) is type(value)


@pytest.mark.parametrize(
    ("source", "value", "pieces"),
    [
        ("''", "", ("",)),
        ("'plain'", "plain", ("plain",)),
        (r"'it\'s'", "it's", ("it's",)),
        (r"'a\\b'", "a\\b", ("a\\b",)),
        (r"'\{\}'", "{}", ("{}",)),
        (r"'\{}'", "{}", ("{}",)),
        (r"'{\}'", "{}", ("{}",)),
        ("'{}'", "{}", ("", "")),
        ("'Hello {}!'", "Hello {}!", ("Hello ", "!")),
        ("'{}{}'", "{}{}", ("", "", "")),
        (r"'x \{} {} y'", "x {} {} y", ("x {} ", " y")),
        ("'{ lone } braces'", "{ lone } braces", ("{ lone } braces",)),
        ("'{{}}'", "{{}}", ("{", "}")),
        ("'{\"a\": 1}'", '{"a": 1}', ('{"a": 1}',)),
        ("'line1\nline2'", "line1\nline2", ("line1\nline2",)),
        ("'$.not.a.path'", "$.not.a.path", ("$.not.a.path",)),
        ("'a, b)'", "a, b)", ("a, b)",)),
        ("'ünïcödé 🎉'", "ünïcödé 🎉", ("ünïcödé 🎉",)),
    ],
    ids=lambda v: repr(v) if isinstance(v, str) else None,
)
def test_string_literals_and_escapes(source: str, value: str, pieces: tuple[str, ...]) -> None:
    assert only_arg(f"States.Format({source})") == StringLiteral(value, pieces)


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "$.a.b",
        "$$",
        "$$.Execution.Id",
        "$myVar",
        "$myVar.x[0]",
        "$.a[0]",
        "$.a[0,1]",
        "$['a, b']",
        '$["x)y"]',
        "$['it\\'s']",
        "$.items[?(@.price > 10)]",
        "$.items[?(@.name == 'a, b')].id",
        "$..deep",
        "$.a[-1:]",
        "$.a.length()",
    ],
)
def test_paths_run_to_the_next_top_level_separator(path: str) -> None:
    call = parse_intrinsic(f"States.Array({path}, 1)")
    assert call.args == (PathArg(path), 1)


def test_iter_paths_walks_nested_calls_in_source_order() -> None:
    call = parse_intrinsic("States.Array($.a, States.Array($$.b, 'x', States.Array($c)), $.d)")
    assert [p.text for p in iter_paths(call)] == ["$.a", "$$.b", "$c", "$.d"]


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "expected function name, got end of input", 0),
        ("'x'", "expected function name, got \"'x'\"", 0),
        ("States.Array", "expected '(', got end of input", 12),
        ("States.Array(", "expected an argument", 13),
        ("States.Array(1", "expected ',' or ')', got end of input", 14),
        ("States.Array(1,)", "expected an argument", 15),
        ("States.Array(,1)", "expected an argument", 13),
        ("States.Array(1 2)", "expected ',' or ')', got '2'", 15),
        ("States.Array(1,,2)", "expected an argument", 15),
        ("States.Array(1))", "unexpected ')' after the end of the call", 15),
        ("States.UUID() x", "unexpected 'x' after the end of the call", 14),
        ("States.Array('abc)", "unterminated string literal", 13),
        (r"States.Array('abc\')", "unterminated string literal", 13),
        ("States.Array('abc\\", "dangling '\\'", 17),
        (r"States.Array('a\nb')", "invalid escape sequence '\\n'", 15),
        (r"States.Array('\"')", "invalid escape sequence '\\\"'", 14),
        ("States.Array(01)", "invalid number '01'", 13),
        ("States.Array(1.)", "invalid number '1.'", 13),
        ("States.Array(1abc)", "invalid number '1abc'", 13),
        ("States.Array(-)", "invalid number '-'", 13),
        ("States.Array(.5)", "unexpected character '.'", 13),
        ("States.Array(1e999)", "number 1e999 is out of range", 13),
        ("States.Array(abc)", "unexpected word 'abc': string literals must be single-quoted", 13),
        ('States.Array("abc")', "unexpected character '\"'", 13),
        ("States.Array(#)", "unexpected character '#'", 13),
        ("States.Array($.a[0)", "unbalanced brackets in path: missing ']'", 13),
        ("States.Array($['a)", "unterminated quoted name in path", 15),
        ("Foo.Bar(1)", "'Foo.Bar' is not an intrinsic function: names start with 'States.'", 0),
        ("States.(1)", "'States.' is not an intrinsic function", 0),
        ("States.Array(Foo(1))", "'Foo' is not an intrinsic function", 13),
    ],
)
def test_syntax_errors_report_message_and_position(text: str, message: str, position: int) -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(text)
    assert message in info.value.message
    assert info.value.position == position
    assert info.value.text == text


def test_syntax_error_renders_a_caret_under_the_position() -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic("States.Format('a'\t'b')")
    assert str(info.value) == (
        "expected ',' or ')', got \"'b'\" (at position 18)\n"
        "    States.Format('a' 'b')\n"
        "                      ^"
    )
    assert isinstance(info.value, SfnError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "States.Fomat('x')",
            "unknown intrinsic function 'States.Fomat' (did you mean 'States.Format'?)",
        ),
        ("States.ArrayLenght($.a)", "(did you mean 'States.ArrayLength'?)"),
        ("States.uuid()", "(did you mean 'States.UUID'?)"),
        ("States.Frobnicate()", "unknown intrinsic function 'States.Frobnicate'"),
    ],
)
def test_unknown_function_names_suggest_the_closest(text: str, message: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(text)
    assert message in info.value.message
    assert info.value.position == 0


def test_unknown_nested_function_points_at_its_name() -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic("States.Array(1, States.Nope())")
    assert info.value.position == 16
    assert "States.Nope" in info.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.UUID(1)", "States.UUID takes no arguments, got 1"),
        ("States.ArrayLength()", "States.ArrayLength takes exactly 1 argument, got 0"),
        ("States.ArrayGetItem($.a)", "States.ArrayGetItem takes exactly 2 arguments, got 1"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments, got 1"),
        ("States.MathRandom(1, 2, 3, 4)", "States.MathRandom takes 2 or 3 arguments, got 4"),
        ("States.Format()", "States.Format takes at least 1 argument, got 0"),
        ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes exactly 3 arguments, got 2"),
    ],
)
def test_arity_is_checked_at_parse_time(text: str, message: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        parse_intrinsic(text)
    assert info.value.message == message


@pytest.mark.parametrize(
    "text",
    [
        "States.Array()",
        "States.Array(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)",
        "States.MathRandom(1, 2)",
    ],
)
def test_valid_arities_parse(text: str) -> None:
    assert parse_intrinsic(text).name.startswith("States.")


def test_parse_without_a_function_table_accepts_any_states_name() -> None:
    call = parse("States.Whatever(1, 2, 3)")
    assert call == IntrinsicCall("States.Whatever", (1, 2, 3), "States.Whatever(1, 2, 3)")


def test_nesting_deeper_than_the_limit_is_rejected() -> None:
    deep = "States.Array(" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1)
    with pytest.raises(IntrinsicSyntaxError, match="nested more than"):
        parse_intrinsic(deep)
    ok = "States.Array(" * MAX_DEPTH + ")" * MAX_DEPTH
    assert parse_intrinsic(ok).name == "States.Array"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 0, "no arguments"),
        (1, 1, "exactly 1 argument"),
        (2, 2, "exactly 2 arguments"),
        (2, 3, "2 or 3 arguments"),
        (1, 4, "between 1 and 4 arguments"),
        (0, None, "at least 0 arguments"),
        (1, None, "at least 1 argument"),
    ],
)
def test_describe_arity(low: int, high: int | None, expected: str) -> None:
    assert describe_arity(low, high) == expected


# --- tokens ----------------------------------------------------------------------------


def test_scanner_yields_typed_tokens_with_positions() -> None:
    scanner = Scanner("States.F( 'a' ,-1.5,$.x , true)")
    seen = []
    while True:
        token = scanner.current
        seen.append((token.type, token.text, token.pos))
        if token.type is TokenType.EOF:
            break
        scanner.accept(token.type)
    assert seen == [
        (TokenType.NAME, "States.F", 0),
        (TokenType.LPAREN, "(", 8),
        (TokenType.STRING, "'a'", 10),
        (TokenType.COMMA, ",", 14),
        (TokenType.NUMBER, "-1.5", 15),
        (TokenType.COMMA, ",", 19),
        (TokenType.PATH, "$.x", 20),
        (TokenType.COMMA, ",", 24),
        (TokenType.KEYWORD, "true", 26),
        (TokenType.RPAREN, ")", 30),
        (TokenType.EOF, "", 31),
    ]


def test_accept_leaves_a_non_matching_token_in_place() -> None:
    scanner = Scanner("States.UUID()")
    assert scanner.accept(TokenType.COMMA) is None
    assert scanner.current.type is TokenType.NAME


# --- looks_like_intrinsic ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('x')", True),
        ("States.UUID()", True),
        ("States.Nope(1)", True),
        ("States.UUID ()", True),
        ("States.UUID", False),
        (" States.UUID()", False),
        ("$.States.UUID()", False),
        ("$.a", False),
        ("$$.Execution.Id", False),
        ("$var", False),
        ("states.UUID()", False),
        ("States.(", False),
        ("", False),
    ],
)
def test_looks_like_intrinsic(text: str, expected: bool) -> None:
    assert looks_like_intrinsic(text) is expected
