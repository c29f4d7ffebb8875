"""Task ``Resource`` recognition and the load-time check of integration parameters.

AWS rejects at ``CreateStateMachine`` a service integration it does not know (an unknown
optimized service or API, an unsupported pattern, an AWS SDK service or action that does not
exist) with ``The resource provided <arn> is not recognized...``; the reason and a did-you-mean
go into the diagnostic's hint (ours, never in AWS's text).

Parameters are different: AWS accepts unknown or missing parameters at creation and fails the
task when it runs; :mod:`pytest_sfn.parsing.parameters` reports them as warnings, apart from
the AWS-exact validation.
"""

from __future__ import annotations

from pytest_sfn.errors import did_you_mean
from pytest_sfn.model.resource import Resource
from pytest_sfn.parsing._validate_common import Collector, Path, State
from pytest_sfn.parsing.parameters import normalised_arn

__all__ = ["check_task_resource", "not_recognized"]


def not_recognized(resource: str) -> str:
    """AWS's message for a resource it does not know (``SCHEMA_VALIDATION_FAILED``)."""
    return (
        f"The resource provided {resource} is not recognized. The value is not a valid "
        "resource ARN, or the resource is not available in this region."
    )


def _problem(resource: Resource) -> str | None:
    """Why a ``arn:aws:states:::...`` resource is not recognized, or ``None``."""
    from pytest_sfn.integrations.aws_sdk import UnknownSdkResource, resolve_sdk_resource
    from pytest_sfn.integrations.shapes import OPTIMIZED_APIS

    if resource.service == "aws-sdk" or resource.service.startswith("aws-sdk:"):
        try:
            resolve_sdk_resource(normalised_arn(resource.arn))
        except UnknownSdkResource as exc:
            return exc.reason
        return None
    services = {service for service, _ in OPTIMIZED_APIS}
    if resource.service not in services:
        return f"unknown service integration {resource.service!r}" + did_you_mean(
            resource.service, sorted(services | {"aws-sdk"})
        )
    api = OPTIMIZED_APIS.get((resource.service, resource.api))
    if api is None:
        actions = sorted(a for s, a in OPTIMIZED_APIS if s == resource.service)
        return f"unknown action {resource.api!r} for {resource.service!r}" + did_you_mean(
            resource.api, actions
        )
    name = f"{resource.service}:{resource.api}"
    if resource.pattern == ".sync" and api.sync is None:
        return f"{name!r} does not support the '.sync' integration pattern"
    if resource.pattern == ".sync:2" and not api.sync2:
        return f"{name!r} does not support the '.sync:2' integration pattern"
    return None


def check_task_resource(c: Collector, value: str, path: Path, state: State) -> None:
    """Check that a Task's ``Resource`` (a string that looks like an ARN) is recognized.

    Args:
        c: the collector.
        value: the ``Resource`` value.
        path: the location of ``Resource``.
        state: the Task state.
    """
    resource = Resource.parse(value)
    if resource.kind != "service":
        return  # Lambda function ARNs, activities and other ARNs are not checked
    reason = _problem(resource)
    if reason is not None:
        c.schema(not_recognized(value), path, f" ({reason})")
        return
