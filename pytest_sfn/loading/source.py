"""``load_definition_source``: one state machine definition from a file, template or cdk.out.

A *spec* names where the definition is:

* ``order.asl.json`` / ``order.asl.yaml`` / ``order.json`` / ``order.yaml``: a definition file;
* ``template.yaml``: the only state machine of a CloudFormation or SAM template (JSON or
  YAML);
* ``template.yaml#OrderStateMachine``: the state machine with that logical id;
* ``cdk.out`` (or ``cdk.out#LogicalId``): a CDK cloud assembly, all its stacks; and
  ``cdk.out/OrderStack.template.json#LogicalId``: one stack. In CDK templates the construct
  path (``OrderStack/OrderFlow``) may stand for the logical id.

Results are cached in-process per absolute path, logical id, substitutions, region and
account, for as long as none of the files read changes.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import DefinitionError, did_you_mean
from pytest_sfn.loading.cdk import assembly_stacks, find_file_asset
from pytest_sfn.loading.cfn_yaml import decode_template
from pytest_sfn.loading.files import FileReads, Stamps, is_fresh, missing_file
from pytest_sfn.loading.intrinsics import Resolver
from pytest_sfn.loading.placeholders import Environment
from pytest_sfn.loading.problems import (
    AMBIGUOUS_STATE_MACHINE,
    INVALID_DEFINITION,
    INVALID_TEMPLATE,
    STATE_MACHINE_NOT_FOUND,
    load_error,
)
from pytest_sfn.loading.state_machines import DefinitionText, read_state_machine
from pytest_sfn.loading.substitutions import PLACEHOLDER, substitute_text
from pytest_sfn.loading.template import Template, is_template, pointer
from pytest_sfn.parsing.load import decode_definition

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "LoadedDefinition",
    "clear_cache",
    "list_state_machines",
    "load_definition_source",
]

#: Region and account of placeholder ARNs (the same defaults as ``StateMachine``).
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
_DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class LoadedDefinition:
    """A definition ready for :meth:`pytest_sfn.StateMachine.from_definition`.

    Attributes:
        definition: the decoded definition, placeholders and intrinsic functions resolved.
        name: the state machine's name: ``StateMachineName`` (or SAM ``Name``) when the
            template gives a plain one, else the logical id; for a definition file, the
            file name before its first dot (``order.asl.json`` -> ``order``).
        source: where it came from, for messages: ``order.asl.json`` or
            ``template.yaml#OrderStateMachine``.
        warnings: what could not be resolved locally and was replaced by a placeholder
            (``<unresolved Fn::ImportValue SharedTopic>``), each with its JSON pointer.
        logical_id: the template's logical id (``None`` for a definition file).
        machine_type: ``STANDARD`` / ``EXPRESS`` when the template says so, else ``None``.
        role_arn: the execution role when the template gives one that resolves.
    """

    definition: dict[str, Any]
    name: str
    source: str
    warnings: tuple[str, ...] = ()
    logical_id: str | None = None
    machine_type: str | None = None
    role_arn: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    loaded: LoadedDefinition
    stamps: Stamps


_CACHE: dict[tuple[str, str, str | None, str, str | None, str | None], _Entry] = {}


def clear_cache() -> None:
    """Forget every cached :func:`load_definition_source` result."""
    _CACHE.clear()


def load_definition_source(
    spec: str | os.PathLike[str],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    substitutions: Mapping[str, JSON] | None = None,
    region: str | None = None,
    account: str | None = None,
) -> LoadedDefinition:
    """Load one state machine definition from a definition file, template or CDK assembly.

    Args:
        spec: ``path`` or ``path#LogicalId`` (see the module documentation).
        base_dir: the directory a relative ``spec`` is taken from (default: the current one).
        substitutions: values by name that win over what the template says: for
            ``${Name}`` placeholders (``DefinitionSubstitutions`` keys included), ``Ref``
            (``"ChargeFunction"``), ``Fn::GetAtt`` (``"ChargeFunction.Arn"``) and
            ``Fn::ImportValue`` (the export name). They also fill ``${Name}`` placeholders of
            plain definition files.
        region: the region of placeholder ARNs and ``AWS::Region`` (default ``us-east-1``,
            or the region a CDK manifest pins the stack to).
        account: the account of placeholder ARNs and ``AWS::AccountId`` (default
            ``123456789012``, or the CDK stack's account).

    Returns:
        The definition, its name and source, and warnings about unresolved references.

    Raises:
        DefinitionError: the file is missing or does not parse (with line and column), the
            template holds no or several state machines and the spec does not choose one,
            the logical id is unknown (with a "did you mean"), or the definition cannot be
            found or read. The message names the file, the logical id and the JSON pointer.
        TypeError: a ``substitutions`` value is not JSON.
    """
    path, logical_id, shown = _parse_spec(spec, base_dir)
    overrides = dict(substitutions or {})
    try:
        frozen = json.dumps(overrides, sort_keys=True)
    except TypeError as exc:
        raise TypeError(f"substitutions values must be JSON values: {exc}") from None
    key = (str(path), shown, logical_id, frozen, region, account)
    entry = _CACHE.get(key)
    if entry is None or not is_fresh(entry.stamps):
        reads = FileReads()
        loaded = _load(path, logical_id, shown, overrides, region, account, reads)
        entry = _CACHE[key] = _Entry(loaded, reads.stamps)
    # A copy, so a test that edits its definition cannot change what the next one loads.
    return replace(entry.loaded, definition=copy.deepcopy(entry.loaded.definition))


def list_state_machines(
    template_path: str | os.PathLike[str], *, base_dir: str | os.PathLike[str] | None = None
) -> list[str]:
    """The logical ids of the state machines of a template or CDK assembly, in order.

    A definition file holds no template resources and gives ``[]``.

    Args:
        template_path: a template file or a CDK cloud assembly directory.
        base_dir: the directory a relative path is taken from (default: the current one).

    Raises:
        DefinitionError: the file is missing or does not parse.
    """
    path, _, shown = _parse_spec(template_path, base_dir, split=False)
    templates = _templates(path, shown, FileReads())
    return [logical_id for template in templates for logical_id in template.state_machines()]


# -- spec and files -------------------------------------------------------------------------


def _parse_spec(
    spec: str | os.PathLike[str], base_dir: str | os.PathLike[str] | None, *, split: bool = True
) -> tuple[Path, str | None, str]:
    text = os.fspath(spec)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    whole = (base / Path(text).expanduser()).resolve()
    if not split or "#" not in text or whole.exists():
        return whole, None, text
    shown, _, logical_id = text.rpartition("#")
    if not logical_id:
        raise load_error(
            STATE_MACHINE_NOT_FOUND,
            f"{text!r} ends with '#' but names no logical id",
            source=shown,
        )
    return (base / Path(shown).expanduser()).resolve(), logical_id, shown


def _is_definition_file(path: Path) -> bool:
    return path.name.lower().endswith(_DEFINITION_SUFFIXES)


def _yaml_suffix(path: Path, text: str) -> bool:
    if path.suffix.lower() in _YAML_SUFFIXES:
        return True
    return path.suffix.lower() != ".json" and not text.lstrip().startswith("{")


def _templates(path: Path, shown: str, reads: FileReads) -> list[Template]:
    """The templates behind ``path`` (``[]`` for a definition file)."""
    if path.is_dir():
        return [
            _read_template(
                stack.path,
                f"{shown.rstrip('/')}/{stack.path.relative_to(path).as_posix()}",
                reads,
                stack_name=stack.stack_name,
                region=stack.region,
                account=stack.account,
            )
            for stack in assembly_stacks(path, reads, shown)
        ]
    if _is_definition_file(path):
        reads.note(path)
        if not path.is_file():
            raise missing_file(path, shown=shown, source=shown)
        return []
    template = _read_template(path, shown, reads, stack_name=path.name.split(".")[0])
    return [template] if is_template(template.document.value) else []


def _read_template(
    path: Path,
    shown: str,
    reads: FileReads,
    *,
    stack_name: str,
    region: str | None = None,
    account: str | None = None,
) -> Template:
    text = reads.read_text(path, shown=shown, source=shown)
    document = decode_template(text, source=shown, yaml_text=_yaml_suffix(path, text))
    return Template(path, shown, document, stack_name, region, account)


# -- loading --------------------------------------------------------------------------------


def _load(
    path: Path,
    logical_id: str | None,
    shown: str,
    overrides: dict[str, JSON],
    region: str | None,
    account: str | None,
    reads: FileReads,
) -> LoadedDefinition:
    if not path.exists():
        raise missing_file(path, shown=shown, source=shown)
    templates = _templates(path, shown, reads)
    if not templates:
        if logical_id is not None:
            raise load_error(
                INVALID_TEMPLATE,
                f"{shown} is a state machine definition, not a template: remove "
                f"'#{logical_id}' (or name a CloudFormation/SAM template)",
                source=shown,
            )
        return _load_definition_file(path, shown, overrides, reads)
    template, chosen = _select(templates, logical_id, shown)
    env = Environment(
        region=region or template.region or DEFAULT_REGION,
        account=account or template.account or DEFAULT_ACCOUNT,
        stack_name=template.stack_name,
    )
    source = f"{template.shown}#{chosen}"

    def read_file(file_path: Path, written: str, at: str) -> str:
        return reads.read_text(
            file_path, shown=written, source=source, location=at, what="definition file"
        )

    def include(location: str, at: str) -> JSON:
        file_path = template.path.parent / location
        text = reads.read_text(
            file_path, shown=location, source=source, location=at, what="AWS::Include file"
        )
        return decode_template(
            text, source=f"{location} (included by {source})",
            yaml_text=_yaml_suffix(file_path, text),
        ).value  # fmt: skip

    resolver = Resolver(template, env, overrides, include)
    resource = read_state_machine(
        template,
        chosen,
        resolver,
        read_file,
        lambda key: find_file_asset(template.path, key, reads),
    )
    values = {**resource.substitutions, **overrides}
    definition = _fill(resource.definition, values, resolver.warnings, source)
    return LoadedDefinition(
        definition=definition,
        name=resource.name,
        source=source,
        warnings=tuple(resolver.warnings),
        logical_id=chosen,
        machine_type=resource.machine_type,
        role_arn=resource.role_arn,
    )


def _load_definition_file(
    path: Path, shown: str, overrides: dict[str, JSON], reads: FileReads
) -> LoadedDefinition:
    text = reads.read_text(path, shown=shown, source=shown)
    raw = DefinitionText(text, _yaml_suffix(path, text), shown, "")
    warnings: list[str] = []
    definition = _fill(raw, overrides, warnings, shown)
    return LoadedDefinition(definition, path.name.split(".")[0], shown, tuple(warnings))


def _fill(
    raw: DefinitionText, values: Mapping[str, JSON], warnings: list[str], source: str
) -> dict[str, Any]:
    """Substitute ``${Name}`` placeholders, then decode; warn about the ones left."""
    text, missing = substitute_text(raw.text, values, json_text=not raw.yaml_text)
    for name in missing:
        warnings.append(
            f"{raw.location or raw.origin}: placeholder ${{{name}}} has no value "
            f"(DefinitionSubstitutions or substitutions={{{name!r}: ...}}); left as is"
        )
    value = _decode(raw, text, source)
    if not isinstance(value, dict):
        raise load_error(
            INVALID_DEFINITION,
            "Definition must be a valid JSON object"
            + (f" ({raw.origin} holds {type(value).__name__})" if raw.location else ""),
            source=source,
            location=raw.location,
        )
    return value


def _decode(raw: DefinitionText, text: str, source: str) -> JSON:
    try:
        return decode_definition(text, source=source, yaml_text=raw.yaml_text)
    except DefinitionError as exc:
        error, failed = exc, text
    # Tell a broken file from a placeholder value that breaks it: decode the file again with
    # every placeholder replaced by a number of the same width (so columns stay right).
    neutral = PLACEHOLDER.sub(lambda match: "0".ljust(len(match.group(0))), raw.text)
    try:
        decode_definition(neutral, source=source, yaml_text=raw.yaml_text)
    except DefinitionError as own:
        error, failed = own, raw.text
    else:
        note = (
            "after substituting ${...} placeholders"
            if text != raw.text
            else "a ${...} placeholder outside a string has no value"
        )
        error = _with_context(error, note)
    if not raw.location:
        raise error.with_traceback(None)
    problem = error.diagnostics[0]
    raise load_error(
        problem.code,
        f"{raw.origin}: {problem.message}{_excerpt(failed, problem.message)}",
        source=source,
        location=raw.location,
    )


def _with_context(exc: DefinitionError, note: str) -> DefinitionError:
    problem = exc.diagnostics[0]
    return load_error(problem.code, f"{problem.message} ({note})", source=exc.source)


def _excerpt(text: str, message: str) -> str:
    """`` near '...'``: the text around ``line L, column C`` of a JSON error."""
    words = message.replace(",", " ").replace(":", " ").split()
    try:
        line = int(words[words.index("line") + 1])
        column = int(words[words.index("column") + 1])
    except (ValueError, IndexError):
        return ""
    lines = text.splitlines() or [""]
    current = lines[min(line, len(lines)) - 1]
    start = max(column - 31, 0)
    return f" near {current[start : column + 20]!r}"


def _select(templates: list[Template], logical_id: str | None, shown: str) -> tuple[Template, str]:
    machines = [(t, lid) for t in templates for lid in t.state_machines()]
    if logical_id is None:
        if len(machines) == 1:
            return machines[0]
        if not machines:
            raise load_error(
                STATE_MACHINE_NOT_FOUND,
                f"{shown} declares no state machine (AWS::StepFunctions::StateMachine or "
                "AWS::Serverless::StateMachine)",
                source=shown,
            )
        raise load_error(
            AMBIGUOUS_STATE_MACHINE,
            f"{shown} declares {len(machines)} state machines; choose one with "
            f"'{_qualified(templates, *machines[0], shown)}'. State machines: "
            + ", ".join(_qualified(templates, t, lid, shown) for t, lid in machines),
            source=shown,
        )
    found = [(t, lid) for t, lid in machines if lid == logical_id] or [
        (t, lid) for t, lid in machines if t.cdk_path(lid) == logical_id.removesuffix("/Resource")
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise load_error(
            AMBIGUOUS_STATE_MACHINE,
            f"{logical_id!r} is a state machine of several stacks; name the template: "
            + ", ".join(f"{t.shown}#{lid}" for t, lid in found),
            source=shown,
        )
    raise _not_found(templates, machines, logical_id, shown)


def _qualified(templates: list[Template], template: Template, logical_id: str, shown: str) -> str:
    prefix = shown if len(templates) == 1 else template.shown
    return f"{prefix}#{logical_id}"


def _not_found(
    templates: list[Template],
    machines: list[tuple[Template, str]],
    logical_id: str,
    shown: str,
) -> DefinitionError:
    names = [lid for _, lid in machines]
    paths = [p for t, lid in machines if (p := t.cdk_path(lid))]
    listing = f"; state machines: {', '.join(names)}" if names else "; it declares none"
    for template in templates:
        resource_type = template.resource_type(logical_id)
        if logical_id in template.section("Resources"):
            return load_error(
                STATE_MACHINE_NOT_FOUND,
                f"{logical_id} in {template.shown} is of type "
                f"{resource_type or '(none)'}, not a state machine{listing}",
                source=f"{shown}#{logical_id}",
                location=pointer("Resources", logical_id, "Type"),
            )
    return load_error(
        STATE_MACHINE_NOT_FOUND,
        f"no state machine {logical_id!r} in {shown}{listing}",
        source=f"{shown}#{logical_id}",
        hint=did_you_mean(logical_id, names + paths),
    )
