""":func:`run_state`: the TestState API in Python terms (values, not JSON text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.teststate import errors
from pytest_sfn.teststate.mocks import StateMock, mock_request
from pytest_sfn.teststate.request import run_test_state_request
from pytest_sfn.teststate.result import StateTestResult

__all__ = ["NO_INPUT", "run_state"]

#: Marks an omitted input: the state then receives ``{}``, as the API defaults it.
NO_INPUT: Any = object()


def run_state(
    definition: Mapping[str, Any] | str,
    *,
    state_name: str | None = None,
    input: JSON = NO_INPUT,
    inspection_level: str = "INFO",
    reveal_secrets: bool = False,
    variables: Mapping[str, JSON] | None = None,
    mock: StateMock | Mapping[str, Any] | None = None,
    context: Mapping[str, JSON] | None = None,
    state_configuration: Mapping[str, Any] | None = None,
    role_arn: str | None = None,
    tasks: TaskHandler | None = None,
    results: Mapping[str, Any] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> StateTestResult:
    """Test one state as the ``TestState`` API does, offline.

    Args:
        definition: a single state (dict or JSON text), or a whole state machine when
            ``state_name`` is given (the state may sit in a Parallel branch or a Map).
        state_name: the state to test inside a whole-machine ``definition``.
        input: the state input (any JSON value; omitted: ``{}``).
        inspection_level: ``INFO``, ``DEBUG`` (adds ``inspection_data``) or ``TRACE`` (adds
            the HTTP request and response of an HTTP Task).
        reveal_secrets: show what an EventBridge connection adds to an HTTP request.
        variables: workflow variables visible to the state.
        mock: what a Task, Map or Parallel returns or raises: a :class:`StateMock` or the
            API ``mock`` member (``{"result": "<JSON text>"}`` or
            ``{"errorOutput": {"error": ..., "cause": ...}}``).
        context: the Context object (only with ``mock``); replaces the synthesised one.
        state_configuration: the API ``stateConfiguration`` (``retrierRetryCount``,
            ``errorCausedByState``, ``mapIterationFailureCount``, ``mapItemReaderData``
            as JSON text).
        role_arn: the execution role (required to test a Task without a mock).
        tasks: answers a Task without a mock, as in a full execution.
        results: the same, by state name (the ``results=`` of ``StateMachine.execute``).
        region, account: where the synthesised execution runs.

    Returns:
        The :class:`StateTestResult`.

    Raises:
        StateTestError: the request AWS would refuse (code and message as AWS's).
        UnmockedTaskError: a Task without a mock that nothing answers.
    """
    if results is not None and tasks is not None:
        raise ValueError("pass either results= or tasks=, not both")
    request: dict[str, Any] = {
        "definition": definition if isinstance(definition, str) else dump_compact(definition),
        "inspectionLevel": inspection_level,
        "revealSecrets": reveal_secrets,
    }
    optional = {
        "stateName": state_name,
        "input": None if input is NO_INPUT else dump_compact(input),
        "variables": None if variables is None else dump_compact(dict(variables)),
        "mock": mock_request(mock),
        "context": None if context is None else dump_compact(dict(context)),
        "stateConfiguration": None if state_configuration is None else dict(state_configuration),
        "roleArn": role_arn,
    }
    request.update({key: value for key, value in optional.items() if value is not None})
    _check_shape(request)
    if tasks is None:
        from pytest_sfn.mocks.results import ResultProvider

        tasks = ResultProvider(results)
    return run_test_state_request(request, tasks=tasks, region=region, account=account)


def _check_shape(request: dict[str, Any]) -> None:
    """The API's own member checks (lengths, enums), as the service applies them."""
    from pytest_sfn.service.errors import ApiError
    from pytest_sfn.service.session import service_model
    from pytest_sfn.service.validation import validate_request

    try:
        validate_request(service_model().operation_model("TestState").input_shape, request)
    except ApiError as exc:
        raise errors.StateTestError(exc.code, exc.message) from None
