"""The Content-Security-Policy: on every response, and no template needs inline script, style or handlers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on attribute": re.compile(r"\shx-on", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
}


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_style_or_handlers(path):
    text = path.read_text()
    found = [label for label, pattern in INLINE.items() if pattern.search(text)]
    assert found == []


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    policy = dict(part.split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split("; "))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"


def test_htmx_is_told_to_add_no_style_run_no_swapped_script_and_never_eval(client):
    html = client.get("/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html)
    assert config is not None
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        (None, "/login/"),
        (None, "/healthz"),
        ("clerk_a", "/"),
        ("clerk_a", "/petitions/new/visit/"),
        ("clerk_a", "/api/v1/docs/"),
        ("clerk_a", "/api/v1/docs/?script="),
        ("clerk_a", "/no-such-page/"),
        ("system_admin", "/admin/"),
    ],
)
def test_every_response_carries_the_policy(personas, client_for, persona, url):
    response = client_for(getattr(personas, persona) if persona else None).get(url)
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_api_docs_page_runs_no_inline_script(personas, client_for):
    html = client_for(personas.clerk_a).get("/api/v1/docs/").content.decode()
    assert not INLINE["inline <script>"].search(html)
    assert "?script" in html
