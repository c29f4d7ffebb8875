"""Amazon Bedrock integrations (aws-spec.md §4) and realistic model responses.

:class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks` (and so the plugin's
``botocore=`` option) answers these Tasks through :func:`invoke_model`; :class:`BedrockTasks`
is a shortcut that takes the bedrock-runtime and S3 clients directly. Answered:

* ``arn:aws:states:::bedrock:invokeModel``: ``ModelId``, ``Body`` (JSON, sent as compact JSON
  text; a string is sent as it is), ``ContentType``/``Accept`` (default ``application/json``),
  ``Input.S3Uri`` (the body is read from S3; its content type is used when ``ContentType`` is
  absent), ``Output.S3Uri`` (the response body is written to S3), ``GuardrailIdentifier``,
  ``GuardrailVersion``, ``Trace``, ``PerformanceConfigLatency``. It calls a bedrock-runtime
  botocore client (Stubber-able) and returns ``{"Body": <parsed JSON body>, "ContentType":
  "<mime>"}`` (a body that is not JSON stays text). With ``Output.S3Uri`` the ``Body`` is
  ``{"S3Uri": "s3://..."}`` (the exact reference shape AWS uses is UNCONFIRMED).
  Service errors are ``Bedrock.<Exception>`` (``Bedrock.ValidationException``,
  ``Bedrock.ThrottlingException``...); the cause has the AWS SDK for Java 2.x shape
  ``<message> (Service: BedrockRuntime, Status Code: 400, Request ID: <id>)`` (UNCONFIRMED).
* ``bedrock:createModelCustomizationJob`` and ``.sync`` (polls ``GetModelCustomizationJob``
  under the virtual clock), and every ``aws-sdk:bedrock*`` resource (``bedrock``,
  ``bedrockruntime``, ``bedrockagent``, ``bedrockagentruntime``), through
  :class:`~pytest_sfn.integrations.botocore_tasks.BotocoreTasks`.

:func:`bedrock_response` builds the decoded response body of the common model families, so
declarative mocks and Stubber responses look like the real thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.exceptions import ClientError

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.ports import TaskHandler, TaskOutcome, TaskRequest
from pytest_sfn.errors import MockError
from pytest_sfn.integrations.botocore_tasks import BotocoreTasks

if TYPE_CHECKING:
    import boto3

__all__ = ["BedrockTasks", "bedrock_response", "invoke_model", "invoke_model_response"]

_JSON = "application/json"


class BedrockTasks:
    """A :class:`~pytest_sfn.engine.ports.TaskHandler` for Amazon Bedrock tasks.

    Args:
        client: the bedrock-runtime client for ``bedrock:invokeModel`` (e.g. wrapped in a
            ``botocore.stub.Stubber``); default: created from ``session``.
        s3_client: the S3 client for ``Input.S3Uri``/``Output.S3Uri`` (moto works).
        session: a ``botocore.session.Session`` or ``boto3.Session`` for the clients not
            given; ``None``: a private session with dummy credentials.
        region_name: the region of the clients this handler creates.
        clients: more ready-made clients by botocore name (``bedrock`` for model
            customization jobs, ``bedrock-agent-runtime``...).
        fallback: answers every other Task.
        poll_interval: virtual seconds between two polls of a ``.sync`` customization job.
    """

    def __init__(
        self,
        client: Any = None,
        s3_client: Any = None,
        *,
        session: botocore.session.Session | boto3.Session | None = None,
        region_name: str = "us-east-1",
        clients: Mapping[str, Any] | None = None,
        fallback: TaskHandler | None = None,
        poll_interval: float = 60.0,
    ) -> None:
        given = dict(clients or {})
        if client is not None:
            given["bedrock-runtime"] = client
        if s3_client is not None:
            given["s3"] = s3_client
        self._botocore = BotocoreTasks(
            session,
            region_name=region_name,
            clients=given,
            fallback=fallback,
            poll_interval=poll_interval,
        )

    def __call__(self, request: TaskRequest) -> TaskOutcome:
        """Answer one Task attempt (see the module docstring)."""
        return self._botocore(request)


def invoke_model(clients: BotocoreTasks, request: TaskRequest) -> TaskOutcome:
    """Answer a ``bedrock:invokeModel`` Task with the clients of ``clients``.

    :class:`BotocoreTasks` calls this for ``arn:aws:states:::bedrock:invokeModel``.
    """
    params = request.parameters if isinstance(request.parameters, dict) else None
    if params is None:
        raise MockError(
            f"Task state {request.state_name!r}: the parameters of bedrock:invokeModel must "
            "be an object"
        )
    if "Body" in params and "Input" in params:
        return _runtime_failure("You can specify either Body or Input, but not both")
    runtime = clients.client("bedrock-runtime", "bedrockruntime")
    call: dict[str, Any] = {"modelId": params.get("ModelId")}
    content_type = params.get("ContentType")
    if "Input" in params:
        try:
            body, stored_type = _read_s3(clients, _s3_uri(params["Input"], "Input"))
        except (ValueError, ClientError) as exc:
            return _runtime_failure(str(exc))
        content_type = content_type or stored_type
    else:
        body = _body_bytes(params.get("Body"))
    call["body"] = body
    call["contentType"] = content_type or _JSON
    call["accept"] = params.get("Accept", _JSON)
    for name, member in (
        ("GuardrailIdentifier", "guardrailIdentifier"),
        ("GuardrailVersion", "guardrailVersion"),
        ("Trace", "trace"),
        ("PerformanceConfigLatency", "performanceConfigLatency"),
    ):
        if name in params:
            call[member] = params[name]
    try:
        response = runtime.invoke_model(**call)
    except ClientError as exc:
        return _bedrock_failure(exc)
    raw = response["body"].read()
    response_type = str(response.get("contentType") or _JSON)
    result_body: JSON
    if "Output" in params:
        uri = _s3_uri(params["Output"], "Output")
        try:
            _write_s3(clients, uri, raw, response_type)
        except ClientError as exc:
            return _runtime_failure(str(exc))
        result_body = {"S3Uri": uri}
    else:
        result_body = _decode(raw)
    return TaskOutcome(output={"Body": result_body, "ContentType": response_type})


def _read_s3(clients: BotocoreTasks, uri: str) -> tuple[bytes, str | None]:
    bucket, key = _split_s3(uri)
    got = clients.client("s3").get_object(Bucket=bucket, Key=key)
    data: bytes = got["Body"].read()
    return data, got.get("ContentType")


def _write_s3(clients: BotocoreTasks, uri: str, data: bytes, content_type: str) -> None:
    bucket, key = _split_s3(uri)
    clients.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


def _s3_uri(value: JSON, field: str) -> str:
    uri = value.get("S3Uri") if isinstance(value, dict) else None
    if not isinstance(uri, str):
        raise MockError(f"bedrock:invokeModel: '{field}' must be an object with an 'S3Uri' string")
    return uri


def _split_s3(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"Invalid S3 URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _body_bytes(body: JSON) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return dump_compact(body).encode("utf-8")


def _decode(raw: bytes) -> JSON:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _runtime_failure(cause: str) -> TaskOutcome:
    """A request Step Functions cannot make (UNCONFIRMED error name and cause)."""
    return TaskOutcome(failed=True, error="States.Runtime", cause=cause)


def _bedrock_failure(exc: ClientError) -> TaskOutcome:
    error = exc.response.get("Error", {})
    metadata = exc.response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "BedrockRuntimeException")
    if not code.endswith("Exception"):
        code += "Exception"
    status = int(metadata.get("HTTPStatusCode") or 400)
    request_id = metadata.get("RequestId") or "00000000-0000-0000-0000-000000000000"
    message = str(error.get("Message") or "")
    cause = f"{message} (Service: BedrockRuntime, Status Code: {status}, Request ID: {request_id})"
    return TaskOutcome(failed=True, error=f"Bedrock.{code}", cause=cause)


# --------------------------------------------------------------------------- responses


def bedrock_response(
    model_id: str, text: str, *, input_tokens: int = 10, output_tokens: int | None = None
) -> dict[str, Any]:
    """The decoded ``InvokeModel`` response body a model family returns for ``text``.

    Families (by the model id, also with a region prefix such as ``us.anthropic...`` or an
    ARN): Anthropic Claude (Messages API), Amazon Nova, Amazon Titan Text, Meta Llama,
    Mistral, Cohere Command R and legacy Cohere Command, AI21 Jamba.

    Args:
        model_id: the model id (``anthropic.claude-3-haiku-20240307-v1:0``).
        text: the generated text.
        input_tokens: the prompt token count to report.
        output_tokens: the generated token count (default: the number of words in ``text``).

    Returns:
        The response body, e.g. ``{"id": ..., "type": "message", "content": [{"type": "text",
        "text": ...}], ...}`` for Claude.

    Raises:
        ValueError: the model family is not known.

    Example:
        >>> bedrock_response("cohere.command-text-v14", "Hi")["generations"][0]["text"]
        'Hi'
    """
    out = len(text.split()) if output_tokens is None else output_tokens
    family = model_id.rsplit("/", 1)[-1].lower()
    if "anthropic." in family:
        return {
            "id": "msg_bdrk_01",
            "type": "message",
            "role": "assistant",
            "model": family.split("anthropic.", 1)[1].split(":", 1)[0],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": out},
        }
    if "amazon.nova" in family:
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": out,
                "totalTokens": input_tokens + out,
            },
        }
    if "amazon.titan-text" in family or "amazon.titan-tg1" in family:
        return {
            "inputTextTokenCount": input_tokens,
            "results": [{"tokenCount": out, "outputText": text, "completionReason": "FINISH"}],
        }
    if "meta.llama" in family:
        return {
            "generation": text,
            "prompt_token_count": input_tokens,
            "generation_token_count": out,
            "stop_reason": "stop",
        }
    if "mistral." in family:
        return {"outputs": [{"text": text, "stop_reason": "stop"}]}
    if "cohere.command-r" in family:
        return {
            "response_id": "resp-1",
            "text": text,
            "generation_id": "gen-1",
            "chat_history": [],
            "finish_reason": "COMPLETE",
        }
    if "cohere.command" in family:
        return {
            "id": "cohere-1",
            "generations": [{"id": "gen-1", "text": text, "finish_reason": "COMPLETE"}],
            "prompt": "",
        }
    if "ai21.jamba" in family:
        return {
            "id": "chatcmpl-1",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": input_tokens,
                "completion_tokens": out,
                "total_tokens": input_tokens + out,
            },
        }
    raise ValueError(
        f"unknown Bedrock model family for {model_id!r}: expected an Anthropic, Amazon Nova, "
        "Amazon Titan Text, Meta Llama, Mistral, Cohere or AI21 Jamba model id"
    )


def invoke_model_response(
    model_id: str, text: str, *, content_type: str = _JSON, **usage: int
) -> dict[str, Any]:
    """The ``bedrock:invokeModel`` task result for ``text``: a ready declarative mock.

    Args:
        model_id: the model id (selects the body shape, see :func:`bedrock_response`).
        text: the generated text.
        content_type: the ``ContentType`` of the result.
        **usage: ``input_tokens`` / ``output_tokens`` for :func:`bedrock_response`.

    Returns:
        ``{"Body": <response body>, "ContentType": content_type}``.
    """
    return {"Body": bedrock_response(model_id, text, **usage), "ContentType": content_type}
