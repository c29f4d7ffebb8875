"""Answers for Task states in tests: one mock model, several front ends.

* :mod:`~pytest_sfn.mocks.model`: :class:`Response`, :class:`StateMock`, :class:`MockSet`;
* :class:`MockHandler`: the task handler that answers from a mock set
  (``StateMachine.execute(tasks=handler)``), records calls and reports unused responses;
* front ends: YAML (:func:`mocks_from_yaml`, :func:`load_mock_file`), the AWS Step Functions
  Local ``MockConfigFile.json`` (:func:`load_sfn_local_config`) and Python (:class:`Mocks`);
* :mod:`~pytest_sfn.mocks.schema`: the JSON Schema of ``*.sfn.yaml`` scenario files;
* :mod:`~pytest_sfn.mocks.results`: the minimal ``results={...}`` provider
  (:class:`Return`, :class:`Throw`, :class:`InOrder`).
"""

from __future__ import annotations

from pytest_sfn.mocks.documents import LineMap, Problem, load_yaml_document, load_yaml_text
from pytest_sfn.mocks.fluent import Mocks, StateMockBuilder
from pytest_sfn.mocks.handler import Answer, MockHandler
from pytest_sfn.mocks.matching import matches
from pytest_sfn.mocks.model import NOTHING, MockSet, Response, StateMock
from pytest_sfn.mocks.results import InOrder, ResultProvider, Return, Throw
from pytest_sfn.mocks.schema import SCHEMA_PATH, validate_scenario_file
from pytest_sfn.mocks.sfn_local import (
    MockedResponse,
    SfnLocalConfig,
    SfnLocalTestCase,
    load_sfn_local_config,
    split_test_case,
)
from pytest_sfn.mocks.yaml_mocks import load_mock_file, mocks_from_yaml

__all__ = [
    "NOTHING",
    "SCHEMA_PATH",
    "Answer",
    "InOrder",
    "LineMap",
    "MockHandler",
    "MockSet",
    "MockedResponse",
    "Mocks",
    "Problem",
    "Response",
    "ResultProvider",
    "Return",
    "SfnLocalConfig",
    "SfnLocalTestCase",
    "StateMock",
    "StateMockBuilder",
    "Throw",
    "load_mock_file",
    "load_sfn_local_config",
    "load_yaml_document",
    "load_yaml_text",
    "matches",
    "mocks_from_yaml",
    "split_test_case",
    "validate_scenario_file",
]
