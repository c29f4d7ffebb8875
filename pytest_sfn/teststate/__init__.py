"""The TestState API, offline: test one state of a definition in isolation.

:func:`run_state` is the Python form, ``StateMachine.test_state`` tests a state of a loaded
machine, and the local client's ``test_state`` operation answers the AWS request shape
(:mod:`pytest_sfn.service.teststate_op`). All three return what AWS returns: the ``status``
(``SUCCEEDED``, ``FAILED``, ``RETRIABLE``, ``CAUGHT_ERROR``), output or error, next state and,
at ``DEBUG``/``TRACE``, the ``inspectionData`` of aws-spec §1.

Example:
    >>> from pytest_sfn import run_state
    >>> result = run_state({"Type": "Pass", "Result": 1, "Next": "B"})
    >>> result.status, result.output, result.next_state
    ('SUCCEEDED', 1, 'B')
"""

from __future__ import annotations

from pytest_sfn.teststate.api import NO_INPUT, run_state
from pytest_sfn.teststate.errors import StateTestError
from pytest_sfn.teststate.mocks import StateMock
from pytest_sfn.teststate.request import run_test_state_request
from pytest_sfn.teststate.result import StateTestResult

__all__ = [
    "NO_INPUT",
    "StateMock",
    "StateTestError",
    "StateTestResult",
    "run_state",
    "run_test_state_request",
]
