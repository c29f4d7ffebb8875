"""Line-aware YAML loading and the YAML mock syntax."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import TaskRequest
from pytest_sfn.errors import MockError
from pytest_sfn.mocks import (
    LineMap,
    MockHandler,
    Response,
    load_mock_file,
    load_yaml_document,
    load_yaml_text,
    mocks_from_yaml,
)
from pytest_sfn.model.resource import Resource

LAMBDA = Resource.parse("arn:aws:states:::lambda:invoke")


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def load_mocks(text: str, source: str = "m.yaml") -> Any:
    value, lines = load_yaml_text(yaml_text(text), source=source)
    return mocks_from_yaml(value["mocks"], source=source, lines=lines, pointer="/mocks")


def mock_error(text: str) -> list[str]:
    with pytest.raises(MockError) as info:
        load_mocks(text)
    return str(info.value).splitlines()


# --- documents ---------------------------------------------------------------------


def test_line_map_records_keys_and_items() -> None:
    value, lines = load_yaml_text(
        yaml_text(
            """
            # a comment
            top:
              list:
                - a
                - {b: 1}
              "we/ird~key": 2
            """
        )
    )
    assert value == {"top": {"list": ["a", {"b": 1}], "we/ird~key": 2}}
    assert dict(lines.lines) == {
        "": 2,
        "/top": 2,
        "/top/list": 3,
        "/top/list/0": 4,
        "/top/list/1": 5,
        "/top/list/1/b": 5,
        "/top/we~1ird~0key": 6,
    }


@pytest.mark.parametrize(
    ("pointer", "line"),
    [("/top/list/1", 5), ("/top/list/1/missing/deeper", 5), ("/nothing", 2), ("", 2)],
)
def test_line_map_falls_back_to_the_closest_ancestor(pointer: str, line: int) -> None:
    _, lines = load_yaml_text("\n" + "top:\n  list:\n    - a\n    - {b: 1}\n")
    assert lines.line(pointer) == line


def test_line_map_where() -> None:
    lines = LineMap({"": 1, "/a": 3})
    assert lines.where("f.yaml", "/a/b") == "f.yaml:3"
    assert lines.where(None, "/a") == "line 3"
    assert LineMap().where("f.yaml", "/a") == "f.yaml"
    assert LineMap().where(None, "/a") == ""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0: a\n1-2: b\ntrue: c\nnull: d\n", {"0": "a", "1-2": "b", "true": "c", "null": "d"}),
        ("when: 2024-01-01\n", {"when": "2024-01-01"}),
        ("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n", {"base": {"x": 1}, "derived": {"x": 1, "y": 2}}),
        ('{"json": [1, 2.5, true, null]}', {"json": [1, 2.5, True, None]}),
        ("", None),
    ],
)  # fmt: skip
def test_yaml_values_are_json(text: str, value: Any) -> None:
    assert load_yaml_text(text)[0] == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: [1, 2\n", r"^f\.yaml:3: invalid YAML: expected ',' or '\]', but got '<stream end>' \(column 1\)$"),
        ("a: 1\na: 2\n", r"^f\.yaml:2: /a: duplicate key 'a' \(first written at line 1\)$"),
        ("a: !Ref X\n", r"^f\.yaml:1: invalid YAML: could not determine a constructor for the tag '!Ref'$"),
        ("a: !Custom [1]\n", r"^f\.yaml:1: unsupported YAML tag !Custom$"),
        ("? [a]\n: 1\n", r"^f\.yaml:1: a mapping key must be a plain value"),
        ("a: &x\n  - *x\n", r"^f\.yaml:\d: a YAML alias refers to itself$"),
        ("a: !!binary aGk=\n", r"binary values \(!!binary\) are not JSON"),
        ("a: 1\n---\nb: 2\n", r"^f\.yaml:2: invalid YAML: expected a single document"),
    ],
)  # fmt: skip
def test_malformed_yaml_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MockError, match=message):
        load_yaml_text(text, source="f.yaml")


def test_load_yaml_document_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a:\n  b: 1\n")
    value, lines = load_yaml_document(path)
    assert value == {"a": {"b": 1}}
    assert lines.line("/a/b") == 2
    with pytest.raises(MockError, match=r"missing\.yaml: cannot read the file"):
        load_yaml_document(tmp_path / "missing.yaml")
    (tmp_path / "latin1.yaml").write_bytes(b"a: \xe9\n")
    with pytest.raises(MockError, match=r"latin1\.yaml: the file is not UTF-8 text"):
        load_yaml_document(tmp_path / "latin1.yaml")


# --- mock syntax -------------------------------------------------------------------


def outputs(mocks: Any, state: str, parameters: list[Any]) -> list[Any]:
    handler = MockHandler(mocks)
    out = []
    for invocation, params in enumerate(parameters):
        outcome = handler(TaskRequest(state, LAMBDA, params, {}, invocation=invocation))
        out.append(("throw", outcome.error, outcome.cause) if outcome.failed else outcome.output)
    return out


@pytest.mark.parametrize(
    ("text", "parameters", "expected"),
    [
        ("S: {return: {ok: true}}", [{}], [{"ok": True}]),
        ("S: {return: null}", [{}], [None]),
        ("S: {return: 1, repeat: true}", [{}, {}, {}], [1, 1, 1]),
        ("S: {return: 1, times: 2}", [{}, {}], [1, 1]),
        ("S: {throw: Lambda.Boom}", [{}], [("throw", "Lambda.Boom", None)]),
        ("S: {throw: {error: E, cause: why}}", [{}], [("throw", "E", "why")]),
        ("S: {throw: {error: null}}", [{}], [("throw", None, None)]),
        ("S: [{return: 1}, {return: 2}]", [{}, {}], [1, 2]),
        ("S: [{throw: E, times: 2}, {return: ok}, repeat_last]", [{}] * 5, [("throw", "E", None)] * 2 + ["ok"] * 3),
        ("S: [{return: 1}, {return: 2, repeat: true}]", [{}] * 3, [1, 2, 2]),
        ("S: [{match: {c: ups}, return: U}, {match: {c: dhl}, return: D}]", [{"c": "dhl", "x": 1}, {"c": "ups"}], ["D", "U"]),
        ("S: [{match: {c: ups}, match_mode: exact, return: U}, {return: other}]", [{"c": "ups", "x": 1}], ["other"]),
        ('S: {"0": {return: a}, "1-2": {throw: E}, "3": {return: b}}', [{}] * 4, ["a", ("throw", "E", None), ("throw", "E", None), "b"]),
        ('S: {"1-2": {return: b}, "0": {return: a}, repeat: true}', [{}] * 4, ["a", "b", "b", "b"]),
        ("S: {0: {return: a}, 1: {return: b}}", [{}] * 2, ["a", "b"]),
    ],
)  # fmt: skip
def test_mock_syntax(text: str, parameters: list[Any], expected: list[Any]) -> None:
    assert outputs(load_mocks("mocks:\n  " + text), "S", parameters) == expected


def test_durations_heartbeats_and_origins() -> None:
    mocks = load_mocks(
        """
        mocks:
          Charge:
            - return: 1
              duration: 3.5
              heartbeats: [1, 2]
            - throw: E
        """,
        source="order.sfn.yaml",
    )
    charge = mocks.states["Charge"]
    assert charge.origin == "order.sfn.yaml:2 /mocks/Charge"
    assert charge.responses == (
        Response(returns=1, duration=3.5, heartbeats=(1.0, 2.0), origin="order.sfn.yaml:3 /mocks/Charge/0"),
        Response(throws=("E", None), origin="order.sfn.yaml:6 /mocks/Charge/1"),
    )  # fmt: skip
    assert mocks.source == "order.sfn.yaml"


def test_empty_mocks_section_is_an_empty_set() -> None:
    assert dict(mocks_from_yaml(None, source="f.yaml").states) == {}


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("S: [repeat_last]", ["m.yaml:2: /mocks/S/0: 'repeat_last' needs a response before it"]),
        ("S: [{return: 1}, repeat_last, {return: 2}]", ["m.yaml:2: /mocks/S/1: 'repeat_last' must be the last item"]),
        ("S: [{return: 1, repeat: true}, {return: 2}]",
         ["m.yaml:2: /mocks/S/0/repeat: only the last response can repeat (move it last, or use times: N)"]),
        ('S: {"0": {return: 1}, "2": {return: 2}}',
         ['m.yaml:2: /mocks/S/2: invocation indexes must be consecutive from 0: this entry leaves a gap (the next index expected is "1")']),
        ('S: {"0-1": {return: 1}, "1": {return: 2}}',
         ['m.yaml:2: /mocks/S/1: invocation indexes must be consecutive from 0: this entry overlaps the previous entry (the next index expected is "2")']),
        ('S: {"01": {return: 1}}', ['m.yaml:2: /mocks/S/01: invocation keys are an index like "0" or an inclusive range like "1-2"']),
        ('S: {"2-1": {return: 1}}', ["m.yaml:2: /mocks/S/2-1: the range '2-1' is empty (1 < 2)"]),
        ("S: {return: 1, duration: 2, heartbeats: [1, 3]}",
         ["m.yaml:2: /mocks/S/heartbeats/1: a heartbeat at 3 s comes after the response's duration (2 s); set duration to at least 3"]),
    ],
)  # fmt: skip
def test_semantic_problems_name_file_line_and_pointer(text: str, lines: list[str]) -> None:
    assert mock_error("mocks:\n  " + text) == lines


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("S: {retrun: 1}", ["m.yaml:2: /mocks/S/retrun: unknown key 'retrun' (did you mean 'return'?); "
                            "allowed keys: return, throw, duration, heartbeats, match, match_mode, times, repeat, validate"]),
        ("S: {return: 1, throw: E}", ["m.yaml:2: /mocks/S: a response needs exactly one of 'return' or 'throw'"]),
        ("S: {}", ["m.yaml:2: /mocks/S: a response needs exactly one of 'return' or 'throw'"]),
        ("S: 42", ["m.yaml:2: /mocks/S: expected a response (a map with 'return' or 'throw'), a list of "
                   'responses, or a map of invocation ranges ("0", "1-2"), got the number 42']),
        ("S: []", ["m.yaml:2: /mocks/S: must not be empty"]),
        ("S: [repeat]", ['m.yaml:2: /mocks/S/0: expected "repeat_last", got "repeat" (did you mean \'repeat_last\'?)']),
        ("S: {return: 1, duration: -1}", ["m.yaml:2: /mocks/S/duration: must be at least 0, got -1"]),
        ("S: {return: 1, times: 0}", ["m.yaml:2: /mocks/S/times: must be at least 1, got 0"]),
        ("S: {return: 1, times: two}", ['m.yaml:2: /mocks/S/times: expected an integer, got the string "two"']),
        ("S: {return: 1, match_mode: partial}", ['m.yaml:2: /mocks/S/match_mode: "partial" is not one of "subset", "exact"']),
        ("S: {throw: {cause: x}}", ["m.yaml:2: /mocks/S/throw: missing required key 'error'"]),
        ("S: {throw: 3}", ["m.yaml:2: /mocks/S/throw: expected a string or a map, got the number 3"]),
        ('S: {"0": {return: 1}, "return": 2}',
         ["m.yaml:2: /mocks/S/return: unknown key 'return'; invocation indexes like \"0\", ranges like \"1-2\", and 'repeat'"]),
        ('S: {"0": {return: 1, times: 2}}',
         ["m.yaml:2: /mocks/S/0/times: unknown key 'times'; allowed keys: return, throw, duration, heartbeats, match, match_mode, validate"]),
    ],
)  # fmt: skip
def test_schema_problems_name_file_line_and_pointer(text: str, lines: list[str]) -> None:
    assert mock_error("mocks:\n  " + text) == lines


def test_every_problem_is_reported_in_line_order() -> None:
    assert mock_error(
        """
        mocks:
          A: {retrun: 1}
          B: {return: 1, times: 0}
          C: [{return: 1}, repeat_last, {return: 2}]
        """
    ) == [
        "m.yaml:2: /mocks/A/retrun: unknown key 'retrun' (did you mean 'return'?); allowed keys: "
        "return, throw, duration, heartbeats, match, match_mode, times, repeat, validate",
        "m.yaml:3: /mocks/B/times: must be at least 1, got 0",
    ]  # schema problems first; the semantic check of C runs once they are fixed


def test_load_mock_file(tmp_path: Path) -> None:
    path = tmp_path / "mocks.yaml"
    path.write_text("Charge:\n  return: {ok: true}\n")
    mocks = load_mock_file(path)
    assert mocks.states["Charge"].responses[0].returns == {"ok": True}
    assert mocks.states["Charge"].origin == f"{path}:1 /Charge"
    broken = tmp_path / "broken.yaml"
    broken.write_text("Charge:\n  return: 1\n  thrown: E\n")
    with pytest.raises(MockError, match=r"broken\.yaml:3: /Charge/thrown: unknown key 'thrown'"):
        load_mock_file(broken)


def test_load_mock_file_points_sfn_local_configs_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps({"StateMachines": {}, "MockedResponses": {}}))
    with pytest.raises(MockError, match=r"Step Functions Local mock configuration; load it with "):
        load_mock_file(path)


def test_merge_keys_may_be_overridden_but_explicit_duplicates_fail() -> None:
    from pytest_sfn.mocks.documents import load_yaml_text

    text = "base: &b {currency: EUR, amount: 1}\norder:\n  <<: *b\n  currency: USD\n"
    value, lines = load_yaml_text(text, source="m.yaml")
    assert value["order"] == {"currency": "USD", "amount": 1}
    with pytest.raises(
        MockError, match=r"m\.yaml:3: /a/x: duplicate key 'x' \(first written at line 2\)"
    ):
        load_yaml_text("a:\n  x: 1\n  x: 2\n", source="m.yaml")
