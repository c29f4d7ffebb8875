"""The scenario file JSON Schema and ``validate_scenario_file``."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_sfn.errors import MockError
from pytest_sfn.mocks import SCHEMA_PATH, load_yaml_document, load_yaml_text, validate_scenario_file
from pytest_sfn.mocks.schema import scenario_schema, schema_problems

VALID = """
state_machine: ../statemachines/order.asl.json
mocks:
  Validate: {return: {valid: true}}
  Charge:
    - throw: {error: Lambda.TooManyRequestsException, cause: slow down}
      times: 2
    - return: {StatusCode: 200, Payload: {charged: true}}
      duration: 3
      heartbeats: [1, 2]
    - repeat_last
  Ship:
    - {match: {carrier: ups}, match_mode: exact, return: {id: U1}}
    - {match: {carrier: dhl}, return: {id: D1}, repeat: true}
  Notify:
    "0": {throw: States.Timeout}
    "1-2": {return: ok}
    repeat: true
scenarios:
  - name: happy path
    input: {orderId: 1}
    mocks: {Charge: {return: {Payload: {charged: true}}}}
    expect:
      status: SUCCEEDED
      output: {done: true}
      path: [Validate, Charge, Ship]
      states: {Charge: {input: {orderId: 1}, output: {charged: true}}}
      calls: {Charge: [{parameters: {FunctionName: charge}}]}
  - name: declined
    input: [1, "two", null]
    expect: {status: FAILED, error: Declined, cause: card declined, output_contains: {}}
  - name: no expectations
"""


def problems_of(text: str, source: str = "s.sfn.yaml") -> list[str]:
    value, lines = load_yaml_text(textwrap.dedent(text).lstrip("\n"), source=source)
    with pytest.raises(MockError) as info:
        validate_scenario_file(value, lines, source)
    return str(info.value).splitlines()


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = scenario_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, child in node.items():
            yield from subschemas(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from subschemas(child, f"{where}/{index}")


def test_every_property_and_definition_is_described() -> None:
    schema = scenario_schema()
    missing = [f"#/$defs/{name}" for name, d in schema["$defs"].items() if "description" not in d]
    for where, node in subschemas(schema):
        for key in ("properties", "patternProperties"):
            for name, child in node.get(key, {}).items():
                if "description" not in child:
                    missing.append(f"{where}/{key}/{name}")
    assert missing == []


def test_every_object_schema_is_closed() -> None:
    open_objects = [
        where
        for where, node in subschemas(scenario_schema())
        if "properties" in node and node.get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_the_schema_ships_inside_the_package() -> None:
    assert SCHEMA_PATH.parent.name == "schema"
    assert SCHEMA_PATH.is_file()
    first = scenario_schema()
    first["title"] = "changed"
    assert scenario_schema()["title"] != "changed"


def test_a_complete_scenario_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "order.sfn.yaml"
    path.write_text(VALID)
    value, lines = load_yaml_document(path)
    validate_scenario_file(value, lines, str(path))  # no error
    assert schema_problems(value) == []


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", ["s.sfn.yaml:1: /: the file is empty; it needs 'state_machine' and 'scenarios'"]),
        ("- a\n", ["s.sfn.yaml:1: /: expected a map, got a list"]),
        ("scenarios: [{name: a}]\n", ["s.sfn.yaml:1: /: missing required key 'state_machine'"]),
        ("state_machine: m.json\nscenario: [{name: a}]\n",
         ["s.sfn.yaml:1: /: the file needs 'scenarios' or 'test_state' (or both)",
          "s.sfn.yaml:2: /scenario: unknown key 'scenario' (did you mean 'scenarios'?); allowed keys: state_machine, mocks, lambdas, machines, activities, http, connections, aws, validate, scenarios, test_state"]),
        ("state_machine: ''\nscenarios: []\n",
         ["s.sfn.yaml:1: /state_machine: must not be empty", "s.sfn.yaml:2: /scenarios: must not be empty"]),
        ("state_machine: 3\nscenarios: {a: 1}\n",
         ["s.sfn.yaml:1: /state_machine: expected a string, got the number 3",
          "s.sfn.yaml:2: /scenarios: expected a list, got a map"]),
        ("state_machine: m.json\nscenarios:\n  - input: {}\n",
         ["s.sfn.yaml:3: /scenarios/0: missing required key 'name'"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect: {staus: FAILED}\n",
         ["s.sfn.yaml:4: /scenarios/0/expect/staus: unknown key 'staus' (did you mean 'status'?); allowed keys: "
          "status, output, output_contains, error, cause, path, states, calls"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect: {status: failed}\n",
         ['s.sfn.yaml:4: /scenarios/0/expect/status: "failed" is not one of "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED" (did you mean \'FAILED\'?)']),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect: {output: 1, output_contains: 1}\n",
         ["s.sfn.yaml:4: /scenarios/0/expect: give either 'output' or 'output_contains', not both"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect: {error: 1, path: [A, 2]}\n",
         ["s.sfn.yaml:4: /scenarios/0/expect/error: expected a string, got the number 1",
          "s.sfn.yaml:4: /scenarios/0/expect/path/1: expected a string, got the number 2"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect:\n      states: {A: {}, B: {ouput: 1}}\n",
         ["s.sfn.yaml:5: /scenarios/0/expect/states/A: must not be empty",
          "s.sfn.yaml:5: /scenarios/0/expect/states/B/ouput: unknown key 'ouput' (did you mean 'output'?); allowed keys: input, output"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect:\n      calls:\n        A: [{params: {}}]\n        B: {parameters: {}}\n",
         ["s.sfn.yaml:6: /scenarios/0/expect/calls/A/0: missing required key 'parameters'",
          "s.sfn.yaml:6: /scenarios/0/expect/calls/A/0/params: unknown key 'params' (did you mean 'parameters'?); allowed keys: parameters",
          "s.sfn.yaml:7: /scenarios/0/expect/calls/B: expected a list, got a map"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n  - name: b\n  - name: a\n",
         ["s.sfn.yaml:5: /scenarios/2/name: duplicate scenario name 'a' (first used at line 3); names identify the test items"]),
        ("state_machine: m.json\nmocks:\n  '': {return: 1}\nscenarios:\n  - name: a\n",
         ["s.sfn.yaml:2: /mocks: invalid key '': must not be empty"]),
        ("state_machine: m.json\nscenarios:\n  - name: a\n    expect: null\n",
         ["s.sfn.yaml:4: /scenarios/0/expect: expected a map, got null (an empty value)"]),
    ],
)  # fmt: skip
def test_violations_name_file_line_and_pointer(text: str, lines: list[str]) -> None:
    assert problems_of(text) == lines


def test_every_violation_of_a_file_is_reported() -> None:
    lines = problems_of(
        """
        state_machine: order.asl.json
        mocks:
          Charge: {return: 1, thrw: E}
          Notify: {"0": {return: 1}, "2": {return: 2}}
        scenarios:
          - name: one
            mocks:
              Ship: [{return: 1}, repeat_last, {return: 2}]
            expect: {status: SUCCEDED}
          - name: two
            extra: true
        """
    )
    assert lines == [
        "s.sfn.yaml:3: /mocks/Charge/thrw: unknown key 'thrw' (did you mean 'throw'?); allowed keys: "
        "return, throw, duration, heartbeats, match, match_mode, times, repeat, validate",
        "s.sfn.yaml:4: /mocks/Notify/2: invocation indexes must be consecutive from 0: this entry "
        'leaves a gap (the next index expected is "1")',
        "s.sfn.yaml:8: /scenarios/0/mocks/Ship/1: 'repeat_last' must be the last item",
        's.sfn.yaml:9: /scenarios/0/expect/status: "SUCCEDED" is not one of "SUCCEEDED", "FAILED", '
        '"TIMED_OUT", "ABORTED" (did you mean \'SUCCEEDED\'?)',
        "s.sfn.yaml:11: /scenarios/1/extra: unknown key 'extra'; allowed keys: name, input, mocks, lambdas, machines, activities, http, connections, aws, validate, expect, redrive",
    ]


def test_bad_yaml_fails_before_validation(tmp_path: Path) -> None:
    path = tmp_path / "bad.sfn.yaml"
    path.write_text("state_machine: m.json\nscenarios:\n  - name: [unclosed\n")
    with pytest.raises(MockError, match=r"bad\.sfn\.yaml:4: invalid YAML: "):
        load_yaml_document(path)


def test_without_a_source_lines_are_still_given() -> None:
    value, lines = load_yaml_text("state_machine: 1\nscenarios: [{name: a}]\n")
    with pytest.raises(MockError, match=r"^line 1: /state_machine: expected a string"):
        validate_scenario_file(value, lines, None)
    with pytest.raises(MockError, match=r"^/state_machine: expected a string"):
        validate_scenario_file(value, None, None)
