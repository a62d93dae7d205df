"""Fixtures of the attack tests: the supervision ladder, re-exported."""

from __future__ import annotations

from tests.accountability.conftest import ladder  # noqa: F401  (re-exported fixture)
