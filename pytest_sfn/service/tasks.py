"""How the local service answers Task states, and what happens when nothing does.

A Task is answered by the client's ``results`` mapping, by a Step Functions Local test case
(``stateMachineArn="<arn>#<TestCase>"`` with a ``mock_config``; unlisted states fall back to
``results``), or not at all. A Task that nothing answers ends its execution ``FAILED`` with
error ``pytest_sfn.UnmockedTask`` (``pytest_sfn.MockError`` for another mock problem) and a
cause naming the state. No ``Retry`` or ``Catch`` sees that error: it is a problem of the
test, not of the workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pytest_sfn.engine.execution import Execution
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.errors import MOCK_ERROR, UNMOCKED_TASK_ERROR, MockError
from pytest_sfn.mocks.results import ResultProvider
from pytest_sfn.service import errors
from pytest_sfn.service.sfn_local_mocks import MockConfig

__all__ = ["MOCK_ERROR", "UNMOCKED_TASK_ERROR", "keep_input_text", "task_handler"]


def task_handler(
    results: Mapping[str, Any] | None, mocks: MockConfig | None, machine: str,
    test_case: str | None,
) -> TaskHandler:  # fmt: skip
    """The handler for one execution of state machine ``machine``.

    Raises:
        ApiError: ``InvalidName`` when ``test_case`` is given but not defined.
    """
    fallback: TaskHandler | None = ResultProvider(results) if results is not None else None
    if test_case is None:
        return fallback or ResultProvider(None)
    if mocks is None:
        raise errors.invalid_test_case(
            f"Invalid mock test case name '{test_case}' for state machine '{machine}': "
            "local_client() was given no mock_config"
        )
    try:
        case = mocks.test_case(machine, test_case)
    except MockError as exc:
        raise errors.invalid_test_case(
            f"Invalid mock test case name '{test_case}' for state machine '{machine}': {exc}"
        ) from None
    return case.handler(fallback)


def keep_input_text(execution: Execution, input_text: str) -> Execution:
    """The execution with its ``ExecutionStarted`` input exactly as the caller sent it."""
    history = list(execution.history)
    if history and history[0].type == "ExecutionStarted":
        history[0] = replace(history[0], details={**history[0].details, "input": input_text})
    return replace(execution, history=tuple(history))
