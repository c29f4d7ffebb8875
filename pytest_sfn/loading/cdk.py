"""CDK cloud assemblies (``cdk.out``): which templates a directory holds, and file assets.

``manifest.json`` lists the stacks (``aws:cloudformation:stack`` artifacts with their
``templateFile``) and nested assemblies of CDK stages (``cdk:cloud-assembly`` with a
``directoryName``). Without a manifest every ``*.template.json`` of the directory counts.

``DefinitionBody.fromFile`` makes CDK upload the definition as a file asset: the template
then has a ``DefinitionS3Location`` whose ``Key`` is the asset's object key, and the
``*.assets.json`` manifest next to the template maps that key back to the local copy
(``asset.<hash>.json``) that ``cdk synth`` wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_sfn.loading.files import FileReads
from pytest_sfn.loading.problems import INVALID_SYNTAX, INVALID_TEMPLATE, load_error

__all__ = ["StackFile", "assembly_stacks", "find_file_asset"]

_STACK = "aws:cloudformation:stack"
_NESTED = "cdk:cloud-assembly"


@dataclass(frozen=True, slots=True)
class StackFile:
    """One stack template of an assembly.

    Attributes:
        path: the template file.
        stack_name: the stack's name.
        region: the region the stack is pinned to, if any.
        account: the account the stack is pinned to, if any.
    """

    path: Path
    stack_name: str
    region: str | None = None
    account: str | None = None


def _read_json(path: Path, reads: FileReads, shown: str) -> Any:
    text = reads.read_text(path, shown=shown, source=shown, what="CDK manifest")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise load_error(
            INVALID_SYNTAX, f"line {exc.lineno}, column {exc.colno}: {exc.msg}", source=shown
        ) from None


def _environment(value: Any) -> tuple[str | None, str | None]:
    """``aws://123456789012/eu-west-1`` -> (region, account); ``unknown-*`` parts -> None."""
    if not isinstance(value, str) or not value.startswith("aws://"):
        return None, None
    account, _, region = value.removeprefix("aws://").partition("/")
    return (
        None if not region or region.startswith("unknown-") else region,
        None if not account or account.startswith("unknown-") else account,
    )


def assembly_stacks(directory: Path, reads: FileReads, shown: str) -> list[StackFile]:
    """The stack templates of the cloud assembly in ``directory``.

    Raises:
        DefinitionError: the manifest is malformed, or the directory holds no template.
    """
    reads.note(directory)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        found = [
            StackFile(path, path.name.split(".")[0])
            for path in sorted(directory.glob("*.template.json"))
        ]
        if not found:
            raise load_error(
                INVALID_TEMPLATE,
                f"{shown} is a directory without manifest.json or *.template.json files "
                "(a CDK cloud assembly such as cdk.out was expected)",
                source=shown,
            )
        return found
    manifest = _read_json(manifest_path, reads, f"{shown}/manifest.json")
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    stacks: list[StackFile] = []
    for artifact_id, artifact in (artifacts or {}).items():
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        if artifact.get("type") == _STACK and isinstance(properties.get("templateFile"), str):
            region, account = _environment(artifact.get("environment"))
            name = properties.get("stackName")
            stacks.append(
                StackFile(
                    directory / properties["templateFile"],
                    name if isinstance(name, str) else artifact_id,
                    region,
                    account,
                )
            )
        elif artifact.get("type") == _NESTED and isinstance(properties.get("directoryName"), str):
            nested = properties["directoryName"]
            stacks += assembly_stacks(directory / nested, reads, f"{shown}/{nested}")
    return stacks


def find_file_asset(template_path: Path, object_key: str, reads: FileReads) -> Path | None:
    """The local file of the asset uploaded as ``object_key``, next to ``template_path``."""
    directory = template_path.parent
    reads.note(directory)
    for manifest_path in sorted(directory.glob("*.assets.json")):
        manifest = _read_json(manifest_path, reads, manifest_path.name)
        files = manifest.get("files") if isinstance(manifest, dict) else None
        for asset in (files or {}).values():
            if not isinstance(asset, dict):
                continue
            source = asset.get("source")
            destinations = asset.get("destinations")
            keys = [
                d.get("objectKey")
                for d in (destinations.values() if isinstance(destinations, dict) else [])
                if isinstance(d, dict)
            ]
            if object_key in keys and isinstance(source, dict):
                path = source.get("path")
                if isinstance(path, str) and (directory / path).is_file():
                    return directory / path
    fallback = directory / f"asset.{object_key}"
    return fallback if fallback.is_file() else None
