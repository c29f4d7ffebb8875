"""Safe by default: while a test runs, nothing reaches AWS or the network by accident.

With the plugin active, during the setup, call and teardown of every test:

* a botocore request that no in-process handler answered (moto's ``mock_aws``, a
  ``botocore.stub.Stubber``, :func:`pytest_sfn.local_client`, any ``before-send`` handler
  returning a response) raises :class:`NetworkBlockedError` instead of being sent;
* ``socket.socket.connect`` / ``connect_ex`` and ``socket.create_connection`` refuse any
  address that is not loopback (``127.0.0.0/8``, ``::1``, ``localhost``) or a unix socket;
  host names other than ``localhost`` are refused without being resolved;
* the AWS credential environment is replaced by dummy values (``testing``) and the shared
  credentials and config files point at files that do not exist, so credentials of the
  machine running the tests are never used silently. Everything is restored afterwards.

A test opts out with ``@pytest.mark.sfn_allow_network``; a run with ``--sfn-allow-network``
or the ini option ``sfn_allow_network = true``; ``-p no:sfn`` removes the plugin.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os
import socket
import tempfile
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.endpoint import Endpoint

from pytest_sfn.errors import SfnError

__all__ = [
    "ALLOW_NETWORK_MARKER",
    "ALLOW_NETWORK_MARKER_DOC",
    "DUMMY_CREDENTIALS_ENV",
    "NetworkBlockedError",
    "NetworkGuard",
    "add_guard_options",
    "guard_enabled",
    "guard_for",
    "guarded_environment",
    "is_local_address",
]

#: The marker that lets one test use the network and real AWS credentials.
ALLOW_NETWORK_MARKER = "sfn_allow_network"
#: The ``markers`` ini line registered in ``pytest_configure``.
ALLOW_NETWORK_MARKER_DOC = (
    f"{ALLOW_NETWORK_MARKER}: let this test send botocore requests to AWS, connect sockets "
    "to non-loopback addresses and see the real AWS credential environment (pytest-sfn "
    "blocks all three by default). Docs: pytest-sfn Reference > pytest plugin."
)
_INI = "sfn_allow_network"

#: A directory that is never created: the shared AWS files point inside it.
_MISSING_DIR = Path(tempfile.gettempdir()) / "pytest-sfn-no-aws-files.invalid"

#: The AWS environment a guarded test sees (``AWS_DEFAULT_REGION`` is kept when set).
DUMMY_CREDENTIALS_ENV: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SHARED_CREDENTIALS_FILE": str(_MISSING_DIR / "credentials"),
    "AWS_CONFIG_FILE": str(_MISSING_DIR / "config"),
}
#: Variables removed for the test (they would select a profile of the real files).
_REMOVED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_DEFAULT_REGION = "us-east-1"

_HOW_TO = (
    "Answer it in-process instead: moto's `mock_aws()` (decorator or `with` block), "
    "`botocore.stub.Stubber(client)`, or pytest-sfn mocks (`sfn_mocks`, "
    "`@pytest.mark.sfn(mocks=...)`, the `sfn_client` fixture, `pytest_sfn.local_client()`). "
    f"Or opt in: `@pytest.mark.{ALLOW_NETWORK_MARKER}` on the test, `--sfn-allow-network`, "
    f"or `{_INI} = true` in the ini file."
)


class NetworkBlockedError(SfnError):
    """A test tried to reach AWS or a non-loopback address while the guard was on.

    Attributes:
        target: what was called (``DynamoDB.PutItem at https://...`` or ``10.0.0.1:443``).
    """

    def __init__(self, target: str, *, kind: str = "network connection") -> None:
        self.target = target
        super().__init__(f"pytest-sfn blocked a {kind}: {target}.\n{_HOW_TO}")


# The operation botocore is sending, set around Endpoint._do_get_response so that the
# blocked _send can name it.
_OPERATION: contextvars.ContextVar[Any] = contextvars.ContextVar("pytest_sfn_operation")


def _describe_request(endpoint: Any, request: Any) -> str:
    operation = _OPERATION.get(None)
    url = getattr(request, "url", None) or getattr(endpoint, "host", "?")
    if operation is None:
        service = getattr(endpoint, "_endpoint_prefix", "?")
        return f"a {service} request to {url}"
    service_model = operation.service_model
    service = service_model.service_id or service_model.service_name
    return f"{service}.{operation.name} (botocore service {service_model.service_name!r}) at {url}"


def _split_host(address: Any) -> str | None:
    if isinstance(address, tuple) and address and isinstance(address[0], (str, bytes)):
        host = address[0]
        return host.decode() if isinstance(host, bytes) else host
    return None


def is_local_address(family: int, address: Any) -> bool:
    """Whether connecting ``family``/``address`` stays on this machine.

    Unix sockets and families other than IPv4/IPv6 are local; an IPv4/IPv6 address is
    local when it is loopback (an IPv4-mapped IPv6 loopback too) or unspecified, or when
    the host is ``localhost`` or ends in ``.localhost``. Other host names are not local:
    they are never resolved.

    Args:
        family: the socket family (``socket.AF_INET``...).
        address: the address given to ``connect`` (a ``(host, port, ...)`` tuple for IP).
    """
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True
    host = _split_host(address)
    return host is not None and _is_local_host(host)


def _is_local_host(host: str) -> bool:
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _format_address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = _split_host(address) or "?"
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return repr(address)


_MISSING = object()


@dataclass(slots=True)
class _Patch:
    owner: Any
    name: str
    saved: Any = _MISSING

    def apply(self, make: Callable[[Any], Any]) -> None:
        self.saved = self.owner.__dict__.get(self.name, _MISSING)
        setattr(self.owner, self.name, make(getattr(self.owner, self.name)))

    def undo(self) -> None:
        if self.saved is _MISSING:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.saved)


class NetworkGuard:
    """Blocks botocore sends and non-loopback socket connections while installed.

    Use it as a context manager (``with NetworkGuard(): ...``) or call
    :meth:`install` / :meth:`uninstall`. Guards nest: each restores what it replaced.
    """

    def __init__(self) -> None:
        self._patches: list[_Patch] = []

    @property
    def installed(self) -> bool:
        """Whether the guard's patches are in place."""
        return bool(self._patches)

    def install(self) -> None:
        """Patch botocore's endpoint and the socket module (no-op when installed)."""
        if self._patches:
            return
        self._patch(Endpoint, "_do_get_response", _remember_operation)
        self._patch(Endpoint, "_send", _block_send)
        self._patch(socket.socket, "connect", _guard_connect)
        self._patch(socket.socket, "connect_ex", _guard_connect)
        self._patch(socket, "create_connection", _guard_create_connection)

    def uninstall(self) -> None:
        """Restore everything :meth:`install` replaced, last patch first."""
        while self._patches:
            self._patches.pop().undo()

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        patch = _Patch(owner, name)
        patch.apply(make)
        self._patches.append(patch)

    def __enter__(self) -> NetworkGuard:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def _remember_operation(original: Callable[..., Any]) -> Callable[..., Any]:
    def do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
        token = _OPERATION.set(operation_model)
        try:
            return original(self, request, operation_model, context)
        finally:
            _OPERATION.reset(token)

    return do_get_response


def _block_send(original: Callable[..., Any]) -> Callable[..., Any]:
    # Endpoint._send only runs when no before-send handler returned a response.
    def send(self: Any, request: Any) -> Any:
        raise NetworkBlockedError(_describe_request(self, request), kind="botocore request")

    return send


def _guard_connect(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any) -> Any:
        if not is_local_address(self.family, address):
            raise NetworkBlockedError(
                f"{_format_address(address)} (socket connect)", kind="network connection"
            )
        return original(self, address)

    return connect


def _guard_create_connection(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        host = _split_host(address)
        if host is not None and not _is_local_host(host):
            raise NetworkBlockedError(
                f"{_format_address(address)} (socket.create_connection)",
                kind="network connection",
            )
        return original(address, *args, **kwargs)

    return create_connection


def guarded_environment(environ: Mapping[str, str]) -> dict[str, str | None]:
    """The AWS variables to set (a string) or remove (``None``) for a guarded test.

    Args:
        environ: the current environment (``AWS_DEFAULT_REGION`` is kept from it).
    """
    changes: dict[str, str | None] = dict(DUMMY_CREDENTIALS_ENV)
    changes["AWS_DEFAULT_REGION"] = environ.get("AWS_DEFAULT_REGION") or _DEFAULT_REGION
    changes.update(dict.fromkeys(_REMOVED_ENV))
    return changes


class _Environment:
    """Applies :func:`guarded_environment` to ``os.environ`` and puts the old values back."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        changes = guarded_environment(os.environ)
        self._saved = {name: os.environ.get(name) for name in changes}
        _set_env(changes)

    def __exit__(self, *exc: object) -> None:
        _set_env(self._saved)


def _set_env(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def add_guard_options(parser: pytest.Parser) -> None:
    """Register ``--sfn-allow-network`` and the ini option ``sfn_allow_network``."""
    parser.getgroup("sfn").addoption(
        "--sfn-allow-network",
        action="store_true",
        default=None,
        dest="sfn_allow_network",
        help="let tests reach AWS and the network and see real AWS credentials "
        "(pytest-sfn blocks them by default).",
    )
    parser.addini(
        _INI,
        type="bool",
        default=False,
        help="let tests reach AWS and the network and see real AWS credentials.",
    )


def guard_enabled(item: pytest.Item) -> bool:
    """Whether the guard applies to ``item`` (no marker, option or ini opt-in)."""
    if item.get_closest_marker(ALLOW_NETWORK_MARKER) is not None:
        return False
    config = item.config
    if config.getoption("sfn_allow_network", None):
        return False
    return not bool(config.getini(_INI))


@contextlib.contextmanager
def guard_for(item: pytest.Item) -> Iterator[None]:
    """The guard (environment and network) around one phase of ``item``, unless opted out."""
    if not guard_enabled(item):
        yield
        return
    with _Environment(), NetworkGuard():
        yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Guard the setup of ``item`` (hookspec: ``pytest_runtest_setup``)."""
    with guard_for(item):
        return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Guard the call of ``item`` (hookspec: ``pytest_runtest_call``)."""
    with guard_for(item):
        return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """Guard the teardown of ``item`` (hookspec: ``pytest_runtest_teardown``)."""
    with guard_for(item):
        return (yield)
