"""Web request latency: a histogram per route name, method and status class, added up over every web
process when PROMETHEUS_MULTIPROC_DIR is set."""

import os
import subprocess
import sys

from django.conf import settings as django_settings

LATENCY = "command_center_http_request_duration_seconds"


def answered(figures, route, status, method="GET"):
    return figures.get(f"{LATENCY}_count", route=route, method=method, status=status)


def test_each_request_is_timed_under_its_route_name_and_status_class(scrape, client, viewer_client):
    before = scrape()
    viewer_client.get("/")
    viewer_client.get("/")
    client.get("/")  # anonymous: sent to sign-in
    after = scrape()
    assert answered(after, "dashboard", "2xx") - answered(before, "dashboard", "2xx") == 2
    assert answered(after, "dashboard", "3xx") - answered(before, "dashboard", "3xx") == 1
    assert after.get(f"{LATENCY}_bucket", route="dashboard", method="GET", status="2xx", le="+Inf") == answered(
        after, "dashboard", "2xx"
    )


def test_paths_that_match_no_route_share_one_label_and_the_admin_is_one_route(scrape, client):
    before = scrape()
    client.get("/no/such/page/8675309")
    client.get("/admin/connections/groupconnection/8675309/change/")
    after = scrape()
    assert answered(after, "unmatched", "4xx") - answered(before, "unmatched", "4xx") == 1
    assert answered(after, "admin", "3xx") - answered(before, "admin", "3xx") == 1
    assert "8675309" not in after.text


def test_the_metrics_scrape_itself_is_timed(scrape):
    before = scrape()
    assert answered(scrape(), "metrics", "2xx") == answered(before, "metrics", "2xx") + 1


def test_in_multiprocess_mode_every_processs_requests_add_up(scrape, settings, tmp_path):
    # Two web processes answer a sign-in page each, writing to the shared directory, as gunicorn workers do.
    code = (
        "import django; django.setup(); from django.test import Client; "
        "assert Client().get('/login/', HTTP_HOST='localhost').status_code == 200"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    workers = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR) for _ in range(2)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2

    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    figures = scrape()
    assert answered(figures, "login", "2xx") == 2
    # This process's own requests (the scrapes) are not in the files: it does not run in multiprocess mode.
    assert answered(figures, "metrics", "2xx") == 0
    assert figures.value("command_center_sync_runs", kind="full", status="succeeded") == 0
