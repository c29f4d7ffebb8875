"""What ``Ref`` and ``Fn::GetAtt`` return for resources that only exist once deployed.

A local test has no stack, so every resource gets a deterministic stand-in shaped like the
real value. The *physical name* of a resource is its name property (``FunctionName``,
``TableName``...) when that is a plain string, otherwise its logical id (lowercased for S3
buckets, whose names must be lowercase). From the name:

* Lambda / SAM function: ``Ref`` -> name; ``Arn`` ->
  ``arn:aws:lambda:<region>:<account>:function:<name>``;
* SQS queue: ``Ref`` -> ``https://sqs.<region>.amazonaws.com/<account>/<name>``; ``Arn``,
  ``QueueName``, ``QueueUrl``;
* SNS topic: ``Ref`` -> ``arn:aws:sns:<region>:<account>:<name>``; ``TopicArn``, ``TopicName``;
* DynamoDB table: ``Ref`` -> name; ``Arn`` -> ``arn:aws:dynamodb:...:table/<name>``, ``StreamArn``;
* S3 bucket: ``Ref`` -> name; ``Arn`` -> ``arn:aws:s3:::<name>``, ``DomainName``...;
* state machine: ``Ref`` and ``Arn`` -> ``arn:aws:states:...:stateMachine:<name>``, ``Name``;
* IAM role: ``Ref`` -> name; ``Arn`` -> ``arn:aws:iam::<account>:role/<name>``;
* and the other types of :data:`KINDS`. A type without a rule gives the logical id for ``Ref``
  and ``<LogicalId.Attribute>`` for ``Fn::GetAtt``, with a warning.

``Ref`` follows AWS: it returns the *name* of a Lambda function, DynamoDB table, IAM role
or S3 bucket, the URL of an SQS queue and the ARN of an SNS topic or state machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["KINDS", "Environment", "ResourceKind", "attribute_value", "ref_value"]


@dataclass(frozen=True, slots=True)
class Environment:
    """The pseudo parameters of the imaginary stack."""

    region: str
    account: str
    stack_name: str

    @property
    def partition(self) -> str:
        """``aws``, ``aws-cn`` or ``aws-us-gov`` by region."""
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def url_suffix(self) -> str:
        """``amazonaws.com`` (``amazonaws.com.cn`` in China regions)."""
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    @property
    def stack_id(self) -> str:
        """A fixed ``AWS::StackId``."""
        return (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/"
            f"{self.stack_name}/00000000-0000-0000-0000-000000000000"
        )

    def pseudo_parameters(self) -> dict[str, str | list[str]]:
        """``AWS::Region`` and friends (``AWS::NoValue`` is handled by the resolver)."""
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": self.partition,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": [],
        }


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """How to fake one resource type.

    Templates are :meth:`str.format` patterns over ``partition``, ``region``, ``account``,
    ``url_suffix`` and ``name`` (the physical name).
    """

    name_property: str | None
    ref: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    lowercase: bool = False


_LAMBDA = "arn:{partition}:lambda:{region}:{account}:function:{name}"
_SQS_URL = "https://sqs.{region}.{url_suffix}/{account}/{name}"
_SNS = "arn:{partition}:sns:{region}:{account}:{name}"
_TABLE = "arn:{partition}:dynamodb:{region}:{account}:table/{name}"
_STATES = "arn:{partition}:states:{region}:{account}:stateMachine:{name}"
_TABLE_KIND = ResourceKind(
    "TableName", "{name}", {"Arn": _TABLE, "StreamArn": _TABLE + "/stream/2024-01-01T00:00:00.000"}
)


_CONNECTION_ID = "00000000-0000-4000-8000-000000000000"


def _named(name_property: str, arn: str, *, ref: str = "{name}", **extra: str) -> ResourceKind:
    return ResourceKind(name_property, ref, {"Arn": arn, **extra})


#: Resource type -> how ``Ref`` and ``Fn::GetAtt`` are faked.
KINDS: dict[str, ResourceKind] = {
    "AWS::Lambda::Function": _named("FunctionName", _LAMBDA),
    "AWS::Serverless::Function": _named("FunctionName", _LAMBDA),
    "AWS::SQS::Queue": ResourceKind(
        "QueueName",
        _SQS_URL,
        {
            "Arn": "arn:{partition}:sqs:{region}:{account}:{name}",
            "QueueName": "{name}",
            "QueueUrl": _SQS_URL,
        },
    ),
    "AWS::SNS::Topic": ResourceKind("TopicName", _SNS, {"TopicArn": _SNS, "TopicName": "{name}"}),
    "AWS::DynamoDB::Table": _TABLE_KIND,
    "AWS::DynamoDB::GlobalTable": _TABLE_KIND,
    "AWS::Serverless::SimpleTable": _TABLE_KIND,
    "AWS::S3::Bucket": ResourceKind(
        "BucketName",
        "{name}",
        {
            "Arn": "arn:{partition}:s3:::{name}",
            "DomainName": "{name}.s3.{url_suffix}",
            "RegionalDomainName": "{name}.s3.{region}.{url_suffix}",
            "WebsiteURL": "http://{name}.s3-website-{region}.{url_suffix}",
        },
        lowercase=True,
    ),
    "AWS::StepFunctions::StateMachine": _named(
        "StateMachineName", _STATES, ref=_STATES, Name="{name}"
    ),
    "AWS::Serverless::StateMachine": _named("Name", _STATES, ref=_STATES, Name="{name}"),
    "AWS::StepFunctions::Activity": _named(
        "Name",
        "arn:{partition}:states:{region}:{account}:activity:{name}",
        ref="arn:{partition}:states:{region}:{account}:activity:{name}",
        Name="{name}",
    ),
    "AWS::IAM::Role": _named("RoleName", "arn:{partition}:iam::{account}:role/{name}"),
    "AWS::Events::EventBus": _named(
        "Name", "arn:{partition}:events:{region}:{account}:event-bus/{name}", Name="{name}"
    ),
    "AWS::Events::Rule": _named("Name", "arn:{partition}:events:{region}:{account}:rule/{name}"),
    # AWS appends a generated id to connection ARNs; a fixed one keeps results reproducible.
    "AWS::Events::Connection": _named(
        "Name",
        "arn:{partition}:events:{region}:{account}:connection/{name}/" + _CONNECTION_ID,
        SecretArn="arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/"
        "{name}/" + _CONNECTION_ID,
    ),
    "AWS::Events::ApiDestination": _named(
        "Name",
        "arn:{partition}:events:{region}:{account}:api-destination/{name}/" + _CONNECTION_ID,
    ),
    "AWS::Logs::LogGroup": _named(
        "LogGroupName", "arn:{partition}:logs:{region}:{account}:log-group:{name}:*"
    ),
    "AWS::SecretsManager::Secret": _named(
        "Name",
        "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}",
        ref="arn:{partition}:secretsmanager:{region}:{account}:secret:{name}",
    ),
    "AWS::SSM::Parameter": ResourceKind("Name", "{name}"),
    "AWS::Kinesis::Stream": _named(
        "Name", "arn:{partition}:kinesis:{region}:{account}:stream/{name}"
    ),
    "AWS::ECS::Cluster": _named(
        "ClusterName", "arn:{partition}:ecs:{region}:{account}:cluster/{name}"
    ),
    "AWS::ECS::TaskDefinition": ResourceKind(
        "Family",
        "arn:{partition}:ecs:{region}:{account}:task-definition/{name}:1",
        {"TaskDefinitionArn": "arn:{partition}:ecs:{region}:{account}:task-definition/{name}:1"},
    ),
    "AWS::Batch::JobQueue": ResourceKind(
        "JobQueueName",
        "arn:{partition}:batch:{region}:{account}:job-queue/{name}",
        {"JobQueueArn": "arn:{partition}:batch:{region}:{account}:job-queue/{name}"},
    ),
    "AWS::Batch::JobDefinition": ResourceKind(
        "JobDefinitionName", "arn:{partition}:batch:{region}:{account}:job-definition/{name}:1"
    ),
    "AWS::Glue::Job": ResourceKind("Name", "{name}"),
    "AWS::CodeBuild::Project": _named(
        "Name", "arn:{partition}:codebuild:{region}:{account}:project/{name}"
    ),
    "AWS::EKS::Cluster": _named("Name", "arn:{partition}:eks:{region}:{account}:cluster/{name}"),
    "AWS::KMS::Key": ResourceKind(
        None,
        "{name}",
        {"Arn": "arn:{partition}:kms:{region}:{account}:key/{name}", "KeyId": "{name}"},
    ),
    "AWS::Athena::WorkGroup": ResourceKind("Name", "{name}"),
}


def _fields(env: Environment, name: str) -> dict[str, str]:
    return {
        "partition": env.partition,
        "region": env.region,
        "account": env.account,
        "url_suffix": env.url_suffix,
        "name": name,
    }


def ref_value(resource_type: str, name: str, env: Environment) -> str:
    """What ``Ref`` returns for a resource of ``resource_type`` named ``name``.

    Unknown types return ``name`` (the logical id unless the template names the resource).
    """
    kind = KINDS.get(resource_type)
    return kind.ref.format(**_fields(env, name)) if kind else name


def attribute_value(resource_type: str, name: str, attribute: str, env: Environment) -> str | None:
    """What ``Fn::GetAtt`` returns, or ``None`` when there is no rule for that attribute."""
    kind = KINDS.get(resource_type)
    pattern = kind.attributes.get(attribute) if kind else None
    return pattern.format(**_fields(env, name)) if pattern else None
