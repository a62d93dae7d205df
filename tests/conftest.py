"""Root of the test suite: registers the shared fixture plugins of tests/support once, for every folder."""

from __future__ import annotations

import os

import pytest

# Helper modules imported by the plugins and the tests get pytest's assertion messages too.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.environment",
    "tests.support.accounts",
    "tests.support.items",
    "tests.support.keycases",
    "tests.support.ladder",
]


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the main thread; Django must still allow ORM calls there.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
