"""Every answer carries a Content-Security-Policy that is enforced (not report-only) and lets no inline
script run: only scripts and styles from this site load, no other origin is asked for anything, and
no page may be framed. The templates hold nothing such a policy would block."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response):
    assert "Content-Security-Policy-Report-Only" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("url", ["/login/", "/", "/connections/", "/audit/", "/api/docs/", "/api/redoc/", "/admin/"])
def test_every_page_is_served_with_an_enforced_policy_that_allows_no_inline_script(operator_client, url):
    response = operator_client.get(url, follow=True)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("url", ["/", "/login/", "/connections/", "/api/docs/", "/admin/"])
def test_pages_allow_no_inline_style_either(operator_client, url):
    assert directives(operator_client.get(url))["style-src"] == ["'self'"]


def test_only_redoc_and_the_browsable_api_allow_the_inline_style_their_bundles_build(operator_client):
    # Redoc (styled-components) and DRF's templates build styles in the page; their scripts stay files.
    for response in (
        operator_client.get("/api/redoc/"),
        operator_client.get("/api/connections/", HTTP_ACCEPT="text/html"),
    ):
        assert response["Content-Type"].startswith("text/html")
        policy = directives(response)
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["script-src"] == ["'self'"]


def test_the_sign_in_page_and_json_answers_carry_it_too(client):
    assert directives(client.get(reverse("login")))["script-src"] == ["'self'"]
    assert directives(client.get(reverse("healthz")))["default-src"] == ["'self'"]


INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "an on* handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_holds_what_the_policy_would_block():
    found = [
        f"{path.relative_to(TEMPLATES)}:{text.count(chr(10), 0, match.start()) + 1}: {what}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text()]
        for what, pattern in INLINE.items()
        for match in pattern.finditer(text)
    ]
    assert found == []
