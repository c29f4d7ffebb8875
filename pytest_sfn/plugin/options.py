"""What a test asks for: ``@pytest.mark.sfn`` keywords and the ``--sfn-*`` / ``sfn_*`` options.

:class:`SfnOptions` holds the merged marker keywords of one test. Markers are read
closest-first (function, then class, then module): for ``definition``, ``scenario`` and
``strict`` the closest marker that gives a value wins; ``results`` and ``substitutions``
are merged key by key (the closest marker wins for a key several give); every ``mocks``
given is kept, farthest first, so a test's mocks override its module's state by state.

:class:`SfnSettings` holds the run-wide settings: command-line options win over ini
options, which win over the defaults.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Union

import pytest

from pytest_sfn.errors import did_you_mean
from pytest_sfn.machine import DEFAULT_ACCOUNT, DEFAULT_REGION
from pytest_sfn.mocks.fluent import Mocks
from pytest_sfn.mocks.model import VALIDATION_MODES, MockSet

__all__ = [
    "MARKER_DOC",
    "MockSource",
    "SfnOptions",
    "SfnSettings",
    "add_options",
]

#: What ``mocks=`` accepts: a file (YAML mocks, ``*.sfn.yaml`` scenario file or Step
#: Functions Local ``MockConfigFile.json``), its decoded content, a MockSet or a Mocks builder.
MockSource = Union[str, "PathLike[str]", Mapping[str, Any], MockSet, Mocks]

#: The ``markers`` ini line registered in ``pytest_configure`` (shown by ``pytest --markers``).
MARKER_DOC = (
    "sfn(definition=None, mocks=None, scenario=None, strict=None, substitutions=None, "
    "results=None, lambdas=None, machines=None, activities=None, http=None, connections=None, "
    "botocore=None, validate=None): configure the sfn fixtures of a test: the state machine "
    "sfn.execute(input) runs (a definition file or 'template.yaml#LogicalId', relative to "
    "the test file or sfn_definitions_dir), its mocks (a mocks file, scenario file or "
    "MockConfigFile.json, a dict, MockSet or Mocks), the scenario or test case to take "
    "from that file, strictness (overrides sfn_strict), template substitutions, and Task "
    "results by state name; Lambda handlers, child state machines, activity workers, HTTP mocks "
    "and connections, "
    "a botocore session or client for Tasks without a mock, and the mock result validation "
    "mode (STRICT, PRESENT, NONE). Docs: pytest-sfn Reference > pytest plugin."
)

_KNOWN = (
    "definition",
    "mocks",
    "scenario",
    "strict",
    "substitutions",
    "results",
    "lambdas",
    "machines",
    "activities",
    "http",
    "connections",
    "botocore",
    "validate",
)
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


def _kind(value: Any) -> str:
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class SfnOptions:
    """The ``@pytest.mark.sfn`` keywords of one test, merged (see the module docstring).

    Attributes:
        definition: the state machine ``sfn.execute(input)`` runs (``None``: none given).
        mocks: every ``mocks=`` given, farthest marker first.
        scenario: the scenario (of a ``*.sfn.yaml`` file) or test case (of a Step
            Functions Local mock config) to take the mocks from.
        strict: ``None`` to use the ``sfn_strict`` setting.
        substitutions: template ``DefinitionSubstitutions`` / placeholder overrides.
        results: Task results by state name (the ``results=`` of ``StateMachine.execute``).
        lambdas: Lambda function name/ARN -> handler or ``"module:function"``.
        machines: child state machine ARN or name -> definition spec or ``StateMachine``.
        activities: activity name or ARN -> worker ``(input) -> output`` or
            ``"module:function"``.
        http: HTTP mocks (route dicts, as in YAML), closest marker's first; a
            ``respx.MockRouter`` is kept in ``http_router``.
        http_router: a ``respx.MockRouter`` (the closest one given).
        connections: EventBridge connections by name or ARN (``Connection`` or the
            ``{AuthorizationType, AuthParameters}`` dict).
        botocore: what answers AWS SDK Tasks (see ``pytest_sfn.plugin.tasks.botocore_tasks``).
        validate: ``STRICT``, ``PRESENT`` or ``NONE``; ``None`` uses ``sfn_validate_mocks``.
    """

    definition: str | PathLike[str] | None = None
    mocks: tuple[MockSource, ...] = ()
    scenario: str | None = None
    strict: bool | None = None
    substitutions: Mapping[str, str] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)
    lambdas: Mapping[str, Any] = field(default_factory=dict)
    machines: Mapping[str, Any] = field(default_factory=dict)
    activities: Mapping[str, Any] = field(default_factory=dict)
    http: tuple[Mapping[str, Any], ...] = ()
    http_router: Any = None
    connections: Mapping[str, Any] = field(default_factory=dict)
    botocore: Any = None
    validate: str | None = None

    @classmethod
    def from_markers(
        cls, markers: Iterable[tuple[tuple[Any, ...], Mapping[str, Any]]]
    ) -> SfnOptions:
        """Merge the ``(args, kwargs)`` of ``sfn`` markers given closest-first.

        Raises:
            TypeError: a marker has positional arguments, an unknown keyword or a value of
                the wrong type (the message says which and what is accepted).
        """
        definition: str | PathLike[str] | None = None
        scenario: str | None = None
        strict: bool | None = None
        mocks: list[MockSource] = []
        results: dict[str, Any] = {}
        substitutions: dict[str, str] = {}
        lambdas: dict[str, Any] = {}
        machines: dict[str, Any] = {}
        activities: dict[str, Any] = {}
        connections: dict[str, Any] = {}
        http: list[Mapping[str, Any]] = []
        http_router: Any = None
        botocore: Any = None
        validate: str | None = None
        for args, kwargs in markers:
            _check_marker(args, kwargs)
            if definition is None:
                definition = kwargs.get("definition")
            if scenario is None:
                scenario = kwargs.get("scenario")
            if strict is None:
                strict = kwargs.get("strict")
            if kwargs.get("mocks") is not None:
                mocks.append(kwargs["mocks"])
            for state, answer in (kwargs.get("results") or {}).items():
                results.setdefault(state, answer)
            for name, value in (kwargs.get("substitutions") or {}).items():
                substitutions.setdefault(name, value)
            for target, given in (
                (lambdas, "lambdas"),
                (machines, "machines"),
                (activities, "activities"),
                (connections, "connections"),
            ):
                for key, value in (kwargs.get(given) or {}).items():
                    target.setdefault(key, value)
            routes = kwargs.get("http")
            if isinstance(routes, (list, tuple)):
                http.extend(routes)
            elif routes is not None and http_router is None:
                http_router = routes
            if botocore is None:
                botocore = kwargs.get("botocore")
            if validate is None and kwargs.get("validate") is not None:
                validate = str(kwargs["validate"]).upper()
        return cls(
            definition=definition,
            mocks=tuple(reversed(mocks)),
            scenario=scenario,
            strict=strict,
            substitutions=substitutions,
            results=results,
            lambdas=lambdas,
            machines=machines,
            activities=activities,
            http=tuple(http),
            http_router=http_router,
            connections=connections,
            botocore=botocore,
            validate=validate,
        )


def _check_marker(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    __tracebackhide__ = True
    if args:
        raise TypeError(
            f"@pytest.mark.sfn takes keyword arguments only ({', '.join(_KNOWN)}), "
            f"got positional {args!r}"
        )
    for key in kwargs:
        if key not in _KNOWN:
            raise TypeError(
                f"@pytest.mark.sfn got an unexpected keyword argument {key!r}"
                f"{did_you_mean(key, _KNOWN)}; it accepts: {', '.join(_KNOWN)}"
            )
    definition = kwargs.get("definition")
    if definition is not None and not isinstance(definition, (str, os.PathLike)):
        raise TypeError(
            "@pytest.mark.sfn(definition=...) must be a path or 'template.yaml#LogicalId', "
            f"not {_kind(definition)}"
        )
    scenario = kwargs.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise TypeError(f"@pytest.mark.sfn(scenario=...) must be a str, not {_kind(scenario)}")
    strict = kwargs.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise TypeError(f"@pytest.mark.sfn(strict=...) must be True or False, not {strict!r}")
    results = kwargs.get("results")
    if results is not None and not isinstance(results, Mapping):
        raise TypeError(
            "@pytest.mark.sfn(results=...) must be a mapping of Task state name to result, "
            f"not {_kind(results)}"
        )
    substitutions = kwargs.get("substitutions")
    if substitutions is not None and (
        not isinstance(substitutions, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in substitutions.items())
    ):
        raise TypeError(
            "@pytest.mark.sfn(substitutions=...) must be a mapping of str to str, "
            f"not {substitutions!r}"
        )
    mocks = kwargs.get("mocks")
    if mocks is not None and not isinstance(mocks, (str, os.PathLike, Mapping, MockSet, Mocks)):
        raise TypeError(
            "@pytest.mark.sfn(mocks=...) must be a file path, a dict, a MockSet or a "
            f"Mocks builder, not {_kind(mocks)}"
        )
    _check_integrations("@pytest.mark.sfn", kwargs)


def _check_integrations(where: str, kwargs: Mapping[str, Any]) -> None:
    """Check ``lambdas``, ``machines``, ``activities``, ``http``, ``connections`` and
    ``validate``."""
    __tracebackhide__ = True
    for key, what in (
        ("lambdas", "function name or ARN to a handler (event, context) or 'module:function'"),
        ("machines", "state machine ARN or name to a definition path or StateMachine"),
        ("activities", "activity name or ARN to a worker (input) -> output or 'module:function'"),
        ("connections", "connection name or ARN to a Connection or its dict"),
    ):
        value = kwargs.get(key)
        if value is not None and (
            not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value)
        ):
            raise TypeError(f"{where}({key}=...) must be a mapping of {what}, not {_kind(value)}")
    routes = kwargs.get("http")
    if routes is not None:
        if isinstance(routes, (list, tuple)):
            if not all(isinstance(route, Mapping) for route in routes):
                raise TypeError(
                    f"{where}(http=...) must be a list of route dicts (method, url, status, "
                    "json...) or a respx.MockRouter"
                )
        elif not hasattr(routes, "resolve"):
            raise TypeError(
                f"{where}(http=...) must be a list of route dicts (method, url, status, "
                f"json...) or a respx.MockRouter, not {_kind(routes)}"
            )
    validate = kwargs.get("validate")
    if validate is not None and (
        not isinstance(validate, str) or validate.upper() not in VALIDATION_MODES
    ):
        raise TypeError(
            f"{where}(validate=...) must be one of {', '.join(VALIDATION_MODES)}, not {validate!r}"
        )


# --- run-wide settings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SfnSettings:
    """The ``--sfn-*`` command-line and ``sfn_*`` ini options of the run.

    Attributes:
        definitions_dir: where relative definition paths are also looked up.
        mocks_dir: where relative mock file paths are also looked up.
        strict: whether unknown mocked states and unused mock responses fail tests.
        region, account: the region and account of loaded state machines and the client.
        seed: the default ``seed=`` of executions.
        validate: how mock results are checked against the integration's output shape
            (``STRICT``, ``PRESENT`` or ``NONE``).
    """

    definitions_dir: Path | None = None
    mocks_dir: Path | None = None
    strict: bool = True
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    seed: int = 0
    validate: str = "PRESENT"

    @classmethod
    def from_config(cls, config: pytest.Config) -> SfnSettings:
        """Read the options of ``config``.

        Raises:
            pytest.UsageError: a value is invalid (a missing directory, an account that is
                not 12 digits, a seed that is not an integer...).
        """
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        here = config.invocation_params.dir

        def option(name: str) -> tuple[Any, str, Path]:
            value = config.getoption(name)
            if value is not None:
                return value, "--" + name.replace("_", "-"), here
            return config.getini(name), name, base

        def directory(name: str) -> Path | None:
            value, where, relative_to = option(name)
            if not value:
                return None
            path = (relative_to / Path(str(value)).expanduser()).resolve()
            if not path.is_dir():
                raise pytest.UsageError(f"{where}: {path} is not a directory")
            return path

        region, region_from, _ = option("sfn_region")
        if not _REGION.match(str(region)):
            raise pytest.UsageError(
                f"{region_from}: {region!r} is not an AWS region name (like 'us-east-1')"
            )
        account, account_from, _ = option("sfn_account")
        if not _ACCOUNT.match(str(account)):
            raise pytest.UsageError(f"{account_from}: {account!r} is not a 12-digit account id")
        seed, seed_from, _ = option("sfn_seed")
        try:
            seed_value = int(seed)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"{seed_from}: {seed!r} is not an integer") from None
        strict = config.getoption("sfn_strict")
        validate, validate_from, _ = option("sfn_validate_mocks")
        if str(validate).upper() not in VALIDATION_MODES:
            raise pytest.UsageError(
                f"{validate_from}: {validate!r} is not one of {', '.join(VALIDATION_MODES)}"
            )
        return cls(
            definitions_dir=directory("sfn_definitions_dir"),
            mocks_dir=directory("sfn_mocks_dir"),
            strict=bool(config.getini("sfn_strict")) if strict is None else bool(strict),
            region=str(region),
            account=str(account),
            seed=seed_value,
            validate=str(validate).upper(),
        )


def add_options(parser: pytest.Parser) -> None:
    """Register the ``--sfn-*`` options (group ``sfn``) and the ``sfn_*`` ini options."""
    group = parser.getgroup("sfn", "AWS Step Functions (pytest-sfn)")
    group.addoption(
        "--sfn-definitions-dir", dest="sfn_definitions_dir", metavar="DIR", default=None,
        help="Directory where relative state machine paths are looked up after the test "
        "file's directory (ini: sfn_definitions_dir).",
    )  # fmt: skip
    group.addoption(
        "--sfn-mocks-dir", dest="sfn_mocks_dir", metavar="DIR", default=None,
        help="Directory where relative mock file paths are looked up after the test file's "
        "directory (ini: sfn_mocks_dir).",
    )  # fmt: skip
    group.addoption(
        "--sfn-strict", dest="sfn_strict", action="store_true", default=None,
        help="Fail tests whose mocks name unknown states or leave responses unused "
        "(the default; ini: sfn_strict).",
    )  # fmt: skip
    group.addoption(
        "--sfn-no-strict", dest="sfn_strict", action="store_false", default=None,
        help="Allow mocks for unknown states and unused mock responses.",
    )  # fmt: skip
    group.addoption(
        "--sfn-region", dest="sfn_region", metavar="REGION", default=None,
        help=f"Region of loaded state machines (default {DEFAULT_REGION}; ini: sfn_region).",
    )  # fmt: skip
    group.addoption(
        "--sfn-account", dest="sfn_account", metavar="ID", default=None,
        help=f"Account id of loaded state machines (default {DEFAULT_ACCOUNT}; ini: sfn_account).",
    )  # fmt: skip
    group.addoption(
        "--sfn-seed", dest="sfn_seed", metavar="N", default=None,
        help="Seed of execution names, UUIDs, States.MathRandom and retry jitter (default 0; "
        "ini: sfn_seed).",
    )  # fmt: skip
    group.addoption(
        "--sfn-validate-mocks", dest="sfn_validate_mocks", metavar="MODE", default=None,
        type=str.upper, choices=VALIDATION_MODES,
        help="How mock results are checked against the integration's output shape: "
        "STRICT, PRESENT (default) or NONE (ini: sfn_validate_mocks).",
    )  # fmt: skip
    parser.addini(
        "sfn_definitions_dir", "Directory of state machine files (relative to the ini file).",
        default="",
    )  # fmt: skip
    parser.addini(
        "sfn_mocks_dir", "Directory of mock files (relative to the ini file).", default=""
    )
    parser.addini(
        "sfn_strict", "Fail on mocks of unknown states and unused mock responses.",
        type="bool", default=True,
    )  # fmt: skip
    parser.addini("sfn_region", "Region of loaded state machines.", default=DEFAULT_REGION)
    parser.addini("sfn_account", "Account id of loaded state machines.", default=DEFAULT_ACCOUNT)
    parser.addini("sfn_seed", "Default seed of executions.", default="0")
    parser.addini(
        "sfn_validate_mocks",
        "How mock results are checked against the integration's output shape: STRICT, "
        "PRESENT or NONE.",
        default="PRESENT",
    )
