"""JSON comparison for expectations: exact and subset, first difference, descriptions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.testing.compare import (
    Difference,
    describe,
    first_difference,
    json_equal,
    matches,
    pointer_join,
)


@pytest.mark.parametrize(
    ("expected", "actual", "subset", "difference"),
    [
        pytest.param(1, 1.0, False, None, id="int-equals-float"),
        pytest.param(True, 1, False, Difference("", True, 1, "values differ"), id="bool-not-int"),
        pytest.param(0, False, False, Difference("", 0, False, "values differ"), id="int-not-bool"),
        pytest.param(None, None, False, None, id="null"),
        pytest.param("a", "b", False, Difference("", "a", "b", "values differ"), id="strings"),
        pytest.param(
            {"a": 1}, {"a": 1, "b": 2}, False,
            Difference("/b", None, 2, "unexpected key 'b'"), id="exact-extra-key",
        ),
        pytest.param({"a": 1}, {"a": 1, "b": 2}, True, None, id="subset-extra-key"),
        pytest.param(
            {"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}, True,
            Difference("/a/b", 1, 2, "values differ"), id="nested-value",
        ),
        pytest.param(
            {"a": 1, "z": 2}, {"z": 2}, True,
            Difference("/a", 1, None, "missing key 'a'"), id="missing-key",
        ),
        pytest.param(
            [{"a": 1}], [{"a": 1, "b": 2}], True, None, id="subset-inside-list-items",
        ),
        pytest.param(
            [1, 2], [1, 2, 3], True,
            Difference("", [1, 2], [1, 2, 3], "expected 2 items, got 3"), id="list-length",
        ),
        pytest.param(
            [1, 2, 3], [1, 5], False,
            Difference("/1", 2, 5, "values differ"), id="first-item-difference-before-length",
        ),
        pytest.param(
            {"a/b": {"c~d": 1}}, {"a/b": {"c~d": 2}}, False,
            Difference("/a~1b/c~0d", 1, 2, "values differ"), id="pointer-escaping",
        ),
        pytest.param(
            {"a": 1}, [1], False, Difference("", {"a": 1}, [1], "values differ"), id="object-vs-array",
        ),
        pytest.param(
            [1], "1", False, Difference("", [1], "1", "values differ"), id="array-vs-string",
        ),
        pytest.param(
            "ab", ["a", "b"], False, Difference("", "ab", ["a", "b"], "values differ"),
            id="string-is-not-a-sequence",
        ),
    ],
)  # fmt: skip
def test_first_difference(
    expected: Any, actual: Any, subset: bool, difference: Difference | None
) -> None:
    assert first_difference(expected, actual, subset=subset) == difference
    assert matches(expected, actual, subset=subset) is (difference is None)


def test_keys_are_visited_in_the_expected_order() -> None:
    found = first_difference({"b": 1, "a": 1}, {"a": 2, "b": 2})
    assert found == Difference("/b", 1, 2, "values differ")


@pytest.mark.parametrize(
    ("difference", "lines"),
    [
        (
            Difference("/a", 1, 2, "values differ"),
            ["first difference at /a: values differ", "  expected: 1", "  actual:   2"],
        ),
        (
            Difference("/a", {"x": 1}, None, "missing key 'a'"),
            ["first difference at /a: missing key 'a'", '  expected: {"x":1}'],
        ),
        (
            Difference("/b", None, "v", "unexpected key 'b'"),
            ["first difference at /b: unexpected key 'b'", '  actual:   "v"'],
        ),
        (
            Difference("", [1], [1, 2], "expected 1 items, got 2"),
            [
                "first difference at the top level: expected 1 items, got 2",
                "  expected: [1]",
                "  actual:   [1,2]",
            ],
        ),
    ],
)
def test_describe(difference: Difference, lines: list[str]) -> None:
    assert describe(difference) == lines


@pytest.mark.parametrize(
    ("pointer", "key", "joined"),
    [("", "a", "/a"), ("/a", 0, "/a/0"), ("", "x/y", "/x~1y"), ("", "~", "/~0")],
)
def test_pointer_join(pointer: str, key: str | int, joined: str) -> None:
    assert pointer_join(pointer, key) == joined


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(_json)
def test_every_value_matches_itself(value: Any) -> None:
    assert json_equal(value, value)
    assert matches(value, value, subset=True)


@given(_json, _json)
def test_an_exact_match_is_a_subset_match(expected: Any, actual: Any) -> None:
    if matches(expected, actual):
        assert matches(expected, actual, subset=True)


@given(
    st.dictionaries(st.text(max_size=3), _json, max_size=4),
    st.dictionaries(st.text(max_size=3), _json, max_size=3),
)
def test_adding_keys_keeps_a_subset_match(expected: dict[str, Any], extra: dict[str, Any]) -> None:
    actual = {**extra, **expected}
    assert matches(expected, actual, subset=True)
    assert matches(expected, actual) is (set(actual) == set(expected))
