"""Real integrations: Task states answered by user code instead of declarative mocks.

Each integration implements the engine's :class:`~pytest_sfn.engine.ports.TaskHandler`
protocol and is passed to :meth:`StateMachine.execute` as ``tasks=``:

* :class:`LambdaHandlers` runs Python Lambda handlers in-process for
  ``arn:aws:states:::lambda:invoke`` and bare Lambda function ARNs, with AWS's exact
  ``Invoke`` response shape and function-error mapping.
* :class:`BotocoreTasks` answers ``aws-sdk:*`` tasks and the optimized DynamoDB, SQS, SNS
  and EventBridge integrations with a botocore client (Stubber- and moto-friendly).
* :class:`HttpInvoker` sends ``arn:aws:states:::http:invoke`` requests through httpx (so
  respx mocks them), with EventBridge connections (API key, Basic, OAuth) and AWS's output
  shape and ``States.Http.*`` errors.
* :class:`NestedExecutions` runs child state machines for ``states:startExecution``
  (request/response, ``.sync``, ``.sync:2``) under the parent's virtual clock.

:mod:`pytest_sfn.integrations.aws_sdk` resolves ``arn:aws:states:::aws-sdk:<service>:<action>``
resources against botocore's service models and checks parameters and results against the
API shapes (not yet wired into definition validation or the engine).
"""

from __future__ import annotations

from pytest_sfn.integrations.aws_sdk import (
    SdkOperation,
    UnknownSdkResource,
    resolve_sdk_resource,
    sdk_error_name,
    validate_sdk_parameters,
    validate_sdk_result,
)
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks
from pytest_sfn.integrations.http import Connection, HttpInvoker
from pytest_sfn.integrations.lambda_ import ClientContext, LambdaContext, LambdaHandlers
from pytest_sfn.integrations.nested import NestedExecutions

__all__ = [
    "BotocoreTasks",
    "ClientContext",
    "Connection",
    "HttpInvoker",
    "LambdaContext",
    "LambdaHandlers",
    "NestedExecutions",
    "SdkOperation",
    "UnknownSdkResource",
    "resolve_sdk_resource",
    "sdk_error_name",
    "validate_sdk_parameters",
    "validate_sdk_result",
]
