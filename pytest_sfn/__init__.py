"""pytest-sfn: test AWS Step Functions state machines in-process.

The public API: :class:`StateMachine` to load and execute definitions, the result types,
the task answer helpers and mocks (:class:`Mocks`, :class:`MockSet`), :func:`local_client`
(a botocore ``stepfunctions`` client answered in-process) and the error hierarchy.
"""

from __future__ import annotations

from typing import Any

from pytest_sfn.engine.callbacks import PendingTask, RunningExecution
from pytest_sfn.engine.execution import Execution, StateRecord, TaskCall
from pytest_sfn.engine.history import HistoryEvent
from pytest_sfn.engine.ports import TaskOutcome, TaskRequest
from pytest_sfn.errors import (
    DefinitionError,
    DefinitionWarning,
    Diagnostic,
    ExecutionNotRedrivable,
    ExecutionWaitingError,
    MockError,
    SfnError,
    StatesError,
    StatesErrorName,
    TaskTokenError,
    UnmockedTaskError,
)
from pytest_sfn.machine import StateMachine
from pytest_sfn.mocks.fluent import Mocks
from pytest_sfn.mocks.model import MockSet
from pytest_sfn.mocks.results import InOrder, Return, Throw
from pytest_sfn.teststate import StateMock, StateTestError, StateTestResult, run_state

__version__ = "0.1.0"

__all__ = [
    "DefinitionError",
    "DefinitionWarning",
    "Diagnostic",
    "Execution",
    "ExecutionNotRedrivable",
    "ExecutionWaitingError",
    "HistoryEvent",
    "InOrder",
    "MockError",
    "MockSet",
    "Mocks",
    "PendingTask",
    "Return",
    "RunningExecution",
    "SfnError",
    "StateMachine",
    "StateMock",
    "StateRecord",
    "StateTestError",
    "StateTestResult",
    "StatesError",
    "StatesErrorName",
    "TaskCall",
    "TaskOutcome",
    "TaskRequest",
    "TaskTokenError",
    "Throw",
    "UnmockedTaskError",
    "__version__",
    "local_client",
    "run_state",
]


def local_client(**kwargs: Any) -> Any:
    """A botocore ``stepfunctions`` client answered in-process by the engine (no network).

    See :func:`pytest_sfn.service.client.local_client` for the arguments.
    """
    from pytest_sfn.service.client import local_client as _local_client

    return _local_client(**kwargs)
