"""One TestState run: the interpreter, visit and scope the tested state is evaluated in.

The engine's own pieces do the work: the interpreter supplies scopes, ``Assign`` and Task
invocation (:func:`~pytest_sfn.engine.task.run_task`); only the Context object comes from
:mod:`pytest_sfn.teststate.context`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import VirtualClock
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.engine.run import Interpreter, RunConfig
from pytest_sfn.engine.runtime import RETRYABLE, Frame, Thread, Visit
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.payload import Scope
from pytest_sfn.model.states import Graph, State
from pytest_sfn.teststate.context import ContextSource
from pytest_sfn.teststate.definition import LONE_STATE_NAME
from pytest_sfn.teststate.http_trace import HttpTrace
from pytest_sfn.teststate.inspection import Document, Inspection
from pytest_sfn.teststate.mocks import MockSpec

__all__ = ["Probe", "StateRun", "StateSettings"]


class Probe(Interpreter):
    """An interpreter whose Context object comes from a :class:`ContextSource`."""

    source: ContextSource

    def context(self, visit: Visit) -> dict[str, JSON]:
        return self.source(visit)


@dataclass(frozen=True, slots=True)
class StateSettings:
    """``stateConfiguration``, decoded.

    Attributes:
        retry_count: ``retrierRetryCount``.
        error_caused_by: ``errorCausedByState``.
        failure_count: ``mapIterationFailureCount``.
        reader_data: ``mapItemReaderData`` decoded (``has_reader_data``).
    """

    retry_count: int = 0
    error_caused_by: str | None = None
    failure_count: int | None = None
    reader_data: JSON = None
    has_reader_data: bool = False


@dataclass(slots=True)
class StateRun:
    """Everything one evaluation of the tested state needs."""

    state: Any
    input: Document
    it: Probe
    visit: Visit
    frame: Frame
    thread: Thread
    mock: MockSpec | None
    settings: StateSettings
    inspection: Inspection
    trace: HttpTrace | None

    @classmethod
    def start(
        cls, state: State, input_doc: Document, *, source: ContextSource, tasks: TaskHandler,
        variables: dict[str, JSON], mock: MockSpec | None, settings: StateSettings,
        map_item: bool, start: datetime, region: str, account: str, trace: HttpTrace | None,
        fail_on_mock_error: bool,
    ) -> StateRun:  # fmt: skip
        """Set up the interpreter and the visit of ``state``."""
        execution, machine = source.execution, source.machine
        it = Probe(
            graph=Graph(LONE_STATE_NAME, {}),
            config=RunConfig(
                execution_arn=str(execution["Id"]),
                execution_name=str(execution["Name"]),
                state_machine_arn=str(machine["Id"]),
                state_machine_name=str(machine["Name"]),
                role_arn=str(execution["RoleArn"] or ""),
                region=region,
                account=account,
                machine_type="EXPRESS",
                history_limit=None,
                fail_on_mock_error=fail_on_mock_error,
            ),
            tasks=tasks,
            clock=VirtualClock(start),
            rng=random.Random(1),
        )
        it.source = source
        visit = Visit(LONE_STATE_NAME, start, 1, state.type in RETRYABLE, settings.retry_count)
        if map_item:
            visit.map_item = {"Index": 0, "Value": input_doc.value}
        return cls(
            state, input_doc, it, visit, Frame((), dict(variables)), Thread(0), mock, settings,
            Inspection(), trace,
        )  # fmt: skip

    def scope(self, value: JSON) -> Scope:
        """Paths and templates resolve against ``value`` in the tested state's scope."""
        return self.it.scope(value, self.visit, self.frame)

    def mocked_result(self) -> Document | None:
        """The mocked result; raises the mocked error; ``None`` when nothing is mocked."""
        if self.mock is None:
            return None
        if not self.mock.has_result:
            raise StatesError(self.mock.error, self.mock.cause)
        return Document(self.mock.result, self.mock.result_text)
