"""``@pytest.mark.sfn(definition=..., results=...)``: defaults for the ``sfn`` fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sfn import Mocks, MockSet, Throw
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
        pytest.param(
            [((), {"mocks": "fn.yaml"}), ((), {"mocks": {"A": {"return": 1}}})],
            SfnOptions(mocks=({"A": {"return": 1}}, "fn.yaml")),
            id="mocks-kept-farthest-first",
        ),
        pytest.param(
            [((), {"scenario": "Retry"}), ((), {"scenario": "Happy", "mocks": "m.json"})],
            SfnOptions(scenario="Retry", mocks=("m.json",)),
            id="closest-scenario-wins",
        ),
        pytest.param(
            [((), {"strict": False}), ((), {"strict": True})],
            SfnOptions(strict=False),
            id="closest-strict-wins-even-false",
        ),
        pytest.param(
            [((), {"strict": None}), ((), {"strict": False})],
            SfnOptions(strict=False),
            id="strict-none-does-not-override",
        ),
        pytest.param(
            [((), {"substitutions": {"A": "fn"}}), ((), {"substitutions": {"A": "m", "B": "m"}})],
            SfnOptions(substitutions={"A": "fn", "B": "m"}),
            id="substitutions-merge-per-name",
        ),
    ],
)
def test_options_merge(
    markers: list[tuple[tuple[Any, ...], dict[str, Any]]], expected: SfnOptions
) -> None:
    assert SfnOptions.from_markers(markers) == expected


ACCEPTS = (
    "it accepts: definition, mocks, scenario, strict, substitutions, results, lambdas, "
    "machines, activities, http, connections, botocore, validate"
)


@pytest.mark.parametrize(
    ("markers", "message"),
    [
        pytest.param(
            [(("a.json",), {})],
            "@pytest.mark.sfn takes keyword arguments only (definition, mocks, scenario, "
            "strict, substitutions, results, lambdas, machines, activities, http, connections, "
            "botocore, validate), got positional ('a.json',)",
            id="positional",
        ),
        pytest.param(
            [((), {"result": {}})],
            "@pytest.mark.sfn got an unexpected keyword argument 'result' (did you mean "
            f"'results'?); {ACCEPTS}",
            id="typo",
        ),
        pytest.param(
            [((), {"seed": 3})],
            f"@pytest.mark.sfn got an unexpected keyword argument 'seed'; {ACCEPTS}",
            id="unknown",
        ),
        pytest.param(
            [((), {"results": [1]})],
            "@pytest.mark.sfn(results=...) must be a mapping of Task state name to result, "
            "not list",
            id="results-not-mapping",
        ),
        pytest.param(
            [((), {"definition": 3})],
            "@pytest.mark.sfn(definition=...) must be a path or 'template.yaml#LogicalId', not int",
            id="definition-not-a-path",
        ),
        pytest.param(
            [((), {"scenario": ["a"]})],
            "@pytest.mark.sfn(scenario=...) must be a str, not list",
            id="scenario-not-str",
        ),
        pytest.param(
            [((), {"strict": "yes"})],
            "@pytest.mark.sfn(strict=...) must be True or False, not 'yes'",
            id="strict-not-bool",
        ),
        pytest.param(
            [((), {"substitutions": {"Table": 1}})],
            "@pytest.mark.sfn(substitutions=...) must be a mapping of str to str, not {'Table': 1}",
            id="substitutions-not-str",
        ),
        pytest.param(
            [((), {"mocks": 42})],
            "@pytest.mark.sfn(mocks=...) must be a file path, a dict, a MockSet or a Mocks "
            "builder, not int",
            id="mocks-wrong-type",
        ),
    ],
)
def test_options_reject_bad_markers(
    markers: list[tuple[tuple[Any, ...], dict[str, Any]]], message: str
) -> None:
    with pytest.raises(TypeError) as info:
        SfnOptions.from_markers(markers)
    assert str(info.value) == message


def test_options_accept_every_mock_source() -> None:
    built = Mocks()
    mock_set = MockSet()
    options = SfnOptions.from_markers(
        [((), {"mocks": built}), ((), {"mocks": mock_set}), ((), {"mocks": Path("m.yaml")})]
    )
    assert options.mocks == (Path("m.yaml"), mock_set, built)


_names = st.sampled_from(["A", "B", "Charge", "Notify"])
_markers = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "definition": st.one_of(st.none(), st.sampled_from(["a.json", "b.json"])),
            "scenario": st.one_of(st.none(), st.sampled_from(["Happy", "Retry"])),
            "strict": st.one_of(st.none(), st.booleans()),
            "mocks": st.one_of(st.none(), st.sampled_from(["x.yaml", "y.yaml"])),
            "results": st.dictionaries(_names, st.integers()),
            "substitutions": st.dictionaries(_names, st.sampled_from(["1", "2"])),
        },
    ),
    max_size=5,
)


@given(_markers)
def test_options_merge_is_closest_first_per_key(kwargs_list: list[dict[str, Any]]) -> None:
    options = SfnOptions.from_markers([((), kwargs) for kwargs in kwargs_list])
    # Applying the markers farthest-first, each overriding the previous, gives the same.
    expected: dict[str, Any] = {"results": {}, "substitutions": {}, "mocks": []}
    for kwargs in reversed(kwargs_list):
        for key in ("results", "substitutions"):
            expected[key].update(kwargs.get(key) or {})
        for key in ("definition", "scenario", "strict"):
            if kwargs.get(key) is not None:
                expected[key] = kwargs[key]
        if kwargs.get("mocks") is not None:
            expected["mocks"].append(kwargs["mocks"])
    assert options.results == expected["results"]
    assert options.substitutions == expected["substitutions"]
    assert options.mocks == tuple(expected["mocks"])
    assert options.definition == expected.get("definition")
    assert options.scenario == expected.get("scenario")
    assert options.strict == expected.get("strict")


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sfn(definition=None, mocks=None, scenario=None, strict=None, "
            "substitutions=None, results=None, lambdas=None, machines=None, activities=None, "
            "http=None, connections=None, botocore=None, validate=None): configure the sfn "
            "fixtures of a "
            "test*"
        ]
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
            f"'definition'?); {ACCEPTS}"
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
