"""The Context object of a TestState run: synthesised, or given with a mock and checked.

Synthesised (aws-spec §1.8): an Express-style execution with generated names, the test input
as ``Execution.Input``, the role (or ``null``), and ``State.Name`` ``StateName``;
``State.RetryCount`` only for Task, Map and Parallel. A state inside a Map sees
``Map.Item`` (index 0, the input as the value). A given object replaces it verbatim.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pytest_sfn._types import JSON
from pytest_sfn.engine.clock import iso_timestamp
from pytest_sfn.engine.runtime import Visit
from pytest_sfn.teststate import errors

__all__ = ["ContextSource", "check_context", "synthesized_source"]

#: Keys a given Context object may hold, and the members each may hold, with their types.
_ALLOWED: Mapping[str, Mapping[str, type]] = {
    "Execution": {
        "Id": str, "Input": object, "Name": str, "RoleArn": str, "StartTime": str,
        "RedriveCount": int, "RedriveTime": str,
    },
    "State": {"EnteredTime": str, "Name": str, "RetryCount": int},
    "StateMachine": {"Id": str, "Name": str},
    "Task": {"Token": str},
}  # fmt: skip
_TYPE_WORDS: Mapping[type, str] = {str: "a string", int: "an integer"}
_CALLBACK_PATTERNS = (".sync", ".sync:2", ".waitForTaskToken")


def check_context(context: JSON, state_type: str, pattern: str) -> dict[str, JSON]:
    """Check a given Context object (aws-spec §1.1).

    Args:
        context: the decoded ``context``.
        state_type: the tested state's ``Type``.
        pattern: its integration pattern (``""`` unless a Task).

    Raises:
        StateTestError: ``Invalid Context object provided: ...``.
    """
    if not isinstance(context, dict):
        raise errors.invalid_context("Context object must be a JSON object")  # UNCONFIRMED
    if "Map" in context:
        raise errors.invalid_context("'Map' field is not supported when mocking a Context object")
    for key, members in context.items():
        if key not in _ALLOWED:
            raise errors.invalid_context(f"Field '{key}' is not allowed")
        if not isinstance(members, dict):
            raise errors.invalid_context(f"{key} must be an object")  # UNCONFIRMED
        for name, value in members.items():
            expected = _ALLOWED[key].get(name)
            if expected is None:
                raise errors.invalid_context(f"Field '{name}' is not allowed")
            if expected is not object and not _has_type(value, expected):
                word = _TYPE_WORDS.get(expected, "valid")
                raise errors.invalid_context(f"{key}.{name} must be {word}")
    if "Task" in context and not (state_type == "Task" and pattern in _CALLBACK_PATTERNS):
        raise errors.invalid_context(
            "Context object contains 'Task' when state is not a Task state with a '.sync' or "
            "'.waitForTaskToken' service integration pattern"
        )
    return context


def _has_type(value: JSON, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


@dataclass(frozen=True, slots=True)
class ContextSource:
    """Builds the Context object a visit of the tested state sees."""

    given: dict[str, JSON] | None
    execution: dict[str, JSON]
    machine: dict[str, JSON]

    def __call__(self, visit: Visit) -> dict[str, JSON]:
        if self.given is not None:
            return copy.deepcopy(self.given)
        state: dict[str, JSON] = {
            "Name": visit.name,
            "EnteredTime": iso_timestamp(visit.entered_at),
        }
        if visit.retryable:
            state["RetryCount"] = visit.retry_count
        out: dict[str, JSON] = {
            "Execution": self.execution,
            "StateMachine": self.machine,
            "State": state,
        }
        if visit.task_token is not None:
            out["Task"] = {"Token": visit.task_token}
        if visit.map_item is not None:
            out["Map"] = {"Item": visit.map_item}
        return out


def synthesized_source(
    given: dict[str, JSON] | None, *, input_value: JSON, role_arn: str | None, region: str,
    account: str, start: datetime, rng: random.Random,
) -> ContextSource:  # fmt: skip
    """The context of one run (``given`` wins when present)."""
    machine_name = "TestState-" + _uuid(rng).replace("-", "")[:12]
    execution_name = _uuid(rng)
    base = f"arn:aws:states:{region}:{account}"
    execution: dict[str, JSON] = {
        "Id": f"{base}:express:{machine_name}:{execution_name}",
        "Input": input_value,
        "Name": execution_name,
        "RoleArn": role_arn,
        "StartTime": iso_timestamp(start),
    }
    machine: dict[str, JSON] = {"Id": f"{base}:stateMachine:{machine_name}", "Name": machine_name}
    return ContextSource(given, execution, machine)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
