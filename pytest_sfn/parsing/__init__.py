"""Reading state machine definitions: decoding, static validation and parsing into the model."""

from __future__ import annotations
