"""Pure helpers behind the JSONata adapter: AWS's added functions, JS number text, messages.

Nothing here imports the JSONata library (only :mod:`pytest_sfn.expressions.jsonata` may).
Functions take *plain* argument lists, in which an undefined argument is :data:`UNDEFINED`,
JSON ``null`` is ``None`` and a JSONata function value is :data:`FUNCTION`; they raise
:class:`FunctionError` (a coded JSONata error) or :class:`LimitExceeded` (an evaluation bound).

Facts encoded here (observed on AWS, see ``aws-spec.md`` §5.9):

* ``$partition``, ``$range``, ``$random`` round a non-integer argument towards zero.
* ``$random(seed)`` draws from ``java.util.Random(seed).nextDouble()``: ``$random(42)`` is
  ``0.7275636800328681``.
* ``$range`` builds at most 360,145 elements; one more is AWS's memory-limit refusal.
* A surplus argument is ``T0410`` naming the first surplus argument.
* Error message templates are those of jsonata-js 2.0.6, whose wording AWS reports.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

__all__ = [
    "ERROR_TEMPLATES",
    "FUNCTION",
    "HASH_ALGORITHMS",
    "MAX_RANGE_ELEMENTS",
    "MEMORY_LIMIT_MESSAGE",
    "STACK_OVERFLOW_MESSAGE",
    "TIMEOUT_MESSAGE",
    "UNDEFINED",
    "FunctionError",
    "LimitExceeded",
    "fn_decode_url",
    "fn_decode_url_component",
    "fn_encode_url",
    "fn_encode_url_component",
    "fn_hash",
    "fn_number",
    "fn_parse",
    "fn_partition",
    "fn_power",
    "fn_random",
    "fn_range",
    "fn_string",
    "fn_uuid",
    "java_random_double",
    "js_number_to_string",
    "js_stringify",
    "render_template",
    "signature_error",
]


class _Undefined:
    """The type of :data:`UNDEFINED` (JSONata's *undefined*: no value at all)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


class _Function:
    """The type of :data:`FUNCTION` (a JSONata function used as a value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FUNCTION"


#: JSONata's *undefined*: an expression or argument that yields nothing.
UNDEFINED: Final[Any] = _Undefined()
#: Stands for a JSONata function value in plain argument lists.
FUNCTION: Final[Any] = _Function()

#: AWS's cause for an expression that builds too large a value.
MEMORY_LIMIT_MESSAGE: Final = (
    "Expression evaluation memory limit exceeded: Check for excessive memory usage"
)
#: AWS's cause for an expression that nests deeper than 100 levels.
STACK_OVERFLOW_MESSAGE: Final = (
    "Stack overflow error: Check for non-terminating recursive function. "
    "Consider rewriting as tail-recursive"
)
#: The cause for an expression that runs too long (our step budget stands for AWS's 1 s).
TIMEOUT_MESSAGE: Final = "Expression evaluation timeout: Check for infinite loop"

#: Most elements one ``$range`` call builds on AWS (one more is a memory-limit refusal).
MAX_RANGE_ELEMENTS: Final = 360_145
#: ``$hash`` algorithms, case-sensitive.
HASH_ALGORITHMS: Final[dict[str, Callable[..., Any]]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1


class FunctionError(Exception):
    """A coded JSONata error raised by a function (``T0410``, ``D3137``...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class LimitExceeded(Exception):
    """An evaluation bound was hit (memory, depth, time); ``message`` is AWS's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def signature_error(function: str, index: int) -> FunctionError:
    """``T0410``: argument ``index`` (1-based) does not fit the function's signature."""
    return FunctionError(
        "T0410", f'Argument {index} of function "{function}" does not match function signature'
    )


# --- JavaScript number and JSON text ----------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def js_number_to_string(value: float) -> str:
    """``String(value)`` as JavaScript writes a number (``1``, ``0.1``, ``1e+21``, ``1e-7``).

    Python integers inside the signed 64-bit range are written in full (AWS keeps them exact);
    everything else follows ECMAScript's ``Number::toString``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if _LONG_MIN <= value <= _LONG_MAX:
            return str(value)
        value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    k = len(digits)
    n = exponent + k  # value = 0.d1...dk * 10**n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        e = n - 1
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-trip decimal digits of ``value`` > 0 and their exponent."""
    sign, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    return "".join(map(str, digit_tuple)), exponent


def _to_precision_15(value: float) -> float:
    """``Number(value.toPrecision(15))`` (half away from zero on the exact binary value)."""
    if value == 0 or not math.isfinite(value):
        return value
    exact = Decimal(value)
    shift = exact.adjusted() - 14
    rounded = exact.scaleb(-shift).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(shift)
    return float(rounded)


def js_stringify(value: Any, indent: int | None = None, *, precision_15: bool = False) -> str:
    """``JSON.stringify(value)`` with JavaScript number text.

    ``precision_15`` applies ``$string``'s rounding of every non-integer number to 15
    significant digits. A :data:`FUNCTION` is written as ``""`` (as ``$string`` does).
    """
    out: list[str] = []
    _stringify(value, indent, precision_15, 0, out)
    return "".join(out)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _quote(text: str) -> str:
    """A JSON string literal as JavaScript writes it (lone surrogates escaped)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _stringify(value: Any, indent: int | None, p15: bool, level: int, out: list[str]) -> None:
    if value is None or value is UNDEFINED:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_quote(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            if p15 and math.isinf(value):  # jsonata-js's isNumeric() refuses it
                raise FunctionError("D1001", "Number out of range: null")
            out.append("null")
        else:
            out.append(js_number_to_string(_to_precision_15(value) if p15 else value))
    elif isinstance(value, int):
        out.append(js_number_to_string(value))
    elif value is FUNCTION:
        out.append('""')
    elif isinstance(value, dict):
        _stringify_items(
            [(_quote(str(k)), v) for k, v in value.items()],
            "{}",
            indent,
            p15,
            level,
            out,
        )
    elif isinstance(value, (list, tuple)):
        _stringify_items([(None, v) for v in value], "[]", indent, p15, level, out)
    else:  # pragma: no cover - defensive: unknown objects
        out.append(json.dumps(str(value), ensure_ascii=False))


def _stringify_items(
    items: list[tuple[str | None, Any]],
    brackets: str,
    indent: int | None,
    p15: bool,
    level: int,
    out: list[str],
) -> None:
    if not items:
        out.append(brackets)
        return
    out.append(brackets[0])
    inner = "\n" + " " * (indent * (level + 1)) if indent else ""
    for i, (key, item) in enumerate(items):
        if i:
            out.append(",")
        out.append(inner)
        if key is not None:
            out.append(key + (": " if indent else ":"))
        _stringify(item, indent, p15, level + 1, out)
    if indent:
        out.append("\n" + " " * (indent * level))
    out.append(brackets[1])


# --- error message templates ------------------------------------------------------------------

#: jsonata-js 2.0.6's message catalog (the wording AWS reports after the code).
ERROR_TEMPLATES: Final[dict[str, str]] = {
    "S0101": "String literal must be terminated by a matching quote",
    "S0102": "Number out of range: {{token}}",
    "S0103": "Unsupported escape sequence: \\{{token}}",
    "S0104": "The escape sequence \\u must be followed by 4 hex digits",
    "S0105": "Quoted property name must be terminated with a backquote (`)",
    "S0106": "Comment has no closing tag",
    "S0201": "Syntax error: {{token}}",
    "S0202": "Expected {{value}}, got {{token}}",
    "S0203": "Expected {{value}} before end of expression",
    "S0204": "Unknown operator: {{token}}",
    "S0205": "Unexpected token: {{token}}",
    "S0206": "Unknown expression type: {{token}}",
    "S0207": "Unexpected end of expression",
    "S0208": "Parameter {{value}} of function definition must be a variable name (start with $)",
    "S0209": "A predicate cannot follow a grouping expression in a step",
    "S0210": "Each step can only have one grouping expression",
    "S0211": "The symbol {{token}} cannot be used as a unary operator",
    "S0212": "The left side of := must be a variable name (start with $)",
    "S0213": "The literal value {{value}} cannot be used as a step within a path expression",
    "S0214": "The right side of {{token}} must be a variable name (start with $)",
    "S0215": "A context variable binding must precede any predicates on a step",
    "S0216": "A context variable binding must precede the 'order-by' clause on a step",
    "S0217": "The object representing the 'parent' cannot be derived from this expression",
    "S0301": "Empty regular expressions are not allowed",
    "S0302": "No terminating / in regular expression",
    "S0402": "Choice groups containing parameterized types are not supported",
    "S0401": "Type parameters can only be applied to functions and arrays",
    "S0500": "Attempted to evaluate an expression containing syntax error(s)",
    "T0410": "Argument {{index}} of function {{token}} does not match function signature",
    "T0411": "Context value is not a compatible type with argument {{index}} of function {{token}}",
    "T0412": "Argument {{index}} of function {{token}} must be an array of {{type}}",
    "D1001": "Number out of range: {{value}}",
    "D1002": "Cannot negate a non-numeric value: {{value}}",
    "T1003": "Key in object structure must evaluate to a string; got: {{value}}",
    "D1004": "Regular expression matches zero length string",
    "T1005": "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
    "T1006": "Attempted to invoke a non-function",
    "T1007": "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
    "T1008": "Attempted to partially apply a non-function",
    "D1009": "Multiple key definitions evaluate to same key: {{value}}",
    "T1010": "The matcher function argument passed to function {{token}} does not return the "
    "correct object structure",
    "T2001": "The left side of the {{token}} operator must evaluate to a number",
    "T2002": "The right side of the {{token}} operator must evaluate to a number",
    "T2003": "The left side of the range operator (..) must evaluate to an integer",
    "T2004": "The right side of the range operator (..) must evaluate to an integer",
    "D2005": "The left side of := must be a variable name (start with $)",
    "T2006": "The right side of the function application operator ~> must be a function",
    "T2007": "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
    "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
    "T2009": "The values {{value}} and {{value2}} either side of operator {{token}} must be of "
    "the same data type",
    "T2010": "The expressions either side of operator {{token}} must evaluate to numeric or "
    "string values",
    "T2011": "The insert/update clause of the transform expression must evaluate to an object: "
    "{{value}}",
    "T2012": "The delete clause of the transform expression must evaluate to a string or array "
    "of strings: {{value}}",
    "T2013": "The transform expression clones the input object using the $clone() function.  "
    "This has been overridden in the current scope by a non-function.",
    "D2014": "The size of the sequence allocated by the range operator (..) must not exceed "
    "1e6.  Attempted to allocate {{value}}.",
    "D3001": "Attempting to invoke string function on Infinity or NaN",
    "D3010": "Second argument of replace function cannot be an empty string",
    "D3011": "Fourth argument of replace function must evaluate to a positive number",
    "D3012": "Attempted to replace a matched string with a non-string value",
    "D3020": "Third argument of split function must evaluate to a positive number",
    "D3030": "Unable to cast value to a number: {{value}}",
    "D3040": "Third argument of match function must evaluate to a positive number",
    "D3050": "The second argument of reduce function must be a function with at least two "
    "arguments",
    "D3060": "The sqrt function cannot be applied to a negative number: {{value}}",
    "D3061": "The power function has resulted in a value that cannot be represented as a JSON "
    "number: base={{value}}, exponent={{exp}}",
    "D3070": "The single argument form of the sort function can only be applied to an array of "
    "strings or an array of numbers.  Use the second argument to specify a comparison function",
    "D3080": "The picture string must only contain a maximum of two sub-pictures",
    "D3081": "The sub-picture must not contain more than one instance of the "
    "'decimal-separator' character",
    "D3082": "The sub-picture must not contain more than one instance of the 'percent' character",
    "D3083": "The sub-picture must not contain more than one instance of the 'per-mille' character",
    "D3084": "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
    "D3085": "The mantissa part of a sub-picture must contain at least one character that is "
    "either an 'optional digit character' or a member of the 'decimal digit family'",
    "D3086": "The sub-picture must not contain a passive character that is preceded by an "
    "active character and that is followed by another active character",
    "D3087": "The sub-picture must not contain a 'grouping-separator' character that appears "
    "adjacent to a 'decimal-separator' character",
    "D3088": "The sub-picture must not contain a 'grouping-separator' at the end of the integer "
    "part",
    "D3089": "The sub-picture must not contain two adjacent instances of the "
    "'grouping-separator' character",
    "D3090": "The integer part of the sub-picture must not contain a member of the 'decimal "
    "digit family' that is followed by an instance of the 'optional digit character'",
    "D3091": "The fractional part of the sub-picture must not contain an instance of the "
    "'optional digit character' that is followed by a member of the 'decimal digit family'",
    "D3092": "A sub-picture that contains a 'percent' or 'per-mille' character must not contain "
    "a character treated as an 'exponent-separator'",
    "D3093": "The exponent part of the sub-picture must comprise only of one or more characters "
    "that are members of the 'decimal digit family'",
    "D3100": "The radix of the formatBase function must be between 2 and 36.  It was given "
    "{{value}}",
    "D3110": "The argument of the toMillis function must be an ISO 8601 formatted timestamp. "
    "Given {{value}}",
    "D3120": "Syntax error in expression passed to function eval: {{value}}",
    "D3121": "Dynamic error evaluating the expression passed to function eval: {{value}}",
    "D3130": "Formatting or parsing an integer as a sequence starting with {{value}} is not "
    "supported by this implementation",
    "D3131": "In a decimal digit pattern, all digits must be from the same decimal group",
    "D3132": "Unknown component specifier {{value}} in date/time picture string",
    "D3133": "The 'name' modifier can only be applied to months and days in the date/time "
    "picture string, not {{value}}",
    "D3134": "The timezone integer format specifier cannot have more than four digits",
    "D3135": "No matching closing bracket ']' in date/time picture string",
    "D3136": "The date/time picture string is missing specifiers required to parse the timestamp",
    "D3137": "{{{message}}}",
    "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
    "D3140": "Malformed URL passed to ${{{functionName}}}(): {{value}}",
    "D3141": "{{{message}}}",
}


def render_template(template: str, fields: dict[str, Any]) -> str:
    """Fill a jsonata-js template: ``{{{x}}}`` inserts ``x`` raw, ``{{x}}`` as JSON text.

    A missing field renders as ``undefined``, as JavaScript does.
    """
    out: list[str] = []
    i = 0
    while i < len(template):
        if template.startswith("{{{", i):
            end = template.index("}}}", i)
            value = fields.get(template[i + 3 : end], UNDEFINED)
            out.append("undefined" if value is UNDEFINED else str(value))
            i = end + 3
        elif template.startswith("{{", i):
            end = template.index("}}", i)
            value = fields.get(template[i + 2 : end], UNDEFINED)
            out.append("undefined" if value is UNDEFINED else js_stringify(value))
            i = end + 2
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


# --- AWS-added functions ----------------------------------------------------------------------


def _arg(args: Sequence[Any], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


def _reject_surplus(args: Sequence[Any], function: str, arity: int) -> None:
    for index in range(arity, len(args)):
        if args[index] is not UNDEFINED:
            raise signature_error(function, index + 1)


def _towards_zero(value: Any, function: str, index: int) -> int:
    """A number argument as an integer, rounded towards zero (AWS), or ``T0410``."""
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        raise signature_error(function, index)
    whole: int = math.trunc(value)
    return max(_LONG_MIN, min(_LONG_MAX, whole))


def fn_partition(args: Sequence[Any]) -> Any:
    """``$partition(array, size)``: ``array`` in chunks of ``size`` (the last one shorter)."""
    _reject_surplus(args, "partition", 2)
    array = _arg(args, 0)
    if array is UNDEFINED:
        return UNDEFINED
    if not isinstance(array, list):
        raise FunctionError(
            "T0412", 'Argument 1 of function "partition" must be an array of undefined'
        )
    if not array:
        return UNDEFINED
    size_arg = _arg(args, 1)
    if size_arg is UNDEFINED:
        return [list(array)]
    size = _towards_zero(size_arg, "partition", 2)
    if size < 0:
        raise FunctionError("D3137", "Second argument must be zero or greater")
    if size == 0:
        return UNDEFINED
    return [list(array[i : i + size]) for i in range(0, len(array), size)]


def fn_range(args: Sequence[Any]) -> Any:
    """``$range(start, end, step)``: ``start``, ``start+step``... up to ``end`` (inclusive)."""
    _reject_surplus(args, "range", 3)
    start = _towards_zero(_arg(args, 0), "range", 1)
    end = _towards_zero(_arg(args, 1), "range", 2)
    step_arg = _arg(args, 2)
    if step_arg is UNDEFINED:
        return UNDEFINED
    step = _towards_zero(step_arg, "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return UNDEFINED
    count = (end - start) // step + 1
    if count == 1:  # a one-element sequence is its element
        return start
    if count > MAX_RANGE_ELEMENTS:
        raise LimitExceeded(MEMORY_LIMIT_MESSAGE)
    return list(range(start, start + count * step, step))


def fn_hash(args: Sequence[Any]) -> Any:
    """``$hash(value, algorithm)``: the lower-case hex digest of the UTF-8 bytes of ``value``."""
    _reject_surplus(args, "hash", 2)
    value = _arg(args, 0)
    if not isinstance(value, str):
        raise signature_error("hash", 1)
    algorithm = _arg(args, 1)
    if algorithm is UNDEFINED:
        return UNDEFINED
    if not isinstance(algorithm, str):
        raise signature_error("hash", 2)
    constructor = HASH_ALGORITHMS.get(algorithm)
    if constructor is None:
        raise FunctionError(
            "D3137",
            f"Hash algorithm '{algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5",
        )
    payload = value.encode("utf-8", errors="replace")
    digest: str = constructor(payload, usedforsecurity=False).hexdigest()
    return digest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_int(text: str) -> int | float:
    value = int(text)
    return value if _LONG_MIN <= value <= _LONG_MAX else float(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def fn_parse(args: Sequence[Any]) -> Any:
    """``$parse(text)``: the JSON value ``text`` holds (AWS's replacement for ``$eval``)."""
    _reject_surplus(args, "parse", 1)
    text = _arg(args, 0)
    if text is UNDEFINED:
        return UNDEFINED
    if not isinstance(text, str):
        raise signature_error("parse", 1)
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_pairs,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except (ValueError, RecursionError):
        raise FunctionError("D3137", "Invalid JSON") from None


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``."""
    mask = (1 << 48) - 1
    state = (seed ^ 0x5DEECE66D) & mask

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * 0x5DEECE66D + 0xB) & mask
        return state >> (48 - bits)

    high = next_bits(26)
    low = next_bits(27)
    return ((high << 27) + low) * 2.0**-53


def fn_random(args: Sequence[Any], draw: Callable[[], float]) -> float:
    """``$random([seed])``: a number in [0, 1); reproducible under an integer ``seed``."""
    _reject_surplus(args, "random", 1)
    seed = _arg(args, 0)
    if seed is UNDEFINED:
        return draw()
    return java_random_double(_towards_zero(seed, "random", 1))


def fn_uuid(args: Sequence[Any], make: Callable[[], str]) -> str:
    """``$uuid()``: a new version-4 UUID."""
    _reject_surplus(args, "uuid", 0)
    return make()


_DECIMAL_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
# jsonata-js's own pattern, alternation quirk included: it only anchors the first branch's
# start and the last branch's end.
_RADIX_NUMBER = re.compile(r"^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$")
_RADIX_FULL = re.compile(r"0([xXoObB])([0-9A-Fa-f]+)")


def fn_number(args: Sequence[Any]) -> Any:
    """``$number(value)``: a number from a number, numeric string or boolean, else ``D3030``."""
    value = _arg(args, 0)
    if value is UNDEFINED:
        return UNDEFINED
    if value is None:  # null fails the signature (nsb), as in jsonata-js
        raise signature_error("number", 1)
    if _is_number(value):
        return value
    if isinstance(value, str):
        if _DECIMAL_NUMBER.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return number
        elif _RADIX_NUMBER.search(value):
            match = _RADIX_FULL.fullmatch(value)
            base = {"x": 16, "o": 8, "b": 2}[match.group(1).lower()] if match else 0
            try:
                return int(match.group(2), base) if match else math.nan
            except ValueError:
                return math.nan
    if value is True:
        return 1
    if value is False:
        return 0
    raise FunctionError("D3030", render_template(ERROR_TEMPLATES["D3030"], {"value": value}))


def fn_string(args: Sequence[Any]) -> Any:
    """``$string(value, prettify)`` with jsonata-js semantics and AWS's number text."""
    value = _arg(args, 0)
    if value is UNDEFINED:
        return UNDEFINED
    if isinstance(value, str):
        return value
    if value is FUNCTION:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        raise FunctionError("D3001", ERROR_TEMPLATES["D3001"])
    prettify = _arg(args, 1) is True
    return js_stringify(value, 2 if prettify else None, precision_15=True)


# --- jsonata-js semantics where the engine strays ---------------------------------------------

_URI_UNRESERVED = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
)
_URI_RESERVED = frozenset(";/?:@&=+$,#")


def _malformed_url(function: str, value: Any) -> FunctionError:
    return FunctionError(
        "D3140",
        render_template(ERROR_TEMPLATES["D3140"], {"functionName": function, "value": value}),
    )


def _uri_encode(function: str, text: str, keep: frozenset[str]) -> str:
    out: list[str] = []
    for char in text:
        if char in keep:
            out.append(char)
            continue
        try:
            data = char.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: JavaScript's URIError
            raise _malformed_url(function, text) from None
        out.extend(f"%{byte:02X}" for byte in data)
    return "".join(out)


def _uri_decode(function: str, text: str, keep_reserved: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        start = i
        first = _hex_byte(text, i)
        if first is None:
            raise _malformed_url(function, text)
        i += 3
        if first < 0x80:
            decoded = chr(first)
            out.append(text[start:i] if keep_reserved and decoded in _URI_RESERVED else decoded)
            continue
        length = 2 if first >> 5 == 0b110 else 3 if first >> 4 == 0b1110 else 4
        if first >> 3 > 0b11110 or first >> 6 == 0b10:
            raise _malformed_url(function, text)
        data = bytearray([first])
        for _ in range(length - 1):
            byte = _hex_byte(text, i) if i < len(text) and text[i] == "%" else None
            if byte is None or byte >> 6 != 0b10:
                raise _malformed_url(function, text)
            data.append(byte)
            i += 3
        try:
            out.append(bytes(data).decode("utf-8"))
        except UnicodeDecodeError:
            raise _malformed_url(function, text) from None
    return "".join(out)


def _hex_byte(text: str, index: int) -> int | None:
    digits = text[index + 1 : index + 3]
    if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)


def fn_encode_url_component(args: Sequence[Any]) -> Any:
    """``$encodeUrlComponent(text)`` as JavaScript's ``encodeURIComponent``."""
    text = _arg(args, 0)
    if text is UNDEFINED:
        return UNDEFINED
    return _uri_encode("encodeUrlComponent", text, _URI_UNRESERVED)


def fn_encode_url(args: Sequence[Any]) -> Any:
    """``$encodeUrl(text)`` as JavaScript's ``encodeURI``."""
    text = _arg(args, 0)
    if text is UNDEFINED:
        return UNDEFINED
    return _uri_encode("encodeUrl", text, _URI_UNRESERVED | _URI_RESERVED)


def fn_decode_url_component(args: Sequence[Any]) -> Any:
    """``$decodeUrlComponent(text)`` as JavaScript's ``decodeURIComponent``."""
    text = _arg(args, 0)
    if text is UNDEFINED:
        return UNDEFINED
    return _uri_decode("decodeUrlComponent", text, keep_reserved=False)


def fn_decode_url(args: Sequence[Any]) -> Any:
    """``$decodeUrl(text)`` as JavaScript's ``decodeURI``."""
    text = _arg(args, 0)
    if text is UNDEFINED:
        return UNDEFINED
    return _uri_decode("decodeUrl", text, keep_reserved=True)


def fn_power(args: Sequence[Any]) -> Any:
    """``$power(base, exponent)``; ``D3061`` when the result is not a finite number."""
    base, exponent = _arg(args, 0), _arg(args, 1)
    if base is UNDEFINED:
        return UNDEFINED
    try:
        result = math.pow(base, exponent)
    except (OverflowError, ValueError, ZeroDivisionError):
        result = math.nan
    if not math.isfinite(result):
        raise FunctionError(
            "D3061",
            render_template(ERROR_TEMPLATES["D3061"], {"value": base, "exp": exponent}),
        )
    return result
