"""``--sfn-*`` command-line options and ``sfn_*`` ini options; marker-implied fixture; stash."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn.plugin import SfnSettings

WriteMachine = Callable[[str, Any], Path]

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "r.$": "States.MathRandom(1, 1000000)"}, "End": True}}}  # fmt: skip

REPORT = """
import json
from pathlib import Path

def test_report(sfn):
    execution = sfn.execute("m.asl.json", {})
    report = {"arn": execution.execution_arn, "r": execution.output["r"]}
    (Path(__file__).parent / "report.json").write_text(json.dumps(report))
"""


def run_report(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    pytester.runpytest(*args).assert_outcomes(passed=1)
    return dict(json.loads((pytester.path / "report.json").read_text()))


def test_options_are_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "AWS Step Functions (pytest-sfn):",
            "  --sfn-definitions-dir=DIR",
            "*--sfn-mocks-dir=DIR*",
            "*--sfn-strict*",
            "*--sfn-no-strict*",
            "*--sfn-region=REGION*",
            "*--sfn-account=ID*",
            "*--sfn-seed=N*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "  sfn_definitions_dir (string):*",
            "  sfn_mocks_dir (string):*",
            "  sfn_strict (bool):*",
            "  sfn_region (string):*",
            "  sfn_account (string):*",
            "  sfn_seed (string):*",
        ]
    )


def test_defaults(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    write_machine("m.asl.json", PASS)
    pytester.makepyfile(REPORT)
    report = run_report(pytester)
    assert report["arn"].startswith("arn:aws:states:us-east-1:123456789012:execution:m:")


@pytest.mark.parametrize("source", ["option", "ini"])
def test_region_account_and_seed(
    pytester: pytest.Pytester, write_machine: WriteMachine, source: str
) -> None:
    write_machine("m.asl.json", PASS)
    pytester.makepyfile(REPORT)
    base = run_report(pytester)
    if source == "option":
        args = ["--sfn-region", "eu-west-3", "--sfn-account", "000011112222", "--sfn-seed", "7"]
    else:
        pytester.makeini(
            "[pytest]\nsfn_region = eu-west-3\nsfn_account = 000011112222\nsfn_seed = 7\n"
        )
        args = []
    report = run_report(pytester, *args)
    assert report["arn"].startswith("arn:aws:states:eu-west-3:000011112222:execution:m:")
    assert report["arn"].rsplit(":", 1)[1] != base["arn"].rsplit(":", 1)[1]  # seeded name
    assert report["r"] != base["r"]
    assert run_report(pytester, *args) == report  # deterministic


def test_command_line_wins_over_ini(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    write_machine("m.asl.json", PASS)
    pytester.makepyfile(REPORT)
    pytester.makeini("[pytest]\nsfn_region = eu-west-3\n")
    report = run_report(pytester, "--sfn-region", "ap-south-1")
    assert report["arn"].startswith("arn:aws:states:ap-south-1:")


def test_client_uses_the_region_and_account(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(sfn_client):
            assert sfn_client.meta.region_name == "eu-central-1"
            arn = sfn_client.create_state_machine(
                name="M", roleArn="arn:aws:iam::000011112222:role/r",
                definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}',
            )["stateMachineArn"]
            assert arn == "arn:aws:states:eu-central-1:000011112222:stateMachine:M"
        """
    )
    result = pytester.runpytest("--sfn-region=eu-central-1", "--sfn-account=000011112222")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--sfn-account", "123"], None, "--sfn-account: '123' is not a 12-digit account id"),
        ([], "sfn_account = abc", "sfn_account: 'abc' is not a 12-digit account id"),
        (["--sfn-region", "Moon"], None, "--sfn-region: 'Moon' is not an AWS region name (like 'us-east-1')"),
        (["--sfn-seed", "x"], None, "--sfn-seed: 'x' is not an integer"),
        ([], "sfn_seed = 1.5", "sfn_seed: '1.5' is not an integer"),
        (["--sfn-definitions-dir", "nope"], None, "--sfn-definitions-dir: */nope is not a directory"),
        ([], "sfn_mocks_dir = gone", "sfn_mocks_dir: */gone is not a directory"),
    ],
)  # fmt: skip
def test_invalid_values_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], ini: str | None, message: str
) -> None:
    if ini is not None:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_it():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_relative_dirs(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    """An ini directory is relative to the ini file; an option one to the current directory."""
    write_machine("project/machines/m.asl.json", PASS)
    (pytester.path / "project" / "tests").mkdir()
    (pytester.path / "project" / "tests" / "test_it.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.sfn(definition="m.asl.json")
            def test_it(sfn):
                sfn.execute().assert_succeeded()
                assert sfn.settings.definitions_dir.name == "machines"
            """
        )
    )
    (pytester.path / "project" / "pytest.ini").write_text(
        "[pytest]\nsfn_definitions_dir = machines\n"
    )
    pytester.runpytest("project").assert_outcomes(passed=1)
    (pytester.path / "project" / "pytest.ini").unlink()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(pytester.path / "project")
        result = pytester.runpytest(
            "--sfn-definitions-dir", "machines", str(pytester.path / "project")
        )
    result.assert_outcomes(passed=1)


def test_definition_found_next_to_the_test_first(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine(
        "machines/m.asl.json",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "dir", "End": True}}},
    )
    write_machine(
        "m.asl.json",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "here", "End": True}}},
    )
    write_machine(
        "machines/only.asl.json",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "only", "End": True}}},
    )
    pytester.makepyfile(
        """
        def test_it(sfn):
            assert sfn.execute("m.asl.json").output == "here"
            assert sfn.execute("only.asl.json").output == "only"
        """
    )
    pytester.runpytest("--sfn-definitions-dir", "machines").assert_outcomes(passed=1)


def test_settings_from_config(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_ADDOPTS")
    config = pytester.parseconfig("--sfn-no-strict", "--sfn-seed", "3")
    settings = SfnSettings.from_config(config)
    assert settings == SfnSettings(strict=False, seed=3)
    assert SfnSettings.from_config(pytester.parseconfig("--sfn-strict")).strict is True
    assert SfnSettings.from_config(pytester.parseconfig()).strict is True


def test_marker_implies_the_fixture_and_options_live_in_the_stash(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("m.asl.json", PASS)
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn.plugin import SfnOptions
        from pytest_sfn.plugin.fixtures import OPTIONS_KEY

        @pytest.mark.sfn(definition="m.asl.json", strict=False)
        def test_marked(request):
            assert "sfn" in request.fixturenames
            options = request.node.stash[OPTIONS_KEY]
            assert options == SfnOptions(definition="m.asl.json", strict=False)
            assert request.getfixturevalue("sfn").options is options

        def test_unmarked(request):
            assert "sfn" not in request.fixturenames
            assert OPTIONS_KEY not in request.node.stash
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_marker_implied_fixture_checks_unused_mocks(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("m.asl.json", {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}})  # fmt: skip
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="m.asl.json")
        def test_it(sfn_mocks, request):
            sfn_mocks.state("T").returns(1).then_returns(2)
            request.getfixturevalue("sfn").execute()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["  - T response #2 (*) was never used"])


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "sfn_mocks -- *",
            "*A fresh *Mocks* builder, applied to the test's executions.",
        ]
    )
    result.stdout.fnmatch_lines(
        ["sfn_client -- *", "*A botocore ``stepfunctions`` client answered in-process*"]
    )
