"""Execution history events, exactly as ``GetExecutionHistory`` returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pytest_sfn._json import dump_compact

# Event type -> name of its details member (None: the event carries no details).
_STATE_ENTERED = "stateEnteredEventDetails"
_STATE_EXITED = "stateExitedEventDetails"


def details_member(event_type: str) -> str | None:
    """The ``...EventDetails`` member AWS uses for ``event_type``."""
    if event_type.endswith("StateEntered"):
        return _STATE_ENTERED
    if event_type.endswith("StateExited"):
        return _STATE_EXITED
    if event_type in _NO_DETAILS:
        return None
    return event_type[0].lower() + event_type[1:] + "EventDetails"


_NO_DETAILS = frozenset(
    {
        "TaskStateAborted",
        "WaitStateAborted",
        "ParallelStateAborted",
        "MapStateAborted",
        "LambdaFunctionStarted",
        "ParallelStateStarted",
        "ParallelStateSucceeded",
        "ParallelStateFailed",
        "MapStateSucceeded",
        "MapStateFailed",
        "MapRunSucceeded",
        "MapRunAborted",
        "PassStateAborted",
    }
)


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One history event. ``details`` holds the members of the ``...EventDetails`` structure."""

    id: int
    previous_event_id: int
    type: str
    timestamp: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def to_api(self, *, include_execution_data: bool = True) -> dict[str, Any]:
        """The ``HistoryEvent`` structure of the Step Functions API."""
        out: dict[str, Any] = {
            "timestamp": self.timestamp,
            "type": self.type,
            "id": self.id,
            "previousEventId": self.previous_event_id,
        }
        member = details_member(self.type)
        if member is not None:
            details = self.details
            if not include_execution_data:
                details = {k: v for k, v in details.items() if k not in _DATA_FIELDS}
            out[member] = details
        return out


_DATA_FIELDS = frozenset({"input", "output", "parameters"})


payload = dump_compact  # history payloads are compact JSON text
