"""Which state a TestState request tests: a lone state, or one named inside a full machine.

A lone state is validated and compiled as the only state of a machine, literally named
``StateName``; its transitions (``Next``, ``Default``, a Choice rule's or a catcher's
``Next``) name states that need not exist. With ``stateName`` the definition is a complete
state machine and the state may sit in a Parallel branch or a Map ``ItemProcessor``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_sfn.errors import DefinitionError, Diagnostic, did_you_mean
from pytest_sfn.model.states import Graph, MapState, ParallelState, State
from pytest_sfn.parsing.parse import parse_definition
from pytest_sfn.parsing.validate import validate_definition
from pytest_sfn.teststate import errors

__all__ = ["LONE_STATE_NAME", "TestedState", "resolve_state"]

#: The name a lone state is tested under (``$$.State.Name`` in every TestState run).
LONE_STATE_NAME = "StateName"
#: Diagnostics about transitions out of the lone state, which TestState does not check.
_LONE_TRANSITION = re.compile(
    r"^/States/" + LONE_STATE_NAME + r"/(Next|Default|(Choices|Catch)/\d+/Next)$"
)


@dataclass(frozen=True, slots=True)
class TestedState:
    """The compiled state under test.

    Attributes:
        state: the compiled state.
        in_map: the Map state whose processor holds it (``None`` at the top level or in a
            Parallel branch).
        definition: the decoded definition as the request gave it.
    """

    __test__ = False

    state: State
    in_map: MapState | None
    definition: Any


def resolve_state(definition: Any, state_name: str | None) -> TestedState:
    """Validate ``definition`` (decoded) and find the state to test.

    Raises:
        StateTestError: ``InvalidDefinition`` listing the definition's problems, or
            ``ValidationException`` when ``state_name`` is not in it.
    """
    if state_name is None:
        machine = {"StartAt": LONE_STATE_NAME, "States": {LONE_STATE_NAME: definition}}
        graph = _compile(machine, lone=True)
        return TestedState(graph.states[LONE_STATE_NAME], None, definition)
    graph = _compile(definition, lone=False)
    names = []
    for state, in_map in _walk(graph, None):
        if state.name == state_name:
            return TestedState(state, in_map, definition)
        names.append(state.name)
    raise errors.validation(errors.STATE_NOT_FOUND, did_you_mean(state_name, names))


def _compile(machine: Any, *, lone: bool) -> Graph:
    found = validate_definition(machine)
    problems = [d for d in found if d.severity == "ERROR" and not (lone and _ignored(d))]
    try:
        if problems:
            raise DefinitionError(problems)
        return parse_definition(machine)
    except DefinitionError as exc:
        raise errors.invalid_definition(exc.aws_message) from None


def _ignored(diagnostic: Diagnostic) -> bool:
    if diagnostic.code == "MISSING_END_STATE":
        return True
    return diagnostic.code == "MISSING_TRANSITION_TARGET" and bool(
        _LONE_TRANSITION.match(diagnostic.location)
    )


def _walk(graph: Graph, in_map: MapState | None) -> Iterator[tuple[State, MapState | None]]:
    for state in graph.states.values():
        yield state, in_map
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from _walk(branch, None)
        elif isinstance(state, MapState):
            yield from _walk(state.processor, state)


def nested_state_names(state: State) -> set[str]:
    """Names of every state inside a Parallel's branches or a Map's processor."""
    graphs: tuple[Graph, ...] = ()
    if isinstance(state, ParallelState):
        graphs = state.branches
    elif isinstance(state, MapState):
        graphs = (state.processor,)
    return {inner.name for graph in graphs for inner, _ in _walk(graph, None)}
