"""Every URL in the project refuses anonymous users, so a page added later is covered too."""

import pytest
from django.urls import reverse

from tests.routes import named_routes, sample_url

# Views that must answer without a signed-in user, by name.
PUBLIC = {"login", "healthz", "noyo_webhook", "metrics"}

ROUTES = [(name, pattern) for name, pattern in named_routes() if name not in PUBLIC]


def test_the_walk_finds_the_pages():
    names = {name for name, _ in ROUTES}
    assert {
        "dashboard",
        "connections:connection_list",
        "members:employee_list",
        "sync_list",
        "audit_list",
        "attention_list",
        "attention_export",
        "attention_detail",
        "note_add",
        "api_key_list",
        "api_key_create",
        "api_key_revoke",
        "api:api-root",
        "api:connection-list",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_an_anonymous_page_request_is_sent_to_sign_in(client, name, pattern):
    url = sample_url(name, pattern)
    for method in (client.get, client.post):
        response = method(url)
        if url.startswith("/api/"):
            # DRF's challenge: a script is told to send a key, not sent to a sign-in page.
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"].startswith("Bearer"), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_an_anonymous_htmx_request_gets_401_with_a_redirect_header(client, name, pattern):
    url = sample_url(name, pattern)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 401, url
    if not url.startswith("/api/"):
        assert response["HX-Redirect"].startswith(reverse("login"))


def test_the_sign_in_page_is_public(client, db):
    assert client.get(reverse("login")).status_code == 200
