"""The ``sfn`` and ``sfn_mocks`` fixtures with mocks: sources, precedence, strictness."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WriteMachine = Callable[[str, Any], Path]

TWO_TASKS = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "ResultPath": "$.charge", "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                   "ResultPath": "$.notify", "End": True},
    },
}  # fmt: skip


@pytest.fixture
def machine(write_machine: WriteMachine) -> Path:
    return write_machine("orders.asl.json", TWO_TASKS)


def write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_mock_sources_and_precedence(pytester: pytest.Pytester, machine: Path) -> None:
    write(
        pytester,
        "mocks/orders.yaml",
        """\
        Charge: {return: from-file}
        Notify: {return: from-file}
        """,
    )
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import Mocks, MockSet, Throw

        pytestmark = pytest.mark.sfn(definition="orders.asl.json", mocks="mocks/orders.yaml")

        def test_file(sfn):
            assert sfn.execute({}).output == {"charge": "from-file", "notify": "from-file"}

        @pytest.mark.sfn(mocks={"Notify": {"return": "from-dict"}})
        def test_closer_marker_overrides_per_state(sfn):
            assert sfn.execute({}).output == {"charge": "from-file", "notify": "from-dict"}

        def test_builder_overrides_markers(sfn, sfn_mocks):
            assert sfn.mocks is sfn_mocks
            sfn_mocks.state("Charge").returns("from-builder")
            assert sfn.execute({}).output == {"charge": "from-builder", "notify": "from-file"}

        def test_execute_mocks_override_the_builder(sfn, sfn_mocks):
            sfn_mocks.state("Charge").returns("from-builder")
            other = Mocks()
            other.state("Charge").returns("from-execute")
            execution = sfn.execute({}, mocks=other)
            assert execution.output == {"charge": "from-execute", "notify": "from-file"}
            # The builder was not used: this test is not strict about it.
            sfn.execute({}, mocks=other.build(), strict=False)

        @pytest.mark.sfn(results={"Notify": "from-results"})
        def test_results_win_over_mocks(sfn):
            execution = sfn.execute({}, results={"Charge": Throw("Boom", "x")})
            assert (execution.status, execution.error) == ("FAILED", "Boom")
            assert sfn.execute({}).output == {"charge": "from-file", "notify": "from-results"}

        def test_mock_set_and_mocks_objects_as_marker_values(sfn):
            built = Mocks()
            built.state("Charge").returns("built")
            execution = sfn.execute({}, mocks=built.build())
            assert execution.output["charge"] == "built"
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=6)


def test_mocks_objects_in_markers(pytester: pytest.Pytester, machine: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import Mocks

        SHARED = Mocks()
        SHARED.state("Charge").returns(1)
        SHARED.state("Notify").returns(2)

        @pytest.mark.sfn(definition="orders.asl.json", mocks=SHARED)
        def test_builder(sfn):
            assert sfn.execute({}).output == {"charge": 1, "notify": 2}

        @pytest.mark.sfn(definition="orders.asl.json", mocks=SHARED.build())
        def test_mock_set(sfn):
            assert sfn.execute({}).output == {"charge": 1, "notify": 2}
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_mocks_dir_option_and_ini(pytester: pytest.Pytester, machine: Path) -> None:
    write(pytester, "shared/mocks.yaml", "Charge: {return: 1}\nNotify: {return: 2}\n")
    pytester.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", mocks="mocks.yaml")
        def test_it(sfn):
            assert sfn.execute({}).output == {"charge": 1, "notify": 2}
        """
    )
    pytester.runpytest("--sfn-mocks-dir", "shared").assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nsfn_mocks_dir = shared\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_scenario_file_as_mocks(pytester: pytest.Pytester, machine: Path) -> None:
    write(
        pytester,
        "orders.sfn.yaml",
        """\
        state_machine: orders.asl.json
        mocks:
          Notify: {return: shared}
        scenarios:
          - name: happy
            mocks: {Charge: {return: ok}}
          - name: declined
            mocks: {Charge: {throw: {error: Card.Declined, cause: declined}}}
        """,
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(definition="orders.asl.json", mocks="orders.sfn.yaml")

        @pytest.mark.sfn(scenario="happy")
        def test_happy(sfn):
            assert sfn.execute({}).output == {"charge": "ok", "notify": "shared"}

        @pytest.mark.sfn(scenario="declined")
        def test_declined(sfn):
            sfn.execute({}).assert_failed("Card.Declined", "declined")

        def test_without_scenario_only_shared_mocks(sfn, sfn_mocks):
            sfn_mocks.state("Charge").returns("builder")
            assert sfn.execute({}).output == {"charge": "builder", "notify": "shared"}

        @pytest.mark.sfn(scenario="hapy")
        def test_unknown_scenario(sfn):
            sfn.execute({})
        """
    )
    result = pytester.runpytest()
    # The scenario file is also collected: its two scenarios pass (the shared Notify mock
    # is not reported unused in 'declined', which never reaches Notify).
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: orders.sfn.yaml: no scenario named 'hapy' "
            "(did you mean 'happy'?); scenarios: 'happy', 'declined'"
        ]
    )


def test_unmocked_task_lists_mocked_states(pytester: pytest.Pytester, machine: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", mocks={"Charge": {"return": 1}})
        def test_it(sfn):
            sfn.execute({})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       sfn.execute({})",
            "E       pytest_sfn.errors.UnmockedTaskError: Task state 'Notify' (resource "
            "arn:aws:states:::sns:publish) has no mock in mocks=. Mocked states: Charge.",
        ],
        consecutive=True,
    )
    assert "pytest_sfn/" not in result.stdout.str()


def test_unknown_mocked_state_did_you_mean(pytester: pytest.Pytester, machine: Path) -> None:
    write(pytester, "mocks.yaml", "Charge: {return: 1}\nNotfy: {return: 2}\n")
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(definition="orders.asl.json", mocks="mocks.yaml")

        def test_strict(sfn):
            sfn.execute({})

        @pytest.mark.sfn(strict=False, results={"Notify": 3})
        def test_not_strict(sfn):
            assert sfn.execute({}).output == {"charge": 1, "notify": 3}
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: mocks.yaml:2: /Notfy: a mock names Task state "
            "'Notfy', which is not in the state machine (did you mean 'Notify'?)"
        ]
    )
    assert "pytest_sfn/" not in result.stdout.str()


UNUSED_TEST = """
import pytest

pytestmark = pytest.mark.sfn(definition="orders.asl.json")

def test_unused(sfn, sfn_mocks):
    sfn_mocks.state("Charge").returns(1).then_returns(2)
    sfn_mocks.state("Notify").returns(3)
    sfn.execute({})

def test_used_across_executions(sfn, sfn_mocks):
    sfn_mocks.state("Charge").when({"n": 1}).returns(1).when({"n": 2}).returns(2)
    sfn_mocks.state("Notify").returns(3)
    assert sfn.execute({"n": 1}).output["charge"] == 1
    assert sfn.execute({"n": 2}).output["charge"] == 2

@pytest.mark.sfn(mocks={"Charge": {"return": 1}, "Notify": {"return": 2}, "Refund": {"return": 3}})
def test_shared_mocks_of_states_not_invoked_are_not_reported(sfn):
    with __import__("pytest").raises(Exception, match="Refund"):
        sfn.execute({})  # strict: Refund is not a state of the machine
    sfn.execute({}, strict=False)

def test_not_strict_execution(sfn, sfn_mocks):
    sfn_mocks.state("Charge").returns(1).then_returns(2)
    sfn_mocks.state("Notify").returns(3)
    sfn.execute({}, strict=False)

def test_nothing_executed(sfn, sfn_mocks):
    sfn_mocks.state("Charge").returns(1)

@pytest.mark.sfn(mocks={"Charge": [{"return": 1}, {"return": 2}], "Notify": {"return": 3}})
def test_leftover_responses_of_marker_mocks(sfn):
    sfn.execute({})

def test_failed_test_does_not_report_unused(sfn, sfn_mocks):
    sfn_mocks.state("Charge").returns(1).then_returns(2)
    sfn_mocks.state("Notify").returns(3)
    sfn.execute({})
    assert False, "the test's own failure"
"""


def test_unused_responses_fail_at_teardown(pytester: pytest.Pytester, machine: Path) -> None:
    pytester.makepyfile(UNUSED_TEST)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6, failed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_unused _*",
            "1 mock response was never used (strict mocks; allow it with "
            "@pytest.mark.sfn(strict=False), sfn.execute(..., strict=False), --sfn-no-strict "
            "or sfn_strict = false):",
            "  - Charge response #2 (test_unused_responses_fail_at_teardown.py:6) was never used",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_leftover_responses_of_marker_mocks _*",
            "1 mock response was never used *",
            "  - Charge response #2 (mocks= /Charge/1) was never used",
        ],
        consecutive=True,
    )
    assert "ERROR at teardown of test_failed_test_does_not_report_unused" not in result.stdout.str()


@pytest.mark.parametrize(
    ("args", "ini", "marker"),
    [
        (["--sfn-no-strict"], None, ""),
        ([], "sfn_strict = false", ""),
        ([], None, "@pytest.mark.sfn(strict=False)"),
        (["--sfn-no-strict"], None, "@pytest.mark.sfn(strict=True)"),
    ],
    ids=["option", "ini", "marker", "marker-over-option"],
)
def test_strictness_is_configurable(
    pytester: pytest.Pytester, machine: Path, args: list[str], ini: str | None, marker: str
) -> None:
    if ini is not None:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(
        f"""
        import pytest

        {marker}
        @pytest.mark.sfn(definition="orders.asl.json", mocks={{"Charge": [{{"return": 1}}, {{"return": 2}}], "Notify": {{"return": 3}}, "Gone": {{"return": 4}}}})
        def test_it(sfn):
            assert sfn.execute({{}}).output == {{"charge": 1, "notify": 3}}
        """
    )
    result = pytester.runpytest(*args)
    if "strict=True" in marker:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*a mock names Task state 'Gone'*"])
    else:
        result.assert_outcomes(passed=1)


def test_sfn_local_config_without_test_case(pytester: pytest.Pytester, machine: Path) -> None:
    write(
        pytester,
        "MockConfigFile.json",
        json.dumps(
            {
                "StateMachines": {
                    "orders": {"TestCases": {"Happy": {"Charge": "Ok", "Notify": "Ok"}}}
                },
                "MockedResponses": {"Ok": {"0": {"Return": "ok"}}},
            }
        ),
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(definition="orders.asl.json", mocks="MockConfigFile.json")

        def test_forgot_the_test_case(sfn):
            sfn.execute({})

        def test_builder_without_test_case(sfn, sfn_mocks):
            sfn_mocks.state("Charge").returns(1)
            sfn_mocks.state("Notify").returns(2)
            assert sfn.execute({}).output == {"charge": 1, "notify": 2}

        @pytest.mark.sfn(scenario="orders#Happy")
        def test_explicit_machine(sfn):
            assert sfn.execute({}).output == {"charge": "ok", "notify": "ok"}

        @pytest.mark.sfn(mocks="other.yaml", scenario="Happy")
        def test_missing_mock_file(sfn):
            sfn.execute({})
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: mocks='MockConfigFile.json' is a Step Functions "
            "Local mock config: choose a test case with @pytest.mark.sfn(scenario='TestCase') "
            "(or 'StateMachineName#TestCase')",
        ]
    )
    result.stdout.fnmatch_lines(
        ["E       pytest_sfn.errors.MockError: *other.yaml: cannot read the file: *"]
    )


def test_scenario_without_a_source_is_an_error(pytester: pytest.Pytester, machine: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", scenario="Happy", mocks={"Charge": {"return": 1}})
        def test_it(sfn):
            sfn.execute({})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: scenario 'Happy' was given, but no mocks= source "
            "is a scenario file (*.sfn.yaml) or a Step Functions Local mock config to take it from"
        ]
    )


def test_malformed_mock_file_names_file_and_line(pytester: pytest.Pytester, machine: Path) -> None:
    write(pytester, "mocks.yaml", "Charge:\n  retrun: 1\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="orders.asl.json", mocks="mocks.yaml")
        def test_it(sfn):
            sfn.execute({})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["E       pytest_sfn.errors.MockError: mocks.yaml:2: /Charge*retrun*"]
    )


def test_tasks_and_mocks_are_exclusive(pytester: pytest.Pytester, machine: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import TaskOutcome

        @pytest.mark.sfn(definition="orders.asl.json")
        def test_it(sfn):
            with pytest.raises(ValueError, match="pass tasks= or mocks=/results=/integrations, not both"):
                sfn.execute({}, tasks=lambda r: TaskOutcome(output=1), mocks={})
            assert sfn.execute({}, tasks=lambda r: TaskOutcome(output=1)).output == {"charge": 1, "notify": 1}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
