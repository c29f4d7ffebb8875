"""Whole-definition rules: state names, labels, transition targets, reachability, end state.

Each workflow (the top level, every Parallel branch, every Map processor) is its own scope:
``StartAt``, ``Next``, ``Default`` and catcher ``Next`` only name states of the same scope.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from pytest_sfn.parsing._validate_common import (
    DUPLICATE_LABEL_NAME,
    DUPLICATE_STATE_NAME,
    INVALID_STATE_NAME,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    Collector,
    Path,
    Workflow,
    pointer,
    suggest,
)

_MAX_STATE_NAME = 80


def check_names(c: Collector) -> None:
    """State names are 1..80 characters and unique in the whole definition; so are labels."""
    seen: dict[str, Path] = {}
    for name, path in c.state_names:
        if len(name) > _MAX_STATE_NAME:
            # AWS wording (deploy error quoted in asl-validator issue #69).
            c.add(
                INVALID_STATE_NAME,
                f"Invalid State name: State '{name}' exceeds the {_MAX_STATE_NAME}-character "
                "limit allowed by the service",
                path,
            )
        elif not name:
            # UNCONFIRMED wording.
            c.add(
                INVALID_STATE_NAME,
                f"Invalid State name '{name}': a state name has 1 to {_MAX_STATE_NAME} characters",
                path,
            )
        if name in seen:
            c.add(DUPLICATE_STATE_NAME, f"Duplicate State name: {name}", path)
        else:
            seen[name] = path
    labels: set[str] = set()
    for label, path in c.labels:
        if label in labels:
            c.add(DUPLICATE_LABEL_NAME, f"Duplicate Label name: {label}", path)  # UNCONFIRMED
        labels.add(label)


def _targets(state: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Every transition target a state names, with its location."""
    if not isinstance(state, dict):
        return
    for key in ("Next", "Default"):
        if isinstance(state.get(key), str):
            yield state[key], (*path, key)
    for key in ("Choices", "Catch"):
        entries = state.get(key)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and isinstance(entry.get("Next"), str):
                    yield entry["Next"], (*path, key, index, "Next")


def _is_terminal(state: Any) -> bool:
    return isinstance(state, dict) and (
        state.get("Type") in ("Succeed", "Fail") or state.get("End") is True
    )


def _missing_target(
    c: Collector, target: str, path: Path, scope: dict[str, Any], everywhere: dict[str, Path]
) -> None:
    hint = suggest(target, scope)
    if not hint and target in everywhere:
        hint = (
            f" (the state {target!r} is defined at {pointer(everywhere[target])}, in another "
            "scope: transitions cannot enter or leave a Parallel branch or a Map processor)"
        )
    c.add(MISSING_TRANSITION_TARGET, f"Missing 'Next' target: {target}", path, hint=hint)


def _check_workflow(c: Collector, workflow: Workflow, everywhere: dict[str, Path]) -> bool:
    """Check one scope; return True when it is the top level and has no terminal state."""
    states = workflow.states
    states_path = (*workflow.path, "States")
    start_path = (*workflow.path, "StartAt")
    edges: dict[str, list[str]] = {}
    if workflow.start_at is not None and workflow.start_at not in states:
        _missing_target(c, workflow.start_at, start_path, states, everywhere)
    for name, state in states.items():
        edges[name] = []
        for target, path in _targets(state, (*states_path, name)):
            if target in states:
                edges[name].append(target)
            else:
                _missing_target(c, target, path, states, everywhere)
    if workflow.top_level and not any(_is_terminal(state) for state in states.values()):
        return True  # AWS then does not report unreachable states
    if workflow.start_at is None:
        return False
    reached = _reachable(workflow.start_at, edges)
    for name in states:
        if name not in reached:
            message = f'State "{name}" is not reachable.'
            c.add(MISSING_TRANSITION_TARGET, message, (*states_path, name))
    return False


def _reachable(start: str, edges: dict[str, list[str]]) -> set[str]:
    if start not in edges:
        return set()
    reached = {start}
    queue = deque([start])
    while queue:
        for target in edges[queue.popleft()]:
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


def check_graph(c: Collector) -> None:
    """Transitions and reachability of every workflow recorded during the schema pass."""
    everywhere: dict[str, Path] = {}
    for name, path in c.state_names:
        everywhere.setdefault(name, path)
    missing_end = False
    for workflow in c.workflows:
        missing_end |= _check_workflow(c, workflow, everywhere)
    if missing_end:  # reported last, as AWS orders it
        c.add(MISSING_END_STATE, "Workflow has no terminal state", None)
