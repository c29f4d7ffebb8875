"""Loading state machine definitions from files, CloudFormation/SAM templates and cdk.out.

>>> loaded = load_definition_source("template.yaml#OrderStateMachine")  # doctest: +SKIP
>>> StateMachine.from_definition(loaded.definition, name=loaded.name, source=loaded.source)

See :func:`load_definition_source` for the spec forms and
:mod:`pytest_sfn.loading.placeholders` for the values unresolvable references get.
"""

from __future__ import annotations

from pytest_sfn.loading.source import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    LoadedDefinition,
    clear_cache,
    list_state_machines,
    load_definition_source,
)

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "LoadedDefinition",
    "clear_cache",
    "list_state_machines",
    "load_definition_source",
]
