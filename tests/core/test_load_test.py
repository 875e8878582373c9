"""The load test (command_center/management/commands/load_test.py): how it fills an empty database, its
percentiles, the CPU it shares out, and the cookies it sends back by hand."""

import io

import pytest
from multidict import CIMultiDict

from command_center.management.commands.load_test import Command, _cpu_share, _keep_cookies, _pct
from command_center.models import SyncRun
from connections.models import GroupConnection


@pytest.mark.django_db
def test_an_empty_database_is_filled_by_a_full_sync_from_a_sandbox_of_its_own(settings):
    command = Command(stdout=io.StringIO())
    command.fill_if_empty("small")
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCEEDED and GroupConnection.objects.exists()
    assert f"run #{run.pk} succeeded: {run.totals['fetched']:,} records" in command.stdout.getvalue()


def test_percentiles_are_read_from_the_sorted_latencies_in_milliseconds():
    latencies = [n / 1000 for n in range(100, 0, -1)]  # 100 ms down to 1 ms
    assert (_pct(latencies, 50), _pct(latencies, 95), _pct(latencies, 99)) == (51.0, 96.0, 100.0)
    assert _pct([], 95) == 0.0


def test_cpu_is_shared_out_by_part_and_per_request():
    before = {"busy": 100.0, "generator": 10.0, "gunicorn": 50.0, "postgres": {"11": 5.0, "12": 1.0}}
    # Backend 12 ended (its last share is missed), 13 started (counted whole).
    after = {"busy": 120.0, "generator": 12.0, "gunicorn": 64.0, "postgres": {"11": 7.0, "13": 1.0}}
    share = _cpu_share(before, after, seconds=10, requests=1000)
    assert share["cores"] == 2.0 and share["generator"] == 0.2 and share["gunicorn"] == 1.4 and share["postgres"] == 0.3
    assert round(share["other"], 6) == 0.1
    assert (share["generator_ms"], share["gunicorn_ms"], share["postgres_ms"]) == (2.0, 14.0, 3.0)


class Answer:
    def __init__(self, *cookies):
        self.headers = CIMultiDict([("Set-Cookie", cookie) for cookie in cookies])


class Session:
    def __init__(self):
        self.headers = CIMultiDict()


def test_secure_cookies_go_back_by_name_the_latest_value_winning():
    session = Session()
    _keep_cookies(session, Answer("csrftoken=abc; Path=/; Secure; SameSite=Lax"))
    _keep_cookies(session, Answer("sessionid=s1; HttpOnly; Path=/; Secure", "csrftoken=def; Path=/; Secure"))
    assert session.headers["Cookie"] == "csrftoken=def; sessionid=s1"
