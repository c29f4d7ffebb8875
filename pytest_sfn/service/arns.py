"""Step Functions ARNs: build them, and parse the ones callers send, with AWS's errors."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_sfn.service import errors

__all__ = ["ParsedArn", "execution_arn", "parse_arn", "parse_execution_arn", "parse_machine_arn"]


@dataclass(frozen=True, slots=True)
class ParsedArn:
    """``arn:<partition>:<service>:<region>:<account>:<resource_type>:<rest...>``.

    ``rest`` holds the colon-separated parts after the resource type.
    """

    text: str
    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    rest: tuple[str, ...]


def parse_arn(text: str) -> ParsedArn:
    """Split an ARN into its parts.

    Raises:
        ApiError: ``InvalidArn`` (``Invalid ARN prefix: ...``) when ``text`` is no ARN.
    """
    parts = text.split(":")
    if parts[0] != "arn" or len(parts) < 6:
        raise errors.invalid_arn_prefix(text)
    return ParsedArn(text, parts[1], parts[2], parts[3], parts[4], parts[5], tuple(parts[6:]))


def parse_machine_arn(text: str) -> tuple[ParsedArn, str | None]:
    """A state machine ARN, and the Step Functions Local test case after ``#`` if any.

    Raises:
        ApiError: ``InvalidArn`` for a malformed ARN or one of another resource type
            (``Resource type not valid in this context: execution``).
    """
    base, sep, test_case = text.partition("#")
    arn = parse_arn(base)
    if arn.service != "states" or arn.resource_type != "stateMachine" or not arn.rest:
        raise errors.resource_type_not_valid(arn.resource_type)
    return arn, (test_case if sep else None)


def parse_execution_arn(text: str) -> ParsedArn:
    """A STANDARD execution ARN (``...:execution:<machine>:<name>``).

    Raises:
        ApiError: ``InvalidArn``; EXPRESS execution ARNs (``...:express:...``) give
            ``Resource type not valid in this context: express``, as AWS answers for the
            operations that only STANDARD executions support.
    """
    arn = parse_arn(text)
    if arn.service != "states" or arn.resource_type != "execution":
        raise errors.resource_type_not_valid(arn.resource_type)
    return arn


def execution_arn(machine_arn: str, name: str) -> str:
    """The ARN of the STANDARD execution ``name`` of ``machine_arn``."""
    arn = parse_arn(machine_arn)
    prefix = f"arn:{arn.partition}:states:{arn.region}:{arn.account}"
    return f"{prefix}:execution:{arn.rest[0]}:{name}"
