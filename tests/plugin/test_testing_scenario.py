"""Scenario files and runs without pytest: reading, running, unused mocks, reports, traces."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pytest_sfn import InOrder, StateMachine, Throw
from pytest_sfn.errors import MockError
from pytest_sfn.testing import read_scenario_file, run_scenario
from pytest_sfn.testing.scenario import ScenarioFile, answered_by, format_report
from pytest_sfn.testing.trace import calls_by_visit, format_trace, state_status

MACHINE = StateMachine.from_definition(
    {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.charge",
                "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                "Next": "Notify",
            },
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "ResultPath": None, "End": True},
        },
    },
    name="Orders",
)  # fmt: skip


def scenario_file(tmp_path: Path, text: str) -> ScenarioFile:
    path = tmp_path / "orders.sfn.yaml"
    path.write_text(textwrap.dedent(text))
    return read_scenario_file(path, display="orders.sfn.yaml")


FILE = """\
state_machine: orders.asl.json
mocks:
  Notify: {return: sent}
  Charge: {return: shared}
scenarios:
  - name: happy
    input: {id: 1}
    expect: {output: {id: 1, charge: shared}}
  - name: own
    mocks:
      Charge:
        - throw: {error: Busy, cause: retry}
        - return: ok
        - return: never
"""


def test_read_scenario_file(tmp_path: Path) -> None:
    document = scenario_file(tmp_path, FILE)
    assert document.state_machine == "orders.asl.json"
    assert document.source == "orders.sfn.yaml"
    assert [s.name for s in document.scenarios] == ["happy", "own"]
    happy, own = document.scenarios
    assert (happy.input, own.input) == ({"id": 1}, {})
    assert set(happy.mocks.states) == {"Notify", "Charge"}
    assert len(own.mocks.states["Charge"].responses) == 3
    assert set(own.own_mocks.states) == {"Charge"}
    assert (happy.pointer, happy.line, own.line) == ("/scenarios/0", 6, 9)
    assert own.where() == "orders.sfn.yaml:9"
    assert document.where("/mocks/Charge") == "orders.sfn.yaml:4"
    assert document.scenario("own") is own
    with pytest.raises(MockError, match=r"no scenario named 'ow' \(did you mean 'own'\?\)"):
        document.scenario("ow")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios: []\n", "orders.sfn.yaml:1: /: missing required key 'state_machine'"),
        ("state_machine: x\nscenarios:\n  - name: a\n    mocks: {A: {retrun: 1}}\n",
         "orders.sfn.yaml:4: /scenarios/0/mocks/A*retrun*"),
        ("a: [\n", "orders.sfn.yaml:*: invalid YAML: *"),
    ],
)  # fmt: skip
def test_read_errors_name_file_line_and_pointer(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MockError) as info:
        scenario_file(tmp_path, text)
    assert any(
        __import__("fnmatch").fnmatch(line, message) for line in str(info.value).splitlines()
    ), str(info.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(MockError, match=r"missing.sfn.yaml: cannot read the file: "):
        read_scenario_file(tmp_path / "missing.sfn.yaml")


def test_run_passing_scenario(tmp_path: Path) -> None:
    happy = scenario_file(tmp_path, FILE).scenarios[0]
    result = run_scenario(happy, MACHINE)
    assert result.passed
    assert result.execution.output == {"id": 1, "charge": "shared"}
    assert [a.request.state_name for a in result.answers] == ["Charge", "Notify"]


def test_own_unused_responses_fail_when_strict(tmp_path: Path) -> None:
    own = scenario_file(tmp_path, FILE).scenarios[1]
    result = run_scenario(own, MACHINE)
    assert not result.passed
    assert result.mismatches == ()
    assert result.unused == (
        "Charge response #3 (orders.sfn.yaml:14 /scenarios/1/mocks/Charge/2) was never used",
    )
    assert run_scenario(own, MACHINE, strict=False).passed


def test_shared_mocks_of_states_not_invoked_are_not_unused(tmp_path: Path) -> None:
    document = scenario_file(
        tmp_path,
        """\
        state_machine: x
        mocks:
          Charge: {return: 1}
          Notify: [{return: 1}, {return: 2}]
        scenarios:
          - name: never notifies
            mocks: {Charge: {throw: {error: Fatal}}}
          - name: notifies once
        """,
    )
    never, once = document.scenarios
    assert run_scenario(never, MACHINE).unused == ()
    # Invoked but not consumed: a leftover of a shared mock is reported.
    assert run_scenario(once, MACHINE).unused == (
        "Notify response #2 (orders.sfn.yaml:4 /mocks/Notify/1) was never used",
    )


def test_unknown_mocked_state_raises_when_strict(tmp_path: Path) -> None:
    document = scenario_file(
        tmp_path,
        "state_machine: x\nscenarios:\n  - name: a\n    mocks: {Chrage: {return: 1}, Charge: {return: 1}, Notify: {return: 1}}\n",
    )
    with pytest.raises(MockError, match=r"Task state 'Chrage'.*\(did you mean 'Charge'\?\)"):
        run_scenario(document.scenarios[0], MACHINE)
    assert run_scenario(document.scenarios[0], MACHINE, strict=False).passed


def test_mock_problem_skips_expectations(tmp_path: Path) -> None:
    document = scenario_file(
        tmp_path,
        "state_machine: x\nscenarios:\n  - name: a\n    mocks: {Charge: {return: 1}}\n"
        "    expect: {status: SUCCEEDED}\n",
    )
    result = run_scenario(document.scenarios[0], MACHINE)
    assert result.mismatches == ()
    assert result.mock_problem is not None
    assert result.mock_problem.startswith(
        "Task state 'Notify' (resource arn:aws:states:::sns:publish) has no mock"
    )
    report = format_report(result)
    assert report.splitlines()[:4] == [
        "scenario 'a' (orders.sfn.yaml:3) failed",
        "",
        "mock problem:",
        "  " + result.mock_problem,
    ]


def test_report_without_mock_origins(tmp_path: Path) -> None:
    document = scenario_file(
        tmp_path,
        "state_machine: x\nscenarios:\n  - name: a\n    mocks: {Charge: {return: 1}, Notify: {return: 2}}\n"
        "    expect: {status: FAILED, path: [Charge]}\n",
    )
    result = run_scenario(document.scenarios[0], MACHINE, seed=1)
    assert [m.message for m in result.mismatches] == [
        'status: expected "FAILED", got "SUCCEEDED"',
        "path differs",
    ]
    report = format_report(result).splitlines()
    assert report[:9] == [
        "scenario 'a' (orders.sfn.yaml:3) failed",
        "",
        'orders.sfn.yaml:5: expect.status: expected "FAILED", got "SUCCEEDED"',
        "",
        "orders.sfn.yaml:5: expect.path differs",
        "  first difference at the top level: expected 1 items, got 2",
        '    expected: ["Charge"]',
        '    actual:   ["Charge","Notify"]',
        "",
    ]
    assert report[-5:] == [
        "state 'Notify' (Task):",
        '  input:  {"charge":1}',
        '  output: {"charge":1}',
        '  parameters sent: {"charge":1}',
        "  mock that answered: Notify response #1 (orders.sfn.yaml:4 /scenarios/0/mocks/Notify): "
        "returns 2",
    ]


def test_answered_by_and_calls_by_visit() -> None:
    execution = MACHINE.execute(
        {}, results={"Charge": InOrder(Throw("Busy"), Throw("Busy"), "ok"), "Notify": 1}
    )
    visits = calls_by_visit(execution)
    assert {k: [i for i, _ in v] for k, v in visits.items()} == {0: [0, 1, 2], 1: [0]}
    assert state_status(execution.states[0]) == "ok after 3 attempts"
    assert answered_by(()) == {}


def test_trace_of_a_map_is_indented_and_limited() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}},
                "End": True,
            }
        },
    }  # fmt: skip
    execution = StateMachine.from_definition(definition).execute(
        [1, 2, 3], results={"Work": InOrder(1, Throw("Boom", "x"), 3)}
    )
    assert format_trace(execution) == [
        "  Each        Map   failed Boom",
        "    [0] Work  Task  ok",
        "    [1] Work  Task  failed Boom",
    ]
    assert format_trace(execution, max_states=1) == [
        "  Each  Map  failed Boom",
        "  ... 2 more state visits",
    ]
    empty = StateMachine.from_definition(definition).execute([], results={})
    assert format_trace(empty) == ["  Each  Map  ok"]


def test_read_scenario_with_json_state_machine_file(tmp_path: Path) -> None:
    (tmp_path / "m.asl.json").write_text(
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    )
    document = scenario_file(
        tmp_path,
        "state_machine: m.asl.json\nscenarios:\n  - name: p\n    input: 3\n    expect: {output: 3}\n",
    )
    from pytest_sfn.testing import load_machine

    machine = load_machine(document.state_machine, base_dir=tmp_path)
    assert run_scenario(document.scenarios[0], machine).passed


def test_report_focuses_on_the_failing_state_inside_a_map(tmp_path: Path) -> None:
    machine = StateMachine.from_definition(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
                        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}},
                    "End": True,
                }
            },
        }
    )  # fmt: skip
    document = scenario_file(
        tmp_path,
        "state_machine: x\nscenarios:\n  - name: a\n    input: [1, 2]\n"
        "    mocks: {Work: [{return: 1}, {throw: {error: Boom, cause: bad item}}]}\n"
        "    expect: {status: SUCCEEDED}\n",
    )
    report = format_report(run_scenario(document.scenarios[0], machine)).splitlines()
    assert report[-5:] == [
        "failing state 'Work' (Task):",
        "  input:  2",
        '  error:  Boom: "bad item"',
        "  parameters sent: 2",
        "  mock that answered: Work response #2 (orders.sfn.yaml:5 /scenarios/0/mocks/Work/1): "
        "throws Boom (bad item)",
    ]
