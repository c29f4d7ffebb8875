from __future__ import annotations

import pytest

from pytest_sfn.engine.choice import is_timestamp, parse_timestamp, string_matches

from ..conftest import machine


def choose(rule: dict[str, object], value: object) -> str:
    """Run a Choice with one rule; returns 'Yes' or 'No'."""
    sm = machine(
        {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({"v": value, "other": 5, "ts": "2024-01-01T00:00:00Z", "s": "b"})
    assert execution.status == "SUCCEEDED", execution.cause
    return execution.path[-1]


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("StringEquals", "a", "a", "Yes"),
        ("StringEquals", "a", "b", "No"),
        ("StringEquals", "1", 1, "No"),
        ("StringLessThan", "b", "a", "Yes"),
        ("StringLessThan", "a", "b", "No"),
        ("StringGreaterThan", "a", "b", "Yes"),
        ("StringLessThanEquals", "a", "a", "Yes"),
        ("StringGreaterThanEquals", "b", "a", "No"),
        ("StringMatches", "log-*.txt", "log-2024.txt", "Yes"),
        ("StringMatches", "log-*.txt", "log-2024.csv", "No"),
        ("NumericEquals", 1, 1.0, "Yes"),
        ("NumericEquals", 1, "1", "No"),
        ("NumericEquals", 1, True, "No"),
        ("NumericLessThan", 5, 4.5, "Yes"),
        ("NumericGreaterThan", 5, 4.5, "No"),
        ("NumericLessThanEquals", 5, 5, "Yes"),
        ("NumericGreaterThanEquals", 5, 6, "Yes"),
        ("BooleanEquals", True, True, "Yes"),
        ("BooleanEquals", True, 1, "No"),
        ("TimestampEquals", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", "Yes"),
        ("TimestampLessThan", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", "Yes"),
        ("TimestampGreaterThan", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", "No"),
        ("TimestampLessThanEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "Yes"),
        ("TimestampGreaterThanEquals", "2024-01-01T00:00:00Z", "2023-12-31T23:59:59.999Z", "No"),
        ("TimestampEquals", "2024-01-01T00:00:00Z", 5, "No"),
        ("TimestampEquals", "2024-01-01T00:00:00Z", "not a time", "No"),
    ],
)
def test_comparison_operators(operator: str, operand: object, value: object, expected: str) -> None:
    assert choose({"Variable": "$.v", operator: operand}, value) == expected


@pytest.mark.parametrize(
    ("operator", "path", "value", "expected"),
    [
        ("NumericEqualsPath", "$.other", 5, "Yes"),
        ("NumericLessThanPath", "$.other", 4, "Yes"),
        ("NumericGreaterThanPath", "$.other", 4, "No"),
        ("StringEqualsPath", "$.s", "b", "Yes"),
        ("StringLessThanPath", "$.s", "a", "Yes"),
        ("TimestampEqualsPath", "$.ts", "2024-01-01T00:00:00Z", "Yes"),
        ("BooleanEqualsPath", "$.v", True, "Yes"),
        ("StringEqualsPath", "$$.StateMachine.Name", "Test", "Yes"),
    ],
)
def test_path_operators(operator: str, path: str, value: object, expected: str) -> None:
    assert choose({"Variable": "$.v", operator: path}, value) == expected


@pytest.mark.parametrize(
    ("operator", "value", "truth"),
    [
        ("IsNull", None, True),
        ("IsNull", 0, False),
        ("IsNumeric", 0, True),
        ("IsNumeric", 1.1, True),
        ("IsNumeric", "1", False),
        ("IsNumeric", True, False),
        ("IsString", "", True),
        ("IsString", None, False),
        ("IsBoolean", False, True),
        ("IsBoolean", 0, False),
        ("IsTimestamp", "2016-03-14T01:59:00Z", True),
        ("IsTimestamp", "2016-03-14 01:59:00Z", False),
        ("IsTimestamp", 12, False),
        ("IsPresent", None, True),
    ],
)
def test_type_tests(operator: str, value: object, truth: bool) -> None:
    assert choose({"Variable": "$.v", operator: True}, value) == ("Yes" if truth else "No")
    assert choose({"Variable": "$.v", operator: False}, value) == ("No" if truth else "Yes")


def test_is_present_on_missing_path_is_false_not_an_error() -> None:
    assert choose({"Variable": "$.missing", "IsPresent": True}, 1) == "No"
    assert choose({"Variable": "$.missing", "IsPresent": False}, 1) == "Yes"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {
                "And": [
                    {"Variable": "$.v", "NumericGreaterThan": 1},
                    {"Variable": "$.v", "NumericLessThan": 5},
                ]
            },
            "Yes",
        ),
        (
            {
                "And": [
                    {"Variable": "$.v", "NumericGreaterThan": 1},
                    {"Variable": "$.v", "NumericLessThan": 2},
                ]
            },
            "No",
        ),
        (
            {
                "Or": [
                    {"Variable": "$.v", "NumericEquals": 9},
                    {"Variable": "$.v", "NumericEquals": 3},
                ]
            },
            "Yes",
        ),
        ({"Not": {"Variable": "$.v", "NumericEquals": 3}}, "No"),
        (
            {
                "Not": {
                    "Or": [
                        {"Variable": "$.v", "IsString": True},
                        {"Variable": "$.v", "IsNull": True},
                    ]
                }
            },
            "Yes",
        ),
    ],
)
def test_combinators(rule: dict[str, object], expected: str) -> None:
    assert choose(rule, 3) == expected


def test_missing_variable_fails_with_runtime_error() -> None:
    sm = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.nope", "StringEquals": "x", "Next": "D"}],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'C' (entered at the event id #2). "
        "Invalid path '$.nope': The choice state's condition path references an invalid value."
    )


def test_no_match_without_default_fails() -> None:
    sm = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "D"}],
            },
            "D": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({"v": 2})
    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")
    assert [e.type for e in execution.history][-2:] == ["ChoiceStateEntered", "ExecutionFailed"]


def test_first_matching_rule_wins_and_output_path_applies() -> None:
    sm = machine(
        {
            "C": {
                "Type": "Choice",
                "InputPath": "$.in",
                "OutputPath": "$.keep",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "A"},
                    {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "B"},
                ],
            },
            "A": {"Type": "Succeed"},
            "B": {"Type": "Succeed"},
        }
    )
    execution = sm.execute({"in": {"n": 2, "keep": {"k": 1}}})
    assert execution.path == ["C", "A"]
    assert execution.output == {"k": 1}


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "a*", True),
        ("abc", "*c", True),
        ("abc", "*", True),
        ("", "*", True),
        ("a*c", r"a\*c", True),
        ("abc", r"a\*c", False),
        ("a\\c", "a\\\\c", True),
        ("a.c", "a.c", True),
        ("abc", "a.c", False),
        ("line1\nline2", "line1*", True),
    ],
)
def test_string_matches(value: str, pattern: str, expected: bool) -> None:
    assert string_matches(value, pattern) is expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2024-01-01T00:00:00Z", True),
        ("2024-01-01T00:00:00.123456789Z", True),
        ("2024-01-01T00:00:00+05:30", True),
        ("2024-01-01t00:00:00Z", False),
        ("2024-01-01T00:00:00", False),
        ("2024-02-30T00:00:00Z", False),
        ("2024-01-01", False),
    ],
)
def test_timestamps(text: str, valid: bool) -> None:
    assert is_timestamp(text) is valid
    assert (parse_timestamp(text) is not None) is valid


def test_string_ordering_follows_utf16_code_units() -> None:
    # U+FF21 (fullwidth A) sorts before U+1F600 (emoji, a surrogate pair) in UTF-16.
    assert choose({"Variable": "$.v", "StringLessThan": "\U0001f600"}, "\uff21") == "No"
