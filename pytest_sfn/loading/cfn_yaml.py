"""Reading CloudFormation / SAM templates: JSON, or YAML with the short-form intrinsic tags.

The YAML loader is PyYAML's safe loader plus constructors that turn each short-form tag into
the long form, as data: ``!Sub "x-${Env}"`` becomes ``{"Fn::Sub": "x-${Env}"}``,
``!GetAtt Fn.Arn`` becomes ``{"Fn::GetAtt": ["Fn", "Arn"]}`` and ``!Ref Table`` becomes
``{"Ref": "Table"}``. Nothing is executed. Like CloudFormation it keeps ``2010-09-09`` a
string (no YAML timestamps) and rejects duplicate keys. It remembers the line of every
mapping and sequence so later errors can say where a property is.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pytest_sfn._types import JSON
from pytest_sfn.errors import did_you_mean
from pytest_sfn.loading.problems import INVALID_SYNTAX, load_error
from pytest_sfn.parsing.load import decode_definition

__all__ = ["SHORT_FORM_TAGS", "Document", "decode_template"]

#: Short-form tag (without ``!``) -> the long-form key it stands for.
SHORT_FORM_TAGS: dict[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAtt", "GetAZs", "If",
            "ImportValue", "Join", "Length", "Not", "Or", "Select", "Split", "Sub",
            "ToJsonString", "Transform",
        )
    },
}  # fmt: skip

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded template and where its containers start (YAML only).

    Attributes:
        value: the decoded JSON value.
        lines: ``id(container) -> 1-based line`` for every mapping and sequence of ``value``.
    """

    value: JSON
    lines: dict[int, int] = field(default_factory=dict)

    def line_of(self, node: Any) -> int | None:
        """The line where ``node`` (a mapping or list of :attr:`value`) starts, if known."""
        return self.lines.get(id(node))


class _CfnLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader + CloudFormation short-form tags + line bookkeeping + duplicate keys."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: dict[int, int] = {}

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        data = super().construct_object(node, deep=deep)
        if isinstance(data, (dict, list)):
            self.lines[id(data)] = node.start_mark.line + 1
        return data

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if key_node.value in seen:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key_node.value!r} (first given on line "
                    f"{seen[key_node.value]})",
                    key_node.start_mark,
                )
            seen[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _construct_tag(loader: _CfnLoader, suffix: str, node: Node) -> dict[str, Any]:
    key = SHORT_FORM_TAGS.get(suffix)
    if key is None:
        raise ConstructorError(
            None,
            None,
            f"unknown CloudFormation tag '!{suffix}'"
            f"{did_you_mean(f'!{suffix}', [f'!{tag}' for tag in SHORT_FORM_TAGS])}",
            node.start_mark,
        )
    value: Any
    if isinstance(node, ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt" and isinstance(value, str) and "." in value:
            value = value.split(".", 1)  # !GetAtt Resource.Attribute.Maybe.Dotted
    elif isinstance(node, SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - PyYAML only builds the three node kinds
        raise ConstructorError(None, None, f"unexpected node {node!r}", node.start_mark)
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def decode_template(text: str, *, source: str, yaml_text: bool) -> Document:
    """Decode template text (JSON, or YAML with short-form tags).

    Raises:
        DefinitionError: a syntax error, naming ``source``, the line and the column.
    """
    if not yaml_text:
        return Document(decode_definition(text, source=source))
    loader = _CfnLoader(text)
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context:
            start = getattr(exc, "context_mark", None)
            at = f" at line {start.line + 1}, column {start.column + 1}" if start else ""
            problem = f"{problem} ({context}{at})"
        raise load_error(INVALID_SYNTAX, f"{where}{problem}", source=source) from None
    finally:
        loader.dispose()
    return Document(value, loader.lines)
