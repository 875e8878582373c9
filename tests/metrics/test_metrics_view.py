"""GET /metrics: off without a token, refused without the right one, the Prometheus text format with it."""

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from tests.metrics.conftest import TOKEN

URL = "/metrics"


def test_the_route_is_at_slash_metrics():
    assert reverse("metrics") == URL


def test_metrics_are_off_when_no_token_is_set(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(URL).status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
    ids=["none", "empty", "no token", "wrong token", "other scheme", "longer token", "no scheme"],
)
def test_a_scrape_without_the_right_token_gets_401_and_says_how_to_authenticate(client, db, metrics_token, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get(URL, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"command_center_" not in response.content


def test_a_signed_in_user_still_needs_the_token(viewer_client, metrics_token):
    assert viewer_client.get(URL).status_code == 401


def test_the_token_opens_the_metrics_in_the_prometheus_text_format(client, db, metrics_token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    families = list(text_string_to_metric_families(response.content.decode()))
    names = [family.name for family in families]
    assert len(names) == len(set(names))
    assert all(family.documentation for family in families)
    assert {
        "command_center_sync_runs",
        "command_center_connections",
        "command_center_attention_items_open",
        "command_center_sync_family_last_success_timestamp_seconds",
    } <= set(names)


def test_the_scheme_is_read_in_any_case(client, db, metrics_token):
    assert client.get(URL, HTTP_AUTHORIZATION=f"bearer {metrics_token}").status_code == 200


def test_only_get_and_head_are_answered(client, db, metrics_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {metrics_token}"}
    assert client.head(URL, **auth).status_code == 200
    assert client.post(URL, **auth).status_code == 405


def test_an_empty_database_still_shows_every_family_and_kind_with_zeros(scrape):
    figures = scrape()
    assert figures.value("command_center_sync_family_last_success_timestamp_seconds", family="groups") == 0
    assert figures.value("command_center_sync_runs", kind="full", status="failed") == 0
    assert figures.value("command_center_sync_family_runs", family="employees", outcome="failed") == 0
    assert figures.value("command_center_attention_items_open", kind="sync_failing") == 0
    assert figures.value("command_center_connections", status="unable_to_connect") == 0
    assert figures.value("command_center_retry_attempts_total", outcome="failed") == 0
    assert figures.value("command_center_sync_family_duration_seconds_bucket", family="groups", le="+Inf") == 0
