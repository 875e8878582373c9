"""Signing in to the API with a key: Bearer (or Api-Key), 401 with WWW-Authenticate for anything
else on every /api/ route, last used noted at most once a minute, the session kept for the browsable API."""

import datetime as dt

import pytest
import time_machine
from django.db import connection as database
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request

from command_center.api.authentication import ApiKeyAuthentication
from command_center.models import ApiKey
from tests.api.keys import DOCUMENTS, key_client, make_key
from tests.factories import make_connection
from tests.routes import named_routes, sample_url

LIST = reverse("api:connection-list")
API_ROUTES = [(name, pattern) for name, pattern in named_routes() if name.startswith("api:")]
WRITES = ("post", "put", "patch", "delete")


def refused(response):
    """The reason a 401 gives; the OpenAPI document and its viewers answer in YAML or HTML, not JSON."""
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    if response["Content-Type"].startswith("application/json"):
        return response.json()["detail"]
    return response.content.decode()


def test_the_walk_finds_the_api_routes():
    assert {"api:api-root", "api:connection-list", "api:connection-detail", "api:connection-retry"} <= {
        n for n, _ in API_ROUTES
    }


def test_a_key_reads_as_its_owner(viewer):
    make_connection(group_name="Wanted")
    _, key = make_key(viewer)
    response = key_client(key).get(LIST)
    assert response.status_code == 200
    assert [row["group_name"] for row in response.json()["results"]] == ["Wanted"]


def test_the_api_key_keyword_works_too(viewer):
    _, key = make_key(viewer)
    assert key_client(key, keyword="Api-Key").get(LIST).status_code == 200


def test_a_request_made_with_a_key_carries_it(viewer, rf):
    api_key, key = make_key(viewer)
    request = Request(rf.get(LIST, headers={"Authorization": f"Bearer {key}"}), authenticators=[ApiKeyAuthentication()])
    assert request.user == viewer and request.auth == api_key
    assert request.user.api_key == api_key


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", API_ROUTES, ids=[name for name, _ in API_ROUTES])
def test_every_api_route_refuses_a_caller_without_a_key_with_401(client, name, pattern):
    url = sample_url(name, pattern)
    for method in ("get", *WRITES):
        reason = refused(getattr(client, method)(url))
        assert reason == "Authentication credentials were not provided." or name in DOCUMENTS, (method, url, reason)


@pytest.mark.parametrize("name,pattern", API_ROUTES, ids=[name for name, _ in API_ROUTES])
def test_every_api_route_refuses_a_revoked_key_with_401(operator, name, pattern):
    api_key, key = make_key(operator, ApiKey.Scope.OPERATOR)
    api_key.revoke(api_key.created)
    url = sample_url(name, pattern)
    for method in ("get", *WRITES):
        reason = refused(getattr(key_client(key), method)(url))
        assert "not valid" in reason or name in DOCUMENTS, (method, url, reason)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer two words",
        "Bearer not-a-key",
        "Bearer abcdefgh.abcdefghabcdefghabcdefghabcdefgh",  # the right shape, no such key
        "Api-Key \x00\x00\x00\x00\x00\x00\x00\x00.x",
    ],
)
def test_a_bad_key_is_refused_with_401(viewer, header):
    make_key(viewer)
    assert refused(Client(headers={"Authorization": header}).get(LIST))


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(viewer):
    api_key, key = make_key(viewer)
    wrong = api_key.prefix + "." + ("A" * 32 if not key.endswith("A" * 32) else "B" * 32)
    assert "not valid" in refused(key_client(wrong).get(LIST))


def test_a_switched_off_accounts_key_is_refused(viewer):
    _, key = make_key(viewer)
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    assert "switched off" in refused(key_client(key).get(LIST))


def test_a_revoked_key_is_refused_even_beside_a_session(viewer_client, viewer):
    api_key, key = make_key(viewer)
    api_key.revoke(api_key.created)
    assert refused(viewer_client.get(LIST, headers={"Authorization": f"Bearer {key}"}))


def test_other_authorization_schemes_leave_it_to_the_session(viewer_client):
    assert viewer_client.get(LIST, headers={"Authorization": "Basic dmVyYTp4"}).status_code == 200
    assert refused(Client(headers={"Authorization": "Basic dmVyYTp4"}).get(LIST))


def test_the_browsable_api_still_works_with_the_session(viewer_client):
    response = viewer_client.get(LIST, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "vera.viewer" in response.content.decode()  # signed in, as the page's corner says


def test_a_session_write_still_needs_the_csrf_token(operator):
    session = Client(enforce_csrf_checks=True)
    session.force_login(operator)
    connection = make_connection(status="unable_to_connect")
    response = session.post(reverse("api:connection-retry", args=[connection.pk]), {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def apikey_updates(queries):
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "apikey" in q["sql"]]


def test_last_used_is_noted_at_most_once_a_minute(viewer):
    api_key, key = make_key(viewer)
    client = key_client(key)
    start = dt.datetime(2026, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.get(LIST)
        api_key.refresh_from_db()
        assert api_key.last_used_at == start

        clock.shift(ApiKey.LAST_USED_EVERY - dt.timedelta(seconds=1))
        with CaptureQueriesContext(database) as queries:
            assert client.get(LIST).status_code == 200
        assert apikey_updates(queries.captured_queries) == []
        api_key.refresh_from_db()
        assert api_key.last_used_at == start

        clock.shift(dt.timedelta(seconds=1))
        client.get(LIST)
        api_key.refresh_from_db()
        assert api_key.last_used_at == start + ApiKey.LAST_USED_EVERY


def test_a_refused_key_is_not_noted_as_used(viewer):
    api_key, key = make_key(viewer)
    api_key.revoke(api_key.created)
    key_client(key).get(LIST)
    api_key.refresh_from_db()
    assert api_key.last_used_at is None


def test_the_openapi_document_declares_bearer_keys():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["apiKey"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    retry_operation = schema["paths"]["/api/connections/{id}/retry/"]["post"]
    assert {"apiKey": []} in retry_operation["security"]
