"""``local_client()``: a real botocore ``stepfunctions`` client answered in-process.

The client is an ordinary botocore client (parameter validation, modeled exceptions,
paginators, waiters all work), built on an isolated session with fixed dummy credentials.
A handler on its ``before-send`` event intercepts every HTTP request: it decodes the
``awsJson1_0`` body, runs the operation named by the ``X-Amz-Target`` header on a
:class:`~pytest_sfn.service.backend.SfnBackend`, and hands botocore an HTTP response built
in memory. No socket is ever opened.

Example:
    >>> client = local_client()
    >>> arn = client.create_state_machine(
    ...     name="Hello", roleArn="arn:aws:iam::123456789012:role/sfn",
    ...     definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}',
    ... )["stateMachineArn"]
    >>> run = client.start_execution(stateMachineArn=arn, input='{"x": 1}')
    >>> client.describe_execution(executionArn=run["executionArn"])["status"]
    'SUCCEEDED'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.config import Config

from pytest_sfn.service.backend import RequestContext, SfnBackend, TaskFactory
from pytest_sfn.service.errors import ApiError
from pytest_sfn.service.session import isolated_session
from pytest_sfn.service.sfn_local_mocks import MockConfig, load_mock_config

__all__ = ["ENDPOINT_URL", "local_client"]

#: Where the client believes it sends requests (``.invalid`` never resolves).
ENDPOINT_URL = "https://states.local.pytest-sfn.invalid"
_TARGET_PREFIX = "AWSStepFunctions."
_CONTENT_TYPE = "application/x-amz-json-1.0"


#: The environment variable Step Functions Local reads its mock file from.
MOCK_CONFIG_ENV = "SFN_MOCK_CONFIG"


def local_client(
    *,
    region_name: str = "us-east-1",
    account_id: str = "123456789012",
    backend: SfnBackend | None = None,
    results: Mapping[str, Any] | None = None,
    mock_config: str | Path | Mapping[str, Any] | MockConfig | None = None,
    config: Config | None = None,
    tasks: TaskFactory | None = None,
) -> Any:
    """A botocore ``stepfunctions`` client whose calls the pytest-sfn engine answers.

    Args:
        region_name: the client's region (part of every ARN).
        account_id: the account of every ARN.
        backend: the service state; pass the same :class:`SfnBackend` to several clients
            to share state machines and executions. A new one by default.
        results: what Task states return, by state name, for every execution this client
            starts (the ``results=`` of :meth:`pytest_sfn.StateMachine.execute`).
        mock_config: a Step Functions Local ``MockConfigFile.json`` (path or decoded
            content); start ``"<state machine ARN>#<TestCase>"`` to use a test case. Tasks
            the test case does not list fall back to ``results``. When omitted, the file
            named by the ``SFN_MOCK_CONFIG`` environment variable is used, as Step Functions
            Local does.
        config: extra botocore client configuration (merged over the defaults: one
            attempt per call, no retries).
        tasks: answers Task states instead of ``results`` and ``mock_config``: called as
            ``tasks(state_machine, test_case)`` for each execution (``test_case`` is
            ``None`` unless the execution was started as ``"<ARN>#<TestCase>"``), it returns
            the :class:`~pytest_sfn.engine.ports.TaskHandler` of that execution. A
            :class:`~pytest_sfn.errors.MockError` it raises for a test case makes
            ``StartExecution`` fail with ``InvalidName``.

    Returns:
        A ``botocore.client.SFN`` client.

    Raises:
        MockError: ``mock_config`` is malformed (the message names the key path).
        ValueError: ``tasks`` given with ``results`` or ``mock_config``.
    """
    if tasks is not None and (results is not None or mock_config is not None):
        raise ValueError("local_client(): pass tasks= or results=/mock_config=, not both")
    if tasks is None and mock_config is None and os.environ.get(MOCK_CONFIG_ENV):
        mock_config = Path(os.environ[MOCK_CONFIG_ENV])
    mocks = mock_config if isinstance(mock_config, MockConfig) or mock_config is None else (
        load_mock_config(mock_config)
    )  # fmt: skip
    client_config = Config(retries={"total_max_attempts": 1})
    if config is not None:
        client_config = client_config.merge(config)
    client = isolated_session().create_client(
        "stepfunctions",
        region_name=region_name,
        endpoint_url=ENDPOINT_URL,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token=None,
        config=client_config,
    )
    context = RequestContext(region_name, account_id, results, mocks, tasks)
    client.meta.events.register("before-send.sfn", _Transport(backend or SfnBackend(), context))
    return client


class _Transport:
    """The ``before-send`` handler: one HTTP exchange with the in-process service."""

    def __init__(self, backend: SfnBackend, context: RequestContext) -> None:
        self.backend = backend
        self.context = context

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        operation = target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else target
        body = request.body or b"{}"
        params = json.loads(body.decode() if isinstance(body, bytes) else body)
        try:
            status, payload = 200, self.backend.handle(operation, params, self.context)
        except ApiError as exc:
            status, payload = exc.status, {"__type": exc.code, "message": exc.message}
        data = json.dumps(payload, default=_encode, separators=(",", ":")).encode()
        headers = {
            "x-amzn-requestid": self.backend.next_request_id(),
            "content-type": _CONTENT_TYPE,
            "content-length": str(len(data)),
        }
        return AWSResponse(request.url, status, headers, _Body(data))


def _encode(value: Any) -> Any:
    """``awsJson1_0`` timestamps: epoch seconds with millisecond precision."""
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    raise TypeError(f"cannot encode {type(value).__name__} in a response")


class _Body:
    """The ``raw`` body botocore reads from (it only calls :meth:`stream`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data
