"""Choice rules (JSONPath): pure evaluation of comparisons and combinators.

Type mismatches are ``False``, never errors; a ``Variable`` that selects nothing fails the
execution with ``States.Runtime`` except under ``IsPresent``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from pytest_sfn._types import JSON
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath, PathNotFound
from pytest_sfn.expressions.payload import Scope, resolve_path
from pytest_sfn.model.states import Comparison, Condition, Not, RuleList

__all__ = ["evaluate_condition", "is_timestamp", "parse_timestamp", "string_matches"]

_TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(text: str) -> datetime | None:
    """An RFC 3339 timestamp (uppercase ``T``, ``Z`` or offset), or ``None``."""
    match = _TIMESTAMP_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if zone == "Z":
        tz = timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tz
        )
    except ValueError:
        return None


def is_timestamp(value: JSON) -> bool:
    """``IsTimestamp``: a string that parses as an RFC 3339 timestamp."""
    return isinstance(value, str) and parse_timestamp(value) is not None


@lru_cache(maxsize=512)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def string_matches(value: str, pattern: str) -> bool:
    """``StringMatches``: ``*`` matches any run of characters; ``\\*`` and ``\\\\`` escape."""
    return _wildcard_regex(pattern).fullmatch(value) is not None


def _number(value: JSON) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _java_order(text: str) -> bytes:
    # Java compares strings by UTF-16 code units.
    return text.encode("utf-16-be", "surrogatepass")


def _compare_strings(a: JSON, b: JSON, check: Callable[[int], bool]) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    ka, kb = _java_order(a), _java_order(b)
    return check((ka > kb) - (ka < kb))


def _compare_numbers(a: JSON, b: JSON, check: Callable[[int], bool]) -> bool:
    if not (_number(a) and _number(b)):
        return False
    fa, fb = float(a), float(b)
    return check((fa > fb) - (fa < fb))


def _compare_timestamps(a: JSON, b: JSON, check: Callable[[int], bool]) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    ta, tb = parse_timestamp(a), parse_timestamp(b)
    if ta is None or tb is None:
        return False
    return check((ta > tb) - (ta < tb))


def _boolean_equals(a: JSON, b: JSON) -> bool:
    return isinstance(a, bool) and isinstance(b, bool) and a == b


_CHECKS: dict[str, Callable[[int], bool]] = {
    "Equals": lambda c: c == 0,
    "LessThan": lambda c: c < 0,
    "GreaterThan": lambda c: c > 0,
    "LessThanEquals": lambda c: c <= 0,
    "GreaterThanEquals": lambda c: c >= 0,
}
_FAMILIES: dict[str, Callable[[JSON, JSON, Callable[[int], bool]], bool]] = {
    "String": _compare_strings,
    "Numeric": _compare_numbers,
    "Timestamp": _compare_timestamps,
}

_TYPE_TESTS: dict[str, Callable[[JSON], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": is_timestamp,
}


def _operator_function(op: str) -> Callable[[JSON, JSON], bool]:
    base = op[:-4] if op.endswith("Path") else op
    if base == "BooleanEquals":
        return _boolean_equals
    if base == "StringMatches":
        return lambda a, b: isinstance(a, str) and isinstance(b, str) and string_matches(a, b)
    for family, compare in _FAMILIES.items():
        if base.startswith(family) and base[len(family) :] in _CHECKS:
            check = _CHECKS[base[len(family) :]]
            return lambda a, b, compare=compare, check=check: compare(a, b, check)  # type: ignore[misc]
    raise KeyError(op)


_OPERATORS: dict[str, Callable[[JSON, JSON], bool]] = {}


def _operator(op: str) -> Callable[[JSON, JSON], bool]:
    fn = _OPERATORS.get(op)
    if fn is None:
        fn = _OPERATORS[op] = _operator_function(op)
    return fn


def _resolve(path: CompiledPath, scope: Scope) -> JSON:
    try:
        return resolve_path(path, scope)
    except PathNotFound:
        # AWS's wording for Choice (note: no space before the colon, unlike InputPath).
        raise StatesError(
            "States.Runtime",
            f"Invalid path '{path.text}': The choice state's condition path references an "
            "invalid value.",
        ) from None


def evaluate_condition(condition: Condition, scope: Scope) -> bool:
    """Evaluate a JSONPath Choice condition against ``scope.value`` (the effective input)."""
    if isinstance(condition, Comparison):
        return _comparison(condition, scope)
    if isinstance(condition, RuleList):
        if condition.operator == "And":
            return all(evaluate_condition(r, scope) for r in condition.rules)
        return any(evaluate_condition(r, scope) for r in condition.rules)
    if isinstance(condition, Not):
        return not evaluate_condition(condition.rule, scope)
    raise TypeError(f"JSONata conditions are evaluated elsewhere: {condition!r}")


def _comparison(rule: Comparison, scope: Scope) -> bool:
    op = rule.operator
    if op == "IsPresent":
        try:
            resolve_path(rule.variable, scope)
            present = True
        except (PathNotFound, StatesError):
            present = False
        return present == bool(rule.operand)
    value = _resolve(rule.variable, scope)
    test = _TYPE_TESTS.get(op)
    if test is not None:
        return test(value) == bool(rule.operand)
    operand = _resolve(rule.operand, scope) if rule.operand_is_path else rule.operand
    return _operator(op)(value, operand)
