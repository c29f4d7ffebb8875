"""Why a TestState request is refused: the API error code and AWS's message.

Each factory holds one message as AWS words it (observed on AWS unless marked
``UNCONFIRMED``); the local client answers with ``{"__type": code, "message": message}``.
"""

from __future__ import annotations

from pytest_sfn.errors import SfnError

__all__ = [
    "StateTestError",
    "invalid_context",
    "invalid_definition",
    "validation",
]

VALIDATION = "ValidationException"
INVALID_DEFINITION = "InvalidDefinition"
INVALID_INPUT = "InvalidExecutionInput"


class StateTestError(SfnError):
    """A TestState request AWS would refuse (nothing was run).

    Attributes:
        code: the API error code (``ValidationException``, ``InvalidDefinition``,
            ``InvalidExecutionInput``).
        message: the message, as AWS words it (what the local client answers).
        hint: pytest-sfn's own help (``" (did you mean 'Charge'?)"``), shown in
            ``str()`` only, never in the API answer.
    """

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(f"{code}: {message}{hint}")
        self.code = code
        self.message = message
        self.hint = hint


def validation(message: str, hint: str = "") -> StateTestError:
    """A ``ValidationException`` (``hint`` is for Python users only)."""
    return StateTestError(VALIDATION, message, hint)


def invalid_definition(message: str) -> StateTestError:
    """An ``InvalidDefinition`` (``message`` is complete)."""
    return StateTestError(INVALID_DEFINITION, message)


def invalid_context(problem: str) -> StateTestError:
    """``Invalid Context object provided: <problem>``."""
    return validation(f"Invalid Context object provided: {problem}")


STATE_NOT_FOUND = "State not found in definition"
ROLE_REQUIRED = "RoleArn must be specified when testing a Task state"
REVEAL_WITH_MOCK = "TestState does not support RevealSecrets when a mock is specified."
ONE_MOCK_FIELD = "A test mock should have only one of the following fields: [result, errorOutput]."
RESULT_NOT_JSON = "Mocked result must be valid JSON"
RESULT_NOT_ARRAY = "Mocked result must be an array."
RESULT_NOT_OBJECT = "Mocked result must be a JSON object."
BRANCH_COUNT = "Mocked result must contain the same number of items as number of Parallel branches."
MAP_OR_PARALLEL = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
FAILURE_COUNT_WITHOUT_MOCK = (
    "TestState does not support MapIterationFailureCount when a mock is not specified."
)
FAILURE_COUNT_TOO_HIGH = (
    "Map iteration failure count must be less than or equal to the number of Map iterations"
)
SCHEMA_PREFIX = "Mock result schema validation error: "
#: UNCONFIRMED wording: AWS documents the rule (context only with a mock), not the message.
CONTEXT_WITHOUT_MOCK = "TestState does not support a Context object when a mock is not specified."
#: UNCONFIRMED wording: AWS documents that these need a mock, not the message.
PATTERN_NEEDS_MOCK = (
    "TestState requires a mock to test an Activity task or the {pattern} integration pattern"
)


def mock_not_supported(state_type: str) -> StateTestError:
    """A mock given for a state type that cannot be mocked (OBS for Pass, Fail, Succeed)."""
    return validation(f"State type '{state_type}' is not supported when a mock is specified")
