"""A botocore session that reads nothing from the environment or ``~/.aws``.

The local client must behave the same on every machine: an ``AWS_PROFILE`` naming a profile
that does not exist, an ``AWS_MAX_ATTEMPTS``, an ``AWS_ENDPOINT_URL`` or a broken config file
must not change (or break) it, and no credentials are ever looked up.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import botocore.session

__all__ = ["isolated_session", "service_model"]


def isolated_session() -> Any:
    """A fresh botocore session with every session variable pinned to its default.

    Session variables normally come from environment variables and the shared config
    files; pinning them makes the session ignore both. The config and credentials files
    are pointed at ``os.devnull``.
    """
    session = botocore.session.Session()
    store = session.get_component("config_store")
    for name, spec in session.session_var_map.items():
        store.set_config_variable(name, spec[2])
    store.set_config_variable("config_file", os.devnull)
    store.set_config_variable("credentials_file", os.devnull)
    return session


@lru_cache(maxsize=1)
def service_model() -> Any:
    """The botocore ``stepfunctions`` service model (request/response shapes)."""
    return isolated_session().get_service_model("stepfunctions")
