"""The pytest plugin of pytest-sfn (entry point ``sfn``; disable with ``-p no:sfn``).

This package is the only part of pytest-sfn that imports pytest. It provides the ``sfn``
fixture (an :class:`SfnHarness`), the ``@pytest.mark.sfn`` marker, a report header line
and assertion explanations for executions.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_sfn.plugin.fixtures import CURRENT_KEY, sfn
from pytest_sfn.plugin.harness import SfnHarness
from pytest_sfn.plugin.options import MARKER_DOC, SfnOptions
from pytest_sfn.plugin.reporting import explain_comparison

__all__ = ["SfnHarness", "SfnOptions", "sfn"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``sfn`` marker (hookspec: ``pytest_configure``)."""
    config.addinivalue_line("markers", MARKER_DOC)


def pytest_report_header(config: pytest.Config) -> str:
    """``pytest-sfn <version>`` (hookspec: ``pytest_report_header``)."""
    from pytest_sfn import __version__

    return f"pytest-sfn {__version__}"


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: Any, right: Any
) -> list[str] | None:
    """Explain a failed ``==`` on an execution's status or path.

    Hookspec: ``pytest_assertrepr_compare``.
    """
    if op != "==":
        return None
    harness = config.stash.get(CURRENT_KEY, None)
    executions = harness.executions if harness is not None else []
    return explain_comparison(left, right, executions)
