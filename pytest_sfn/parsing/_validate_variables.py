"""Workflow-variable rules that span scopes.

Every scope (the top level, each Parallel branch, each Map processor) owns the variables its
states assign: in a state's ``Assign``, in a Choice rule's ``Assign`` and in a catcher's
``Assign`` (a catcher writes to the scope its state lives in). An inner scope reads the
variables of the scopes around it but may not assign one of their names (AWS docs, "Variable
scope"). :func:`check_variables` runs once every scope has been visited.

What AWS does not check when a definition is created, and neither does this module: a
reference to a variable nothing assigns (``$doesNotExist`` fails at run time, AWS-recorded),
and a Distributed Map processor reading an outer variable (it evaluates to nothing at run time).
"""

from __future__ import annotations

from collections import defaultdict

from pytest_sfn.parsing._validate_common import Collector, Path, pointer

#: UNCONFIRMED wording and code: the rule is documented, AWS's diagnostic for it is not
#: recorded anywhere we could find.
_MSG_OUTER = (
    "The variable '{name}' is assigned in an outer scope, so it cannot be assigned inside "
    "a Parallel branch or a Map processor"
)


def _scope_of(location: Path, scopes: list[Path]) -> Path:
    """The innermost scope (a workflow's path) that ``location`` lies in."""
    best: Path = ()
    for scope in scopes:
        if len(scope) > len(best) and location[: len(scope)] == scope:
            best = scope
    return best


def check_variables(c: Collector) -> None:
    """Report inner-scope assignments of names an enclosing scope assigns."""
    scopes = [workflow.path for workflow in c.workflows]
    assigned: dict[Path, dict[str, Path]] = defaultdict(dict)
    placed: list[tuple[str, Path, Path]] = []
    for name, location in c.assignments:
        scope = _scope_of(location, scopes)
        assigned[scope].setdefault(name, location)
        placed.append((name, location, scope))
    for name, location, scope in placed:
        for depth in range(len(scope) - 1, -1, -1):
            outer = scope[:depth]
            if outer in assigned and name in assigned[outer]:
                c.schema(
                    _MSG_OUTER.format(name=name),
                    location,
                    f" (assigned at {pointer(assigned[outer][name])})",
                )
                break
