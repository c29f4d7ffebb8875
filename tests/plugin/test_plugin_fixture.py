"""The ``sfn`` fixture: loading, path resolution, caching, executions, failure messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WriteMachine = Callable[[str, Any], Path]
MakeMachine = Callable[..., dict[str, Any]]


def test_fixture_loads_and_executes(
    pytester: pytest.Pytester, write_machine: WriteMachine, pass_machine: MakeMachine
) -> None:
    write_machine("hello.asl.json", pass_machine({"greeting": "hello"}))
    pytester.makepyfile(
        """
        from pathlib import Path
        from pytest_sfn import Execution, StateMachine
        from pytest_sfn.plugin import SfnHarness

        def test_it(sfn):
            assert isinstance(sfn, SfnHarness)
            assert sfn.executions == []
            machine = sfn.load("hello.asl.json")
            assert isinstance(machine, StateMachine)
            assert machine.name == "hello"
            first = sfn.execute(machine, {"x": 1})
            assert isinstance(first, Execution)
            assert (first.status, first.output) == ("SUCCEEDED", {"greeting": "hello"})
            assert first.input == {"x": 1}
            second = sfn.execute("hello.asl.json")
            third = sfn.execute(Path("hello.asl.json"), input=[1, 2])
            assert second.input == {}
            assert third.input == [1, 2]
            assert sfn.executions == [first, second, third]

        def test_executions_are_per_test(sfn):
            assert sfn.executions == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_relative_paths_resolve_against_each_test_file(
    pytester: pytest.Pytester, write_machine: WriteMachine, pass_machine: MakeMachine
) -> None:
    write_machine("billing/machine.asl.json", pass_machine("billing"))
    write_machine("shipping/machine.asl.json", pass_machine("shipping"))
    write_machine("shipping/sub/deeper.asl.json", pass_machine("deeper"))
    for package in ("billing", "shipping"):
        (pytester.path / package / f"test_{package}.py").write_text(
            "def test_it(sfn):\n"
            f"    assert sfn.execute('machine.asl.json').output == {package!r}\n"
            f"    assert sfn.resolve('machine.asl.json').parent.name == {package!r}\n"
        )
    (pytester.path / "shipping" / "test_nested.py").write_text(
        "def test_nested(sfn):\n    assert sfn.execute('sub/deeper.asl.json').output == 'deeper'\n"
    )
    # Run from another directory: the current directory must not matter.
    (pytester.path / "elsewhere").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(pytester.path / "elsewhere")
        result = pytester.runpytest(str(pytester.path))
    result.assert_outcomes(passed=3)


def test_absolute_paths_are_used_as_given(
    pytester: pytest.Pytester, write_machine: WriteMachine, pass_machine: MakeMachine
) -> None:
    path = write_machine("machines/m.asl.json", pass_machine(7))
    pytester.makepyfile(
        f"""
        def test_it(sfn):
            assert sfn.execute({str(path)!r}).output == 7
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_loaded_machines_are_cached_for_the_session(
    pytester: pytest.Pytester, write_machine: WriteMachine, pass_machine: MakeMachine
) -> None:
    write_machine("m.asl.json", pass_machine(1))
    write_machine("sub/m.asl.json", pass_machine(2))
    pytester.makepyfile(
        test_one="""
        SEEN = {}

        def test_first(sfn):
            SEEN["plain"] = sfn.load("m.asl.json")
            SEEN["named"] = sfn.load("m.asl.json", name="Orders")
            assert SEEN["named"].name == "Orders"
            assert SEEN["named"] is not SEEN["plain"]
            assert sfn.load("sub/../m.asl.json") is SEEN["plain"]
            assert sfn.load("sub/m.asl.json") is not SEEN["plain"]

        def test_second(sfn):
            assert sfn.load("m.asl.json") is SEEN["plain"]
            assert sfn.load("m.asl.json", name="Orders") is SEEN["named"]
            assert sfn.load("m.asl.json", type="EXPRESS") is not SEEN["plain"]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_definition_error_is_a_clean_failure(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine(
        "broken.asl.json",
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Succeed"}},
        },
    )
    pytester.makepyfile(
        """
        def test_broken(sfn):
            sfn.execute("broken.asl.json", {"x": 1})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       sfn.execute("broken.asl.json", {"x": 1})',
            "E       pytest_sfn.errors.DefinitionError: invalid state machine definition in "
            "*broken.asl.json (*problem*):",
            "E         - MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next",
        ],
        consecutive=True,
    )
    output = result.stdout.str()
    # No frames of the harness, the loader or the validator.
    assert "pytest_sfn/parsing" not in output
    assert "pytest_sfn/machine.py" not in output
    assert "harness.py" not in output


def test_invalid_json_names_file_and_line(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("truncated.asl.json", '{\n  "StartAt": "A",\n')
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.load("truncated.asl.json")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.DefinitionError: invalid state machine definition in "
            "*truncated.asl.json (1 problem):",
            "E         - INVALID_JSON_DESCRIPTION: line 3, column 1: *",
        ],
        consecutive=True,
    )


def test_definition_error_can_be_expected(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("broken.asl.json", {"StartAt": "Missing", "States": {"A": {"Type": "Succeed"}}})
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import DefinitionError

        def test_it(sfn):
            with pytest.raises(DefinitionError) as info:
                sfn.load("broken.asl.json")
            assert info.value.diagnostics[0].location == "/StartAt"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_missing_file_is_a_definition_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.load("nope.asl.json")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.DefinitionError: *nope.asl.json*",
            "E         - SOURCE_NOT_FOUND: file 'nope.asl.json' not found (looked for "
            f"{pytester.path / 'nope.asl.json'})",
        ]
    )


def test_unmocked_task_is_a_clean_failure(
    pytester: pytest.Pytester, write_machine: WriteMachine, task_machine: MakeMachine
) -> None:
    write_machine("charge.asl.json", task_machine("ChargeCard"))
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.execute("charge.asl.json", {}, results={"ChargeCrad": {"ok": True}})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.UnmockedTaskError: Task state 'ChargeCard' (resource "
            "arn:aws:states:::lambda:invoke) has no result (did you mean 'ChargeCrad'?). "
            "Results exist for: ChargeCrad. Pass results={...} naming it."
        ]
    )
    assert "pytest_sfn/engine" not in result.stdout.str()


def test_execute_without_a_machine_explains_what_to_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.execute({"orderId": 1})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       ValueError: sfn.execute() needs a state machine: pass a StateMachine or a "
            "definition path, or mark the test with @pytest.mark.sfn(definition='...')"
        ]
    )


def test_fixture_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(
        ["sfn -- *", "*Load and execute AWS Step Functions state machines*"]
    )


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_it(sfn):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:sfn")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'sfn' not found*"])
    assert "pytest-sfn" not in result.stdout.str()


def test_report_header(pytester: pytest.Pytester) -> None:
    from pytest_sfn import __version__

    pytester.makepyfile("def test_it():\n    pass\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([f"pytest-sfn {__version__}"])


TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ChargeFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12}
  Orders:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Charge
        States:
          Charge:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: "${ChargeArn}", Table: "${TableName}"}
            End: true
      DefinitionSubstitutions:
        ChargeArn: !GetAtt ChargeFunction.Arn
        TableName: !Ref OrdersTable
  Refunds:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
"""


def test_templates_and_substitutions(pytester: pytest.Pytester) -> None:
    (pytester.path / "infra").mkdir()
    (pytester.path / "infra" / "template.yaml").write_text(TEMPLATE)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(
            definition="infra/template.yaml#Orders", mocks={"Charge": {"return": 1}}
        )

        def test_placeholders(sfn):
            execution = sfn.execute({})
            assert execution.calls("Charge")[0].parameters == {
                "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:ChargeFunction",
                "Table": "<unresolved Ref OrdersTable>",
            }

        @pytest.mark.sfn(substitutions={"TableName": "from-marker", "ChargeArn": "marker"})
        def test_marker_substitutions(sfn):
            execution = sfn.execute({})
            assert execution.calls("Charge")[0].parameters == {
                "FunctionName": "marker", "Table": "from-marker",
            }
            machine = sfn.load("infra/template.yaml#Orders", substitutions={"ChargeArn": "load"})
            params = sfn.execute(machine, {}).calls("Charge")[0].parameters
            assert params == {"FunctionName": "load", "Table": "from-marker"}

        def test_other_logical_id(sfn):
            machine = sfn.load("infra/template.yaml#Refunds")
            assert machine.name == "Refunds"
            assert sfn.execute(machine, {"x": 1}, strict=False).output == {"x": 1}

        def test_unknown_logical_id(sfn):
            sfn.load("infra/template.yaml#Refund")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       sfn.load("infra/template.yaml#Refund")',
            "E       pytest_sfn.errors.DefinitionError: invalid state machine definition in "
            "infra/template.yaml#Refund (1 problem):",
            "E         - STATE_MACHINE_NOT_FOUND: no state machine 'Refund' in *template.yaml*"
            "(did you mean 'Refunds'?)*",
        ],
        consecutive=True,
    )
    assert "pytest_sfn/" not in result.stdout.str()


def test_task_parameters_the_api_does_not_have_are_warned_about_once(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine(
        "put.asl.json",
        {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName": "t", "Itm": {"id": {"S": "1"}}},
                    "End": True,
                }
            },
        },
    )
    pytester.makepyfile(
        """
        def test_one(sfn):
            sfn.load("put.asl.json")

        def test_two(sfn):
            sfn.load("put.asl.json")  # cached: no second warning
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            '*put.asl.json:1: DefinitionWarning: SCHEMA_VALIDATION_FAILED: The field "Itm" is '
            "not supported by Step Functions (did you mean 'Item'?) at /States/Put/Parameters",
        ]
    )
    assert result.stdout.str().count("DefinitionWarning:") == 2  # 'Itm' unknown, 'Item' missing

    strict = pytester.runpytest(
        "-p", "no:cacheprovider", "-W", "error::pytest_sfn.DefinitionWarning"
    )
    strict.assert_outcomes(passed=1, failed=1)
