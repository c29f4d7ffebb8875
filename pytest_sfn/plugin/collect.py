"""``*.sfn.yaml`` / ``*.sfn.yml`` scenario files collected as tests, one item per scenario
and one per ``test_state:`` entry.

The file is read and checked against the scenario schema, and its state machine loaded,
at collection: a malformed file, a missing or invalid state machine, or shared mocks
naming a state the machine lacks (strict) is one collection error naming the file, line
and key path. Each scenario becomes a :class:`ScenarioItem` named after the scenario, so
``-k``, ``--lf`` and node ids (``orders.sfn.yaml::happy path``) work. Each ``test_state:``
entry becomes a :class:`StateCaseItem` named after the entry (default: its state).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_sfn.errors import DefinitionError, MockError
from pytest_sfn.machine import StateMachine
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.mocks.model import MockSet
from pytest_sfn.plugin.fixtures import CACHE_KEY, FILES_KEY, hook_tasks, settings_of
from pytest_sfn.plugin.options import SfnSettings
from pytest_sfn.plugin.tasks import TaskWiring, activity_arns, botocore_tasks, build_tasks
from pytest_sfn.testing.machines import load_machine, state_names
from pytest_sfn.testing.scenario import (
    SCENARIO_SUFFIXES,
    Scenario,
    ScenarioFile,
    ScenarioResult,
    ScenarioTasks,
    format_report,
    read_scenario_file,
    run_scenario,
)
from pytest_sfn.testing.state_checks import (
    StateCase,
    StateCaseResult,
    format_state_report,
    run_state_case,
)

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

__all__ = [
    "ScenarioCollector",
    "ScenarioFailed",
    "ScenarioItem",
    "StateCaseFailed",
    "StateCaseItem",
    "is_scenario_file",
]

#: What carries ``tasks`` (the sections answering Tasks without a mock).
_Owner = Scenario | StateCase


def is_scenario_file(path: Path) -> bool:
    """Whether ``path`` is named like a scenario file."""
    return path.name.endswith(SCENARIO_SUFFIXES)


class ScenarioFailed(AssertionError):
    """A scenario did not meet its expectations (carries the :class:`ScenarioResult`)."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(f"scenario {result.scenario.name!r} failed")
        self.result = result


class StateCaseFailed(AssertionError):
    """A ``test_state:`` entry did not get what it expects (carries the result)."""

    def __init__(self, result: StateCaseResult) -> None:
        super().__init__(f"test_state {result.case.name!r} failed")
        self.result = result


class ScenarioCollector(pytest.File):
    """A scenario file: one :class:`ScenarioItem` per scenario, then one
    :class:`StateCaseItem` per ``test_state:`` entry."""

    def collect(self) -> Iterator[ScenarioItem | StateCaseItem]:
        """Read the file, load its state machine and yield its scenarios.

        Raises:
            CollectError: the file or its state machine is wrong (one readable message).
        """
        settings = settings_of(self.config)
        files = self.config.stash.setdefault(FILES_KEY, {})
        try:
            key = ("scenario", str(self.path.resolve()))
            document = files.get(key)
            if document is None:
                document = files[key] = read_scenario_file(self.path, display=self._display())
            machine = self._machine(document, settings)
            names = list(state_names(machine))
            owners: list[_Owner] = [*document.scenarios, *document.state_cases]
            for owner in owners:
                for child in _children(self.config, self.path, owner, settings).values():
                    names += [n for n in state_names(child) if n not in names]
            strict = settings.strict if document.strict is None else document.strict
            if strict:
                # Shared mocks naming an unknown state: one error, not one per scenario.
                MockHandler(document.mocks).check_states(names)
        except (MockError, DefinitionError) as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in document.scenarios:
            yield ScenarioItem.from_parent(
                self, name=scenario.name, scenario=scenario, machine=machine,
                names=frozenset(names),
            )  # fmt: skip
        for case in document.state_cases:
            yield StateCaseItem.from_parent(
                self, name=case.name, case=case, machine=machine, names=frozenset(names),
                shared=document.mocks,
            )  # fmt: skip

    def _display(self) -> str:
        try:
            return str(self.path.relative_to(self.config.rootpath))
        except ValueError:
            return str(self.path)

    def _machine(self, document: ScenarioFile, settings: SfnSettings) -> StateMachine:
        spec = document.state_machine
        cache = self.config.stash.setdefault(CACHE_KEY, {})
        try:
            return load_machine(
                spec, base_dir=self.path.parent, search_dir=settings.definitions_dir,
                substitutions=document.substitutions, cache=cache,
                region=settings.region, account=settings.account,
            )  # fmt: skip
        except DefinitionError as exc:
            where = document.where("/state_machine")
            raise self.CollectError(
                f"{where}: /state_machine: cannot load {spec!r}:\n{exc}"
            ) from None


def _children(
    config: pytest.Config, path: Path, scenario: _Owner, settings: SfnSettings
) -> dict[str, StateMachine]:
    """The scenario's child state machines (``machines:``), loaded (and cached)."""
    cache = config.stash.setdefault(CACHE_KEY, {})
    out = {}
    for key, spec in _tasks_of(scenario).machines.items():
        try:
            out[key] = load_machine(
                spec, base_dir=path.parent, search_dir=settings.definitions_dir,
                substitutions={}, cache=cache, region=settings.region, account=settings.account,
            )  # fmt: skip
        except DefinitionError as exc:
            where = scenario.lines.where(scenario.source, "/machines")
            raise DefinitionError(
                exc.diagnostics, source=f"{where}: machines: {key}: cannot load {spec!r}"
            ) from None
    return out


def _tasks_of(owner: _Owner) -> ScenarioTasks:
    return owner.tasks if owner.tasks is not None else ScenarioTasks()


def scenario_wiring(
    config: pytest.Config, path: Path, scenario: _Owner, settings: SfnSettings
) -> TaskWiring:
    """What answers the Tasks of a scenario (or ``test_state:`` entry) that have no mock."""
    tasks = _tasks_of(scenario)
    botocore = None
    if tasks.aws is not None:
        botocore = botocore_tasks(True, str(tasks.aws.get("region") or settings.region))
    return TaskWiring(
        lambdas=dict(tasks.lambdas),
        machines=_children(config, path, scenario, settings),
        activities=activity_arns(tasks.activities, settings.region, settings.account),
        http=tasks.http,
        connections=dict(tasks.connections),
        botocore=botocore,
        hooks=hook_tasks(config),
        validate=(tasks.validate or settings.validate).upper(),
        base_dir=path.parent,
    )


class ScenarioItem(pytest.Item):
    """One scenario of a scenario file, run as a test."""

    def __init__(
        self,
        *,
        scenario: Scenario,
        machine: StateMachine,
        names: frozenset[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.machine = machine
        self.names = names

    def runtest(self) -> None:
        """Run the scenario; raise :class:`ScenarioFailed` if an expectation is not met."""
        settings = settings_of(self.config)
        strict = settings.strict if self.scenario.strict is None else self.scenario.strict
        wiring = scenario_wiring(self.config, self.path, self.scenario, settings)
        result = run_scenario(
            self.scenario, self.machine, strict=strict, seed=settings.seed, names=self.names,
            tasks=lambda handler: build_tasks(handler, wiring),
        )  # fmt: skip
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | TerminalRepr:
        """The scenario report, or the message of a mock or definition error."""
        if isinstance(excinfo.value, ScenarioFailed):
            verbose = int(self.config.getoption("verbose", 0) or 0) > 0
            return format_report(excinfo.value.result, verbose=verbose)
        if isinstance(excinfo.value, (MockError, DefinitionError)):
            return f"scenario {self.name!r} ({self.scenario.where()}):\n{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """The file, the scenario's 0-based line and ``scenario: <name>``."""
        line = self.scenario.line
        return self.path, (line - 1 if line is not None else None), f"scenario: {self.name}"


class StateCaseItem(pytest.Item):
    """One ``test_state:`` entry of a scenario file: one state tested with TestState."""

    def __init__(
        self,
        *,
        case: StateCase,
        machine: StateMachine,
        names: frozenset[str],
        shared: MockSet,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.machine = machine
        self.names = names
        self.shared = shared

    def runtest(self) -> None:
        """Test the state; raise :class:`StateCaseFailed` if an expectation is not met."""
        settings = settings_of(self.config)
        wiring = scenario_wiring(self.config, self.path, self.case, settings)
        mocks = MockHandler(self.shared) if self.shared.states else None
        result = run_state_case(
            self.case, self.machine, tasks=build_tasks(mocks, wiring), names=self.names
        )
        if not result.passed:
            raise StateCaseFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | TerminalRepr:
        """The entry's report: each unmet expectation and what TestState returned."""
        if isinstance(excinfo.value, StateCaseFailed):
            return format_state_report(excinfo.value.result)
        if isinstance(excinfo.value, (MockError, DefinitionError)):
            return f"test_state {self.name!r} ({self.case.where()}):\n{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """The file, the entry's 0-based line and ``test_state: <name>``."""
        line = self.case.line
        return self.path, (line - 1 if line is not None else None), f"test_state: {self.name}"
