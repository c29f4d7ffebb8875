"""The interpreter: runs compiled state machines under a virtual clock."""

from __future__ import annotations
