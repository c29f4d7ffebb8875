from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import (
    PathNotFound,
    compile_path,
    path_syntax_error,
    set_at_path,
)

DATA = {"a": {"b": [10, 20, {"c": "x"}]}, "k-1": 1, "items": [{"p": 1}, {"p": 5}], "sp ace": 2}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DATA),
        ("$.a.b[1]", 20),
        ("$.a.b[2].c", "x"),
        ("$['a']['b'][0]", 10),
        ('$["a"].b[0]', 10),
        ("$.k-1", 1),
        ("$['sp ace']", 2),
        ("$.items[*].p", [1, 5]),
        ("$.items[?(@.p > 1)]", [{"p": 5}]),
        ("$..p", [1, 5]),
        ("$.a.b[0,1]", [10, 20]),
        ("$.a.b[-1:]", [{"c": "x"}]),
        ("$.missing[*]", []),
    ],
)
def test_find(path: str, expected: object) -> None:
    assert compile_path(path).find(DATA) == expected


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("$.nope", "No results for path: $['nope']"),
        ("$.a.nope", "No results for path: $['a']['nope']"),
        ("$.x.y", "Missing property in path $['x']"),
        ("$.a.b[7]", "No results for path: $['a']['b'][7]"),
    ],
)
def test_missing_paths_use_jayway_wording(path: str, message: str) -> None:
    with pytest.raises(PathNotFound) as info:
        compile_path(path).find(DATA)
    assert info.value.jayway_message == message


@pytest.mark.parametrize(
    ("text", "root", "variable"),
    [
        ("$$.Execution.Id", "context", None),
        ("$myVar.x", "variable", "myVar"),
        ("$.a", "input", None),
    ],
)
def test_roots(text: str, root: str, variable: str | None) -> None:
    path = compile_path(text)
    assert (path.root, path.variable) == (root, variable)


@pytest.mark.parametrize(
    ("text", "reference", "valid"),
    [
        ("$.a.b", True, True),
        ("$.a[*]", True, False),
        ("$.a[*]", False, True),
        ("$..x", True, False),
        ("a.b", False, False),
        ("$.a[", False, False),
    ],
)
def test_path_syntax_error(text: str, reference: bool, valid: bool) -> None:
    assert (path_syntax_error(text, reference=reference) is None) is valid


def test_compiled_paths_are_cached() -> None:
    assert compile_path("$.cache.me") is compile_path("$.cache.me")


@pytest.mark.parametrize(
    ("target", "path", "value", "expected"),
    [
        ({"a": 1}, "$", 5, 5),
        ({"a": 1}, "$.b", 2, {"a": 1, "b": 2}),
        ({"a": 1}, "$.a", 2, {"a": 2}),
        ({}, "$.x.y.z", 1, {"x": {"y": {"z": 1}}}),
        ({"l": [1, 2]}, "$.l[1]", 9, {"l": [1, 9]}),
    ],
)
def test_set_at_path(target: object, path: str, value: object, expected: object) -> None:
    assert set_at_path(target, compile_path(path, reference=True), value) == expected


@pytest.mark.parametrize("target", ["foo", 1, [1, 2], True])
def test_set_at_path_on_non_object_fails(target: object) -> None:
    with pytest.raises(StatesError) as info:
        set_at_path(target, compile_path("$.x", reference=True), 1)
    assert info.value.error == "States.ResultPathMatchFailure"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    target=st.dictionaries(st.text(min_size=1, max_size=4), json_values, max_size=4),
    value=json_values,
)
def test_set_then_find_roundtrip_and_no_mutation(target: dict[str, object], value: object) -> None:
    before = repr(target)
    path = compile_path("$['new key'].inner", reference=True)
    result = set_at_path(target, path, value)
    assert path.find(result) == value
    assert repr(target) == before  # the original is never mutated


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.items.[?(@.p > 1)].p", [5]),
        ("$.['a'].b.[1]", 20),
        ("$.a.b.[0]", 10),
    ],
)
def test_dot_before_bracket_is_accepted_like_jayway(path: str, expected: object) -> None:
    assert compile_path(path).find(DATA) == expected


def test_dot_bracket_inside_quotes_is_kept() -> None:
    assert compile_path("$['x.[y']").steps == ("x.[y",)
