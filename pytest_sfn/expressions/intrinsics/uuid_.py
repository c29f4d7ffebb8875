"""``States.UUID``: a version 4 UUID, from the engine's injectable generator."""

from __future__ import annotations

from ._registry import Env, intrinsic

__all__ = ["uuid"]


@intrinsic("States.UUID", uses_env=True)
def uuid(*, env: Env) -> str:
    """A fresh v4 UUID string from ``env.uuid4`` (seed it for repeatable tests)."""
    return env.uuid4()
