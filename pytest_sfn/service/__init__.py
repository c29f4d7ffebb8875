"""A local AWS Step Functions service: a genuine botocore client answered by the engine.

:func:`local_client` returns a botocore ``stepfunctions`` client; :class:`SfnBackend` holds
the state machines and executions (share one between clients). Step Functions Local mock
configurations are read by :func:`load_mock_config`.
"""

from __future__ import annotations

from pytest_sfn.service.backend import UNMOCKED_TASK_ERROR, RequestContext, SfnBackend
from pytest_sfn.service.client import ENDPOINT_URL, local_client
from pytest_sfn.service.sfn_local_mocks import MockConfig, load_mock_config

__all__ = [
    "ENDPOINT_URL",
    "UNMOCKED_TASK_ERROR",
    "MockConfig",
    "RequestContext",
    "SfnBackend",
    "load_mock_config",
    "local_client",
]
