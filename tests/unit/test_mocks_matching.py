"""``match`` conditions: JSON equality and subset matching of effective parameters."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.mocks.matching import json_equal, json_subset, matches

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (True, True, True),
        (None, None, True),
        (None, False, False),
        ("1", 1, False),
        ({"a": 1}, {"a": 1}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": True}, {"a": 1}, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1], [1, 1], False),
        ({}, [], False),
        ([], {}, False),
        ("a", ["a"], False),
    ],
)  # fmt: skip
def test_json_equal(left: Any, right: Any, equal: bool) -> None:
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal


@pytest.mark.parametrize(
    ("pattern", "value", "subset"),
    [
        ({}, {"anything": 1}, True),
        ({"a": 1}, {"a": 1, "b": 2}, True),
        ({"a": 1}, {"b": 2}, False),
        ({"a": None}, {}, False),
        ({"a": None}, {"a": None}, True),
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, True),
        ({"a": {"b": 1}}, {"a": {"b": 2}}, False),
        ({"a": 1}, [{"a": 1}], False),
        ([{"id": 1}], [{"id": 1, "x": 0}], True),
        ([{"id": 1}], [{"id": 1}, {"id": 2}], False),
        ([], [], True),
        ("x", "x", True),
        (1, 1.0, True),
        (1, True, False),
        ({"amount": 5}, {"amount": 5.0}, True),
    ],
)  # fmt: skip
def test_json_subset(pattern: Any, value: Any, subset: bool) -> None:
    assert json_subset(pattern, value) is subset


@pytest.mark.parametrize(
    ("mode", "pattern", "value", "expected"),
    [
        ("subset", {"a": 1}, {"a": 1, "b": 2}, True),
        ("exact", {"a": 1}, {"a": 1, "b": 2}, False),
        ("exact", {"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
    ],
)
def test_matches_modes(mode: str, pattern: Any, value: Any, expected: bool) -> None:
    assert matches(pattern, value, mode) is expected


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="'subset' or 'exact', not 'fuzzy'"):
        matches({}, {}, "fuzzy")


@given(JSON_VALUES)
def test_every_value_matches_itself_in_both_modes(value: Any) -> None:
    assert matches(value, value, "exact")
    assert matches(value, value, "subset")


@given(JSON_VALUES, JSON_VALUES)
def test_exact_implies_subset(pattern: Any, value: Any) -> None:
    if json_equal(pattern, value):
        assert json_subset(pattern, value)


@given(st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=4), st.data())
def test_any_sub_dictionary_is_a_subset(value: dict[str, Any], data: st.DataObject) -> None:
    keys = data.draw(
        st.lists(st.sampled_from(sorted(value)), unique=True) if value else st.just([])
    )
    assert json_subset({key: value[key] for key in keys}, value)
