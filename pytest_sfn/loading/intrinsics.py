"""Resolving CloudFormation intrinsic functions locally, as data.

:class:`Resolver` walks a property value and replaces ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` (with ``Conditions``),
``Fn::FindInMap``, ``Fn::Base64``, ``Fn::Cidr``, ``Fn::GetAZs``, ``Fn::ToJsonString``,
``Fn::Length`` and ``Fn::Transform`` (``AWS::Include`` of a local file) by values:

* parameters take their ``Default``; pseudo parameters come from the
  :class:`~pytest_sfn.loading.placeholders.Environment`;
* resources take the placeholders of :mod:`pytest_sfn.loading.placeholders`;
* ``overrides`` (the caller's ``substitutions=``) win over all of that, by name:
  ``"ChargeFunction"`` for ``Ref``/``${ChargeFunction}``, ``"ChargeFunction.Arn"`` for
  ``Fn::GetAtt``/``${ChargeFunction.Arn}``, an export name for ``Fn::ImportValue``;
* what cannot be known locally becomes ``<unresolved ...>`` and a warning.

Unknown ``${Name}`` variables of ``Fn::Sub`` are left as they are: ``DefinitionSubstitutions``
(or ``substitutions=``) may fill them later.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.errors import did_you_mean
from pytest_sfn.loading.placeholders import KINDS, Environment, attribute_value, ref_value
from pytest_sfn.loading.substitutions import as_text
from pytest_sfn.loading.template import Template, pointer

__all__ = ["NO_VALUE", "Resolver", "unresolved"]


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


#: What ``Ref: AWS::NoValue`` resolves to: the key or list item disappears.
NO_VALUE: Final = _NoValue()
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

#: An include reader: (location as written, JSON pointer of the Fn::Transform) -> value.
IncludeReader = Callable[[str, str], JSON]


def unresolved(what: str) -> str:
    """The readable placeholder for a value that cannot be known locally."""
    return f"<unresolved {what}>"


class Resolver:
    """Resolves intrinsic functions of one template; collects :attr:`warnings`.

    Args:
        template: the template whose parameters, resources, mappings and conditions apply.
        env: region, account and stack name.
        overrides: name -> value, winning over everything the template says.
        include: reads an ``AWS::Include`` location (``None``: includes stay unresolved).
    """

    def __init__(
        self,
        template: Template,
        env: Environment,
        overrides: Mapping[str, JSON],
        include: IncludeReader | None = None,
    ) -> None:
        self.template = template
        self.env = env
        self.overrides = overrides
        self.warnings: list[str] = []
        self._include = include
        self._pseudo = env.pseudo_parameters()
        self._parameters = template.section("Parameters")
        self._resources = template.section("Resources")
        self._names: dict[str, str] = {}
        self._naming: set[str] = set()
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # -- entry points -------------------------------------------------------------------

    def resolve(self, value: JSON, at: str) -> JSON:
        """``value`` with every intrinsic function replaced (``at``: its JSON pointer)."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                function = _FUNCTIONS.get(key)
                if function is not None:
                    return function(self, argument, at + pointer(key))
                if key.startswith("Fn::"):
                    self.warn(at, f"{key} is not supported locally")
                    return unresolved(key)
            resolved = {k: self.resolve(v, at + pointer(k)) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(v, at + pointer(i)) for i, v in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        return value

    def quietly(self, value: JSON, at: str) -> JSON | None:
        """``resolve`` that returns ``None`` (and drops the warnings) if anything was unknown."""
        mark = len(self.warnings)
        result = self.resolve(value, at)
        if len(self.warnings) > mark:
            del self.warnings[mark:]
            return None
        return result

    def warn(self, at: str, message: str) -> None:
        """Record a warning about the value at JSON pointer ``at``."""
        text = f"{at}: {message}" if at else message
        if text not in self.warnings:
            self.warnings.append(text)

    def knows(self, name: str, *, resources_only: bool = False) -> bool:
        """Whether ``name`` is a resource (or a parameter or pseudo parameter)."""
        if name in self._resources:
            return True
        return not resources_only and (name in self._parameters or name in self._pseudo)

    def physical_name(self, logical_id: str) -> str:
        """A resource's name: its name property if plainly known, else the logical id."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource_type = self.template.resource_type(logical_id)
        kind = KINDS.get(resource_type)
        name = logical_id.lower() if kind is not None and kind.lowercase else logical_id
        if kind is not None and kind.name_property and logical_id not in self._naming:
            raw = self.template.properties(logical_id).get(kind.name_property)
            self._naming.add(logical_id)
            try:
                value = self.quietly(raw, "") if raw is not None else None
            finally:
                self._naming.discard(logical_id)
            if isinstance(value, str) and value and "${" not in value:
                name = value
        self._names[logical_id] = name
        return name

    # -- Ref and GetAtt -----------------------------------------------------------------

    def ref(self, name: JSON, at: str) -> JSON:
        """``Ref``: an override, a pseudo parameter, a parameter or a resource."""
        if isinstance(name, dict):
            name = self.resolve(name, at)
        if not isinstance(name, str) or not name:
            self.warn(at, f"Ref needs a parameter name or logical id, not {name!r}")
            return unresolved("Ref")
        if name in self.overrides:
            return self.overrides[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameter(name, at)
        if name in self._resources:
            resource_type = self.template.resource_type(name)
            if resource_type not in KINDS:
                self.warn(
                    at,
                    f"no placeholder for Ref of {name} ({resource_type or 'no Type'}); used "
                    f"{name!r} (pass substitutions={{{name!r}: ...}} to choose)",
                )
            return ref_value(resource_type, self.physical_name(name), self.env)
        known = [*self._parameters, *self._resources, *self._pseudo]
        self.warn(at, f"Ref to unknown name {name!r}{did_you_mean(name, known)}")
        return unresolved(f"Ref {name}")

    def _parameter(self, name: str, at: str) -> JSON:
        spec = self._parameters[name]
        spec = spec if isinstance(spec, dict) else {}
        default = spec.get("Default")
        kind = str(spec.get("Type", "String"))
        if default is None:
            self.warn(
                at,
                f"parameter {name} has no Default; pass substitutions={{{name!r}: ...}}",
            )
            return unresolved(f"Ref {name}")
        if kind.startswith("AWS::SSM::Parameter::Value"):
            self.warn(
                at,
                f"parameter {name} reads SSM parameter {default!r}, unknown locally; pass "
                f"substitutions={{{name!r}: ...}}",
            )
            return unresolved(f"SSM parameter {default}")
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            if isinstance(default, list):
                return [as_text(item) for item in default]
            return [item.strip() for item in as_text(default).split(",")]
        return as_text(default)

    def get_att(self, argument: JSON, at: str) -> JSON:
        """``Fn::GetAtt``: ``[LogicalId, Attribute]`` or ``"LogicalId.Attribute"``."""
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            self.warn(at, f"Fn::GetAtt needs [LogicalId, Attribute], not {argument!r}")
            return unresolved("Fn::GetAtt")
        logical_id, attribute = argument[0], self.resolve(argument[1], at + "/1")
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            self.warn(at, f"Fn::GetAtt needs a logical id and an attribute name, not {argument!r}")
            return unresolved("Fn::GetAtt")
        key = f"{logical_id}.{attribute}"
        if key in self.overrides:
            return self.overrides[key]
        if logical_id not in self._resources:
            hint = did_you_mean(logical_id, list(self._resources))
            self.warn(at, f"Fn::GetAtt of unknown resource {logical_id!r}{hint}")
            return unresolved(f"Fn::GetAtt {key}")
        resource_type = self.template.resource_type(logical_id)
        value = attribute_value(resource_type, self.physical_name(logical_id), attribute, self.env)
        if value is None:
            self.warn(
                at,
                f"no placeholder for {key} ({resource_type or 'no Type'}); used '<{key}>' "
                f"(pass substitutions={{{key!r}: ...}} to choose)",
            )
            return f"<{key}>"
        return value

    # -- conditions ---------------------------------------------------------------------

    def condition(self, name: JSON, at: str) -> bool:
        """The value of a named condition of the ``Conditions`` section."""
        if not isinstance(name, str):
            self.warn(at, f"a condition name must be a string, not {name!r}")
            return False
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.template.section("Conditions")
        if name not in conditions or name in self._evaluating:
            if name in self._evaluating:
                problem = "refers to itself"
            else:
                problem = f"is not defined{did_you_mean(name, list(conditions))}"
            self.warn(at, f"condition {name!r} {problem}; taken as false")
            return False
        self._evaluating.add(name)
        try:
            value = self.boolean(conditions[name], pointer("Conditions", name))
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def boolean(self, value: JSON, at: str) -> bool:
        """A condition expression (``Fn::Equals``..., ``{"Condition": name}``) as a bool."""
        if isinstance(value, dict) and len(value) == 1 and "Condition" in value:
            return self.condition(value["Condition"], at + "/Condition")
        result = self.resolve(value, at)
        if isinstance(result, bool):
            return result
        if isinstance(result, str) and result.lower() in ("true", "false"):
            return result.lower() == "true"
        self.warn(at, f"expected a condition, got {result!r}; taken as false")
        return False

    # -- helpers for the functions below ------------------------------------------------

    def arguments(self, argument: JSON, at: str, name: str, count: int) -> list[JSON] | None:
        """``argument`` resolved as a list of ``count`` items, or ``None`` (with a warning)."""
        if isinstance(argument, list) and len(argument) == count:
            return [self.resolve(item, at + pointer(i)) for i, item in enumerate(argument)]
        self.warn(at, f"{name} needs a list of {count} arguments, not {argument!r}")
        return None

    def include(self, argument: JSON, at: str) -> JSON:
        """``Fn::Transform`` of ``AWS::Include`` with a local ``Location``."""
        name = argument.get("Name") if isinstance(argument, dict) else None
        parameters = argument.get("Parameters") if isinstance(argument, dict) else None
        location = parameters.get("Location") if isinstance(parameters, dict) else None
        location = self.resolve(location, at + "/Parameters/Location")
        if (
            name == "AWS::Include"
            and isinstance(location, str)
            and not location.startswith("s3://")
            and self._include is not None
        ):
            return self.resolve(self._include(location, at), at)
        what = f"Fn::Transform {name}" if isinstance(name, str) else "Fn::Transform"
        self.warn(at, f"{what} cannot be applied locally")
        return unresolved(what)


def _sub(resolver: Resolver, argument: JSON, at: str) -> JSON:
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        text, variables = argument[0], argument[1]
    else:
        text, variables = argument, {}
    if not isinstance(text, str):
        resolver.warn(at, f"Fn::Sub needs a string or [string, variables], not {argument!r}")
        return unresolved("Fn::Sub")

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("!"):
            return "${" + body[1:] + "}"  # ${!Literal} stays ${Literal}
        name = body.strip()
        if name in resolver.overrides:
            return as_text(resolver.overrides[name])
        if name in variables:
            return _text(resolver.resolve(variables[name], at + "/1" + pointer(name)))
        if resolver.knows(name):
            return _text(resolver.ref(name, at))
        head, dot, _ = name.partition(".")
        if dot and resolver.knows(head, resources_only=True):
            return _text(resolver.get_att(name, at))
        return str(match.group(0))

    return _SUB_VARIABLE.sub(replace, text)


def _text(value: JSON) -> str:
    return "" if value is NO_VALUE else as_text(value)


def _join(resolver: Resolver, argument: JSON, at: str) -> JSON:
    if not (isinstance(argument, list) and len(argument) == 2):
        resolver.warn(at, f"Fn::Join needs [delimiter, [values]], not {argument!r}")
        return unresolved("Fn::Join")
    delimiter = resolver.resolve(argument[0], at + "/0")
    items = resolver.resolve(argument[1], at + "/1")
    if not isinstance(items, list):
        resolver.warn(at, f"Fn::Join needs a list of values, got {items!r}")
        return unresolved("Fn::Join")
    return as_text(delimiter).join(_text(item) for item in items)


def _select(resolver: Resolver, argument: JSON, at: str) -> JSON:
    args = resolver.arguments(argument, at, "Fn::Select", 2)
    if args is None:
        return unresolved("Fn::Select")
    index, items = args
    try:
        position = int(index)
    except (TypeError, ValueError):
        position = -1
    if not isinstance(items, list) or not 0 <= position < len(items):
        resolver.warn(at, f"Fn::Select cannot take item {index!r} of {items!r}")
        return unresolved("Fn::Select")
    return items[position]


def _split(resolver: Resolver, argument: JSON, at: str) -> JSON:
    args = resolver.arguments(argument, at, "Fn::Split", 2)
    if args is None or not isinstance(args[1], str) or not args[0]:
        if args is not None:
            resolver.warn(at, f"Fn::Split needs [delimiter, string], not {args!r}")
        return [unresolved("Fn::Split")]
    return args[1].split(as_text(args[0]))


def _if(resolver: Resolver, argument: JSON, at: str) -> JSON:
    if not (isinstance(argument, list) and len(argument) == 3):
        resolver.warn(at, f"Fn::If needs [condition, if true, if false], not {argument!r}")
        return unresolved("Fn::If")
    chosen = 1 if resolver.condition(argument[0], at + "/0") else 2
    return resolver.resolve(argument[chosen], at + pointer(chosen))


def _equals(resolver: Resolver, argument: JSON, at: str) -> JSON:
    args = resolver.arguments(argument, at, "Fn::Equals", 2)
    return args is not None and _text(args[0]) == _text(args[1])


def _not(resolver: Resolver, argument: JSON, at: str) -> JSON:
    if isinstance(argument, list) and len(argument) == 1:
        return not resolver.boolean(argument[0], at + "/0")
    resolver.warn(at, f"Fn::Not needs a list of one condition, not {argument!r}")
    return False


def _all_or_any(combine: Callable[[list[bool]], bool], name: str) -> _Function:
    def function(resolver: Resolver, argument: JSON, at: str) -> JSON:
        if not isinstance(argument, list) or not argument:
            resolver.warn(at, f"{name} needs a list of conditions, not {argument!r}")
            return False
        return combine([resolver.boolean(item, at + pointer(i)) for i, item in enumerate(argument)])

    return function


def _find_in_map(resolver: Resolver, argument: JSON, at: str) -> JSON:
    default: JSON = NO_VALUE
    if isinstance(argument, list) and len(argument) == 4 and isinstance(argument[3], dict):
        default = resolver.resolve(argument[3].get("DefaultValue", NO_VALUE), at + "/3")
        argument = argument[:3]
    args = resolver.arguments(argument, at, "Fn::FindInMap", 3)
    if args is None:
        return unresolved("Fn::FindInMap")
    value: Any = resolver.template.section("Mappings")
    for key in args:
        value = value.get(_text(key)) if isinstance(value, dict) else None
    if value is not None:
        return resolver.resolve(value, pointer("Mappings", *(_text(a) for a in args)))
    if default is not NO_VALUE:
        return default
    path = ".".join(_text(a) for a in args)
    resolver.warn(at, f"Fn::FindInMap: no value at Mappings {path}")
    return unresolved(f"Fn::FindInMap {path}")


def _base64(resolver: Resolver, argument: JSON, at: str) -> JSON:
    value = resolver.resolve(argument, at)
    return base64.b64encode(_text(value).encode("utf-8")).decode("ascii")


def _get_azs(resolver: Resolver, argument: JSON, at: str) -> JSON:
    region = _text(resolver.resolve(argument, at)) or resolver.env.region
    return [f"{region}{zone}" for zone in "abc"]


def _cidr(resolver: Resolver, argument: JSON, at: str) -> JSON:
    args = resolver.arguments(argument, at, "Fn::Cidr", 3)
    if args is None:
        return [unresolved("Fn::Cidr")]
    try:
        network = ipaddress.ip_network(_text(args[0]), strict=False)
        subnets = network.subnets(new_prefix=network.max_prefixlen - int(args[2]))
        return [str(subnet) for subnet, _ in zip(subnets, range(int(args[1])), strict=False)]
    except (TypeError, ValueError) as exc:
        resolver.warn(at, f"Fn::Cidr cannot split {args!r}: {exc}")
        return [unresolved("Fn::Cidr")]


def _import_value(resolver: Resolver, argument: JSON, at: str) -> JSON:
    name = _text(resolver.resolve(argument, at))
    if name in resolver.overrides:
        return resolver.overrides[name]
    resolver.warn(
        at,
        f"Fn::ImportValue {name!r} needs another stack's export; pass "
        f"substitutions={{{name!r}: ...}}",
    )
    return unresolved(f"Fn::ImportValue {name}")


def _to_json_string(resolver: Resolver, argument: JSON, at: str) -> JSON:
    return dump_compact(resolver.resolve(argument, at))


def _length(resolver: Resolver, argument: JSON, at: str) -> JSON:
    value = resolver.resolve(argument, at)
    if isinstance(value, list):
        return len(value)
    resolver.warn(at, f"Fn::Length needs a list, got {value!r}")
    return unresolved("Fn::Length")


_Function = Callable[[Resolver, JSON, str], JSON]

#: Intrinsic function key -> implementation (``Condition`` only counts inside conditions).
_FUNCTIONS: dict[str, _Function] = {
    "Ref": lambda resolver, argument, at: resolver.ref(argument, at),
    "Fn::GetAtt": lambda resolver, argument, at: resolver.get_att(argument, at),
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": _not,
    "Fn::And": _all_or_any(all, "Fn::And"),
    "Fn::Or": _all_or_any(any, "Fn::Or"),
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAZs": _get_azs,
    "Fn::Cidr": _cidr,
    "Fn::ImportValue": _import_value,
    "Fn::Transform": lambda resolver, argument, at: resolver.include(argument, at),
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
}
