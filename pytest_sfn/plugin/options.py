"""``SfnOptions``: the ``@pytest.mark.sfn(...)`` keyword arguments of one test, merged.

Markers are read closest-first (function, then class, then module), so a test's own
marker overrides its class's. ``results`` mappings are merged state by state, the closest
marker winning for a state both name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

from pytest_sfn.errors import did_you_mean

__all__ = ["MARKER_DOC", "SfnOptions"]

#: The ``markers`` ini line registered in ``pytest_configure`` (shown by ``pytest --markers``).
MARKER_DOC = (
    "sfn(definition=None, results=None): defaults for the sfn fixture: the state machine "
    "file sfn.execute(input) runs (relative to the test file) and the Task results it "
    "uses (pytest-sfn docs: Reference > pytest plugin)."
)

_KNOWN = ("definition", "results")


@dataclass(frozen=True, slots=True)
class SfnOptions:
    """What the ``sfn`` markers of a test ask for.

    Attributes:
        definition: the default state machine file (``None``: none given).
        results: default Task results by state name.
    """

    definition: str | PathLike[str] | None = None
    results: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_markers(
        cls, markers: Iterable[tuple[tuple[Any, ...], Mapping[str, Any]]]
    ) -> SfnOptions:
        """Merge ``(args, kwargs)`` pairs of ``sfn`` markers given closest-first.

        Raises:
            TypeError: a marker has positional arguments, an unknown keyword, or a
                ``results`` value that is not a mapping.
        """
        definition: str | PathLike[str] | None = None
        results: dict[str, Any] = {}
        for args, kwargs in markers:
            if args:
                raise TypeError(
                    "@pytest.mark.sfn takes keyword arguments only "
                    f"(definition=..., results=...), got positional {args!r}"
                )
            for key in kwargs:
                if key not in _KNOWN:
                    raise TypeError(
                        f"@pytest.mark.sfn got an unexpected keyword argument {key!r}"
                        f"{did_you_mean(key, _KNOWN)}; it accepts: {', '.join(_KNOWN)}"
                    )
            if definition is None and kwargs.get("definition") is not None:
                definition = kwargs["definition"]
            marker_results = kwargs.get("results")
            if marker_results is not None:
                if not isinstance(marker_results, Mapping):
                    raise TypeError(
                        "@pytest.mark.sfn(results=...) must be a mapping of Task state name "
                        f"to result, not {type(marker_results).__name__}"
                    )
                for state, answer in marker_results.items():
                    results.setdefault(state, answer)
        return cls(definition=definition, results=results)
