"""Answers for Task states in tests."""

from __future__ import annotations
