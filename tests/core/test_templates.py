"""Template hygiene: Django's one-line comment tag never spans lines, where it would be shown as text."""

from __future__ import annotations

import re

import pytest

from tests.core.test_csp import ROOT, TEMPLATES

UNCLOSED_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_one_line_comment_runs_onto_the_next_line(path):
    assert UNCLOSED_COMMENT.findall(path.read_text()) == []


def test_a_page_shows_no_template_comment(client):
    page = client.get("/login/").content.decode()
    assert "{#" not in page
    assert "#}" not in page
