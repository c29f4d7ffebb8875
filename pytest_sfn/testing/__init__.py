"""Testing helpers that do not need pytest: assertions, expectations and scenario runs.

* :mod:`pytest_sfn.testing.assertions`: ``assert_succeeded``, ``assert_failed``,
  ``assert_path``, ``assert_called_with``, ``assert_output`` (also methods of
  :class:`~pytest_sfn.Execution`);
* :mod:`pytest_sfn.testing.expectations`: :func:`compare_expectations` checks an execution
  against a scenario's ``expect`` section;
* :mod:`pytest_sfn.testing.scenario`: :func:`read_scenario_file`, :func:`run_scenario`,
  :func:`format_report` for ``*.sfn.yaml`` files;
* :mod:`pytest_sfn.testing.machines`: :func:`load_machine` finds and loads definitions.
"""

from __future__ import annotations

from pytest_sfn.testing.assertions import (
    assert_called_with,
    assert_failed,
    assert_output,
    assert_path,
    assert_succeeded,
)
from pytest_sfn.testing.expectations import Mismatch, compare_expectations
from pytest_sfn.testing.machines import load_machine
from pytest_sfn.testing.scenario import (
    Scenario,
    ScenarioFile,
    ScenarioResult,
    format_report,
    read_scenario_file,
    run_scenario,
)

__all__ = [
    "Mismatch",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "assert_called_with",
    "assert_failed",
    "assert_output",
    "assert_path",
    "assert_succeeded",
    "compare_expectations",
    "format_report",
    "load_machine",
    "read_scenario_file",
    "run_scenario",
]
