"""The extension hooks: ``pytest_sfn_task_handlers`` and ``pytest_sfn_resolve_task``."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import WriteMachine

VALIDATE_MOCKS = True

PRICING = {
    "StartAt": "Price",
    "States": {
        "Price": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:internal-price",
            "Parameters": {"quantity.$": "$.quantity"},
            "Retry": [{"ErrorEquals": ["MyCorp.Busy"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "End": True,
        }
    },
}

CONFTEST = """
from pytest_sfn import Throw

def price(request):
    if request.attempt == 0 and request.parameters["quantity"] < 0:
        return Throw("MyCorp.Busy", "try again")
    return {"price": 42 * request.parameters["quantity"], "attempt": request.attempt}

def decline(request):
    return None

def pytest_sfn_task_handlers(config):
    return [("arn:aws:lambda:*:function:internal-*", decline),
            ("arn:aws:lambda:*:function:internal-*", price)]
"""


def test_conftest_handler_answers_like_a_builtin(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("pricing.asl.json", PRICING)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="pricing.asl.json")
        def test_handler(sfn):
            execution = sfn.execute({"quantity": 2})
            assert execution.output == {"price": 84, "attempt": 0}
            assert execution.calls("Price")[0].parameters == {"quantity": 2}

        @pytest.mark.sfn(definition="pricing.asl.json")
        def test_retry_sees_the_handler_error(sfn):
            execution = sfn.execute({"quantity": -1})
            assert [c.error for c in execution.calls("Price")] == ["MyCorp.Busy", None]

        @pytest.mark.sfn(definition="pricing.asl.json", mocks={"Price": {"return": {"m": 1}}})
        def test_mock_wins(sfn):
            assert sfn.execute({"quantity": 2}).output == {"m": 1}
        """
    )
    pytester.makefile(
        ".sfn.yaml",
        pricing="""\
        state_machine: pricing.asl.json
        scenarios:
          - name: from the hook
            input: {quantity: 1}
            expect: {output: {price: 42, attempt: 0}}
        """,
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_plugin_module_with_resolve_hook(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    write_machine("pricing.asl.json", PRICING)
    pytester.makepyfile(
        mycorp_plugin="""
        from pytest_sfn import TaskOutcome

        def pytest_sfn_resolve_task(request, config):
            if not request.resource.arn.endswith(":internal-price"):
                return None
            return TaskOutcome(output={"resolved": request.state_name}, duration=5)
        """,
        test_it="""
        def test_it(sfn):
            execution = sfn.execute("pricing.asl.json", {"quantity": 1})
            assert execution.output == {"resolved": "Price"}
            assert (execution.stop_time - execution.start_time).total_seconds() == 5
        """,
    )
    pytester.syspathinsert()
    pytester.runpytest("-p", "mycorp_plugin").assert_outcomes(passed=1)
    # Without the plugin nothing answers, and the error names the hook.
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       Or register a handler for 'arn:aws:lambda:us-east-1:123456789012:function:"
            "internal-price' with the "
            "pytest_sfn_task_handlers hook in conftest.py*"
        ]
    )


def test_hook_results_are_validated(pytester: pytest.Pytester, write_machine: WriteMachine) -> None:
    definition = {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": []},
                "End": True,
            }
        },
    }
    write_machine("events.asl.json", definition)
    pytester.makeconftest(
        """
        def bad(request):
            return {"Entries": "nope"}

        def pytest_sfn_task_handlers(config):
            return [("arn:aws:states:::events:*", bad)]
        """
    )
    pytester.makepyfile(
        """
        def test_it(sfn):
            sfn.execute("events.asl.json", {})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_sfn.errors.MockError: Task state 'Publish' "
            "(arn:aws:states:::events:putEvents): the result of bad (pattern "
            "'arn:aws:states:::events:*', from */conftest.py) does not fit*",
            "E         Mock result schema validation error: Field 'Entries' must be an array",
        ]
    )


def test_bad_registration_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_sfn_task_handlers(config):
            return ["arn:aws:states:::mycorp:*"]
        """
    )
    pytester.makepyfile("def test_it(sfn):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*pytest_sfn_task_handlers of */conftest.py must return a list of (pattern, handler)*"]
    )


def test_unknown_hook_arguments_are_rejected(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_sfn_task_handlers(config, nope):
            return []
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*pytest_sfn_task_handlers*nope*"])
