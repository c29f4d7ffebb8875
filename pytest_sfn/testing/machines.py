"""Finding and loading the state machine a test or scenario names, with a cache.

A definition spec is a file (``order.asl.json``, ``order.asl.yaml``), a template
(``template.yaml``, ``template.yaml#LogicalId``) or a CDK cloud assembly
(``cdk.out``, ``cdk.out/Stack.template.json#LogicalId``); :mod:`pytest_sfn.loading` reads
it. A relative path is looked up in ``base_dir`` first, then in ``search_dir`` (the
configured definitions directory).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Hashable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from pytest_sfn.errors import DefinitionError, DefinitionWarning
from pytest_sfn.machine import StateMachine
from pytest_sfn.model.states import Graph, MapState, ParallelState

__all__ = ["MachineCache", "base_for", "find_path", "load_machine", "split_spec", "state_names"]

#: Loaded machines by (absolute spec, substitutions, load keywords).
MachineCache = MutableMapping[tuple[str, Hashable, Hashable], StateMachine]


def split_spec(spec: str | os.PathLike[str]) -> tuple[str, str | None]:
    """``"template.yaml#Orders"`` -> ``("template.yaml", "Orders")``; no ``#``: ``None``."""
    text = os.fspath(spec)
    if isinstance(spec, str) and "#" in text:
        path, _, fragment = text.rpartition("#")
        return path, fragment
    return text, None


def base_for(path: str | os.PathLike[str], base_dir: Path, search_dir: Path | None = None) -> Path:
    """The directory a relative ``path`` is taken from: ``base_dir`` if it exists there,
    else ``search_dir``.

    When it exists in neither, ``search_dir`` is chosen if there is one (so the error names
    the configured directory), else ``base_dir``.
    """
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or search_dir is None or (base_dir / candidate).exists():
        return base_dir
    return search_dir


def find_path(path: str | os.PathLike[str], base_dir: Path, search_dir: Path | None = None) -> Path:
    """``path`` made absolute, taken from :func:`base_for`."""
    candidate = Path(path).expanduser()
    return (base_for(candidate, base_dir, search_dir) / candidate).resolve()


def _walk(graph: Graph) -> Iterator[str]:
    for name, state in graph.states.items():
        yield name
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from _walk(branch)
        elif isinstance(state, MapState):
            yield from _walk(state.processor)


def state_names(machine: StateMachine) -> frozenset[str]:
    """Every state name of ``machine``, those inside Parallel branches and Maps included."""
    return frozenset(_walk(machine.graph))


def load_machine(
    spec: str | os.PathLike[str],
    *,
    base_dir: Path,
    search_dir: Path | None = None,
    substitutions: Mapping[str, str] | None = None,
    cache: MachineCache | None = None,
    **kwargs: Any,
) -> StateMachine:
    """Load (and validate) the state machine ``spec`` names.

    Args:
        spec: a definition file, template (``#LogicalId`` optional) or CDK assembly.
        base_dir: where relative paths start.
        search_dir: where relative paths are looked up when ``base_dir`` has no such file.
        substitutions: template substitutions and placeholder overrides.
        cache: loaded machines are kept here (per absolute spec, substitutions and kwargs).
        **kwargs: :meth:`StateMachine.from_definition` keywords (``name``, ``type``,
            ``region``, ``account``, ``role_arn``).

    Raises:
        DefinitionError: the file is missing or unreadable, the template holds no such
            state machine, or the definition is invalid (the message names the file).
    """
    from pytest_sfn.loading import load_definition_source

    path_text, fragment = split_spec(spec)
    base = base_for(path_text, base_dir, search_dir)
    absolute = (base / Path(path_text).expanduser()).resolve()
    full = f"{absolute}#{fragment}" if fragment is not None else str(absolute)
    subs = dict(substitutions or {})
    key = (full, tuple(sorted(subs.items())), tuple(sorted(kwargs.items())))
    if cache is not None and key in cache:
        return cache[key]
    try:
        loaded = load_definition_source(
            spec, base_dir=base, substitutions=subs,
            region=kwargs.get("region"), account=kwargs.get("account"),
        )  # fmt: skip
        options = dict(kwargs)
        name = options.pop("name", None) or loaded.name
        machine = StateMachine.from_definition(
            loaded.definition, name=name, source=loaded.source, **options
        )
    except DefinitionError as exc:
        raise exc.with_traceback(None) from None
    if cache is not None:
        cache[key] = machine
    for problem in machine.warnings:  # once per session when cached
        # Located in the definition, not in pytest-sfn: "orders.asl.json:1: DefinitionWarning".
        warnings.warn_explicit(
            DefinitionWarning(problem.render()), DefinitionWarning, loaded.source or str(spec), 1
        )
    return machine
