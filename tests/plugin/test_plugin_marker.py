"""``@pytest.mark.sfn(definition=..., results=...)``: defaults for the ``sfn`` fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import Throw
from pytest_sfn.plugin import SfnOptions

WriteMachine = Callable[[str, Any], Path]
MakeMachine = Callable[..., dict[str, Any]]

NORMAL = {"a": 1}
BUMPED = {"a": 2}
BOOM = Throw("Boom", "exploded")


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        pytest.param([], SfnOptions(), id="no-marker"),
        pytest.param(
            [((), {"definition": "a.json"})], SfnOptions(definition="a.json"), id="definition"
        ),
        pytest.param(
            [((), {"definition": "fn.json"}), ((), {"definition": "class.json"})],
            SfnOptions(definition="fn.json"),
            id="closest-definition-wins",
        ),
        pytest.param(
            [((), {"definition": None}), ((), {"definition": "class.json"})],
            SfnOptions(definition="class.json"),
            id="none-does-not-override",
        ),
        pytest.param(
            [((), {"results": {"A": NORMAL}}), ((), {"results": {"A": BUMPED, "B": BOOM}})],
            SfnOptions(results={"A": NORMAL, "B": BOOM}),
            id="results-merge-per-state-closest-first",
        ),
        pytest.param(
            [((), {"results": {"A": None}}), ((), {"definition": "m.json", "results": {"A": 1}})],
            SfnOptions(definition="m.json", results={"A": None}),
            id="null-result-is-a-result",
        ),
    ],
)
def test_options_merge(
    markers: list[tuple[tuple[Any, ...], dict[str, Any]]], expected: SfnOptions
) -> None:
    assert SfnOptions.from_markers(markers) == expected


@pytest.mark.parametrize(
    ("markers", "message"),
    [
        pytest.param(
            [(("a.json",), {})],
            "@pytest.mark.sfn takes keyword arguments only (definition=..., results=...), "
            "got positional ('a.json',)",
            id="positional",
        ),
        pytest.param(
            [((), {"result": {}})],
            "@pytest.mark.sfn got an unexpected keyword argument 'result' (did you mean "
            "'results'?); it accepts: definition, results",
            id="typo",
        ),
        pytest.param(
            [((), {"mocks": "x.yaml"})],
            "@pytest.mark.sfn got an unexpected keyword argument 'mocks'; it accepts: "
            "definition, results",
            id="unknown",
        ),
        pytest.param(
            [((), {"results": [1]})],
            "@pytest.mark.sfn(results=...) must be a mapping of Task state name to result, "
            "not list",
            id="results-not-mapping",
        ),
    ],
)
def test_options_reject_bad_markers(
    markers: list[tuple[tuple[Any, ...], dict[str, Any]]], message: str
) -> None:
    with pytest.raises(TypeError) as info:
        SfnOptions.from_markers(markers)
    assert str(info.value) == message


_names = st.sampled_from(["A", "B", "Charge", "Notify"])
_markers = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "definition": st.one_of(st.none(), st.sampled_from(["a.json", "b.json"])),
            "results": st.dictionaries(_names, st.integers()),
        },
    ),
    max_size=5,
)


@given(_markers)
def test_options_merge_is_closest_first_per_key(kwargs_list: list[dict[str, Any]]) -> None:
    options = SfnOptions.from_markers([((), kwargs) for kwargs in kwargs_list])
    # Applying the markers farthest-first, each overriding the previous, gives the same.
    expected_results: dict[str, Any] = {}
    expected_definition = None
    for kwargs in reversed(kwargs_list):
        expected_results.update(kwargs.get("results") or {})
        if kwargs.get("definition") is not None:
            expected_definition = kwargs["definition"]
    assert options.results == expected_results
    assert options.definition == expected_definition


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.sfn(definition=None, results=None): defaults for the sfn fixture*"]
    )


def test_marker_passes_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(results={})
        def test_it():
            pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_marker_supplies_definition_and_results(
    pytester: pytest.Pytester, write_machine: WriteMachine, task_machine: MakeMachine
) -> None:
    write_machine("machines/charge.asl.json", task_machine("Charge"))
    pytester.makepyfile(
        """
        import pytest
        from pytest_sfn import Throw

        pytestmark = pytest.mark.sfn(
            definition="machines/charge.asl.json", results={"Charge": {"ok": True}}
        )

        def test_input_positional(sfn):
            execution = sfn.execute({"orderId": 1})
            assert execution.input == {"orderId": 1}
            assert execution.output == {"ok": True}

        def test_input_keyword(sfn):
            assert sfn.execute(input="text").input == "text"

        def test_no_input(sfn):
            assert sfn.execute().input == {}

        def test_results_override_per_state(sfn):
            execution = sfn.execute({}, results={"Charge": Throw("Card.Declined", "no")})
            assert (execution.status, execution.error) == ("FAILED", "Card.Declined")

        def test_explicit_path_still_gets_marker_results(sfn):
            assert sfn.execute("machines/charge.asl.json", {}).output == {"ok": True}

        def test_tasks_handler_replaces_marker_results(sfn):
            from pytest_sfn import TaskOutcome
            execution = sfn.execute({}, tasks=lambda request: TaskOutcome(output="handler"))
            assert execution.output == "handler"
        """
    )
    pytester.runpytest().assert_outcomes(passed=6)


def test_markers_merge_closest_first(
    pytester: pytest.Pytester, write_machine: WriteMachine
) -> None:
    two_tasks = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "B",
                  "ResultPath": "$.a"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                  "ResultPath": "$.b"},
        },
    }  # fmt: skip
    write_machine("module.asl.json", two_tasks)
    write_machine("klass.asl.json", two_tasks)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sfn(definition="module.asl.json", results={"A": "module"})

        @pytest.mark.sfn(definition="klass.asl.json", results={"A": "class", "B": "class"})
        class TestOrders:
            def test_class_defaults(self, sfn):
                execution = sfn.execute({})
                assert execution.state_machine_arn.endswith(":stateMachine:klass")
                assert execution.output == {"a": "class", "b": "class"}

            @pytest.mark.sfn(results={"B": "function"})
            def test_function_overrides_one_state(self, sfn):
                assert sfn.execute({}).output == {"a": "class", "b": "function"}

        @pytest.mark.sfn(results={"B": "function"})
        def test_module_and_function(sfn):
            execution = sfn.execute({})
            assert execution.state_machine_arn.endswith(":stateMachine:module")
            assert execution.output == {"a": "module", "b": "function"}
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_bad_marker_fails_the_test_cleanly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(defintion="m.asl.json")
        def test_it(sfn):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sfn got an unexpected keyword argument 'defintion' (did you mean "
            "'definition'?); it accepts: definition, results"
        ]
    )
    assert "options.py" not in result.stdout.str()


def test_input_given_twice_is_an_error(
    pytester: pytest.Pytester, write_machine: WriteMachine, pass_machine: MakeMachine
) -> None:
    write_machine("m.asl.json", pass_machine(1))
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sfn(definition="m.asl.json")
        def test_it(sfn):
            with pytest.raises(TypeError, match="must be a StateMachine or a definition path, not dict"):
                sfn.execute({"a": 1}, input={"b": 2})
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_return_with_duration_via_marker(
    pytester: pytest.Pytester, write_machine: WriteMachine, task_machine: MakeMachine
) -> None:
    write_machine("m.asl.json", task_machine("Slow"))
    pytester.makepyfile(
        """
        from datetime import timedelta
        import pytest
        from pytest_sfn import Return

        @pytest.mark.sfn(definition="m.asl.json", results={"Slow": Return("done", duration=90)})
        def test_it(sfn):
            execution = sfn.execute()
            assert execution.stop_time - execution.start_time == timedelta(seconds=90)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
