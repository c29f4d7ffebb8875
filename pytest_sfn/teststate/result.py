"""``StateTestResult``: the outcome of testing one state, and its TestState response."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pytest_sfn._types import JSON

__all__ = ["STATUSES", "StateTestResult"]

STATUSES = ("SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR")


@dataclass(frozen=True, slots=True)
class StateTestResult:
    """What a TestState run returned.

    Attributes:
        status: ``SUCCEEDED``, ``FAILED``, ``RETRIABLE`` or ``CAUGHT_ERROR``.
        output_json: the output as AWS returns it (JSON text), ``None`` when there is none
            (``FAILED``, ``RETRIABLE``).
        error, cause: the error (``FAILED``, ``RETRIABLE``, ``CAUGHT_ERROR``).
        next_state: the state that would run next (``None`` at the end or on failure).
        inspection_data: the ``inspectionData`` member (``DEBUG``/``TRACE``), values as
            the API returns them (JSON text); ``None`` at ``INFO``.
    """

    status: str
    output_json: str | None = None
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    inspection_data: dict[str, Any] | None = None

    @property
    def output(self) -> JSON:
        """The decoded output (``None`` when there is none)."""
        return None if self.output_json is None else json.loads(self.output_json)

    def inspection(self, key: str) -> JSON:
        """An ``inspectionData`` member decoded (``afterInputPath`` -> its JSON value).

        Raises:
            KeyError: the member is absent (or the level is ``INFO``).
        """
        value = (self.inspection_data or {})[key]
        return json.loads(value) if isinstance(value, str) else value

    def to_api(self) -> dict[str, Any]:
        """The ``TestState`` response, member for member."""
        out: dict[str, Any] = {}
        if self.output_json is not None:
            out["output"] = self.output_json
        if self.error is not None:
            out["error"] = self.error
        if self.cause is not None:
            out["cause"] = self.cause
        if self.inspection_data is not None:
            out["inspectionData"] = self.inspection_data
        if self.next_state is not None:
            out["nextState"] = self.next_state
        out["status"] = self.status
        return out
