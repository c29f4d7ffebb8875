"""The errors the local Step Functions service answers with, in AWS's words.

An :class:`ApiError` becomes an HTTP 400 ``{"__type": code, "message": message}`` response,
which botocore turns into a ``ClientError`` (or the client's modeled exception class) with
AWS's error code and message. The factories below hold the wordings observed on AWS
(LocalStack's AWS-recorded snapshots); the few not observed are marked ``UNCONFIRMED``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ApiError",
    "execution_already_exists",
    "execution_does_not_exist",
    "invalid_arn_prefix",
    "invalid_definition",
    "invalid_execution_input",
    "invalid_name",
    "invalid_test_case",
    "invalid_token",
    "resource_not_found",
    "resource_type_not_valid",
    "state_machine_already_exists",
    "state_machine_does_not_exist",
    "type_not_supported",
    "unsupported",
    "validation_errors",
]


class ApiError(Exception):
    """An error response of the Step Functions API.

    Attributes:
        code: the ``__type`` (``StateMachineDoesNotExist``...), what botocore reports as
            ``error.response["Error"]["Code"]``.
        message: the message, exactly as AWS words it.
        status: the HTTP status code.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def state_machine_does_not_exist(arn: str) -> ApiError:
    """``StateMachineDoesNotExist`` for ``arn`` (OBS)."""
    return ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def state_machine_already_exists(arn: str) -> ApiError:
    """``StateMachineAlreadyExists``: the name is taken by a different machine (OBS)."""
    return ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")


def execution_does_not_exist(arn: str) -> ApiError:
    """``ExecutionDoesNotExist`` for ``arn`` (OBS)."""
    return ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def execution_already_exists(arn: str) -> ApiError:
    """``ExecutionAlreadyExists``: the name was used by a closed execution (API docs)."""
    return ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")


def invalid_arn_prefix(arn: str) -> ApiError:
    """``InvalidArn`` for a value that is not an ARN at all (OBS)."""
    return ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")


def resource_type_not_valid(resource_type: str) -> ApiError:
    """``InvalidArn`` for an ARN of the wrong resource type, e.g. ``express`` (OBS)."""
    return ApiError(
        "InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {resource_type}'"
    )


def invalid_name(name: str) -> ApiError:
    """``InvalidName``: a state machine or execution name with a forbidden character."""
    return ApiError("InvalidName", f"Invalid Name: '{name}'")


def invalid_test_case(message: str) -> ApiError:
    """``InvalidName`` for a ``#TestCase`` suffix the mock config does not define (as
    Step Functions Local emulators answer)."""
    return ApiError("InvalidName", message)


def invalid_definition(message: str) -> ApiError:
    """``InvalidDefinition`` with ``message`` (``Invalid State Machine Definition: '...'``)."""
    return ApiError("InvalidDefinition", message)


def invalid_execution_input(problem: str) -> ApiError:
    """``InvalidExecutionInput``: the execution input is not JSON (OBS)."""
    return ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{problem}'")


def invalid_token() -> ApiError:
    """``InvalidToken`` for a ``nextToken`` this service did not issue (UNCONFIRMED wording)."""
    return ApiError("InvalidToken", "Invalid Token: 'Invalid token'")


def resource_not_found(arn: str) -> ApiError:
    """``ResourceNotFound`` for the tagging operations."""
    return ApiError("ResourceNotFound", f"Resource not found: '{arn}'")


def type_not_supported() -> ApiError:
    """``StateMachineTypeNotSupported`` (OBS: StartSyncExecution of STANDARD, ListExecutions
    of EXPRESS)."""
    return ApiError(
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )


def validation_errors(problems: Sequence[str]) -> ApiError:
    """``ValidationException`` in AWS's ``N validation error(s) detected: a; b`` form (OBS)."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return ApiError(
        "ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems)
    )


def unsupported(what: str) -> ApiError:
    """Something AWS does that this local service does not (never an AWS error code)."""
    return ApiError("pytest_sfn.Unsupported", f"pytest-sfn's local client does not support {what}")
