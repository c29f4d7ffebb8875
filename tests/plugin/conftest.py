"""Fixtures shared by the plugin tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis  # noqa: F401
import pytest

# pytester removes the modules an inline run imported once it ends. Hypothesis's pytest
# plugin imports hypothesis at the end of every session, so without this import each inner
# run would pay about a second to import it again.

WriteMachine = Callable[[str, Any], Path]


@pytest.fixture
def write_machine(pytester: pytest.Pytester) -> WriteMachine:
    """``write_machine("sub/name.asl.json", definition)`` writes a definition file.

    ``definition`` is a dict (written as JSON) or text written as is.
    """

    def write(relative: str, definition: Any) -> Path:
        path = pytester.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = definition if isinstance(definition, str) else json.dumps(definition)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def pass_machine() -> Callable[[Any], dict[str, Any]]:
    """``pass_machine(result)``: a one-state definition whose output is ``result``."""

    def make(result: Any) -> dict[str, Any]:
        return {
            "StartAt": "Only",
            "States": {"Only": {"Type": "Pass", "Result": result, "End": True}},
        }

    return make


@pytest.fixture
def task_machine() -> Callable[..., dict[str, Any]]:
    """``task_machine("Charge")``: a one-Task definition (a Lambda invoke)."""

    def make(state: str = "Charge") -> dict[str, Any]:
        task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        return {"StartAt": state, "States": {state: task}}

    return make


@pytest.fixture(autouse=True)
def _toy_results_in_inner_runs(request: pytest.FixtureRequest) -> None:
    """Inner pytester runs skip mock result validation unless the module opts in.

    Most plugin tests answer ``lambda:invoke`` Tasks with toy results (``1``, ``"ok"``) to
    test something else; AWS (and the default ``sfn_validate_mocks = PRESENT``) would reject
    them. Modules that test validation set ``VALIDATE_MOCKS = True``.
    """
    if "pytester" not in request.fixturenames or getattr(request.module, "VALIDATE_MOCKS", False):
        return
    request.getfixturevalue("pytester")  # it clears PYTEST_ADDOPTS: set it afterwards
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("PYTEST_ADDOPTS", "-o sfn_validate_mocks=NONE")
