"""Fixtures shared with the petition tests: items walked through the real life cycle for the measures."""

from tests.petitions.conftest import cast, item_factory  # noqa: F401  (re-exported fixtures)
