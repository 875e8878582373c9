"""Trends: day-by-day counts from the status history and the sync runs, drawn as SVG that links to the lists."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from command_center import trends
from command_center.charts import Chart, _nice_ceiling
from tests.factories import make_connection, make_status_change, make_sync_run
from tests.members.factories import make_member_request

# Noon, so "N days ago" lands on the same day in any zone the suite runs in.
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def days_ago(n, hour=12):
    return NOW.replace(hour=hour) - dt.timedelta(days=n)


def test_each_day_counts_the_status_each_connection_was_in_at_its_end():
    moved = make_connection(status="unable_to_connect")
    make_status_change(moved, "", "processing", observed_at=days_ago(5))
    make_status_change(moved, "processing", "unable_to_connect", observed_at=days_ago(2))
    steady = make_connection(status="completed")
    make_status_change(steady, "", "completed", observed_at=days_ago(40))
    series = trends.connections_by_status(trends.window(7))
    day = {n: series.values[timezone.localdate() - dt.timedelta(days=n)] for n in range(7)}
    assert day[6]["processing"] == 0 and day[6]["completed"] == 1  # before the first sighting
    assert day[5]["processing"] == day[3]["processing"] == 1 and day[3]["unable_to_connect"] == 0
    assert day[2]["unable_to_connect"] == day[0]["unable_to_connect"] == 1 and day[2]["processing"] == 0
    assert all(values["completed"] == 1 for values in day.values())


def test_a_connection_noyo_no_longer_lists_is_left_out_on_every_day():
    gone = make_connection(status="unable_to_connect", removed_upstream_at=days_ago(1))
    make_status_change(gone, "processing", "unable_to_connect", observed_at=days_ago(3))
    series = trends.connections_by_status(trends.window(7))
    assert all(sum(values.values()) == 0 for values in series.values.values())


def test_failed_member_requests_are_counted_on_the_day_they_failed():
    for n in (3, 3, 1):
        make_status_change(make_member_request(status="failed"), "processing", "failed", observed_at=days_ago(n))
    series = trends.member_requests_failed(trends.window(7))
    counts = [series.values[day]["failed"] for day in series.days]
    assert counts == [0, 0, 0, 2, 0, 1, 0]


def test_each_familys_failures_and_longest_run_come_from_the_runs():
    def family(status, minutes, day):
        start = days_ago(day)
        return {
            "status": status,
            "started_at": start.isoformat(),
            "finished_at": (start + dt.timedelta(minutes=minutes)).isoformat(),
        }

    with time_machine.travel(days_ago(1), tick=False):
        make_sync_run(kind="full", families={"groups": family("failed", 2, 1), "employees": family("succeeded", 30, 1)})
        make_sync_run(kind="employees", families={"employees": family("partial", 45, 1)})
    failures, longest = trends.sync_health(trends.window(7))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert failures.values[yesterday]["groups"] == 1 and failures.values[yesterday]["employees"] == 1
    assert longest.values[yesterday] == {"groups": 2.0, "employees": 45.0}
    # A filtered syncs list would count runs, not families' parts of them: the key opens every run.
    assert failures.links["groups"] == reverse("sync_list")


def test_a_stacked_bar_is_as_tall_as_its_days_total():
    series = trends.Series(
        [dt.date(2026, 12, 1)], ["a", "b"], {"a": "A", "b": "B"}, {dt.date(2026, 12, 1): {"a": 3, "b": 1}}
    )
    chart = Chart("t", series, "bars")
    assert chart.top == 5
    assert sum(bar.height for bar in chart.bars) == pytest.approx(chart.plot_height * 4 / 5, abs=0.05)
    assert [bar.title for bar in chart.bars] == ["Dec 1: 3 a", "Dec 1: 1 b"]


@pytest.mark.parametrize("value, ceiling", [(0, 1), (3, 5), (7, 10), (12, 20), (180, 200), (1001, 2000)])
def test_the_value_axis_ends_on_a_round_number(value, ceiling):
    assert _nice_ceiling(value) == ceiling


def test_the_page_draws_every_chart_with_links_to_the_lists_it_counts(viewer_client):
    make_status_change(make_connection(status="unable_to_connect"), "", "unable_to_connect", observed_at=days_ago(1))
    response = viewer_client.get(reverse("trends"), {"days": "90"})
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<svg") == 1  # the others have nothing to show yet
    assert f'href="{reverse("connections:connection_list")}?status=unable_to_connect"' in html
    assert "<script" not in html.split("<main", 1)[1]


def test_a_window_not_offered_is_refused_beside_the_field(viewer_client):
    response = viewer_client.get(reverse("trends"), {"days": "7000"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_page_costs_a_few_queries_whatever_the_history(viewer_client, django_assert_max_num_queries):
    for n in range(20):
        make_status_change(make_connection(), "", "processing", observed_at=days_ago(n % 9))
    with django_assert_max_num_queries(15):
        viewer_client.get(reverse("trends"))
