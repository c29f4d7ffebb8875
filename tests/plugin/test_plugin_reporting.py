"""Assertion explanations for executions and the harness used without pytester."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn import Execution, StateMachine, Throw
from pytest_sfn.plugin import SfnHarness, SfnOptions
from pytest_sfn.plugin.reporting import explain_comparison, summarize

WriteMachine = Callable[[str, Any], Path]
MakeMachine = Callable[..., dict[str, Any]]

TWO_STEPS = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge"},
            "End": True,
        },
    },
}


@pytest.fixture(scope="module")
def machine() -> StateMachine:
    return StateMachine.from_definition(TWO_STEPS, name="Orders")


@pytest.fixture
def failed(machine: StateMachine) -> Execution:
    return machine.execute({}, results={"Charge": Throw("Card.Declined", "no funds")}, name="e1")


@pytest.fixture
def succeeded(machine: StateMachine) -> Execution:
    return machine.execute({}, results={"Charge": {"ok": 1}}, name="e2")


def test_summarize_failed(failed: Execution) -> None:
    assert summarize(failed) == [
        "execution 'e1' ended FAILED: Card.Declined: no funds",
        "  Validate  Pass  ok",
        "  Charge    Task  failed Card.Declined",
    ]


def test_summarize_succeeded(succeeded: Execution) -> None:
    assert summarize(succeeded) == [
        "execution 'e2' ended SUCCEEDED",
        '  output: {"ok":1}',
        "  Validate  Pass  ok",
        "  Charge    Task  ok",
    ]


def test_summarize_verbose_shows_each_state_input_and_output(succeeded: Execution) -> None:
    assert summarize(succeeded, verbose=True) == [
        "execution 'e2' ended SUCCEEDED",
        '  output: {"ok":1}',
        "  Validate  Pass  ok",
        "      input:  {}",
        "      output: {}",
        "  Charge    Task  ok",
        "      input:  {}",
        '      output: {"ok":1}',
    ]


def test_status_comparison_explains_the_matching_execution(
    failed: Execution, succeeded: Execution
) -> None:
    lines = explain_comparison("FAILED", "SUCCEEDED", [failed, succeeded])
    assert lines == ["'FAILED' == 'SUCCEEDED'", "", *summarize(failed)]


def test_path_comparison_shows_first_difference(succeeded: Execution) -> None:
    lines = explain_comparison(["Validate", "Charge"], ["Validate", "Refund"], [succeeded])
    assert lines is not None
    assert lines[:2] == [
        "execution path differs from the expected path",
        "At index 1: 'Charge' != 'Refund'",
    ]
    assert lines[3:] == summarize(succeeded)


@pytest.mark.parametrize(
    ("left", "right", "difference"),
    [
        (["Validate", "Charge"], ["Validate"], 'Left contains 1 more state(s): ["Charge"]'),
        (
            ["Validate", "Charge"],
            ["Validate", "Charge", "X"],
            'Right contains 1 more state(s): ["X"]',
        ),
    ],
)
def test_path_comparison_length_difference(
    succeeded: Execution, left: list[str], right: list[str], difference: str
) -> None:
    lines = explain_comparison(left, right, [succeeded])
    assert lines is not None
    assert lines[1] == difference


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param("FAILED", "SUCCEEDED", id="no-execution-with-that-status"),
        pytest.param("hello", "SUCCEEDED", id="not-a-status"),
        pytest.param(["A"], ["B"], id="not-an-execution-path"),
        pytest.param(1, 2, id="numbers"),
        pytest.param(["Validate", 1], ["Validate"], id="not-all-strings"),
    ],
)
def test_unrelated_comparisons_are_left_to_pytest(
    succeeded: Execution, left: Any, right: Any
) -> None:
    assert explain_comparison(left, right, [succeeded]) is None


def test_two_executions_show_differing_fields(failed: Execution, succeeded: Execution) -> None:
    lines = explain_comparison(failed, succeeded, [])
    assert lines == [
        "two executions differ:",
        '  status: "FAILED" != "SUCCEEDED"',
        '  error: "Card.Declined" != null',
        '  cause: "no funds" != null',
        '  output: null != {"ok":1}',
    ]


def test_two_executions_verbose_adds_both_traces(failed: Execution, succeeded: Execution) -> None:
    lines = explain_comparison(failed, succeeded, [], verbose=True)
    assert lines is not None
    assert lines[5:] == [
        "",
        "left:",
        *summarize(failed, verbose=True),
        "",
        "right:",
        *summarize(succeeded, verbose=True),
    ]


def test_two_executions_equal_in_summary(machine: StateMachine) -> None:
    a = machine.execute({}, results={"Charge": 1}, name="a")
    b = machine.execute({}, results={"Charge": 1}, name="b")
    lines = explain_comparison(a, b, [])
    assert lines is not None
    assert lines[1].startswith("  (status, error, cause, output, path and times are equal")


def test_long_values_are_shortened(machine: StateMachine) -> None:
    execution = machine.execute({}, results={"Charge": "x" * 500})
    output_line = summarize(execution)[1]
    assert output_line.startswith('  output: "xxx')
    assert output_line.endswith("...")
    assert len(output_line) == len("  output: ") + 200


def test_failed_status_assertion_shows_error_and_path(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("orders.asl.json", TWO_STEPS)
    pytester.makepyfile(
        """
        from pytest_sfn import Throw

        def test_status(sfn):
            execution = sfn.execute(
                "orders.asl.json", {}, name="run-1",
                results={"Charge": Throw("Card.Declined", "insufficient funds")},
            )
            assert execution.status == "SUCCEEDED"

        def test_path(sfn):
            execution = sfn.execute("orders.asl.json", {}, results={"Charge": {}})
            assert execution.path == ["Validate", "Refund"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: assert 'FAILED' == 'SUCCEEDED'",
            "E         ",
            "E         execution 'run-1' ended FAILED: Card.Declined: insufficient funds",
            "E           Validate  Pass  ok",
            "E           Charge    Task  failed Card.Declined",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "E         At index 1: 'Charge' != 'Refund'",
            "E         ",
            "E         execution '*' ended SUCCEEDED",
            "E           output: {}",
            "E           Validate  Pass  ok",
            "E           Charge    Task  ok",
        ],
        consecutive=True,
    )


def test_verbose_assertion_shows_the_trace(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("orders.asl.json", TWO_STEPS)
    pytester.makepyfile(
        """
        def test_status(sfn):
            execution = sfn.execute("orders.asl.json", {"id": 1}, results={"Charge": {"ok": 1}})
            assert execution.status == "FAILED"
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E           Validate  Pass  ok",
            'E               input:  {"id":1}',
            'E               output: {"id":1}',
            "E           Charge    Task  ok",
            'E               input:  {"id":1}',
            'E               output: {"ok":1}',
        ],
        consecutive=True,
    )


def test_client_executions_are_explained(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    pytester.makepyfile(
        f"""
        import json
        import pytest

        DEFINITION = {json.dumps(TWO_STEPS)!r}

        @pytest.mark.sfn(results={{"Charge": {{"ok": 1}}}})
        def test_it(sfn_client):
            arn = sfn_client.create_state_machine(
                name="Orders", definition=DEFINITION, roleArn="arn:aws:iam::123456789012:role/r"
            )["stateMachineArn"]
            run = sfn_client.start_execution(stateMachineArn=arn, name="run-7")
            status = sfn_client.describe_execution(executionArn=run["executionArn"])["status"]
            assert status == "FAILED"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E         execution 'run-7' ended SUCCEEDED",
            'E           output: {"ok":1}',
            "E           Validate  Pass  ok",
        ],
        consecutive=True,
    )


def test_plain_string_assertions_are_untouched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_with_fixture_no_execution(sfn):
            assert "FAILED" == "SUCCEEDED"

        def test_without_fixture():
            assert "FAILED" == "SUCCEEDED"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["E         - SUCCEEDED", "E         + FAILED"])
    assert "ended FAILED" not in result.stdout.str()


def test_other_operators_are_untouched(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("orders.asl.json", TWO_STEPS)
    pytester.makepyfile(
        """
        def test_it(sfn):
            execution = sfn.execute("orders.asl.json", {}, results={"Charge": {}})
            assert execution.status != "SUCCEEDED"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       AssertionError: assert 'SUCCEEDED' != 'SUCCEEDED'"])
    assert "ended SUCCEEDED" not in result.stdout.str()


class TestHarnessDirectly:
    """The harness without a pytest run: resolution, caching, merging."""

    def make(
        self, base: Path, options: SfnOptions | None = None, cache: dict[Any, Any] | None = None
    ) -> SfnHarness:
        return SfnHarness(base_dir=base, options=options, cache=cache)

    def test_resolve(self, tmp_path: Path) -> None:
        harness = self.make(tmp_path)
        assert harness.resolve("a/b.asl.json") == tmp_path / "a" / "b.asl.json"
        assert harness.resolve(tmp_path / "x.json") == tmp_path / "x.json"
        assert harness.resolve("a/../c.json") == tmp_path / "c.json"

    def test_cache_is_shared_and_keyed_by_kwargs(self, tmp_path: Path) -> None:
        (tmp_path / "m.asl.json").write_text(json.dumps(TWO_STEPS))
        cache: dict[Any, Any] = {}
        first = self.make(tmp_path, cache=cache).load("m.asl.json")
        second = self.make(tmp_path, cache=cache)
        assert second.load("m.asl.json") is first
        assert second.load(tmp_path / "m.asl.json") is first
        assert second.load("m.asl.json", region="eu-west-1").region == "eu-west-1"
        assert len(cache) == 2
        assert self.make(tmp_path).load("m.asl.json") is not first

    def test_execute_merges_results_and_records(self, tmp_path: Path) -> None:
        (tmp_path / "m.asl.json").write_text(json.dumps(TWO_STEPS))
        options = SfnOptions(definition="m.asl.json", results={"Charge": "default"})
        harness = self.make(tmp_path, options)
        assert harness.execute().output == "default"
        assert harness.execute(results={"Charge": "override"}).output == "override"
        assert harness.execute(results=None).output == "default"
        assert [e.output for e in harness.executions] == ["default", "override", "default"]

    def test_virtual_time_options_pass_through(self, tmp_path: Path) -> None:
        wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
        (tmp_path / "w.asl.json").write_text(json.dumps(wait))
        execution = self.make(tmp_path).execute("w.asl.json", {}, name="n1", seed=3)
        assert execution.name == "n1"
        assert execution.stop_time - execution.start_time == timedelta(hours=1)

    def test_repr(self, tmp_path: Path) -> None:
        assert repr(self.make(tmp_path)) == f"<SfnHarness base_dir={str(tmp_path)!r} executions=0>"
