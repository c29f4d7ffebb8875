"""Validation of Choice rules: JSONPath comparison rules and JSONata ``Condition`` rules."""

from __future__ import annotations

from collections.abc import Callable

from pytest_sfn._types import JSON
from pytest_sfn.parsing._validate_common import (
    Collector,
    Path,
    State,
    expect_non_empty_array,
    expect_type,
    is_jsonata,
    is_number,
    is_timestamp,
    msg_language,
    msg_not_supported,
    msg_one_required,
    msg_only_one_of,
    msg_required,
    msg_type,
    suggest,
)
from pytest_sfn.parsing._validate_data import check_assign, check_path
from pytest_sfn.parsing._validate_jsonata import check_expression, walk_jsonata

OperandCheck = Callable[[Collector, JSON, Path, str], None]


def _string(c: Collector, value: JSON, path: Path, op: str) -> None:
    expect_type(c, value, path, str)


def _number(c: Collector, value: JSON, path: Path, op: str) -> None:
    if not is_number(value):
        c.schema(msg_type("NUMBER"), path)


def _boolean(c: Collector, value: JSON, path: Path, op: str) -> None:
    expect_type(c, value, path, bool)


def _timestamp(c: Collector, value: JSON, path: Path, op: str) -> None:
    if expect_type(c, value, path, str) and not is_timestamp(value):
        # AWS-recorded for Wait.Timestamp; assumed the same for Timestamp* operators.
        c.schema("String does not match RFC3339 timestamp", path)


def _reference(c: Collector, value: JSON, path: Path, op: str) -> None:
    check_path(c, value, path, op, reference=True)


def _operators() -> dict[str, OperandCheck]:
    table: dict[str, OperandCheck] = {}
    families: tuple[tuple[str, tuple[str, ...], OperandCheck], ...] = (
        (
            "String",
            ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"),
            _string,
        ),
        (
            "Numeric",
            ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"),
            _number,
        ),
        ("Boolean", ("Equals",), _boolean),
        (
            "Timestamp",
            ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"),
            _timestamp,
        ),
    )
    for family, comparisons, check in families:
        for comparison in comparisons:
            table[family + comparison] = check
            table[family + comparison + "Path"] = _reference
    table["StringMatches"] = _string
    for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        table[test] = _boolean
    return table


#: Every comparison operator of a JSONPath rule and the check of its operand.
OPERATORS: dict[str, OperandCheck] = _operators()
_SELECTORS = ("And", "Or", "Not", "Variable")
_RULE_FIELDS = frozenset({*_SELECTORS, *OPERATORS, "Comment"})
_TOP_RULE_FIELDS = _RULE_FIELDS | {"Next", "Assign"}
_JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})
#: Rule fields of one query language only, reported with the QueryLanguage message.
_LANGUAGE_ONLY = {
    "JSONPath": frozenset({*_SELECTORS, *OPERATORS}),
    "JSONata": frozenset({"Condition", "Output"}),
}


def check_choices(c: Collector, value: JSON, path: Path, state: State) -> None:
    """The ``Choices`` array of a Choice state."""
    if not expect_non_empty_array(c, value, path):
        return
    for index, rule in enumerate(value):
        here = (*path, index)
        if not expect_type(c, rule, here, dict):
            continue
        if state.jsonata:
            _check_jsonata_rule(c, rule, here)
        else:
            _check_rule(c, rule, here, top=True)


def _check_keys(
    c: Collector, rule: dict[str, JSON], path: Path, allowed: frozenset[str], language: str
) -> None:
    other_language = _LANGUAGE_ONLY["JSONata" if language == "JSONPath" else "JSONPath"]
    for key in rule:
        if key in allowed:
            continue
        if key in other_language:
            c.schema(msg_language(language, key), path)
        else:
            c.schema(msg_not_supported(str(key)), path, suggest(str(key), allowed))


def _check_rule(c: Collector, rule: dict[str, JSON], path: Path, *, top: bool) -> None:
    allowed = _TOP_RULE_FIELDS if top else _RULE_FIELDS
    _check_keys(c, rule, path, allowed, "JSONPath")
    selectors = [name for name in _SELECTORS if name in rule]
    operators = [name for name in rule if name in OPERATORS]
    if not selectors:
        c.schema(msg_one_required(_SELECTORS), path)
    elif len(selectors) > 1:
        c.schema(msg_only_one_of(_SELECTORS), path)
    if "Variable" in rule:
        check_path(c, rule["Variable"], (*path, "Variable"), "Variable", reference=True)
        if not operators:
            # UNCONFIRMED wording.
            c.schema("A rule with 'Variable' must have exactly one comparison operator", path)
    elif operators:
        c.schema(msg_required(["Variable"]), path)
    if len(operators) > 1:
        c.schema(msg_only_one_of(operators), path)
    for name in operators:
        OPERATORS[name](c, rule[name], (*path, name), name)
    for name in ("And", "Or"):
        if name in rule and expect_non_empty_array(c, rule[name], (*path, name)):
            for index, nested in enumerate(rule[name]):
                here = (*path, name, index)
                if expect_type(c, nested, here, dict):
                    _check_rule(c, nested, here, top=False)
    if "Not" in rule and expect_type(c, rule["Not"], (*path, "Not"), dict):
        _check_rule(c, rule["Not"], (*path, "Not"), top=False)
    _check_common(c, rule, path, top=top, jsonata=False)


def _check_jsonata_rule(c: Collector, rule: dict[str, JSON], path: Path) -> None:
    _check_keys(c, rule, path, _JSONATA_RULE_FIELDS, "JSONata")
    if "Condition" not in rule:
        c.schema(msg_required(["Condition"]), path)
    else:
        condition = rule["Condition"]
        here = (*path, "Condition")
        if is_jsonata(condition):
            check_expression(c, condition, here)
        elif not isinstance(condition, bool):
            # UNCONFIRMED wording.
            c.schema(
                "The value for the field 'Condition' must be a JSONata expression "
                "('{% ... %}') or a boolean",
                here,
            )
    if "Output" in rule:
        walk_jsonata(c, rule["Output"], (*path, "Output"))
    _check_common(c, rule, path, top=True, jsonata=True)


def _check_common(
    c: Collector, rule: dict[str, JSON], path: Path, *, top: bool, jsonata: bool
) -> None:
    if top:
        if "Next" not in rule:
            c.schema(msg_required(["Next"]), path)
        else:
            expect_type(c, rule["Next"], (*path, "Next"), str)
        if "Assign" in rule:
            check_assign(c, rule["Assign"], (*path, "Assign"), jsonata=jsonata)
    if "Comment" in rule:
        expect_type(c, rule["Comment"], (*path, "Comment"), str)
