"""YAML scenario files and running their scenarios, without pytest.

A scenario file (``*.sfn.yaml``) names a state machine and lists scenarios, each with an
input, mocks and expectations (the file's JSON Schema is
``pytest_sfn/mocks/schema/scenario.schema.json``)::

    state_machine: ../statemachines/order.asl.json   # or template.yaml#LogicalId
    mocks: {...}                                     # shared by every scenario
    scenarios:
      - name: happy path
        input: {orderId: o-1}
        mocks: {Charge: {return: {StatusCode: 200, Payload: {ok: true}}}}
        expect: {status: SUCCEEDED, path: [Validate, Charge]}
        redrive:                                     # optional: fix, redrive, check
          mocks: {Charge: {return: {StatusCode: 200, Payload: {ok: true}}}}
          expect: {status: SUCCEEDED, rerun: [Charge], kept: [Validate], transitions: 1}
    test_state:                                      # one state in isolation (TestState)
      - {state: Charge, mock: {result: {Payload: 1}}, expect: {status: SUCCEEDED}}

:func:`read_scenario_file` reads and validates a file; :func:`run_scenario` runs one
scenario on a loaded machine and returns a :class:`ScenarioResult`;
:func:`format_report` renders a failed result for people.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.errors import (
    MOCK_ERROR,
    UNMOCKED_TASK_ERROR,
    ExecutionNotRedrivable,
    MockError,
    did_you_mean,
)
from pytest_sfn.integrations.http import Connection
from pytest_sfn.machine import StateMachine
from pytest_sfn.mocks.documents import LineMap, join_pointer, load_yaml_text
from pytest_sfn.mocks.handler import Answer, MockHandler
from pytest_sfn.mocks.http_mocks import HttpMock, connections_from_yaml, http_mocks_from_yaml
from pytest_sfn.mocks.model import MockSet
from pytest_sfn.testing._text import short
from pytest_sfn.testing.expectations import Mismatch, compare_expectations
from pytest_sfn.testing.machines import state_names
from pytest_sfn.testing.state_checks import StateCase, state_case_from_yaml
from pytest_sfn.testing.trace import AnsweredBy, calls_by_visit, format_trace, summary
from pytest_sfn.testing.unused import unused_responses

__all__ = [
    "SCENARIO_SUFFIXES",
    "Scenario",
    "ScenarioRedrive",
    "ScenarioTasks",
    "ScenarioFile",
    "ScenarioResult",
    "answered_by",
    "format_report",
    "read_scenario_file",
    "run_scenario",
]

#: File name endings of scenario files.
SCENARIO_SUFFIXES = (".sfn.yaml", ".sfn.yml")


@dataclass(frozen=True, slots=True)
class ScenarioTasks:
    """What answers a scenario's Tasks that have no mock (the file's and its own sections).

    Attributes:
        lambdas: ``lambdas:``: function name or ARN -> ``"package.module:function"``.
        machines: ``machines:``: state machine ARN or name -> definition spec.
        activities: ``activities:``: activity name or ARN -> ``"package.module:function"``.
        http: ``http:`` routes, the scenario's before the file's.
        connections: ``connections:`` by name or ARN.
        aws: ``aws:`` (``None`` when not given: no botocore client).
        validate: ``validate:`` (``None``: the run's setting).
    """

    lambdas: Mapping[str, str] = field(default_factory=dict)
    machines: Mapping[str, str] = field(default_factory=dict)
    activities: Mapping[str, str] = field(default_factory=dict)
    http: tuple[HttpMock, ...] = ()
    connections: Mapping[str, Connection] = field(default_factory=dict)
    aws: Mapping[str, Any] | None = None
    validate: str | None = None

    def over(self, base: ScenarioTasks) -> ScenarioTasks:
        """These sections over ``base`` (the file's)."""
        return ScenarioTasks(
            lambdas={**base.lambdas, **self.lambdas},
            machines={**base.machines, **self.machines},
            activities={**base.activities, **self.activities},
            http=self.http + base.http,
            connections={**base.connections, **self.connections},
            aws=self.aws if self.aws is not None else base.aws,
            validate=self.validate or base.validate,
        )


def _tasks(section: Mapping[str, Any], source: str, lines: LineMap, pointer: str) -> ScenarioTasks:
    return ScenarioTasks(
        lambdas=dict(section.get("lambdas") or {}),
        machines=dict(section.get("machines") or {}),
        activities=dict(section.get("activities") or {}),
        http=http_mocks_from_yaml(
            section.get("http"), source=source, lines=lines, pointer=f"{pointer}/http"
        ),
        connections=connections_from_yaml(
            section.get("connections"),
            source=source,
            lines=lines,
            pointer=f"{pointer}/connections",
        ),  # fmt: skip
        aws=dict(section["aws"] or {}) if "aws" in section else None,
        validate=section.get("validate"),
    )


@dataclass(frozen=True, slots=True)
class ScenarioRedrive:
    """The ``redrive:`` section of a scenario: the fix, and what the redrive must do.

    Attributes:
        mocks: the scenario's mocks with the section's ``mocks`` over them (state by
            state); their responses are counted from the first again.
        own_mocks: the section's own ``mocks``.
        expect: the section's ``expect`` (scenario expectations plus ``rerun``, ``kept``
            and ``transitions``).
    """

    mocks: MockSet = field(default_factory=MockSet)
    own_mocks: MockSet = field(default_factory=MockSet)
    expect: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario of a scenario file.

    Attributes:
        name: its name (the pytest item name).
        index: its position in ``scenarios``.
        input: the execution input.
        mocks: the file's mocks with the scenario's own merged over them.
        own_mocks: the scenario's own ``mocks`` section.
        expect: the ``expect`` section.
        source: the scenario file.
        lines: line of every JSON pointer of the file.
        strict: the scenario's (or file's) ``strict``, ``None`` when not given.
        tasks: what answers the Tasks that have no mock.
        redrive: the ``redrive:`` section, ``None`` when not given.
    """

    name: str
    index: int
    input: JSON
    mocks: MockSet
    expect: Mapping[str, Any]
    source: str
    lines: LineMap = field(default_factory=LineMap, compare=False)
    strict: bool | None = None
    own_mocks: MockSet = field(default_factory=MockSet)
    tasks: ScenarioTasks = field(default_factory=ScenarioTasks)
    redrive: ScenarioRedrive | None = None

    @property
    def pointer(self) -> str:
        """``/scenarios/<index>``."""
        return f"/scenarios/{self.index}"

    @property
    def line(self) -> int | None:
        """The line where the scenario starts."""
        return self.lines.line(self.pointer)

    def where(self, pointer: str | None = None) -> str:
        """``file:line`` of ``pointer`` (default: the scenario)."""
        return self.lines.where(self.source, self.pointer if pointer is None else pointer)


@dataclass(frozen=True, slots=True)
class ScenarioFile:
    """A read and validated scenario file.

    Attributes:
        path: the file.
        state_machine: the definition spec, relative to the file's directory.
        scenarios: its scenarios, in order.
        mocks: the mocks shared by every scenario (the top-level ``mocks``).
        substitutions: the file's template substitutions.
        strict: the file's ``strict``, ``None`` when not given.
        lines: line of every JSON pointer.
        source: how messages name the file.
        state_cases: the ``test_state:`` entries, in order.
    """

    path: Path
    state_machine: str
    scenarios: tuple[Scenario, ...]
    mocks: MockSet = field(default_factory=MockSet)
    substitutions: Mapping[str, str] = field(default_factory=dict)
    strict: bool | None = None
    lines: LineMap = field(default_factory=LineMap, compare=False)
    source: str = ""
    state_cases: tuple[StateCase, ...] = ()

    def where(self, pointer: str) -> str:
        """``file:line`` of ``pointer``."""
        return self.lines.where(self.source or str(self.path), pointer)

    def scenario(self, name: str) -> Scenario:
        """The scenario called ``name``.

        Raises:
            MockError: there is none (the message lists the names, with a suggestion).
        """
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        names = [s.name for s in self.scenarios]
        raise MockError(
            f"{self.source or self.path}: no scenario named {name!r}{did_you_mean(name, names)}; "
            f"scenarios: {', '.join(repr(n) for n in names) or 'none'}"
        )


def read_scenario_file(path: str | Path, *, display: str | None = None) -> ScenarioFile:
    """Read a scenario file and check it against the schema.

    Args:
        path: the file.
        display: how messages and mock origins name the file (default: ``path`` as given),
            e.g. relative to the project root.

    Raises:
        MockError: the file cannot be read, is not YAML, breaks the schema, names two
            scenarios alike or holds a malformed mock; each problem is one line
            ``file:line: /json/pointer: what is wrong``.
    """
    from pytest_sfn.mocks.schema import validate_scenario_file
    from pytest_sfn.mocks.yaml_mocks import read_mocks

    path = Path(path)
    source = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MockError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise MockError(f"{source}: the file is not UTF-8 text ({exc.reason})") from None
    value, lines = load_yaml_text(text, source=source)
    validate_scenario_file(value, lines, source)  # the schema and every mocks section
    assert isinstance(value, dict)

    def mocks(section: JSON, pointer: str) -> MockSet:
        return read_mocks(section or {}, source=source, lines=lines, pointer=pointer)[0]

    shared = mocks(value.get("mocks"), "/mocks")
    shared_tasks = _tasks(value, source, lines, "")
    scenarios: list[Scenario] = []
    for index, body in enumerate(value.get("scenarios") or ()):
        pointer = f"/scenarios/{index}"
        name = str(body["name"])
        own = mocks(body.get("mocks"), f"{pointer}/mocks")
        strict = body.get("strict", value.get("strict"))
        redrive = None
        if body.get("redrive") is not None:
            section = body["redrive"]
            fix = mocks(section.get("mocks"), f"{pointer}/redrive/mocks")
            redrive = ScenarioRedrive(
                mocks=shared.merged(own).merged(fix),
                own_mocks=fix,
                expect=section.get("expect") or {},
            )
        scenarios.append(
            Scenario(
                name=name,
                index=index,
                input=body.get("input", {}),
                mocks=shared.merged(own),
                expect=body.get("expect") or {},
                source=source,
                lines=lines,
                strict=strict if isinstance(strict, bool) else None,
                own_mocks=own,
                tasks=_tasks(body, source, lines, pointer).over(shared_tasks),
                redrive=redrive,
            )
        )
    cases = tuple(
        state_case_from_yaml(body, index, source=source, lines=lines, tasks=shared_tasks)
        for index, body in enumerate(value.get("test_state") or ())
    )
    return ScenarioFile(
        path=path,
        state_machine=str(value["state_machine"]),
        scenarios=tuple(scenarios),
        mocks=shared,
        substitutions=dict(value.get("substitutions") or {}),
        strict=value["strict"] if isinstance(value.get("strict"), bool) else None,
        lines=lines,
        source=source,
        state_cases=cases,
    )


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What running a scenario gave.

    Attributes:
        scenario: the scenario.
        execution: the execution.
        mismatches: the expectations it does not meet.
        unused: unused mock responses (only when strict; see
            :mod:`pytest_sfn.testing.unused`), one line each.
        answers: who answered each Task invocation.
        mock_problem: the mock error that stopped the execution (an unmocked Task, mocks
            exhausted...), if any; the expectations are then not checked.
        redriven: the execution after the ``redrive:`` section's redrive, if it ran.
        redrive_answers: who answered each Task invocation of the redrive.
    """

    scenario: Scenario
    execution: Execution
    mismatches: tuple[Mismatch, ...] = ()
    unused: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = ()
    mock_problem: str | None = None
    redriven: Execution | None = None
    redrive_answers: tuple[Answer, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether every expectation is met and no mock problem occurred."""
        return not self.mismatches and not self.unused and self.mock_problem is None


def run_scenario(
    scenario: Scenario,
    machine: StateMachine,
    *,
    strict: bool = True,
    seed: int = 0,
    names: Collection[str] | None = None,
    tasks: Callable[[MockHandler], TaskHandler] | None = None,
) -> ScenarioResult:
    """Run ``scenario`` on ``machine`` and check its expectations.

    Args:
        scenario: the scenario.
        machine: the loaded state machine.
        strict: fail on mocks of unknown states and on unused responses.
        seed: the execution seed.
        names: every state name of ``machine`` (computed when not given).
        tasks: builds the execution's task handler around the scenario's mock handler
            (the pytest plugin adds Lambda handlers, HTTP mocks... there); default: the
            mock handler alone.

    Raises:
        MockError: (strict) the mocks name a state the machine does not have.
    """
    known = state_names(machine) if names is None else names
    handler = MockHandler(scenario.mocks)
    if strict:
        handler.check_states(known)
    answering: TaskHandler = handler if tasks is None else tasks(handler)
    execution = machine.execute(scenario.input, tasks=answering, seed=seed, mock_errors="fail")
    answers = tuple(handler.answers)
    if execution.error in (UNMOCKED_TASK_ERROR, MOCK_ERROR):
        return ScenarioResult(
            scenario, execution, answers=answers, mock_problem=execution.cause or execution.error
        )
    mismatches = compare_expectations(
        scenario.expect,
        execution,
        pointer=join_pointer(scenario.pointer, "expect"),
        state_names=known,
    )
    unused = tuple(unused_responses(handler, scenario.own_mocks.states)) if strict else ()
    result = ScenarioResult(scenario, execution, mismatches, unused, answers)
    if scenario.redrive is not None:
        result = _redrive(result, scenario.redrive, strict=strict, names=known, tasks=tasks)
    return result


def _redrive(
    result: ScenarioResult,
    section: ScenarioRedrive,
    *,
    strict: bool,
    names: Collection[str],
    tasks: Callable[[MockHandler], TaskHandler] | None,
) -> ScenarioResult:
    """Redrive the scenario's execution with the section's mocks and check ``expect``."""
    scenario = result.scenario
    pointer = join_pointer(scenario.pointer, "redrive")
    handler = MockHandler(section.mocks)
    if strict:
        handler.check_states(names)
    answering: TaskHandler = handler if tasks is None else tasks(handler)
    try:
        redriven = result.execution.redrive(tasks=answering, mock_errors="fail")
    except ExecutionNotRedrivable as exc:
        refused = Mismatch(pointer, f"redrive: refused: {exc.message}")
        return replace(result, mismatches=(*result.mismatches, refused))
    answers = tuple(handler.answers)
    if redriven.error in (UNMOCKED_TASK_ERROR, MOCK_ERROR):
        problem = f"in the redrive: {redriven.cause or redriven.error}"
        return replace(result, redriven=redriven, redrive_answers=answers, mock_problem=problem)
    found = compare_expectations(
        section.expect, redriven, pointer=join_pointer(pointer, "expect"), state_names=names
    )
    unused = tuple(unused_responses(handler, section.own_mocks.states)) if strict else ()
    return replace(
        result,
        redriven=redriven,
        redrive_answers=answers,
        mismatches=(*result.mismatches, *found),
        unused=(*result.unused, *unused),
    )


def answered_by(
    answers: Collection[Answer], offsets: Mapping[str, int] | None = None
) -> AnsweredBy:
    """``(state, invocation) -> "response #n (origin)"`` for :func:`format_trace`.

    ``offsets`` (state -> calls made before these answers, e.g. by the run a redrive
    continues) shift the invocation indexes.
    """
    out: dict[tuple[str, int], str] = {}
    for answer in answers:
        response = answer.response
        if response is None or answer.index is None:
            text = "fallback"
        else:
            text = f"#{answer.index + 1}" + (f" {response.origin}" if response.origin else "")
        name = answer.request.state_name
        out[(name, answer.request.invocation + (offsets or {}).get(name, 0))] = text
    return out


def _label(pointer: str) -> str:
    """How a report names the section of a mismatch: ``expect.`` or ``redrive.expect.``."""
    if "/redrive/expect" in pointer:
        return "redrive.expect."
    if pointer.endswith("/redrive"):
        return ""
    return "expect."


def _shown(result: ScenarioResult) -> Execution:
    """The execution a report shows: after the redrive when there was one."""
    return result.redriven if result.redriven is not None else result.execution


def _focus(result: ScenarioResult) -> int | None:
    """Index (in ``execution.states``) of the state the report shows in detail."""
    states = _shown(result).states
    if not states:
        return None
    wanted = next((m.state for m in result.mismatches if m.state is not None), None)
    if wanted is not None:
        for position in range(len(states) - 1, -1, -1):
            if states[position].name == wanted:
                return position
    latest = _shown(result).redrive_count
    failed = [p for p, r in enumerate(states) if not r.succeeded and r.redrive == latest]
    if failed:
        return failed[-1]  # the innermost: a Map or Parallel is entered before its states
    top = [p for p, r in enumerate(states) if not r.scope]
    return top[-1] if top else len(states) - 1


def format_report(result: ScenarioResult, *, verbose: bool = False) -> str:
    """The failure report of a scenario: what was expected and what happened.

    Lists each unmet expectation with ``file:line`` and the first difference, the mock
    problem or unused responses, the states the execution went through with their status
    and the mock that answered each Task, and the input and output of the state that
    failed (or that an expectation is about).
    """
    scenario = result.scenario
    execution = _shown(result)
    lines = [f"scenario {scenario.name!r} ({scenario.where()}) failed"]
    if result.mock_problem is not None:
        lines += ["", "mock problem:", *("  " + x for x in result.mock_problem.splitlines())]
    for mismatch in result.mismatches:
        where = scenario.lines.where(scenario.source, mismatch.pointer)
        lines += ["", f"{where}: {_label(mismatch.pointer)}{mismatch.message}"]
        lines += mismatch.lines()[1:]
    if result.unused:
        lines += ["", "unused mock responses (strict):", *("  " + x for x in result.unused)]
    answered = dict(answered_by(result.answers))
    before: dict[str, int] = {}
    if result.redriven is not None:
        for call in result.execution.task_calls:
            before[call.state] = before.get(call.state, 0) + 1
        answered.update(answered_by(result.redrive_answers, before))
        first = result.execution
        lines += ["", f"first run: {summary(first)}"]
        lines.append(
            f"redrive #{execution.redrive_count}: re-ran "
            f"{short(list(dict.fromkeys(r.name for r in execution.redriven_states)))}, kept "
            f"{short(list(dict.fromkeys(r.name for r in execution.kept_states)))}, "
            f"{execution.redrive_transitions} transition(s)"
        )
    if result.mock_problem is None:
        lines += ["", summary(execution)]
    else:  # the cause is the mock problem shown above
        lines += ["", f"execution {execution.name!r} ended {execution.status}: {execution.error}"]
    if execution.succeeded:
        lines.append(f"  output: {short(execution.output)}")
    lines += ["states:", *format_trace(execution, verbose=verbose, answered=answered)]
    focus = _focus(result)
    if focus is not None and not verbose:
        record = execution.states[focus]
        kind = "failing state" if not record.succeeded else "state"
        lines += ["", f"{kind} {record.name!r} ({record.type}):"]
        lines.append(f"  input:  {short(record.input, 500)}")
        if record.succeeded:
            lines.append(f"  output: {short(record.output, 500)}")
        if result.mock_problem is None and (record.error is not None or record.cause is not None):
            lines.append(f"  error:  {record.error}: {short(record.cause, 500)}")
        calls = calls_by_visit(execution).get(focus, [])
        by_key = {(a.request.state_name, a.request.invocation): a for a in result.answers}
        for a in result.redrive_answers:
            name = a.request.state_name
            by_key[(name, a.request.invocation + before.get(name, 0))] = a
        for invocation, call in calls[-1:]:
            lines.append(f"  parameters sent: {short(call.parameters, 500)}")
            answer = by_key.get((call.state, invocation))
            if answer is not None:
                lines.append(f"  mock that answered: {answer.describe()}")
    return "\n".join(lines)
