"""``*.sfn.yaml`` / ``*.sfn.yml`` scenario files collected as tests, one item per scenario.

The file is read and checked against the scenario schema, and its state machine loaded,
at collection: a malformed file, a missing or invalid state machine, or shared mocks
naming a state the machine lacks (strict) is one collection error naming the file, line
and key path. Each scenario becomes a :class:`ScenarioItem` named after the scenario, so
``-k``, ``--lf`` and node ids (``orders.sfn.yaml::happy path``) work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_sfn.errors import DefinitionError, MockError
from pytest_sfn.machine import StateMachine
from pytest_sfn.mocks.handler import MockHandler
from pytest_sfn.plugin.fixtures import CACHE_KEY, FILES_KEY, settings_of
from pytest_sfn.plugin.options import SfnSettings
from pytest_sfn.testing.machines import load_machine, state_names
from pytest_sfn.testing.scenario import (
    SCENARIO_SUFFIXES,
    Scenario,
    ScenarioFile,
    ScenarioResult,
    format_report,
    read_scenario_file,
    run_scenario,
)

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

__all__ = ["ScenarioCollector", "ScenarioFailed", "ScenarioItem", "is_scenario_file"]


def is_scenario_file(path: Path) -> bool:
    """Whether ``path`` is named like a scenario file."""
    return path.name.endswith(SCENARIO_SUFFIXES)


class ScenarioFailed(AssertionError):
    """A scenario did not meet its expectations (carries the :class:`ScenarioResult`)."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(f"scenario {result.scenario.name!r} failed")
        self.result = result


class ScenarioCollector(pytest.File):
    """A scenario file: its children are one :class:`ScenarioItem` per scenario."""

    def collect(self) -> Iterator[ScenarioItem]:
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
            names = state_names(machine)
            strict = settings.strict if document.strict is None else document.strict
            if strict:
                # Shared mocks naming an unknown state: one error, not one per scenario.
                MockHandler(document.mocks).check_states(names)
        except (MockError, DefinitionError) as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in document.scenarios:
            yield ScenarioItem.from_parent(
                self, name=scenario.name, scenario=scenario, machine=machine, names=names
            )

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
        result = run_scenario(
            self.scenario, self.machine, strict=strict, seed=settings.seed, names=self.names
        )
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
