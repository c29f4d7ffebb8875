"""The safe-by-default guard: no AWS, no network, no real credentials during tests.

No test here sends traffic to a non-loopback address. Inner pytester runs load a conftest
(``SAFETY_NET``) that replaces socket connects, DNS lookups and botocore's HTTP session
with fakes refusing anything non-loopback *before* the guard is installed: if the guard
let a call through, the fake raises ``RuntimeError("safety net: ...")`` instead of
reaching the network. The outer tests driving pytester opt out of the guard (so only the
inner run's guard is under test).

pytester drops the modules an inner run imported once it ends, but a package keeps its
submodule attributes: a second run would then mix two ``botocore.handlers`` modules and
moto's handler would land in the wrong one. Importing boto3, botocore and moto here keeps
one copy for every run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3  # noqa: F401
import botocore.session  # noqa: F401
import botocore.stub  # noqa: F401
import moto  # noqa: F401
import pytest
from botocore.endpoint import Endpoint

from pytest_sfn.errors import SfnError
from pytest_sfn.plugin.guard import (
    ALLOW_NETWORK_MARKER,
    NetworkBlockedError,
    NetworkGuard,
    guarded_environment,
    is_local_address,
)

ALLOW = pytest.mark.sfn_allow_network

SAFETY_NET = """
import ipaddress
import socket

import botocore.httpsession
import pytest

_patch = pytest.MonkeyPatch()


def _loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wrap_connect(original):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            raise RuntimeError(f"safety net: would connect to {address}")
        return original(self, address)
    return connect


def _getaddrinfo(original):
    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            raise RuntimeError(f"safety net: would resolve {host}")
        return original(host, *args, **kwargs)
    return getaddrinfo


def _send(self, request):
    raise RuntimeError(f"safety net: would send {request.url}")


def pytest_configure(config):
    _patch.setattr(socket.socket, "connect", _wrap_connect(socket.socket.connect))
    _patch.setattr(socket.socket, "connect_ex", _wrap_connect(socket.socket.connect_ex))
    _patch.setattr(socket, "getaddrinfo", _getaddrinfo(socket.getaddrinfo))
    _patch.setattr(botocore.httpsession.URLLib3Session, "send", _send)


def pytest_unconfigure(config):
    _patch.undo()
"""

BLOCKED_CALLS = """
import socket

import boto3
import botocore.session
import pytest

from pytest_sfn.plugin.guard import NetworkBlockedError


def test_boto3():
    client = boto3.client("sqs", region_name="eu-west-1")
    with pytest.raises(NetworkBlockedError) as info:
        client.list_queues()
    message = str(info.value)
    assert "SQS.ListQueues" in message
    assert "https://sqs.eu-west-1.amazonaws.com" in message
    for hint in ("mock_aws", "Stubber", "sfn_mocks", "sfn_allow_network", "--sfn-allow-network"):
        assert hint in message


def test_botocore():
    client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    with pytest.raises(NetworkBlockedError, match=r"DynamoDB\\.GetItem .* at https://dynamodb"):
        client.get_item(TableName="t", Key={"k": {"S": "v"}})


def test_socket_connect():
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"10\\.0\\.0\\.1:9"):
        sock.connect(("10.0.0.1", 9))


def test_socket_connect_ex():
    with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"10\\.0\\.0\\.1:9"):
        sock.connect_ex(("10.0.0.1", 9))


def test_create_connection():
    with pytest.raises(NetworkBlockedError, match=r"10\\.0\\.0\\.1:9"):
        socket.create_connection(("10.0.0.1", 9), timeout=0.1)


def test_host_name_not_resolved():
    with pytest.raises(NetworkBlockedError, match=r"example\\.com:443"):
        socket.create_connection(("example.com", 443), timeout=0.1)
"""


@pytest.fixture
def safety_net(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester directory whose inner runs refuse real traffic even without the guard."""
    pytester.makeconftest(SAFETY_NET)
    return pytester


# -- pure logic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "address", "local"),
    [
        (socket.AF_INET, ("127.0.0.1", 80), True),
        (socket.AF_INET, ("127.8.9.10", 80), True),
        (socket.AF_INET, ("localhost", 80), True),
        (socket.AF_INET, ("LOCALHOST.", 80), True),
        (socket.AF_INET, ("api.localhost", 80), True),
        (socket.AF_INET, ("0.0.0.0", 80), True),
        (socket.AF_INET, (b"127.0.0.1", 80), True),
        (socket.AF_INET6, ("::1", 80, 0, 0), True),
        (socket.AF_INET6, ("::ffff:127.0.0.1", 80, 0, 0), True),
        (socket.AF_UNIX, "/tmp/some.sock", True),
        (socket.AF_UNIX, b"\0abstract", True),
        (socket.AF_INET, ("10.0.0.1", 80), False),
        (socket.AF_INET, ("169.254.169.254", 80), False),
        (socket.AF_INET, ("128.0.0.1", 80), False),
        (socket.AF_INET, ("example.com", 443), False),
        (socket.AF_INET, ("localhost.example.com", 443), False),
        (socket.AF_INET6, ("2001:db8::1", 80, 0, 0), False),
        (socket.AF_INET6, ("::ffff:10.0.0.1", 80, 0, 0), False),
        (socket.AF_INET, "not a tuple", False),
    ],
)
def test_is_local_address(family: int, address: Any, local: bool) -> None:
    assert is_local_address(family, address) is local


@pytest.mark.parametrize(
    ("environ", "region"),
    [({}, "us-east-1"), ({"AWS_DEFAULT_REGION": "eu-west-3"}, "eu-west-3")],
)
def test_guarded_environment(environ: dict[str, str], region: str) -> None:
    changes = guarded_environment({**environ, "AWS_PROFILE": "prod"})
    assert changes["AWS_DEFAULT_REGION"] == region
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    ):
        assert changes[name] == "testing"
    assert changes["AWS_PROFILE"] is None
    assert changes["AWS_DEFAULT_PROFILE"] is None
    for name in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        path = changes[name]
        assert path is not None and not os.path.exists(path)


def test_error_is_an_sfn_error() -> None:
    error = NetworkBlockedError("10.0.0.1:9 (socket connect)")
    assert isinstance(error, SfnError)
    assert not isinstance(error, OSError)  # libraries must not swallow it as a net failure
    assert error.target == "10.0.0.1:9 (socket connect)"


# -- the guard object --------------------------------------------------------------------


@ALLOW
def test_guard_restores_what_it_patched() -> None:
    before = (
        socket.socket.__dict__.get("connect"),
        socket.socket.__dict__.get("connect_ex"),
        socket.create_connection,
        Endpoint._send,
        Endpoint._do_get_response,
    )
    with NetworkGuard() as guard:
        assert guard.installed
        assert Endpoint._send is not before[3]
        assert "connect" in socket.socket.__dict__
        with NetworkGuard():  # guards nest
            pass
        assert "connect" in socket.socket.__dict__
    assert not guard.installed
    after = (
        socket.socket.__dict__.get("connect"),
        socket.socket.__dict__.get("connect_ex"),
        socket.create_connection,
        Endpoint._send,
        Endpoint._do_get_response,
    )
    assert after == before


@pytest.fixture
def loopback_server() -> Iterator[tuple[str, int]]:
    """A listening TCP socket on 127.0.0.1."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()


@ALLOW
def test_guard_allows_loopback(loopback_server: tuple[str, int]) -> None:
    with NetworkGuard():
        with socket.create_connection(loopback_server, timeout=2) as conn:
            assert conn.getpeername() == loopback_server
        with socket.socket() as sock:
            assert sock.connect_ex(loopback_server) == 0


def test_outer_test_is_guarded() -> None:
    # This very test runs under the guard of the installed plugin. A closed socket
    # can never send anything: unguarded, connect fails with EBADF.
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    sock = socket.socket()
    sock.close()
    with pytest.raises(NetworkBlockedError):
        sock.connect(("10.0.0.1", 9))


@ALLOW
def test_opted_out_test_is_not_guarded() -> None:
    sock = socket.socket()
    sock.close()
    with pytest.raises(OSError):
        sock.connect(("10.0.0.1", 9))


# -- the plugin in a pytest run -----------------------------------------------------------


@ALLOW
def test_blocked_in_every_phase(safety_net: pytest.Pytester) -> None:
    safety_net.makepyfile(test_blocked=BLOCKED_CALLS)
    safety_net.runpytest_inprocess().assert_outcomes(passed=6)


@ALLOW
def test_blocked_in_setup_and_teardown(safety_net: pytest.Pytester) -> None:
    safety_net.makepyfile(
        """
        import socket
        import pytest
        from pytest_sfn.plugin.guard import NetworkBlockedError

        def _try():
            with socket.socket() as sock, pytest.raises(NetworkBlockedError):
                sock.connect(("10.0.0.1", 9))

        @pytest.fixture
        def phases():
            _try()
            yield
            _try()

        def test_it(phases):
            _try()
        """
    )
    safety_net.runpytest_inprocess().assert_outcomes(passed=1)


ANSWERED_IN_PROCESS = """
import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from pytest_sfn import local_client


def test_local_client():
    client = local_client()
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = client.create_state_machine(
        name="Hello", roleArn="arn:aws:iam::123456789012:role/sfn",
        definition=json.dumps(definition),
    )["stateMachineArn"]
    run = client.start_execution(stateMachineArn=arn, input='{"x": 1}')
    assert client.describe_execution(executionArn=run["executionArn"])["status"] == "SUCCEEDED"


def test_sfn_client_fixture(sfn_client):
    assert sfn_client.list_state_machines()["stateMachines"] == []


@mock_aws
def test_moto_dynamodb():
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName="orders", Item={"id": {"S": "o-1"}, "total": {"N": "30"}})
    item = client.get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
    assert item == {"id": {"S": "o-1"}, "total": {"N": "30"}}


def test_stubber():
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_item", {"Item": {"id": {"S": "o-1"}}}, {"TableName": "t", "Key": {"id": {"S": "o-1"}}}
        )
        assert client.get_item(TableName="t", Key={"id": {"S": "o-1"}})["Item"] == {"id": {"S": "o-1"}}
"""


@ALLOW
def test_in_process_answers_still_work(safety_net: pytest.Pytester) -> None:
    safety_net.makepyfile(test_answered=ANSWERED_IN_PROCESS)
    safety_net.runpytest_inprocess().assert_outcomes(passed=4)


@ALLOW
def test_loopback_allowed_in_a_run(safety_net: pytest.Pytester) -> None:
    safety_net.makepyfile(
        """
        import socket

        def test_loopback():
            with socket.socket() as server:
                server.bind(("127.0.0.1", 0))
                server.listen()
                with socket.create_connection(server.getsockname(), timeout=2):
                    pass
                with socket.socket() as sock:
                    sock.connect(server.getsockname())
        """
    )
    safety_net.runpytest_inprocess().assert_outcomes(passed=1)


OPTED_OUT = """
import socket

import boto3
import pytest

from pytest_sfn.plugin.guard import NetworkBlockedError

{mark}
def test_boto3_reaches_http_session():
    with pytest.raises(RuntimeError, match="safety net: would send https://sqs"):
        client = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        )
        client.list_queues()

{mark}
def test_socket_reaches_connect():
    with socket.socket() as sock, pytest.raises(RuntimeError, match="safety net"):
        sock.connect(("10.0.0.1", 9))
"""


@ALLOW
@pytest.mark.parametrize(
    ("mark", "args", "ini"),
    [
        (f"@pytest.mark.{ALLOW_NETWORK_MARKER}", (), None),
        ("", ("--sfn-allow-network",), None),
        ("", (), "true"),
        ("", ("-p", "no:sfn"), None),
    ],
    ids=["marker", "option", "ini", "no-plugin"],
)
def test_opt_in(
    safety_net: pytest.Pytester, mark: str, args: tuple[str, ...], ini: str | None
) -> None:
    if ini is not None:
        safety_net.makeini(f"[pytest]\nsfn_allow_network = {ini}\n")
    safety_net.makepyfile(test_opt=OPTED_OUT.format(mark=mark))
    safety_net.runpytest_inprocess(*args).assert_outcomes(passed=2)


@ALLOW
def test_ini_false_keeps_the_guard(safety_net: pytest.Pytester) -> None:
    safety_net.makeini("[pytest]\nsfn_allow_network = false\n")
    safety_net.makepyfile(test_blocked=BLOCKED_CALLS)
    safety_net.runpytest_inprocess().assert_outcomes(passed=6)


@ALLOW
def test_marker_registered(safety_net: pytest.Pytester) -> None:
    safety_net.makepyfile(OPTED_OUT.format(mark=f"@pytest.mark.{ALLOW_NETWORK_MARKER}"))
    safety_net.runpytest_inprocess("--strict-markers").assert_outcomes(passed=2)
    result = safety_net.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines([f"@pytest.mark.{ALLOW_NETWORK_MARKER}: *"])


CREDENTIALS = """
import os

import boto3
import pytest

EXPECTED_REGION = {region!r}


def _check():
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN"):
        assert os.environ[name] == "testing", name
    assert os.environ["AWS_DEFAULT_REGION"] == EXPECTED_REGION
    assert "AWS_PROFILE" not in os.environ
    assert not os.path.exists(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    assert not os.path.exists(os.environ["AWS_CONFIG_FILE"])
    credentials = boto3.Session().get_credentials()
    assert (credentials.access_key, credentials.method) == ("testing", "env")


@pytest.fixture
def phases():
    _check()
    yield
    _check()


def test_credentials(phases):
    _check()


@pytest.mark.sfn_allow_network
def test_opted_out_sees_the_real_environment():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"
    assert os.environ["AWS_PROFILE"] == "prod"
"""


@ALLOW
@pytest.mark.parametrize("region", [None, "eu-west-3"])
def test_credentials_replaced_and_restored(
    safety_net: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, region: str | None
) -> None:
    real = {
        "AWS_ACCESS_KEY_ID": "AKIAREALKEY",
        "AWS_SECRET_ACCESS_KEY": "real-secret",
        "AWS_PROFILE": "prod",
        "AWS_CONFIG_FILE": str(safety_net.path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(safety_net.path / "credentials"),
    }
    for name, value in real.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    if region is None:
        monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    else:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    (safety_net.path / "credentials").write_text(
        "[prod]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n"
    )
    safety_net.makepyfile(test_creds=CREDENTIALS.format(region=region or "us-east-1"))
    safety_net.runpytest_inprocess().assert_outcomes(passed=2)
    for name, value in real.items():
        assert os.environ[name] == value
    assert "AWS_SESSION_TOKEN" not in os.environ
    assert os.environ.get("AWS_DEFAULT_REGION") == region
