"""Every URL in the project refuses anonymous users, so a page added later is covered too."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Views that must answer without a signed-in user, by name.
PUBLIC = {"login", "healthz", "noyo_webhook"}
SAMPLE_ARGS = {"int": 1, "str": "x", "slug": "x", "uuid": uuid.UUID(int=1), "path": "x"}


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin site guards itself with its own sign-in
            ns = entry.namespace
            yield from _walk(entry.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _url(name, pattern):
    converters = pattern.pattern.converters
    kwargs = {key: SAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), "x") for key, conv in converters.items()}
    return reverse(name, kwargs=kwargs)


ROUTES = sorted((name, pattern) for name, pattern in _walk(get_resolver().url_patterns) if name not in PUBLIC)


def test_the_walk_finds_the_pages():
    names = {name for name, _ in ROUTES}
    assert {"dashboard", "connections:connection_list", "members:employee_list", "sync_list", "audit_list"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_an_anonymous_page_request_is_sent_to_sign_in(client, name, pattern):
    url = _url(name, pattern)
    for method in (client.get, client.post):
        response = method(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_an_anonymous_htmx_request_gets_401_with_a_redirect_header(client, name, pattern):
    url = _url(name, pattern)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code in (401, 403), url
    if not url.startswith("/api/"):
        assert response["HX-Redirect"].startswith(reverse("login"))


def test_the_sign_in_page_is_public(client, db):
    assert client.get(reverse("login")).status_code == 200
