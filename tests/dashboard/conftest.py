"""Fixtures of the leaders' pages: the petition, ledger and supervision fixtures, re-exported."""

from __future__ import annotations

from tests.accountability.conftest import ladder  # noqa: F401  (re-exported fixtures)
from tests.ledger.conftest import ledger_cast, make_case  # noqa: F401
from tests.petitions.conftest import cast, item_factory  # noqa: F401
