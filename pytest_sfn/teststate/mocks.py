"""TestState mocks: what a mocked Task, Map or Parallel returns or raises, and their checks.

A mock replaces the state's work: ``result`` is the raw integration result (the whole Map
or Parallel result for those states), ``errorOutput`` the error the integration raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.model.states import MapState, ParallelState, State, TaskState
from pytest_sfn.teststate import errors

__all__ = ["FIELD_VALIDATION_MODES", "MockSpec", "StateMock", "check_mock", "mock_request"]

FIELD_VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")
_MOCKABLE = ("Task", "Map", "Parallel")
#: Resources whose mocked results AWS does not validate against an API model.
_UNVALIDATED_SERVICES = frozenset({"http", "apigateway"})
_UNVALIDATED_APIS = frozenset({("eks", "call"), ("eks", "runJob")})
_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class StateMock:
    """The ``mock`` of a TestState request, in Python terms.

    Give exactly one of ``result`` (any JSON value: the raw integration result) or
    ``error_output`` (``(error, cause)``).

    Example:
        >>> StateMock(result={"Payload": 1}).to_api()
        {'result': '{"Payload":1}', 'fieldValidationMode': 'STRICT'}
        >>> StateMock(error_output=("Lambda.ServiceException", "boom")).to_api()["errorOutput"]
        {'error': 'Lambda.ServiceException', 'cause': 'boom'}
    """

    result: JSON = _UNSET
    error_output: tuple[str, str | None] | None = None
    field_validation_mode: str = "STRICT"

    def to_api(self) -> dict[str, Any]:
        """The API ``mock`` member (``result`` as JSON text)."""
        out: dict[str, Any] = {}
        if self.result is not _UNSET:
            out["result"] = dump_compact(self.result)
        if self.error_output is not None:
            error, cause = self.error_output
            out["errorOutput"] = {"error": error} if cause is None else {
                "error": error, "cause": cause
            }  # fmt: skip
        out["fieldValidationMode"] = self.field_validation_mode
        return out


def mock_request(mock: StateMock | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The API ``mock`` member for a :class:`StateMock` or an API-shaped mapping."""
    if mock is None:
        return None
    if isinstance(mock, StateMock):
        return mock.to_api()
    return dict(mock)


@dataclass(frozen=True, slots=True)
class MockSpec:
    """A checked mock.

    Attributes:
        result: the decoded result (when ``has_result``).
        result_text: the result's JSON text as given.
        error, cause: the mocked error (when not ``has_result``).
    """

    has_result: bool
    result: JSON = None
    result_text: str = ""
    error: str | None = None
    cause: str | None = None


def check_mock(
    mock: Mapping[str, Any] | None, state: State, reveal_secrets: bool
) -> MockSpec | None:
    """Apply AWS's mock rules, in AWS's order.

    Raises:
        StateTestError: the first rule broken.
    """
    if mock is None:
        if isinstance(state, (MapState, ParallelState)):
            raise errors.invalid_definition(errors.MAP_OR_PARALLEL)
        return None
    if state.type not in _MOCKABLE:
        raise errors.mock_not_supported(state.type)
    if reveal_secrets:
        raise errors.validation(errors.REVEAL_WITH_MOCK)
    if ("result" in mock) == ("errorOutput" in mock):
        raise errors.validation(errors.ONE_MOCK_FIELD)
    if "errorOutput" in mock:
        output = mock["errorOutput"] or {}
        return MockSpec(False, error=output.get("error"), cause=output.get("cause"))
    text = str(mock["result"])
    try:
        result = json.loads(text)
    except ValueError:
        raise errors.validation(errors.RESULT_NOT_JSON) from None
    _check_shape(state, result)
    if isinstance(state, TaskState):
        _check_fields(state, result, str(mock.get("fieldValidationMode") or "STRICT"))
    return MockSpec(True, result=result, result_text=text)


def _check_shape(state: State, result: JSON) -> None:
    if isinstance(state, MapState):
        if state.result_writer is not None:
            if not isinstance(result, dict):
                raise errors.validation(errors.RESULT_NOT_OBJECT)
        elif not isinstance(result, list):
            raise errors.validation(errors.RESULT_NOT_ARRAY)
    elif isinstance(state, ParallelState):
        if not isinstance(result, list):
            raise errors.validation(errors.RESULT_NOT_ARRAY)
        if len(result) != len(state.branches):
            raise errors.validation(errors.BRANCH_COUNT)


def _check_fields(state: TaskState, result: JSON, mode: str) -> None:
    resource = state.resource
    if mode == "NONE" or resource.service in _UNVALIDATED_SERVICES:
        return
    if (resource.service, resource.api) in _UNVALIDATED_APIS:
        return
    try:
        from pytest_sfn.integrations.shapes import validate_result
    except ImportError:  # pragma: no cover - shipped with the integrations package
        return
    problems = validate_result(resource, result, mode)
    if problems:
        raise errors.validation(errors.SCHEMA_PREFIX + problems[0])
