"""``inspectionData``: the intermediate results of a TestState run, as JSON text.

Every data member is a string of JSON text. A value that went through a step unchanged
keeps the text the caller wrote (aws-spec §1.2: input ``{"number": 2}`` comes back as
``{"number": 2}``); computed values are compact JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON

__all__ = ["INSPECTION_LEVELS", "Document", "Inspection"]

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
#: The order of ``InspectionData`` members in the API model.
_ORDER = (
    "input", "afterArguments", "afterInputPath", "afterParameters", "result",
    "afterResultSelector", "afterResultPath", "request", "response", "variables",
    "errorDetails", "afterItemsPath", "afterItemSelector", "afterItemBatcher",
    "afterItemsPointer", "toleratedFailureCount", "toleratedFailurePercentage",
    "maxConcurrency",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Document:
    """A JSON value and, when known, the exact text it was given as."""

    value: JSON
    text: str | None = None

    def then(self, value: JSON) -> Document:
        """The document after a step produced ``value``: same text if nothing changed."""
        return Document(value, self.text if value is self.value else None)

    def render(self) -> str:
        """The JSON text: as given when unchanged, else compact."""
        return self.text if self.text is not None else dump_compact(self.value)


@dataclass(slots=True)
class Inspection:
    """Collects ``inspectionData`` members as the state runs."""

    data: dict[str, Any] = field(default_factory=dict)

    def put(self, key: str, document: Document) -> Document:
        """Record a data member (JSON text); returns ``document`` for chaining."""
        self.data[key] = document.render()
        return document

    def put_value(self, key: str, value: JSON) -> None:
        """Record a data member computed here (compact JSON text)."""
        self.data[key] = dump_compact(value)

    def put_raw(self, key: str, value: Any) -> None:
        """Record a member that is not JSON text (numbers, ``errorDetails``, HTTP data)."""
        self.data[key] = value

    def ordered(self) -> dict[str, Any]:
        """The members in the API model's order."""
        return {key: self.data[key] for key in _ORDER if key in self.data}
