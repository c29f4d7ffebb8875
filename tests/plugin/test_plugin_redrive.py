"""Redrive in pytest: ``sfn.redrive``, ``@pytest.mark.sfn_redrive`` and YAML ``redrive:``."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import StateMachine, Throw
from pytest_sfn.plugin.marks import redrive_mark
from pytest_sfn.testing.expectations import compare_expectations

ORDERS = {
    "StartAt": "Reserve",
    "States": {
        "Reserve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "ResultPath": "$.stock", "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "ResultSelector": {"id.$": "$.Payload.id"}, "ResultPath": "$.charge",
                   "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip


def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def orders(pytester: pytest.Pytester) -> Path:
    return write(pytester, "orders.asl.json", json.dumps(ORDERS))


# --- pure logic ---------------------------------------------------------------------------


def _redriven() -> Any:
    machine = StateMachine.from_definition(ORDERS, name="orders")
    failed = machine.execute(
        {}, results={"Reserve": {"ok": True}, "Charge": Throw("Gateway.Down", "503")}
    )
    return failed, failed.redrive(results={"Charge": {"Payload": {"id": "ch_1"}}})


@pytest.mark.parametrize(
    ("expect", "messages"),
    [
        pytest.param(
            {"rerun": ["Charge", "Done"], "kept": ["Reserve"], "transitions": 2}, [], id="met"
        ),  # fmt: skip
        pytest.param(
            {"rerun": ["Charge"]}, ['rerun: expected ["Charge"], got ["Charge","Done"]'], id="rerun"
        ),
        pytest.param({"kept": []}, ['kept: expected [], got ["Reserve"]'], id="kept"),
        pytest.param(
            {"transitions": 3},
            ["transitions: expected the redrive to cost 3, it cost 2 (per attempt: [2, 2])"],
            id="transitions",
        ),
    ],
)
def test_redrive_expectations(expect: dict[str, Any], messages: list[str]) -> None:
    _, redriven = _redriven()
    assert [m.message for m in compare_expectations(expect, redriven)] == messages


def test_assert_redrive_helper() -> None:
    failed, redriven = _redriven()
    assert redriven.assert_redrive(rerun=["Charge", "Done"], kept=["Reserve"], transitions=2)
    with pytest.raises(
        AssertionError, match=re.escape('the redrive kept ["Reserve"], expected []')
    ):
        redriven.assert_redrive(kept=[])
    with pytest.raises(AssertionError, match="this one was never redriven"):
        failed.assert_redrive(rerun=[])


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"expect": {"reran": []}}, "unknown key 'reran' (did you mean 'rerun'?)"),
        ({"expect_first": {"rerun": []}}, "expect_first=...) has an unknown key 'rerun'"),
        ({"mock": {}}, "unexpected keyword argument 'mock' (did you mean 'mocks'?)"),
        ({"results": 3}, "results=...) must be a mapping"),
    ],
)
def test_bad_redrive_marks(kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(TypeError, match=re.escape(problem)):
        redrive_mark(pytest.mark.sfn_redrive(**kwargs).mark)


# --- sfn.redrive and @pytest.mark.sfn_redrive --------------------------------------------


def test_harness_redrive(pytester: pytest.Pytester, orders: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn.errors import ExecutionNotRedrivable

        pytestmark = pytest.mark.sfn(
            definition="orders.asl.json",
            mocks={"Reserve": {"return": {"ok": True}},
                   "Charge": {"throw": {"error": "Gateway.Down", "cause": "503"}}},
        )

        def test_fix_and_redrive(sfn):
            failed = sfn.execute({"id": 1})
            failed.assert_failed("Gateway.Down")
            redriven = sfn.redrive(failed, mocks={"Charge": {"return": {"Payload": {"id": "c"}}}})
            redriven.assert_succeeded().assert_redrive(
                rerun=["Charge", "Done"], kept=["Reserve"], transitions=2
            )
            assert redriven.output == {"id": 1, "stock": {"ok": True}, "charge": {"id": "c"}}
            assert sfn.executions == [failed, redriven]

        def test_results_fix_and_refusal(sfn):
            failed = sfn.execute({})
            redriven = sfn.redrive(failed, results={"Charge": {"Payload": {"id": "r"}}})
            assert redriven.redrive_count == 1
            with pytest.raises(ExecutionNotRedrivable, match="SUCCEEDED and cannot be redriven"):
                sfn.redrive(redriven)
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_redrive_marker(pytester: pytest.Pytester, orders: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(
            definition="orders.asl.json",
            mocks={"Reserve": {"return": {"ok": True}},
                   "Charge": {"throw": {"error": "Gateway.Down", "cause": "503"}}},
        )

        @pytest.mark.sfn_redrive(
            input={"id": 1},
            expect_first={"status": "FAILED", "error": "Gateway.Down", "path": ["Reserve", "Charge"]},
            mocks={"Charge": {"return": {"Payload": {"id": "c"}}}},
            expect={"status": "SUCCEEDED", "rerun": ["Charge", "Done"], "kept": ["Reserve"],
                    "transitions": 2, "output_contains": {"charge": {"id": "c"}}},
        )
        def test_passes(sfn_redrive_result):
            assert sfn_redrive_result.first.status == "FAILED"
            assert sfn_redrive_result.redriven.redrive_count == 1

        @pytest.mark.sfn_redrive(
            expect_first={"status": "SUCCEEDED"},
            results={"Charge": {"Payload": {"id": "c"}}},
            expect={"kept": [], "transitions": 9},
        )
        def test_fails():
            raise RuntimeError("the body must not run")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sfn_redrive: 3 expectation(s) not met",
            '*expect_first.status: expected "SUCCEEDED", got "FAILED" (Gateway.Down: 503)',
            '*expect.kept: expected ?], got ?"Reserve"?',
            "*expect.transitions: expected the redrive to cost 9, it cost 2 (per attempt: ?2, 2?)",
            "*first run: execution * ended FAILED: Gateway.Down: 503",
            '*redrive #1: re-ran ?"Charge","Done"?, kept ?"Reserve"?, 2 transition(s)',
        ]
    )
    result.stdout.no_fnmatch_line("*the body must not run*")


# --- YAML redrive: -------------------------------------------------------------------------

REDRIVE_FILE = """\
state_machine: orders.asl.json
mocks:
  Reserve: {return: {ok: true}}
scenarios:
  - name: gateway down, fixed, redriven
    input: {id: 1}
    mocks:
      Charge: {throw: {error: Gateway.Down, cause: "503"}}
    expect: {status: FAILED, error: Gateway.Down}
    redrive:
      mocks:
        Charge: {return: {Payload: {id: ch_1}}}
      expect:
        status: SUCCEEDED
        output: {id: 1, stock: {ok: true}, charge: {id: ch_1}}
        rerun: [Charge, Done]
        kept: [Reserve]
        transitions: 2
"""


def test_yaml_redrive_passes(pytester: pytest.Pytester, orders: Path) -> None:
    write(pytester, "orders.sfn.yaml", REDRIVE_FILE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_yaml_redrive_report(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        REDRIVE_FILE.replace("rerun: [Charge, Done]", "rerun: [Charge]").replace(
            "transitions: 2", "transitions: 1"
        )
        + """\
  - name: a succeeded execution is not redrivable
    mocks:
      Charge: {return: {Payload: {id: x}}}
    redrive:
      expect: {status: SUCCEEDED}
  - name: the fix leaves a mock unused
    mocks:
      Charge: {throw: Gateway.Down}
    redrive:
      mocks:
        Charge: [{return: {Payload: {id: a}}}, {return: {Payload: {id: b}}}]
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "scenario 'gateway down, fixed, redriven' (orders.sfn.yaml:5) failed",
            'orders.sfn.yaml:16: redrive.expect.rerun: expected ?"Charge"?, got ?"Charge","Done"?',
            "orders.sfn.yaml:18: redrive.expect.transitions: expected the redrive to cost 1, it cost 2*",
            "first run: execution * ended FAILED: Gateway.Down: 503",
            "*Charge  *Task  *ok  (mock: #1 orders.sfn.yaml:12 /scenarios/0/redrive/mocks/Charge)",
        ]
    )
    result.stdout.fnmatch_lines(
        ["orders.sfn.yaml:22: redrive: refused: Execution is SUCCEEDED and cannot be redriven."]
    )
    result.stdout.fnmatch_lines(
        ["unused mock responses (strict):", "*Charge response #2 (orders.sfn.yaml:29*"]
    )


def test_yaml_redrive_mocks_are_checked(pytester: pytest.Pytester, orders: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        REDRIVE_FILE.replace("Charge: {return: {Payload: {id: ch_1}}}", "Charge: {retrun: 1}"),
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["orders.sfn.yaml:12: /scenarios/0/redrive/mocks/Charge/retrun: unknown key 'retrun'*"]
    )


def test_redrive_refuses_a_changed_definition(pytester: pytest.Pytester, orders: Path) -> None:
    changed = json.loads(json.dumps(ORDERS))
    changed["States"]["Charge"]["ResultPath"] = "$.payment"
    write(pytester, "orders_v2.asl.json", json.dumps(changed))
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import ExecutionNotRedrivable, Throw

        def test_it(sfn):
            failed = sfn.execute(
                "orders.asl.json",
                results={"Reserve": {"ok": True}, "Charge": Throw("Gateway.Down", "503")},
            )
            fix = {"Charge": {"Payload": {"id": "ch_1"}}}
            with pytest.raises(ExecutionNotRedrivable, match="start a new execution"):
                sfn.redrive(failed, machine="orders_v2.asl.json", results=fix)
            # The same definition, loaded again, is accepted.
            redriven = sfn.redrive(failed, machine="orders.asl.json", results=fix)
            assert redriven.output["charge"] == {"id": "ch_1"}
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
