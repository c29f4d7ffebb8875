"""Task ``Resource`` ARNs, parsed into service, API and integration pattern.

The families (aws-spec.md §5.16-5.18):

* optimized integrations ``arn:aws:states:::<service>:<api>[.<pattern>]`` (``lambda:invoke``,
  ``states:startExecution.sync:2``, ``bedrock:invokeModel``, ``http:invoke``...);
* AWS SDK integrations ``arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken]``;
* bare Lambda function ARNs ``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``;
* activity ARNs ``arn:aws:states:<region>:<account>:activity:<name>``.

The patterns are request/response (no suffix), ``.sync``, ``.sync:2`` and ``.waitForTaskToken``.
Whether the service, action and pattern exist is checked when the definition is validated
(``pytest_sfn.parsing._validate_resource``), not here: parsing never fails.
"""

from __future__ import annotations

from dataclasses import dataclass

_PATTERNS = (".waitForTaskToken", ".sync:2", ".sync")


@dataclass(frozen=True, slots=True)
class Resource:
    """A parsed Task resource.

    Attributes:
        arn: the ARN as written.
        kind: ``"service"`` (``arn:aws:states:::svc:api``), ``"lambda"`` (a function ARN),
            ``"activity"`` or ``"unknown"``.
        service: ``"lambda"``, ``"sqs"``, ``"aws-sdk:s3"``, ``"http"``... (the history
            ``resourceType``).
        api: the action without the pattern suffix (``"invoke"``, ``"sendMessage"``).
        pattern: ``""`` (request/response), ``".sync"``, ``".sync:2"`` or ``".waitForTaskToken"``.
    """

    arn: str
    kind: str
    service: str
    api: str
    pattern: str

    @property
    def is_sdk(self) -> bool:
        """An AWS SDK integration (``arn:aws:states:::aws-sdk:<service>:<action>``)."""
        return self.kind == "service" and self.service.startswith("aws-sdk:")

    @property
    def sdk_service(self) -> str:
        """The service name of an AWS SDK integration (``s3``), else ``""``."""
        return self.service[len("aws-sdk:") :] if self.is_sdk else ""

    @property
    def is_sync(self) -> bool:
        """The Run a Job pattern (``.sync`` or ``.sync:2``)."""
        return self.pattern.startswith(".sync")

    @property
    def is_callback(self) -> bool:
        """The Wait for Callback pattern (``.waitForTaskToken``)."""
        return self.pattern == ".waitForTaskToken"

    @property
    def history_resource(self) -> str:
        """The ``resource`` member of Task history events, e.g. ``sendMessage.waitForTaskToken``."""
        return self.api + self.pattern

    @classmethod
    def parse(cls, arn: str) -> Resource:
        """Parse a Task ``Resource`` value."""
        parts = arn.split(":")
        if arn.startswith("arn:") and len(parts) >= 6 and parts[2] == "states" and not parts[3]:
            rest = ":".join(parts[5:])
            service, _, api = (
                rest.rpartition(":")
                if rest.startswith("aws-sdk:")
                else (
                    rest.partition(":")[0],
                    ":",
                    rest.partition(":")[2],
                )
            )
            pattern = ""
            for suffix in _PATTERNS:
                if api.endswith(suffix):
                    api, pattern = api[: -len(suffix)], suffix
                    break
            return cls(arn, "service", service, api, pattern)
        if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
            return cls(arn, "lambda", "lambda", "invoke", "")
        if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
            return cls(arn, "activity", "activity", parts[6], "")
        return cls(arn, "unknown", "", arn, "")
