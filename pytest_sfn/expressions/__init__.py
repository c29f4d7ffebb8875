"""Expression languages of ASL: JSONPath, payload templates, intrinsic functions, JSONata."""

from __future__ import annotations
