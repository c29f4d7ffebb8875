"""The one error hierarchy of pytest-sfn.

Three families never mix:

* :class:`DefinitionError`: the state machine definition (or a file holding it) is wrong.
  Raised at load time, carries every problem found as a :class:`Diagnostic`.
* :class:`StatesError`: a runtime ASL error (``States.Timeout``, ``Lambda.Unknown``...).
  Retry and Catch see these; they never escape :meth:`StateMachine.execute`.
* :class:`MockError`: the *test* is misconfigured. Never catchable by ``States.ALL``.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10
    from enum import Enum

    class StrEnum(str, Enum):
        def __str__(self) -> str:
            return str(self.value)


class StatesErrorName(StrEnum):
    """The predefined error names of the Amazon States Language."""

    ALL = "States.ALL"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TIMEOUT = "States.Timeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    HTTP_SOCKET = "States.Http.Socket"


class SfnError(Exception):
    """Base class of every exception pytest-sfn raises."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a definition, in the shape of ``ValidateStateMachineDefinition``.

    ``location`` is a JSON pointer into the definition (``/States/Charge/Retry/0``).
    """

    code: str
    message: str
    location: str = ""
    severity: str = "ERROR"
    #: Our own help (``(did you mean 'Next'?)``), shown in Python errors, never in AWS text.
    hint: str = ""

    def render(self, *, hint: bool = True) -> str:
        """``CODE: message at /pointer`` as AWS joins them in ``InvalidDefinition``."""
        where = f" at {self.location}" if self.location else ""
        extra = self.hint if hint else ""
        return f"{self.code}: {self.message}{extra}{where}"

    def as_api(self) -> dict[str, str]:
        """The ``ValidateStateMachineDefinitionDiagnostic`` shape."""
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location:
            out["location"] = self.location
        return out


class DefinitionError(SfnError):
    """A state machine definition (or the file holding it) is invalid.

    Every problem found is listed in :attr:`diagnostics`; ``str()`` names the file (when
    known), each JSON pointer and what is wrong.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic], *, source: str | None = None) -> None:
        self.diagnostics = tuple(diagnostics)
        self.source = source
        head = f"invalid state machine definition{f' in {source}' if source else ''}"
        lines = [
            f"{head} ({len(self.diagnostics)} problem{'s' if len(self.diagnostics) != 1 else ''}):"
        ]
        lines += [f"  - {d.render()}" for d in self.diagnostics]
        super().__init__("\n".join(lines))

    @property
    def aws_message(self) -> str:
        """The ``InvalidDefinition`` message AWS's CreateStateMachine returns."""
        errors = [d for d in self.diagnostics if d.severity == "ERROR"]
        rendered = ", ".join(d.render(hint=False) for d in errors)
        return f"Invalid State Machine Definition: '{rendered}'"


class StatesError(SfnError):
    """A runtime error in the ASL sense: Retry and Catch match on :attr:`error`."""

    def __init__(self, error: str | None, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else str(error))
        self.error = error
        self.cause = cause

    def __repr__(self) -> str:
        return f"StatesError({self.error!r}, {self.cause!r})"


#: The execution error when a Task ran that nothing answers (with ``mock_errors="fail"``).
UNMOCKED_TASK_ERROR = "pytest_sfn.UnmockedTask"
#: The execution error for any other mock problem (with ``mock_errors="fail"``).
MOCK_ERROR = "pytest_sfn.MockError"


class MockError(SfnError):
    """The test is misconfigured (a mock is malformed or missing). Never caught by Catch."""


class UnmockedTaskError(MockError):
    """A Task ran that no mock or result provider answers."""


class DefinitionWarning(UserWarning):
    """A definition AWS accepts but whose Task would fail when it runs.

    Emitted (with :func:`warnings.warn`) when the pytest plugin loads a state machine whose
    :attr:`~pytest_sfn.StateMachine.warnings` are not empty: e.g. an AWS SDK Task's
    ``Parameters`` name a member the API does not have. Silence it with
    ``-W ignore::pytest_sfn.DefinitionWarning``, or make it an error with
    ``-W error::pytest_sfn.DefinitionWarning``.
    """


class ExecutionNotRedrivable(SfnError):
    """An execution cannot be redriven (``RedriveExecution`` would refuse it).

    Attributes:
        code: the AWS error code, ``ExecutionNotRedrivable``.
        message: AWS's message, e.g. ``Execution is SUCCEEDED and cannot be redriven.``
    """

    code = "ExecutionNotRedrivable"

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.code}: {message}")
        self.message = message


class TaskTokenError(SfnError):
    """An answer to a task token was refused, as ``SendTaskSuccess`` and friends refuse it.

    Attributes:
        code: the AWS error code: ``InvalidToken`` (not a task token), ``TaskDoesNotExist``
            (no such task), ``TaskTimedOut`` (the task is closed: answered, timed out or
            its execution ended), or ``InvalidOutput`` (the output is not JSON).
        message: AWS's message.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ExecutionWaitingError(SfnError):
    """A started execution cannot finish: a task waits for an answer that never comes."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
