"""The Amazon EMR optimized integration: Step Functions' own API wrapped around EMR's.

The ``elasticmapreduce:*`` resources do not take the EMR API's input as it is (AWS's "Create
and manage Amazon EMR clusters with Step Functions" page): a cluster is named by ``ClusterId``
and one step or one id is passed where EMR takes lists. :data:`EMR_WRAPPERS` turns a Task's
parameters into the API call and the API's response into the task result:

* ``createCluster`` -> ``RunJobFlow`` (same input); result ``{"ClusterId": <JobFlowId>}``.
* ``terminateCluster`` ``{"ClusterId"}`` -> ``TerminateJobFlows`` ``{"JobFlowIds": [id]}``;
  result ``{}``.
* ``addStep`` ``{"ClusterId", "Step", ...}`` -> ``AddJobFlowSteps`` ``{"JobFlowId", "Steps":
  [step], ...}``; result ``{"StepId": <the step's id>}``.
* ``cancelStep`` ``{"ClusterId", "StepId", ...}`` -> ``CancelSteps`` ``{"ClusterId",
  "StepIds": [id], ...}``; result the ``CancelSteps`` response (UNCONFIRMED).
* ``setClusterTerminationProtection`` ``{"ClusterId", "TerminationProtected"}`` ->
  ``SetTerminationProtection`` ``{"JobFlowIds": [id], ...}``; result ``{}``.

Parameters already in the EMR API's spelling (``JobFlowIds``...) pass through unchanged. The
``.sync`` variants poll as :mod:`pytest_sfn.integrations.sync` says. The exact results beyond
``ClusterId``/``StepId`` are UNCONFIRMED. ``modifyInstanceFleetByName`` and
``modifyInstanceGroupByName`` (which look the fleet or group up by name first) are not answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EMR_WRAPPERS", "Wrapper"]

Adapt = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Wrapper:
    """How an optimized integration differs from the API it calls.

    Attributes:
        request: the Task's parameters (Step Functions spelling) -> the API's parameters.
        result: the API's response (PascalCase JSON, no metadata) -> the task result.
    """

    request: Adapt
    result: Adapt


def _same(value: dict[str, Any]) -> dict[str, Any]:
    return value


def _empty(value: dict[str, Any]) -> dict[str, Any]:
    return {}


def _listed(single: str, many: str, cluster: str = "ClusterId") -> Adapt:
    """Move ``ClusterId`` to ``cluster`` and ``single`` to a one-element list ``many``."""

    def request(params: dict[str, Any]) -> dict[str, Any]:
        out = dict(params)
        if "ClusterId" in out and cluster != "ClusterId":
            out[cluster] = out.pop("ClusterId")
        if single in out:
            out[many] = [out.pop(single)]
        return out

    return request


def _first(member: str, listed: str) -> Adapt:
    def result(response: dict[str, Any]) -> dict[str, Any]:
        items = response.get(listed)
        return {member: items[0]} if isinstance(items, list) and items else {}

    return result


def _cluster_id(response: dict[str, Any]) -> dict[str, Any]:
    return {"ClusterId": response.get("JobFlowId")}


#: ``elasticmapreduce:<api>`` -> how it wraps the EMR API (see the module docstring).
EMR_WRAPPERS: Mapping[str, Wrapper] = {
    "createCluster": Wrapper(_same, _cluster_id),
    "terminateCluster": Wrapper(_listed("ClusterId", "JobFlowIds"), _empty),
    "addStep": Wrapper(_listed("Step", "Steps", cluster="JobFlowId"), _first("StepId", "StepIds")),
    "cancelStep": Wrapper(_listed("StepId", "StepIds"), _same),
    "setClusterTerminationProtection": Wrapper(_listed("ClusterId", "JobFlowIds"), _empty),
}
