"""A TestState request: checked in AWS's order, then run.

:func:`test_state_request` takes the request exactly as the ``TestState`` API receives it
(every JSON document as text) and returns the :class:`StateTestResult`, or raises
:class:`StateTestError` with the exception code and message AWS answers with.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import DEFAULT_START
from pytest_sfn.engine.ports import TaskHandler
from pytest_sfn.model.states import State, TaskState
from pytest_sfn.teststate import errors
from pytest_sfn.teststate.context import check_context, synthesized_source
from pytest_sfn.teststate.definition import nested_state_names, resolve_state
from pytest_sfn.teststate.evaluate import Outcome, evaluate
from pytest_sfn.teststate.http_trace import HttpTrace
from pytest_sfn.teststate.inspection import Document
from pytest_sfn.teststate.mocks import MockSpec, check_mock
from pytest_sfn.teststate.result import StateTestResult
from pytest_sfn.teststate.run import StateRun, StateSettings

__all__ = ["run_test_state_request"]

_CALLBACK_PATTERNS = (".sync", ".sync:2", ".waitForTaskToken")
_HTTP = ("http", "invoke")


def run_test_state_request(
    request: Mapping[str, Any], *, tasks: TaskHandler, region: str = "us-east-1",
    account: str = "123456789012", start: datetime = DEFAULT_START,
    fail_on_mock_error: bool = False,
) -> StateTestResult:  # fmt: skip
    """Check and run one ``TestState`` request (API shape, documents as JSON text).

    Args:
        request: the request members (``definition``, ``input``, ``mock``...).
        tasks: answers a Task that is not mocked.
        region, account: where the synthesised execution runs.
        start: the execution's virtual start time.
        fail_on_mock_error: a Task nothing answers ends the run ``FAILED`` with error
            ``pytest_sfn.UnmockedTask`` instead of raising
            :class:`~pytest_sfn.errors.UnmockedTaskError`.

    Raises:
        StateTestError: AWS would refuse the request.
    """
    tested = resolve_state(_definition(request["definition"]), request.get("stateName"))
    state = tested.state
    settings = _settings(request.get("stateConfiguration"), request.get("mock"), state)
    mock = check_mock(request.get("mock"), state, bool(request.get("revealSecrets")))
    given = _context(request, state, mock)
    _check_task_needs(request, state, mock)
    input_text = request.get("input")
    input_doc = Document({}, "{}") if input_text is None else _input(input_text)
    variables = _variables(request.get("variables"))
    level = request.get("inspectionLevel") or "INFO"
    trace = None
    if _is_http(state) and level == "TRACE":
        trace = HttpTrace(bool(request.get("revealSecrets")))
    rng = random.Random(0)
    source = synthesized_source(
        given, input_value=input_doc.value, role_arn=request.get("roleArn"), region=region,
        account=account, start=start, rng=rng,
    )  # fmt: skip
    run = StateRun.start(
        state, input_doc, source=source, tasks=tasks, variables=variables, mock=mock,
        settings=settings, map_item=tested.in_map is not None and given is None, start=start,
        region=region, account=account, trace=trace, fail_on_mock_error=fail_on_mock_error,
    )  # fmt: skip
    outcome = evaluate(run)
    return _result(outcome, run, variables, level)


def _is_http(state: State) -> bool:
    return isinstance(state, TaskState) and (state.resource.service, state.resource.api) == _HTTP


def _definition(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    from pytest_sfn.service.definitions import invalid_definition_message
    from pytest_sfn.service.jackson import JsonSyntaxError, decode

    try:
        return decode(text)
    except JsonSyntaxError as exc:
        from pytest_sfn.errors import Diagnostic

        diagnostic = Diagnostic("INVALID_JSON_DESCRIPTION", exc.message, exc.location)
        raise errors.invalid_definition(invalid_definition_message([diagnostic])) from None


def _json(text: str) -> JSON:
    from pytest_sfn.service.jackson import decode

    return decode(text)


def _input(text: str) -> Document:
    from pytest_sfn.service.errors import ApiError
    from pytest_sfn.service.resources import execution_input

    try:
        _, value = execution_input(text)
    except ApiError as exc:
        raise errors.StateTestError(exc.code, exc.message) from None
    return Document(value, text)


def _decoded(text: str, what: str) -> JSON:
    from pytest_sfn.service.jackson import JsonSyntaxError

    try:
        return _json(text)
    except JsonSyntaxError as exc:
        raise errors.validation(f"Invalid {what}: {exc.problem}") from None  # UNCONFIRMED


def _variables(text: str | None) -> dict[str, JSON]:
    if text is None:
        return {}
    value = _decoded(text, "variables")
    if not isinstance(value, dict):
        raise errors.validation("Variables must be a JSON object")  # UNCONFIRMED wording
    return value


def _settings(config: Mapping[str, Any] | None, mock: Any, state: State) -> StateSettings:
    config = config or {}
    failures = config.get("mapIterationFailureCount")
    if failures is not None and mock is None:
        raise errors.validation(errors.FAILURE_COUNT_WITHOUT_MOCK)
    caused_by = config.get("errorCausedByState")
    if caused_by is not None and caused_by not in nested_state_names(state):
        # UNCONFIRMED wording: AWS requires a state of the tested Map or Parallel.
        raise errors.validation(
            f"State '{caused_by}' specified in errorCausedByState was not found in the "
            f"{state.type} state being tested"
        )
    reader_text = config.get("mapItemReaderData")
    return StateSettings(
        retry_count=int(config.get("retrierRetryCount") or 0),
        error_caused_by=caused_by,
        failure_count=failures,
        reader_data=_decoded(reader_text, "mapItemReaderData") if reader_text is not None else None,
        has_reader_data=reader_text is not None,
    )


def _context(
    request: Mapping[str, Any], state: State, mock: MockSpec | None
) -> dict[str, JSON] | None:
    text = request.get("context")
    if text is None:
        return None
    if mock is None:
        raise errors.validation(errors.CONTEXT_WITHOUT_MOCK)
    pattern = state.resource.pattern if isinstance(state, TaskState) else ""
    return check_context(_decoded(text, "Context object"), state.type, pattern)


def _check_task_needs(request: Mapping[str, Any], state: State, mock: MockSpec | None) -> None:
    if not isinstance(state, TaskState) or mock is not None:
        return
    if not request.get("roleArn"):
        raise errors.validation(errors.ROLE_REQUIRED)
    resource = state.resource
    if resource.kind == "activity" or resource.pattern in _CALLBACK_PATTERNS:
        pattern = "Activity" if resource.kind == "activity" else resource.pattern
        raise errors.validation(errors.PATTERN_NEEDS_MOCK.format(pattern=pattern))


def _result(
    outcome: Outcome, run: StateRun, variables: dict[str, JSON], level: str
) -> StateTestResult:
    inspection = None
    if level != "INFO":
        everything = {**variables, **(outcome.assigned or {})}
        if everything:
            run.inspection.put_value("variables", everything)
        if run.trace is not None and run.trace.request is not None:
            run.inspection.put_raw("request", run.trace.request)
            run.inspection.put_raw("response", run.trace.response)
        inspection = run.inspection.ordered()
    return StateTestResult(
        status=outcome.status,
        output_json=outcome.output.render() if outcome.output is not None else None,
        error=outcome.error,
        cause=outcome.cause,
        next_state=outcome.next_state,
        inspection_data=inspection,
    )
