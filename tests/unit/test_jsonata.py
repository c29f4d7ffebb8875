"""The JSONata adapter: delimiters, compilation, bindings, results, errors and bounds.

Expected texts are AWS's: jsonata-js 2.0.6 wording for coded errors (checked against
jsonata-js itself), and the AWS-observed facts of aws-spec.md section 5.9 (TV-17, number
model, causes, limits: nesting 100, values of 6,990,256 bytes).
"""

from __future__ import annotations

import copy
import random
import threading
from typing import Any

import pytest

from pytest_sfn._types import JSON
from pytest_sfn.errors import SfnError
from pytest_sfn.expressions import jsonata as jsonata_module
from pytest_sfn.expressions.jsonata import (
    MAX_DEPTH,
    UNDEFINED,
    Expression,
    JsonataEnv,
    JsonataEvaluationError,
    JsonataSyntaxError,
    compile_expression,
    expression_body,
    is_jsonata_string,
)


def env(seed: int = 0, uuid: str = "00000000-0000-4000-8000-000000000000", now: int = 0) -> Any:
    return JsonataEnv(random.Random(seed), lambda: uuid, lambda: now)


STATES = {
    "input": {"a": 1, "b": [1, 2], "c": None, "d": {"e": "x"}, "objs": [{"v": None}, {"v": 1}]},
    "context": {"State": {"Name": "S"}, "Execution": {"Name": "run-1"}},
}


def run(text: str, bindings: dict[str, JSON] | None = None, environment: Any = None) -> Any:
    """Evaluate ``{% text %}`` with ``$states`` (and ``bindings``) bound."""
    expression = compile_expression("{% " + text + " %}")
    return expression.evaluate({"states": STATES, **(bindings or {})}, environment or env())


def failure(text: str, bindings: dict[str, JSON] | None = None) -> tuple[str | None, str]:
    with pytest.raises(JsonataEvaluationError) as caught:
        run(text, bindings)
    return caught.value.code, caught.value.message


# --- delimiters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", True),
        ("{%$states.input%}", True),
        ("{%%}", True),
        ("{% 1 %}", True),
        # TV-17: everything else is a literal
        (" {% states.input %} ", False),
        ("{% 1 %} ", False),
        (" {% 1 %}", False),
        ("$states.input", False),
        ("$", False),
        ("$$", False),
        ("States.Format('Format:{}', 101)", False),
        ("Hello {% $x %} there", False),
        ("{% 1", False),
        ("1 %}", False),
        ("{%}", False),
        ("", False),
        (None, False),
        (42, False),
        (["{% 1 %}"], False),
    ],
)
def test_is_jsonata_string(value: object, expected: bool) -> None:
    assert is_jsonata_string(value) is expected


@pytest.mark.parametrize(
    ("source", "body"),
    [
        ("{% $states.input %}", "$states.input"),
        ("{%1 + 2%}", "1 + 2"),
        ("{%\n\t $x \r\n%}", "$x"),
        ("{%  %}", ""),
        ("{% 'a  b' %}", "'a  b'"),
    ],
)
def test_expression_body_is_trimmed_as_aws_quotes_it(source: str, body: str) -> None:
    assert expression_body(source) == body
    assert compile_expression(source).body == body if body else True


def test_compile_is_cached_by_text_and_keeps_the_source() -> None:
    first = compile_expression("{% $states.input.a + 41 %}")
    assert compile_expression("{% $states.input.a + 41 %}") is first
    assert first.source == "{% $states.input.a + 41 %}"
    assert isinstance(first, Expression)


def test_compile_refuses_a_literal() -> None:
    with pytest.raises(ValueError, match="not a JSONata expression"):
        compile_expression("$states.input")


# --- syntax errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "message", "position"),
    [
        # the (expression, message) pairs AWS reports as INVALID_JSONATA_EXPRESSION
        ("a[1,2)", "S0202", 'Expected "]", got ","', 4),
        ('"unterminated', "S0101", "String literal must be terminated by a matching quote", 13),
        ("1 +", "S0207", "Unexpected end of expression", 3),
        ('{"a":}', "S0211", 'The symbol "}" cannot be used as a unary operator', 6),
        ("$x :=", "S0207", "Unexpected end of expression", 5),
        ('$match("a", /abc', "S0302", "No terminating / in regular expression", 16),
        ("phone %.other", "S0211", 'The symbol "." cannot be used as a unary operator', 8),
        ("", "S0207", "Unexpected end of expression", 0),
        # more jsonata-js wording
        ("$x := 5; $x", "S0201", 'Syntax error: ";"', 8),
        ("[1,2", "S0203", 'Expected "]" before end of expression', 4),
        ("a.b.(", "S0203", 'Expected ")" before end of expression', 5),
        ("`abc", "S0105", "Quoted property name must be terminated with a backquote (`)", 4),
        ("/* abc", "S0106", "Comment has no closing tag", None),
        ("[1,2,3][1..2]", "S0202", 'Expected "]", got ".."', 11),
    ],
)
def test_syntax_errors_carry_jsonata_js_messages(
    body: str, code: str, message: str, position: int | None
) -> None:
    with pytest.raises(JsonataSyntaxError) as caught:
        compile_expression("{% " + body + " %}")
    error = caught.value
    assert (error.code, error.message, error.expression) == (code, message, body)
    if position is not None:
        assert error.position == position
    assert str(error) == message
    assert isinstance(error, SfnError)
    assert error.diagnostic_code == "INVALID_JSONATA_EXPRESSION"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("/", "No terminating / in regular expression"),
        ("a /", "Unexpected end of expression"),
        ("1 + /* open", "Comment has no closing tag"),
    ],
)
def test_a_tokenizer_crash_is_a_syntax_error(body: str, message: str) -> None:
    with pytest.raises(JsonataSyntaxError, match=message):
        compile_expression("{% " + body + " %}")


def test_absurd_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(JsonataSyntaxError):
        compile_expression("{% " + "(" * 20_000 + "1" + ")" * 20_000 + " %}")


# --- bindings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$states.input", STATES["input"]),
        ("$states.input.a", 1),
        ("$states.input.d.e", "x"),
        ("$states.input.c", None),
        ("$states.input.b", [1, 2]),
        ("$states.input.b[1]", 2),
        ("$states.input.objs.v", [None, 1]),
        ("$states.input.objs[v = null]", {"v": None}),
        ("$states.context.State.Name", "S"),
        ("$states.result.Payload", {"ok": True}),
        ("$states.errorOutput.Error", "Boom"),
        ("$x", 5),
        ("$x + $y.z", 7),
        ("$nullVar", None),
        ("$exists($nullVar)", True),
        ("$type($nullVar)", "null"),
        ("$exists($states.input.c)", True),
        ("$type($states.input.c)", "null"),
        ("$count($states.input.objs.v)", 2),
        ("$states.input.objs.v.$type($)", ["null", "number"]),
        ("$lookup($states.input, 'c')", None),
    ],
)
def test_states_and_variables_are_bound(text: str, expected: JSON) -> None:
    states = {**STATES, "result": {"Payload": {"ok": True}}, "errorOutput": {"Error": "Boom"}}
    bindings = {"states": states, "x": 5, "y": {"z": 2}, "nullVar": None}
    assert compile_expression("{% " + text + " %}").evaluate(bindings, env()) == expected


@pytest.mark.parametrize(
    "text",
    ["$nope", "$states.input.nope", "$states.result", "$states.input.a.b", "$x.y", "$nothing + 1"],
)
def test_nothing_is_undefined(text: str) -> None:
    assert run(text, {"x": 5}) is UNDEFINED


def test_bindings_are_not_mutated() -> None:
    bindings = {"states": copy.deepcopy(STATES), "v": [1, None, {"k": None}]}
    before = copy.deepcopy(bindings)
    result = compile_expression("{% {'i': $states.input, 'v': $v, 'n': $v[2].k} %}").evaluate(
        bindings, env()
    )
    assert bindings == before
    assert result == {"i": STATES["input"], "v": [1, None, {"k": None}], "n": None}


def test_no_context_item() -> None:
    # AWS evaluates with no input document: a bare name reads nothing
    assert run("a") is UNDEFINED
    assert run("$") is UNDEFINED


# --- results: AWS's number model --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 1", 2),
        ("10 / 4", 2.5),
        ("2 * 3.5", 7),
        ("7 % 3", 1),
        ("-7 % 3", -1),
        ("5.5 % 2", 1.5),
        ("0.1 + 0.2", 0.30000000000000004),
        ("1.5e3", 1500),
        ("-0.0", 0),
        ("1 / 0", "Infinity"),
        ("-1 / 0", "-Infinity"),
        ("0 / 0", "NaN"),
        ("1e300 * 1e300", "Infinity"),
        ("[1 / 0]", ["Infinity"]),
        ('{"k": 1 / 0}', {"k": "Infinity"}),
        ("$states.input.big", 9223372036854775807),
        ("$states.input.bigger", 9.223372036854776e18),
        ("$states.input.whole", 1),
        ("$states.input.nested", {"n": [1, 2.5]}),
        ("$states.input.whole + 1", 2),
        ("[$states.input.whole]", [1]),
    ],
)
def test_numbers_come_out_as_aws_prints_them(text: str, expected: JSON) -> None:
    states = {
        "input": {
            "big": 9223372036854775807,
            "bigger": 9223372036854775808,
            "whole": 1.0,
            "nested": {"n": [1.0, 2.5]},
        }
    }
    result = compile_expression("{% " + text + " %}").evaluate({"states": states}, env())
    assert result == expected
    assert type(result) is type(expected)
    if text == "$states.input.nested":
        assert [type(x) for x in result["n"]] == [int, float]


# --- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("$nosuch()", "T1006", "Attempted to invoke a non-function"),
        ("$randomSeeded(1)", "T1006", "Attempted to invoke a non-function"),
        ("$eval('1 + 1')", "T1006", "Attempted to invoke a non-function"),
        ("1 + 'a'", "T2002", 'The right side of the "+" operator must evaluate to a number'),
        ("'a' - 1", "T2001", 'The left side of the "-" operator must evaluate to a number'),
        ("1 + {}", "T2002", 'The right side of the "+" operator must evaluate to a number'),
        ("1 + null", "T2002", 'The right side of the "+" operator must evaluate to a number'),
        ("[1,2] * 2", "T2001", 'The left side of the "*" operator must evaluate to a number'),
        (
            "1 < 'a'",
            "T2009",
            'The values 1 and "a" either side of operator "<" must be of the same data type',
        ),
        (
            "null < 1",
            "T2010",
            'The expressions either side of operator "<" must evaluate to numeric or string values',
        ),
        ("-'a'", "D1002", 'Cannot negate a non-numeric value: "a"'),
        (
            "[1..'3']",
            "T2004",
            "The right side of the range operator (..) must evaluate to an integer",
        ),
        ("{1: 2}", "T1003", "Key in object structure must evaluate to a string; got: 1"),
        (
            "$sum(['a'])",
            "T0412",
            'Argument 1 of function "sum" must be an array of "numbers"',
        ),
        ("$sum('a')", "T0412", 'Argument 1 of function "sum" must be an array of "numbers"'),
        (
            "$join('a', 1)",
            "T0410",
            'Argument 2 of function "join" does not match function signature',
        ),
        (
            "$each('x', function($v){$v})",
            "T0410",
            'Argument 1 of function "each" does not match function signature',
        ),
        ("$trim(null)", "T0410", 'Argument 1 of function "trim" does not match function signature'),
        (
            "$floor(null)",
            "T0410",
            'Argument 1 of function "floor" does not match function signature',
        ),
        ("$count()", "T0410", 'Argument 1 of function "count" does not match function signature'),
        (
            "$number(null)",
            "T0410",
            'Argument 1 of function "number" does not match function signature',
        ),
        ("$number('abc')", "D3030", 'Unable to cast value to a number: "abc"'),
        ("$number('1e999')", "D3030", 'Unable to cast value to a number: "1e999"'),
        ("$sqrt(-1)", "D3060", "The sqrt function cannot be applied to a negative number: -1"),
        (
            "$power(10, 400)",
            "D3061",
            "The power function has resulted in a value that cannot be represented as a JSON "
            "number: base=10, exponent=400",
        ),
        (
            "$split('a', 'b', -1)",
            "D3020",
            "Third argument of split function must evaluate to a positive number",
        ),
        (
            "$replace('a', '', 'b')",
            "D3010",
            "Second argument of replace function cannot be an empty string",
        ),
        (
            "$reduce([1,2], function($a){$a})",
            "D3050",
            "The second argument of reduce function must be a function with at least two arguments",
        ),
        (
            "$single([1,2], function($x){true})",
            "D3138",
            "The $single() function expected exactly 1 matching result.  Instead it matched more.",
        ),
        (
            "$sort([1, 'a', 2])",
            "D3070",
            "The single argument form of the sort function can only be applied to an array of "
            "strings or an array of numbers.  Use the second argument to specify a comparison "
            "function",
        ),
        (
            "$toMillis('garbage')",
            "D3110",
            'The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "garbage"',
        ),
        (
            "$fromMillis(0, '[Y]-[Q]')",
            "D3132",
            'Unknown component specifier "Q" in date/time picture string',
        ),
        ("$decodeUrlComponent('%')", "D3140", 'Malformed URL passed to $decodeUrlComponent(): "%"'),
        ("$error('boom')", "D3137", "boom"),
        ("$assert(false, 'nope')", "D3141", "nope"),
        ('{"a": 1, "a": 2}', "D1009", 'Multiple key definitions evaluate to same key: "a"'),
        ("$string(1/0)", "D3001", "Attempting to invoke string function on Infinity or NaN"),
        (
            "1 ~> 2",
            "T2006",
            "The right side of the function application operator ~> must be a function",
        ),
    ],
)
def test_errors_carry_code_and_jsonata_js_message(text: str, code: str, message: str) -> None:
    assert failure(text) == (code, message)


def test_evaluation_error_text() -> None:
    error = JsonataEvaluationError("T1006", "Attempted to invoke a non-function")
    assert str(error) == "T1006: Attempted to invoke a non-function"
    assert str(JsonataEvaluationError(None, "limit")) == "limit"
    assert isinstance(error, SfnError)


# --- bounds -------------------------------------------------------------------------------------------

STACK = (
    None,
    "Stack overflow error: Check for non-terminating recursive function. "
    "Consider rewriting as tail-recursive",
)
MEMORY = (None, "Expression evaluation memory limit exceeded: Check for excessive memory usage")
RECURSION = "($f := function($x){ $x <= 0 ? 0 : 1 + $f($x-1) }; $f(%d))"


@pytest.mark.parametrize(
    ("deepest_accepted", "first_refused"),
    [
        ("1" + "+1" * 99, "1" + "+1" * 100),  # AWS: 100 terms pass, 101 fail
        ("(" * 99 + "1" + ")" * 99, "(" * 100 + "1" + ")" * 100),
        ("[" * 99 + "1" + "]" * 99, "[" * 100 + "1" + "]" * 100),
        ("1" + "~>$string" * 99, "1" + "~>$string" * 100),
        (RECURSION % 31, RECURSION % 32),
    ],
)
def test_nesting_deeper_than_aws_allows_is_a_stack_overflow(
    deepest_accepted: str, first_refused: str
) -> None:
    assert run(deepest_accepted) is not UNDEFINED
    assert failure(first_refused) == STACK
    assert MAX_DEPTH == 100


def test_runaway_recursion_is_a_stack_overflow_not_a_crash() -> None:
    assert failure(RECURSION % 100_000) == STACK


@pytest.mark.parametrize(
    ("accepted", "refused"),
    [
        ("[1..873782] ~> $count()", "[1..873783] ~> $count()"),
        ("$count($range(1, 360145, 1))", "$range(1, 360146, 1)"),
        (
            "($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('x', 22)))",
            "($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('x', 23)))",
        ),
    ],
)
def test_values_larger_than_aws_allows_exceed_the_memory_limit(accepted: str, refused: str) -> None:
    assert isinstance(run(accepted), int)
    assert failure(refused) == MEMORY


@pytest.mark.parametrize("text", ["$sum([1..900000])", "$range(1, 1000000000, 1)"])
def test_memory_refusals_do_not_allocate_first(text: str) -> None:
    assert failure(text) == MEMORY


def test_an_endless_loop_exhausts_the_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonata_module, "MAX_EVALUATION_STEPS", 20_000)
    assert failure("($f := function($x){ $f($x + 1) }; $f(1))") == (
        None,
        "Expression evaluation timeout: Check for infinite loop",
    )
    assert run("$sum($map([1..1000], function($v){$v * 2}))") == 1001000


# --- Step Functions functions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$partition([1,2,3,4,5], 2)", [[1, 2], [3, 4], [5]]),
        ("$partition([0], 3)", [[0]]),
        ("$partition([0,1], 1)", [[0], [1]]),
        ("$partition([1,2,3])", [[1, 2, 3]]),
        ("$partition([1,2,3,4,5], 2.9)", [[1, 2], [3, 4], [5]]),
        ("$partition($states.input.objs, 1)", [[{"v": None}], [{"v": 1}]]),
        ("$partition([], 2)", UNDEFINED),
        ("$partition([1,2,3], 0)", UNDEFINED),
        ("$partition([1,2,3,4], -0.5)", UNDEFINED),
        ("$partition($nothing, 2)", UNDEFINED),
        ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
        ("$range(10, 0, -2)", [10, 8, 6, 4, 2, 0]),
        ("$range(1, 8, 2)", [1, 3, 5, 7]),
        ("$range(1.7, 5, 1)", [1, 2, 3, 4, 5]),
        ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
        ("$range(-2.9, 0, 1)", [-2, -1, 0]),
        ("$range(5, 1, -1.5)", [5, 4, 3, 2, 1]),
        ("$range(3, 3, 1)", 3),
        ("$range(0, 1, 5)", 0),
        ("$append([], $range(7, 7, 1))", [7]),
        ("$range(5, 1, 1)", UNDEFINED),
        ("$range(1, 5, -1)", UNDEFINED),
        ("$range(1, 5, 0)", UNDEFINED),
        ("$range(1, 5)", UNDEFINED),
        ("$count($range(-9223372036854775808, 9223372036854775807, 9223372036854775807))", 3),
        ("$hash('Hello', 'MD5')", "8b1a9953c4611296a827abf8c47804d7"),
        ("$hash('Hello', 'SHA-1')", "f7ff9e8b7bb2e09b70935a5d785e0cc5d9d0abf0"),
        (
            "$hash('Hello', 'SHA-256')",
            "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969",
        ),
        (
            "$hash('Hello', 'SHA-384')",
            "3519fe5ad2c596efe3e276a6f351b8fc0b03db861782490d45f7598ebd0ab5fd"
            "5520ed102f38c4a5ec834e98668035fc",
        ),
        (
            "$hash('Hello', 'SHA-512')",
            "3615f80c9d293ed7402687f94b22d58e529b8cc7916f8fac7fddf7fbd5af4cf7"
            "77d3d795a7a00a16bf7e7f3fb9561ee9baae480da9fe7a18769e71886b03f315",
        ),
        ("$hash('ñ', 'MD5')", "94e9342ecbb1458b6043ecd3bfcbc192"),
        ("$hash('Hello')", UNDEFINED),
        ("$random(42)", 0.7275636800328681),
        ("$random(0)", 0.730967787376657),
        ("$random(7)", 0.7306990420600421),
        ("$random(0.9)", 0.730967787376657),
        ("$random(42) = $random(42)", True),
        ('$parse(\'{"a":1,"b":[1,2,3]}\')', {"a": 1, "b": [1, 2, 3]}),
        ("$parse('-0')", 0),
        ("$parse('1.1')", 1.1),
        ("$parse('1.0')", 1),
        ("$parse('1e2')", 100),
        ("$parse('true')", True),
        ("$parse('\"HelloWorld\"')", "HelloWorld"),
        ("$parse('[1, 2, \"HelloWorld\"]')", [1, 2, "HelloWorld"]),
        ('$parse(\'{"b":1,"a":2}\') ~> $keys()', ["b", "a"]),
        ("$exists($parse('null'))", True),
        ("$parse('{\"n\":9223372036854775807}').n", 9223372036854775807),
        ("$parse('{\"n\":9223372036854775808}').n", 9.223372036854776e18),
        ("$parse('[1, null]') ~> $count()", 2),
        ("$parse()", UNDEFINED),
        ("$parse('{\"a\":1}').a + 1", 2),
        ("$map(['{\"a\":1}', '{\"a\":2}'], $parse).a", [1, 2]),
    ],
)
def test_step_functions_functions(text: str, expected: JSON) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("$partition([1,2,3], -1)", "D3137", "Second argument must be zero or greater"),
        (
            "$partition(null, 2)",
            "T0412",
            'Argument 1 of function "partition" must be an array of undefined',
        ),
        (
            "$partition([1], 'x')",
            "T0410",
            'Argument 2 of function "partition" does not match function signature',
        ),
        (
            "$partition([1,2,3], 2, 'x')",
            "T0410",
            'Argument 3 of function "partition" does not match function signature',
        ),
        ("$range(1)", "T0410", 'Argument 2 of function "range" does not match function signature'),
        (
            "$range('0', 4, 1)",
            "T0410",
            'Argument 1 of function "range" does not match function signature',
        ),
        (
            "$range(1, 3, true)",
            "T0410",
            'Argument 3 of function "range" does not match function signature',
        ),
        (
            "$range(0, 4, 1, 2)",
            "T0410",
            'Argument 4 of function "range" does not match function signature',
        ),
        (
            "$hash(42, 'MD5')",
            "T0410",
            'Argument 1 of function "hash" does not match function signature',
        ),
        (
            "$hash('a', 5)",
            "T0410",
            'Argument 2 of function "hash" does not match function signature',
        ),
        (
            "$hash('a', 'MD5', 'x')",
            "T0410",
            'Argument 3 of function "hash" does not match function signature',
        ),
        (
            "$hash('Hello', 'md5')",
            "D3137",
            "Hash algorithm 'md5' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5",
        ),
        (
            "$hash('Hello', 'SHA3-256')",
            "D3137",
            "Hash algorithm 'SHA3-256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5",
        ),
        (
            "$random(1, 2)",
            "T0410",
            'Argument 2 of function "random" does not match function signature',
        ),
        (
            "$random('x')",
            "T0410",
            'Argument 1 of function "random" does not match function signature',
        ),
        (
            "$uuid('seed')",
            "T0410",
            'Argument 1 of function "uuid" does not match function signature',
        ),
        (
            "$parse(null)",
            "T0410",
            'Argument 1 of function "parse" does not match function signature',
        ),
        (
            "$parse('{}', 'x')",
            "T0410",
            'Argument 2 of function "parse" does not match function signature',
        ),
        ("$parse('not valid json')", "D3137", "Invalid JSON"),
        ("$parse('')", "D3137", "Invalid JSON"),
        ("$parse('  ')", "D3137", "Invalid JSON"),
        ('$parse(\'{"a":1}{"b":2}\')', "D3137", "Invalid JSON"),
        ("$parse('[1,2] [3,4]')", "D3137", "Invalid JSON"),
        ('$parse(\'{"a":1,"a":2}\')', "D3137", "Invalid JSON"),
        ("$parse('1e400')", "D3137", "Invalid JSON"),
        ("$parse('NaN')", "D3137", "Invalid JSON"),
    ],
)
def test_step_functions_function_errors(text: str, code: str, message: str) -> None:
    assert failure(text) == (code, message)


def test_random_without_seed_draws_from_the_environment() -> None:
    expression = compile_expression("{% [$random(), $random()] %}")
    first = expression.evaluate({}, env(seed=3))
    rng = random.Random(3)
    assert first == [rng.random(), rng.random()]
    assert expression.evaluate({}, env(seed=3)) == first
    assert expression.evaluate({}, env(seed=4)) != first
    assert all(0 <= n < 1 for n in first)


def test_uuid_comes_from_the_environment() -> None:
    made = iter(["u-1", "u-2"])
    environment = JsonataEnv(random.Random(0), lambda: next(made))
    assert compile_expression("{% [$uuid(), $uuid()] %}").evaluate({}, environment) == [
        "u-1",
        "u-2",
    ]


def test_now_and_millis_come_from_the_environment_and_hold_for_one_evaluation() -> None:
    ticks = iter([1_700_000_000_123, 5])
    environment = JsonataEnv(random.Random(0), lambda: "u", lambda: next(ticks))
    expression = compile_expression(
        "{% [$now(), $millis(), $millis(), $now('[Y0001]-[M01]-[D01]')] %}"
    )
    assert expression.evaluate({}, environment) == [
        "2023-11-14T22:13:20.123Z",
        1_700_000_000_123,
        1_700_000_000_123,
        "2023-11-14",
    ]
    assert compile_expression("{% $millis() %}").evaluate({}, environment) == 5


def test_now_defaults_to_the_wall_clock() -> None:
    environment = JsonataEnv(random.Random(0), lambda: "u")
    assert compile_expression("{% $millis() %}").evaluate({}, environment) > 1_600_000_000_000


# --- jsonata-js semantics where jsonata-python strays ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$string(1.0)", "1"),
        ("$string(0.1 + 0.2)", "0.3"),
        ("$string(1/3)", "0.333333333333333"),
        ("$string(1e20)", "100000000000000000000"),
        ("$string(1.5e20)", "150000000000000000000"),
        ("$string(-1e20)", "-100000000000000000000"),
        ("$string(1e21)", "1e+21"),
        ("$string(1e-6)", "0.000001"),
        ("$string(1e-7)", "1e-7"),
        ("$string(-0)", "0"),
        ("$string(null)", "null"),
        ("$string(true)", "true"),
        ("$string('x')", "x"),
        ("$string([1, 'a', null, true])", '[1,"a",null,true]'),
        ('$string({"a": 1, "b": [1, 2]})', '{"a":1,"b":[1,2]}'),
        ("$string({'a': 1}, true)", '{\n  "a": 1\n}'),
        ("$string([1e20, 2])", "[100000000000000000000,2]"),
        ("$string($states.input.objs)", '[{"v":null},{"v":1}]'),
        ("$map([1e20, 1e21], $string)", ["100000000000000000000", "1e+21"]),
        ("'a' & 1.0 & null & true", "a1nulltrue"),
        ("'x' & [1, 2]", "x[1,2]"),
        ("'x' & 0.1", "x0.1"),
        ("'x' & $nothing", "x"),
        ("$count(null)", 1),
        ("$count($nothing)", 0),
        ("$count([1, null, 2])", 3),
        ("$number('12')", 12),
        ("$number('-1.5e3')", -1500),
        ("$number('0x1F')", 31),
        ("$number('0b101')", 5),
        ("$number('0o17')", 15),
        ("$number(true)", 1),
        ("$exists(null)", True),
        ("$power(2, 10)", 1024),
        ("$power(2, 0.5)", 1.4142135623730951),
        ("$sort([3, 1, 2])", [1, 2, 3]),
        ("$encodeUrlComponent('a b&c')", "a%20b%26c"),
        ("$encodeUrl('https://x.com/a b?q=1&r=é')", "https://x.com/a%20b?q=1&r=%C3%A9"),
        ("$decodeUrlComponent('a%20b%26%C3%A9')", "a b&é"),
        ("$decodeUrl('a%20b%26')", "a b%26"),
        ("$round(2.5)", 2),
        ("$round(3.5)", 4),
        ("$round(-2.5)", -2),
        ("$substring('hello', -3)", "llo"),
        ("$length('😀')", 1),
        ("$fromMillis(0)", "1970-01-01T00:00:00.000Z"),
        ("$toMillis('2024-01-01T00:00:00.123Z')", 1704067200123),
        ("$formatNumber(1234.5678, '#,##0.00')", "1,234.57"),
        ("$max([])", UNDEFINED),
        ("[1, $nothing, 2]", [1, 2]),
        ('{"a": $nothing, "b": 1}', {"b": 1}),
        ("$sum", UNDEFINED),  # a function is not JSON
        ('{"f": $sum, "n": 1}', {"n": 1}),
        ("[1, $sum]", [1, None]),
    ],
)
def test_jsonata_js_semantics(text: str, expected: JSON) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is type(expected)


# --- static analysis --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "variables", "fields", "whole"),
    [
        ("$states.input.a", {"states"}, {"input"}, False),
        ("$states.result.Payload + $states.input.a", {"states"}, {"result", "input"}, False),
        ("$states", {"states"}, set(), True),
        ("$merge([$states.input, $states])", {"states"}, {"input"}, True),
        ("$x + $y.z", {"x", "y"}, set(), False),
        ("$sum($x) & $string($y)", {"x", "y"}, set(), False),
        ("($v := 1; $v + $w)", {"w"}, set(), False),
        ("function($p){$p + $q}", {"q"}, set(), False),
        ("$map($list, function($item, $i){$item * $i})", {"list"}, set(), False),
        ("$l@$o#$n[$n > $k]", {"l", "k"}, set(), False),
        ('{"a": $x, $y: 1}', {"x", "y"}, set(), False),
        ("$a ? $b : $c", {"a", "b", "c"}, set(), False),
        ("$l^(>$w)", {"l", "w"}, set(), False),
        ("$x ~> |$|{'a': $z}, ['b']|", {"x", "z"}, set(), False),
        ("$states.input{'k': $t}", {"states", "t"}, {"input"}, False),
        ("1 + 2", set(), set(), False),
        ("$", set(), set(), False),
    ],
)
def test_static_analysis(text: str, variables: set[str], fields: set[str], whole: bool) -> None:
    expression = compile_expression("{% " + text + " %}")
    assert expression.variables == variables
    assert expression.states_fields == fields
    assert expression.reads_all_states is whole


def test_a_variable_named_like_a_function_shadows_it() -> None:
    # variables are bound above JSONata's functions, as jsonata binds them
    expression = compile_expression("{% $sum %}")
    assert expression.variables == set()  # not a reference to validate
    assert expression.evaluate({"sum": 3}, env()) == 3
    assert expression.evaluate_slow({"sum": 3}, env()) == 3
    assert expression.evaluate({}, env()) is UNDEFINED
    with pytest.raises(JsonataEvaluationError, match="T1006"):
        compile_expression("{% $sum(1) %}").evaluate({"sum": 3}, env())
    assert compile_expression("{% $sum([1, 2]) %}").evaluate({}, env()) == 3


# --- concurrency and re-entrancy ----------------------------------------------------------------------


def test_concurrent_evaluations_of_one_expression_do_not_interfere() -> None:
    expression = compile_expression("{% $sum($map($states.input.items, function($v){$v * $k})) %}")
    results: dict[int, Any] = {}

    def work(k: int) -> None:
        items = list(range(200))
        results[k] = [
            expression.evaluate({"states": {"input": {"items": items}}, "k": k}, env())
            for _ in range(20)
        ]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {k: [19900 * k] * 20 for k in range(8)}


def test_evaluation_is_re_entrant() -> None:
    inner = compile_expression("{% $states.input.n * 2 %}")

    def nested_uuid() -> str:
        value = inner.evaluate({"states": {"input": {"n": 21}}}, env())
        return f"uuid-{value}"

    environment = JsonataEnv(random.Random(0), nested_uuid)
    outer = compile_expression("{% [$x, $uuid(), $x + 1, $random(42)] %}")
    assert outer.evaluate({"x": 1}, environment) == [1, "uuid-42", 2, 0.7275636800328681]


def test_a_failed_evaluation_leaves_the_next_one_clean() -> None:
    assert failure("1" + "+1" * 100) == STACK
    assert run("1 + 1") == 2
    assert failure("$range(1, 360146, 1)") == MEMORY
    assert run("[1..3]") == [1, 2, 3]


def test_the_interpreter_recursion_limit_is_left_alone() -> None:
    import sys

    from pytest_sfn.expressions.jsonata import JsonataEnv, compile_expression

    before = sys.getrecursionlimit()
    expression = compile_expression("{% $sum([1, 2]) + $count([1]) %}")
    env = JsonataEnv(__import__("random").Random(0), lambda: "u")
    assert expression.evaluate({"states": {"input": {}}}, env) == 4
    assert sys.getrecursionlimit() == before
