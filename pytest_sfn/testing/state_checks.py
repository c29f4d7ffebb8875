"""TestState checks: one state run in isolation, and its expectations, without pytest.

The ``test_state:`` entries of a scenario file and the ``@pytest.mark.sfn_state`` marker
both describe one TestState request and what it must return::

    test_state:
      - name: charge is retried when throttled
        state: ChargeCard
        input: {orderId: o-1}
        mock: {error_output: {error: Lambda.TooManyRequestsException, cause: slow down}}
        state_configuration: {retrier_retry_count: 0}
        inspection_level: DEBUG
        expect:
          status: RETRIABLE
          inspection_data: {errorDetails: {retryIndex: 0, retryBackoffIntervalSeconds: 2}}

:func:`compare_state_expectations` checks a :class:`~pytest_sfn.StateTestResult` against
an ``expect`` mapping, :func:`run_state_case` runs one ``test_state:`` entry and
:func:`format_state_report` renders a failed check for people.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import MockError, did_you_mean
from pytest_sfn.mocks.documents import LineMap
from pytest_sfn.testing._text import short
from pytest_sfn.testing.compare import pointer_join
from pytest_sfn.testing.expectations import Mismatch, value_mismatch
from pytest_sfn.teststate import StateMock, StateTestError, StateTestResult

if TYPE_CHECKING:
    from pytest_sfn.engine.ports import TaskHandler
    from pytest_sfn.machine import StateMachine
    from pytest_sfn.testing.scenario import ScenarioTasks

__all__ = [
    "STATE_EXPECT_KEYS",
    "StateCase",
    "StateCaseResult",
    "check_state_expect",
    "compare_state_expectations",
    "format_state_report",
    "run_state_case",
    "state_configuration_from_yaml",
    "state_mock_from_yaml",
]

#: The keys of a TestState ``expect`` mapping.
STATE_EXPECT_KEYS = (
    "status",
    "output",
    "output_contains",
    "error",
    "cause",
    "next_state",
    "inspection_data",
)
_STATUSES = ("SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR")
#: YAML ``state_configuration`` keys -> the API's ``stateConfiguration`` members.
_CONFIGURATION = {
    "retrier_retry_count": "retrierRetryCount",
    "error_caused_by_state": "errorCausedByState",
    "map_iteration_failure_count": "mapIterationFailureCount",
    "map_item_reader_data": "mapItemReaderData",
}


def check_state_expect(expect: Any, where: str) -> None:
    """Check the shape of a TestState ``expect`` mapping given in Python.

    Raises:
        TypeError: not a mapping, an unknown key (with a suggestion), an unknown status,
            or both ``output`` and ``output_contains``.
    """
    if not isinstance(expect, Mapping):
        raise TypeError(f"{where}(expect=...) must be a dict, not {type(expect).__name__}")
    for key in expect:
        if key not in STATE_EXPECT_KEYS:
            raise TypeError(
                f"{where}(expect=...) has an unknown key {key!r}"
                f"{did_you_mean(str(key), STATE_EXPECT_KEYS)}; keys: {', '.join(STATE_EXPECT_KEYS)}"
            )
    if "status" in expect and expect["status"] not in _STATUSES:
        raise TypeError(
            f"{where}(expect=...): status must be one of {', '.join(_STATUSES)}, "
            f"not {expect['status']!r}"
        )
    if "output" in expect and "output_contains" in expect:
        raise TypeError(f"{where}(expect=...): give either 'output' or 'output_contains'")
    data = expect.get("inspection_data")
    if data is not None and not isinstance(data, Mapping):
        raise TypeError(f"{where}(expect=...): inspection_data must be a dict of members")


def _decoded(value: Any) -> JSON:
    """An ``inspectionData`` member as a JSON value (members are JSON text, but not all)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def compare_state_expectations(
    expect: Mapping[str, Any], result: StateTestResult, *, pointer: str = "/expect"
) -> tuple[Mismatch, ...]:
    """Every expectation of ``expect`` that ``result`` does not meet, in key order.

    ``output`` is compared exactly (JSON equality) and ``output_contains`` as a subset;
    ``inspection_data`` names some members of ``inspectionData``, each compared exactly
    with the decoded member (``afterParameters`` as a JSON value, not as text).

    Args:
        expect: the expectations (keys of :data:`STATE_EXPECT_KEYS`).
        result: what TestState returned.
        pointer: JSON pointer of ``expect`` in its file (prefix of each mismatch's pointer).
    """
    found: list[Mismatch] = []

    def add(mismatch: Mismatch | None) -> None:
        if mismatch is not None:
            found.append(mismatch)

    if "status" in expect and expect["status"] != result.status:
        detail = f" ({result.error}: {short(result.cause)})" if result.error else ""
        add(
            Mismatch(
                pointer_join(pointer, "status"),
                f"status: expected {short(expect['status'])}, got {short(result.status)}{detail}",
            )
        )
    for key in ("error", "cause", "next_state"):
        actual = getattr(result, key)
        if key in expect and expect[key] != actual:
            add(
                Mismatch(
                    pointer_join(pointer, key),
                    f"{key}: expected {short(expect[key])}, got {short(actual)}",
                )
            )
    for key, subset in (("output", False), ("output_contains", True)):
        if key not in expect:
            continue
        if result.output_json is None:
            add(
                Mismatch(
                    pointer_join(pointer, key),
                    f"{key}: the state has no output, its status is {result.status}",
                )
            )
            continue
        add(
            value_mismatch(
                key, expect[key], result.output, pointer_join(pointer, key), subset=subset
            )
        )
    wanted = expect.get("inspection_data")
    if wanted:
        here = pointer_join(pointer, "inspection_data")
        data = result.inspection_data
        if data is None:
            add(
                Mismatch(
                    here,
                    "inspection_data: none was returned (inspection_level must be DEBUG or TRACE)",
                )
            )
        else:
            for member, value in wanted.items():
                at = pointer_join(here, member)
                if member not in data:
                    present = ", ".join(sorted(data)) or "none"
                    add(
                        Mismatch(
                            at,
                            f"inspection_data.{member}: not returned{did_you_mean(member, data)}"
                            f" (members: {present})",
                        )
                    )
                    continue
                add(value_mismatch(f"inspection_data.{member}", value, _decoded(data[member]), at))
    return tuple(found)


# --- test_state: entries of scenario files --------------------------------------------------


def state_mock_from_yaml(mock: Mapping[str, Any] | None) -> StateMock | None:
    """A YAML ``mock`` (``result`` / ``error_output``, ``field_validation_mode``) as a
    :class:`StateMock` (``None`` stays ``None``)."""
    if mock is None:
        return None
    mode = str(mock.get("field_validation_mode", "STRICT"))
    if "error_output" in mock:
        output = mock["error_output"]
        if isinstance(output, str):
            return StateMock(error_output=(output, None), field_validation_mode=mode)
        return StateMock(
            error_output=(output.get("error"), output.get("cause")), field_validation_mode=mode
        )
    return StateMock(result=mock.get("result"), field_validation_mode=mode)


def state_configuration_from_yaml(section: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A YAML ``state_configuration`` (snake_case) as the API's ``stateConfiguration``.

    ``map_item_reader_data`` is a JSON value in YAML and JSON text in the API. Keys
    already in the API's camelCase pass through unchanged.
    """
    if section is None:
        return None
    out: dict[str, Any] = {}
    for key, value in section.items():
        member = _CONFIGURATION.get(key, key)
        out[member] = json.dumps(value) if key == "map_item_reader_data" else value
    return out


@dataclass(frozen=True, slots=True)
class StateCase:
    """One ``test_state:`` entry of a scenario file.

    Attributes:
        name: its name (the pytest item name; default: the state's name).
        index: its position in ``test_state``.
        state: the state to test.
        options: :func:`pytest_sfn.run_state` keywords (``input``, ``mock``, ``variables``,
            ``context``, ``state_configuration``, ``inspection_level``, ``reveal_secrets``).
        expect: the ``expect`` section.
        source: the scenario file.
        lines: line of every JSON pointer of the file.
        tasks: what answers a Task without ``mock`` (the file's sections).
    """

    name: str
    index: int
    state: str
    options: Mapping[str, Any]
    expect: Mapping[str, Any]
    source: str
    lines: LineMap = field(default_factory=LineMap, compare=False)
    tasks: ScenarioTasks | None = None

    @property
    def pointer(self) -> str:
        """``/test_state/<index>``."""
        return f"/test_state/{self.index}"

    @property
    def line(self) -> int | None:
        """The line where the entry starts."""
        return self.lines.line(self.pointer)

    def where(self, pointer: str | None = None) -> str:
        """``file:line`` of ``pointer`` (default: the entry)."""
        return self.lines.where(self.source, self.pointer if pointer is None else pointer)


def state_case_from_yaml(
    body: Mapping[str, Any], index: int, *, source: str, lines: LineMap, tasks: ScenarioTasks
) -> StateCase:
    """A :class:`StateCase` from a schema-valid ``test_state:`` entry."""
    options: dict[str, Any] = {}
    for key in ("input", "variables", "context", "inspection_level", "reveal_secrets"):
        if key in body:
            options[key] = body[key]
    if body.get("mock") is not None:
        options["mock"] = state_mock_from_yaml(body["mock"])
    configuration = state_configuration_from_yaml(body.get("state_configuration"))
    if configuration is not None:
        options["state_configuration"] = configuration
    state = str(body["state"])
    return StateCase(
        name=str(body.get("name") or state),
        index=index,
        state=state,
        options=options,
        expect=body.get("expect") or {},
        source=source,
        lines=lines,
        tasks=tasks,
    )


@dataclass(frozen=True, slots=True)
class StateCaseResult:
    """What running a ``test_state:`` entry gave.

    Attributes:
        case: the entry.
        result: what TestState returned (``None`` when the request was refused).
        mismatches: the expectations it does not meet.
        problem: why nothing was returned (the request AWS would refuse, a Task nothing
            answers, an unknown state), if so.
    """

    case: StateCase
    result: StateTestResult | None
    mismatches: tuple[Mismatch, ...] = ()
    problem: str | None = None

    @property
    def passed(self) -> bool:
        """Whether TestState answered and every expectation is met."""
        return self.problem is None and not self.mismatches


def run_state_case(
    case: StateCase,
    machine: StateMachine,
    *,
    tasks: TaskHandler | None = None,
    names: Collection[str] | None = None,
) -> StateCaseResult:
    """Test the entry's state of ``machine`` and check its expectations.

    Args:
        case: the entry.
        machine: the loaded state machine.
        tasks: answers a Task without ``mock`` (the file's mocks and handlers).
        names: every state name of ``machine``, for the "did you mean" of an unknown state.
    """
    if names is not None and case.state not in names:
        return StateCaseResult(
            case,
            None,
            problem=f"state: {case.state!r} is not a state of the state machine"
            f"{did_you_mean(case.state, names)}",
        )
    try:
        result = machine.test_state(case.state, tasks=tasks, **case.options)
    except (StateTestError, MockError) as exc:
        return StateCaseResult(case, None, problem=str(exc))
    return StateCaseResult(
        case,
        result,
        compare_state_expectations(
            case.expect, result, pointer=pointer_join(case.pointer, "expect")
        ),
    )


def describe_result(result: StateTestResult) -> list[str]:
    """The lines that show what TestState returned."""
    lines = [f"TestState returned {result.status}"]
    if result.next_state is not None:
        lines.append(f"  next_state: {result.next_state}")
    if result.output_json is not None:
        lines.append(f"  output: {short(result.output, 500)}")
    if result.error is not None or result.cause is not None:
        lines.append(f"  error:  {result.error}: {short(result.cause, 500)}")
    for member, value in (result.inspection_data or {}).items():
        lines.append(f"  inspection_data.{member}: {short(_decoded(value), 300)}")
    return lines


def format_mismatches(
    mismatches: Collection[Mismatch], lines: LineMap | None, source: str | None
) -> list[str]:
    """One block per unmet expectation: ``where: expect.<message>`` and the difference."""
    out: list[str] = []
    for mismatch in mismatches:
        where = (lines or LineMap()).where(source, mismatch.pointer) if source else ""
        prefix = f"{where}: " if where else ""
        out += ["", f"{prefix}expect.{mismatch.message}", *mismatch.lines()[1:]]
    return out


def format_state_report(outcome: StateCaseResult) -> str:
    """The failure report of a ``test_state:`` entry: expected vs what TestState returned."""
    case = outcome.case
    lines = [f"test_state {case.name!r} ({case.where()}) of state {case.state!r} failed"]
    if outcome.problem is not None:
        lines += ["", *outcome.problem.splitlines()]
    lines += format_mismatches(outcome.mismatches, case.lines, case.source)
    if outcome.result is not None:
        lines += ["", *describe_result(outcome.result)]
    return "\n".join(lines)
