"""The header's freshness line and the navigation's count of open attention items are on every page:
read once per HEADER_CACHE_SECONDS, not once per page."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.attention.factories import make_item

URL = reverse("connections:connection_list")


def tables_read(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(q["sql"] for q in queries.captured_queries)


def nav_count(client):
    body = client.get(URL).content.decode()
    return body.split('title="Open attention items">', 1)[1].split("<", 1)[0] if "nav-count" in body else ""


def test_a_second_page_reads_neither_the_freshness_nor_the_attention_count_again(viewer_client):
    make_item()
    first = tables_read(viewer_client)
    assert "command_center_syncfamily" in first and "command_center_attentionitem" in first
    again = tables_read(viewer_client, reverse("connections:group_list"))  # the same families, another page
    assert "command_center_syncfamily" not in again and "command_center_attentionitem" not in again


def test_the_count_is_read_again_once_its_seconds_have_passed(viewer_client, settings):
    settings.HEADER_CACHE_SECONDS = 10
    with time_machine.travel(timezone.now(), tick=False) as clock:
        make_item()
        assert nav_count(viewer_client) == "1"
        make_item()
        assert nav_count(viewer_client) == "1"  # within its 10 seconds
        clock.shift(dt.timedelta(seconds=11))
        assert nav_count(viewer_client) == "2"


def test_zero_seconds_reads_them_on_every_page(viewer_client, settings):
    settings.HEADER_CACHE_SECONDS = 0
    make_item()
    assert "command_center_attentionitem" in tables_read(viewer_client)
    assert "command_center_attentionitem" in tables_read(viewer_client)
