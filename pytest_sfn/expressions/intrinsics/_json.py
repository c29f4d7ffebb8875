"""JSON value helpers that reproduce what AWS's Java runtime does with values.

Step Functions runs on the JVM, so a few intrinsics expose Java behaviour:

* ``States.Format`` turns arrays and objects into text with Java's ``List.toString`` /
  ``Map.toString`` (``[1, 2]``, ``{Arg1=1, Arg2=[]}``, AWS-observed) and floating-point
  numbers with ``Double.toString`` (:func:`java_double_to_string`).
* Numeric arguments that must be integers are rounded with ``Math.round`` (half up,
  towards positive infinity: ``-2.5`` gives ``-2``), AWS-observed for ``States.MathAdd``.
* String limits count UTF-16 code units, as ``String.length()`` does.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TypeAlias

from pytest_sfn._types import JSON

__all__ = [
    "JsonKey",
    "describe",
    "java_double_to_string",
    "java_round",
    "java_to_string",
    "json_key",
    "to_json_text",
    "utf16_length",
]

# Jackson escapes '"', '\' and every control character; \b \t \n \f \r get short forms and
# the rest \u00XX with upper-case hex. Non-ASCII characters are written as they are.
_JSON_ESCAPES: dict[int, str] = {code: f"\\u{code:04X}" for code in range(0x20)}
_JSON_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)

#: A hashable stand-in for a JSON value, equal for structurally equal values.
JsonKey: TypeAlias = tuple[object, ...]


def java_round(value: float) -> int:
    """Java's ``Math.round``: the closest integer, ties rounded towards positive infinity.

    ``floor(value + 0.5)`` would be wrong for ``0.49999999999999994``, so the fraction is
    compared instead (``value - floor(value)`` is exact for every double).
    """
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def java_double_to_string(value: float) -> str:
    """Java's ``Double.toString``: ``1.0``, ``1.1``, ``1.0E7``, ``1.5E-5``, ``-0.0``.

    Plain notation with at least one fractional digit when ``1e-3 <= |value| < 1e7``,
    otherwise ``d.dddE±n``. Digits are the shortest that round-trip (Python's ``repr``,
    which JDK 19+ also uses).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)  # value == int(digits) * 10**exponent
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        point = len(digits) + exponent  # digits before the decimal point
        if point <= 0:
            return f"{prefix}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{prefix}{digits}{'0' * (point - len(digits))}.0"
        return f"{prefix}{digits[:point]}.{digits[point:]}"
    scientific = len(digits) - 1 + exponent
    return f"{prefix}{digits[0]}.{digits[1:] or '0'}E{scientific}"


def java_to_string(value: JSON) -> str:
    """``String.valueOf`` of the Java object AWS decodes ``value`` into.

    Strings are inserted raw (no quotes, also inside arrays and objects), ``null`` is
    ``null``, arrays are ``[a, b]`` and objects ``{k=v, k2=v2}``.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double_to_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_to_string(item) for item in value) + "]"
    if isinstance(value, dict):
        entries = (f"{key}={java_to_string(item)}" for key, item in value.items())
        return "{" + ", ".join(entries) + "}"
    return str(value)


def to_json_text(value: JSON) -> str:
    """Compact JSON text (no spaces), as Jackson writes it: ``{"a":[1,2.5,"x"]}``."""
    if isinstance(value, str):
        return '"' + value.translate(_JSON_ESCAPES) + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double_to_string(value)
    if isinstance(value, list):
        return "[" + ",".join(to_json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        entries = (to_json_text(key) + ":" + to_json_text(item) for key, item in value.items())
        return "{" + ",".join(entries) + "}"
    return str(value)


def json_key(value: JSON) -> JsonKey:
    """A hashable key such that ``json_key(a) == json_key(b)`` iff ``a`` and ``b`` are equal.

    Equality is Java's (``JsonNode.equals``): object key order does not matter, array order
    does, ``true`` is not ``1``, and an integer is not equal to a floating-point number
    (``1`` versus ``1.0``) because Java keeps them as different types.
    """
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, str):
        return ("str", value)
    if value is None:
        return ("null",)
    if isinstance(value, list):
        return ("array", tuple(json_key(item) for item in value))
    return ("object", frozenset((key, json_key(item)) for key, item in value.items()))


def utf16_length(text: str) -> int:
    """``text.length()`` in Java: characters outside the BMP count twice."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "a number"),
    (float, "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
)


def describe(value: JSON, limit: int = 60) -> str:
    """``a string ("abc")``, ``an array ([1,2])``, ``null``: for error messages."""
    if value is None:
        return "null"
    name = next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), "a value")
    text = to_json_text(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{name} ({text})"
