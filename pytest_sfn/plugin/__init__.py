"""The pytest plugin of pytest-sfn (entry point ``sfn``; disable with ``-p no:sfn``).

This package is the only part of pytest-sfn that imports pytest. It provides:

* the fixtures ``sfn`` (an :class:`SfnHarness`), ``sfn_mocks`` (a fresh
  :class:`~pytest_sfn.mocks.Mocks` builder) and ``sfn_client`` (a botocore client answered
  in-process, with the test's mocks);
* the ``@pytest.mark.sfn(...)`` marker, which also requests the ``sfn`` fixture;
* the ``@pytest.mark.sfn_state(...)`` marker (one state tested with TestState, its
  expectations checked; fixture ``sfn_state_result``) and ``@pytest.mark.sfn_redrive(...)``
  (a failing execution, the fix, the redrive; fixture ``sfn_redrive_result``), see
  :mod:`pytest_sfn.plugin.marks`;
* Task states answered by mocks, Lambda handlers, child state machines, HTTP mocks,
  botocore clients and handlers other plugins register (:mod:`pytest_sfn.plugin.hooks`,
  order in :mod:`pytest_sfn.plugin.tasks`);
* the ``--sfn-*`` command-line and ``sfn_*`` ini options;
* ``*.sfn.yaml`` / ``*.sfn.yml`` scenario files collected as tests, one per scenario;
* the network and credential guard (:mod:`pytest_sfn.plugin.guard`) and its opt-ins;
* assertion explanations for executions and a report header line.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_sfn.plugin import guard
from pytest_sfn.plugin.collect import ScenarioCollector, ScenarioItem, is_scenario_file
from pytest_sfn.plugin.fixtures import (
    CALL_FAILED_KEY,
    CURRENT_KEY,
    OPTIONS_KEY,
    REDRIVE_KEY,
    SETTINGS_KEY,
    STATE_CASE,
    STATE_KEY,
    _sfn_state_cases,
    marker_options,
    sfn,
    sfn_client,
    sfn_mocks,
    sfn_redrive_result,
    sfn_state_case,
    sfn_state_result,
)
from pytest_sfn.plugin.harness import SfnHarness
from pytest_sfn.plugin.marks import (
    REDRIVE_MARKER_DOC,
    STATE_MARKER_DOC,
    RedriveResult,
    redrive_mismatches,
    redrive_report,
    state_report,
)
from pytest_sfn.plugin.options import MARKER_DOC, SfnOptions, SfnSettings, add_options
from pytest_sfn.plugin.reporting import explain_comparison

__all__ = [
    "RedriveResult",
    "ScenarioCollector",
    "ScenarioItem",
    "SfnHarness",
    "SfnOptions",
    "SfnSettings",
    "sfn",
    "sfn_client",
    "sfn_mocks",
    "sfn_redrive_result",
    "sfn_state_case",
    "sfn_state_result",
]

#: Keeps the autouse fixture registered with the plugin module (see ``fixtures.py``).
_AUTOUSE = (_sfn_state_cases,)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register pytest-sfn's hook specifications (hookspec: ``pytest_addhooks``).

    See :mod:`pytest_sfn.plugin.hooks`: ``pytest_sfn_task_handlers`` and
    ``pytest_sfn_resolve_task``.
    """
    from pytest_sfn.plugin import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--sfn-*`` and ``sfn_*`` (hookspec: ``pytest_addoption``)."""
    add_options(parser)
    guard.add_guard_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``sfn`` marker and read the settings (hookspec: ``pytest_configure``)."""
    config.addinivalue_line("markers", MARKER_DOC)
    config.addinivalue_line("markers", STATE_MARKER_DOC)
    config.addinivalue_line("markers", REDRIVE_MARKER_DOC)
    config.addinivalue_line("markers", guard.ALLOW_NETWORK_MARKER_DOC)
    config.stash[SETTINGS_KEY] = SfnSettings.from_config(config)
    # Safe by default: no AWS, network or real credentials during tests (see guard.py).
    if not config.pluginmanager.has_plugin("sfn-guard"):
        config.pluginmanager.register(guard, "sfn-guard")


def pytest_report_header(config: pytest.Config) -> str:
    """``pytest-sfn <version>`` (hookspec: ``pytest_report_header``)."""
    from pytest_sfn import __version__

    return f"pytest-sfn {__version__}"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.sfn.yaml`` / ``*.sfn.yml`` files (hookspec: ``pytest_collect_file``)."""
    if is_scenario_file(file_path):
        return ScenarioCollector.from_parent(parent, path=file_path)
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test carrying several ``sfn_state`` marks becomes one item per mark.

    Hookspec: ``pytest_generate_tests``. The ids are the marks' ``id=`` or state names;
    the function's marks come first, in source order, then its class's and module's.
    """
    own = [mark for mark in metafunc.definition.own_markers if mark.name == "sfn_state"]
    # Decorators apply bottom-up: reversed, the function's marks are in source order.
    marks = own[::-1] + [
        mark
        for mark in metafunc.definition.iter_markers("sfn_state")
        if not any(mark is known for known in own)
    ]
    if len(marks) < 2 or STATE_CASE not in metafunc.fixturenames:
        return
    ids = [
        str(mark.kwargs.get("id") or (mark.args[0] if mark.args else f"state{index}"))
        for index, mark in enumerate(marks)
    ]
    metafunc.parametrize(STATE_CASE, marks, ids=ids)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Merge each test's ``sfn`` markers; a marked test gets the ``sfn`` fixture.

    Hookspec: ``pytest_collection_modifyitems``. A marker with a bad keyword is kept as
    the error the ``sfn`` fixture raises, so only that test fails. A test marked
    ``sfn_state`` (``sfn_redrive``) gets the ``sfn_state_result`` (``sfn_redrive_result``)
    fixture, so that its expectations are checked even if the test does not ask for it.
    """
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        for wanted, marker in (
            ("sfn_state_result", "sfn_state"),
            ("sfn_redrive_result", "sfn_redrive"),
        ):
            if item.get_closest_marker(marker) is not None and wanted not in item.fixturenames:
                item.fixturenames.append(wanted)
        if item.get_closest_marker("sfn") is None:
            continue
        item.stash[OPTIONS_KEY] = marker_options(item)
        if "sfn" not in item.fixturenames:
            item.fixturenames.append("sfn")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Check the expectations of ``sfn_state`` / ``sfn_redrive`` marks before the body.

    Hookspec: ``pytest_runtest_call``. An unmet expectation fails the test with a report
    of what was expected and what happened; the test body then does not run.
    """
    __tracebackhide__ = True
    checked = item.stash.get(STATE_KEY, None)
    if checked is not None:
        mark, result = checked
        from pytest_sfn.testing.state_checks import compare_state_expectations

        found = compare_state_expectations(mark.expect, result)
        if found:
            pytest.fail(state_report(mark, result, found), pytrace=False)
    redrive = item.stash.get(REDRIVE_KEY, None)
    if redrive is not None:
        problems = redrive_mismatches(*redrive)
        if problems:
            pytest.fail(redrive_report(redrive[1], problems), pytrace=False)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed (hookspec: ``pytest_runtest_makereport``).

    The ``sfn`` fixture does not report unused mocks of a test that already failed.
    """
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED_KEY] = report.failed
    return report


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: Any, right: Any
) -> list[str] | None:
    """Explain a failed ``==`` on executions, an execution's status or its path.

    Hookspec: ``pytest_assertrepr_compare``. With ``-v`` the explanation shows every state
    visit with its input and output.
    """
    if op != "==":
        return None
    harness = config.stash.get(CURRENT_KEY, None)
    executions = harness.all_executions() if harness is not None else []
    return explain_comparison(
        left, right, executions, verbose=int(config.getoption("verbose", 0) or 0) > 0
    )
