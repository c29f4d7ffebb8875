"""Real integrations: Task states answered by user code instead of declarative mocks.

Each integration implements the engine's :class:`~pytest_sfn.engine.ports.TaskHandler`
protocol and is passed to :meth:`StateMachine.execute` as ``tasks=``:

* :class:`LambdaHandlers` runs Python Lambda handlers in-process for
  ``arn:aws:states:::lambda:invoke`` and bare Lambda function ARNs, with AWS's exact
  ``Invoke`` response shape and function-error mapping.
* :class:`BotocoreTasks` answers ``aws-sdk:*`` tasks and the optimized Lambda, DynamoDB,
  SQS, SNS, EventBridge, ECS, Glue, Batch, Athena and Bedrock integrations (and bare Lambda
  function ARNs) with botocore clients (Stubber- and moto-friendly).
* :class:`HttpInvoker` sends ``arn:aws:states:::http:invoke`` requests through httpx (so
  respx mocks them), with EventBridge connections (API key, Basic, OAuth) and AWS's output
  shape and ``States.Http.*`` errors.
* :class:`BedrockTasks` answers ``bedrock:invokeModel`` (with S3 ``Input``/``Output``) and
  model customization jobs; :func:`bedrock_response` builds realistic model responses.
* ``.sync`` jobs (ECS, Glue, Batch, Athena, Bedrock customization) are polled by
  :class:`BotocoreTasks` under the virtual clock (:mod:`pytest_sfn.integrations.sync`).
* :class:`NestedExecutions` runs child state machines for ``states:startExecution``
  (request/response, ``.sync``, ``.sync:2``) under the parent's virtual clock.

:mod:`pytest_sfn.integrations.aws_sdk` resolves ``arn:aws:states:::aws-sdk:<service>:<action>``
resources against botocore's service models; :mod:`pytest_sfn.integrations.shapes` maps every
Task resource to the API shape its result has and validates (mocked) results and parameters
against it as TestState's ``fieldValidationMode`` does.
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
from pytest_sfn.integrations.bedrock import BedrockTasks, bedrock_response, invoke_model_response
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks
from pytest_sfn.integrations.http import Connection, HttpInvoker
from pytest_sfn.integrations.lambda_ import ClientContext, LambdaContext, LambdaHandlers
from pytest_sfn.integrations.nested import NestedExecutions
from pytest_sfn.integrations.shapes import (
    MOCK_RESULT_ERROR_PREFIX,
    output_shape_for,
    validate_parameters,
    validate_result,
)

__all__ = [
    "MOCK_RESULT_ERROR_PREFIX",
    "BedrockTasks",
    "BotocoreTasks",
    "ClientContext",
    "Connection",
    "HttpInvoker",
    "LambdaContext",
    "LambdaHandlers",
    "NestedExecutions",
    "SdkOperation",
    "UnknownSdkResource",
    "bedrock_response",
    "invoke_model_response",
    "resolve_sdk_resource",
    "sdk_error_name",
    "validate_sdk_parameters",
    "output_shape_for",
    "validate_parameters",
    "validate_result",
    "validate_sdk_result",
]
