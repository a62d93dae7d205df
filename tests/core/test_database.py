"""The database classifies characters as UTF-8, so trigram search works on Chinese text."""

from __future__ import annotations

import pytest
from django.db import connection

from core.checks import check_database_ctype, database_ctype_problem

pytestmark = pytest.mark.django_db


def test_the_test_database_has_utf8_character_classes():
    assert database_ctype_problem() is None
    assert check_database_ctype(None, databases=["default"]) == []


def test_pg_trgm_makes_trigrams_from_chinese_and_finds_similar_text():
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(show_trgm(%s), 1)", ["拖欠农民工工资"])
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT similarity(%s, %s)", ["拖欠农民工工资问题", "拖欠工资"])
        assert cursor.fetchone()[0] > 0.1
