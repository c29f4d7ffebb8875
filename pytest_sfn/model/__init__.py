"""Parsed state machine definitions: frozen dataclasses, no behaviour."""

from __future__ import annotations

from pytest_sfn.model.resource import Resource
from pytest_sfn.model.states import (
    Catcher,
    ChoiceRule,
    ChoiceState,
    Comparison,
    Condition,
    FailState,
    Graph,
    JsonataCondition,
    MapState,
    Not,
    ParallelState,
    PassState,
    Retrier,
    RuleList,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

__all__ = [
    "Catcher",
    "ChoiceRule",
    "ChoiceState",
    "Comparison",
    "Condition",
    "FailState",
    "Graph",
    "JsonataCondition",
    "MapState",
    "Not",
    "ParallelState",
    "PassState",
    "Resource",
    "Retrier",
    "RuleList",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
]
