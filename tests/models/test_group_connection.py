import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from command_center.roles import OPERATOR
from command_center.sync.records import synthetic_id
from connections.models import GroupConnection

NOW = timezone.now()


def make(name, status, days_in_status, **extra):
    return GroupConnection.objects.create(
        id=synthetic_id("gc", name),
        group_name=name,
        status=status,
        status_changed_at=NOW - dt.timedelta(days=days_in_status),
        **extra,
    )


@pytest.fixture
def connections(db):
    return {
        "blocked": make("blocked", "unable_to_connect", 1),
        "action": make("action", "action_required", 20),
        "auth": make("auth", "carrier_authorization", 3),
        "slow": make("slow", "waiting_on_carrier", 10),
        "fresh": make("fresh", "processing", 2),
        "done": make("done", "completed", 30),
        "gone": make("gone", "unable_to_connect", 40, removed_upstream_at=NOW),
    }


def names(qs):
    return [c.group_name for c in qs]


def test_needing_attention_is_the_blocked_ones_and_the_stuck_ones_oldest_first(connections):
    assert names(GroupConnection.objects.needing_attention(days=7, now=NOW)) == ["action", "slow", "auth", "blocked"]


def test_stuck_is_in_flight_longer_than_the_given_days(connections):
    assert names(GroupConnection.objects.stuck(days=7, now=NOW)) == ["slow"]
    assert set(names(GroupConnection.objects.stuck(days=1, now=NOW))) == {"slow", "fresh"}
    assert connections["slow"].is_stuck(days=7, now=NOW)
    assert not connections["done"].is_stuck(days=7, now=NOW)


def test_stuck_defaults_to_the_setting(connections, settings):
    settings.STUCK_AFTER_DAYS = 1
    assert set(names(GroupConnection.objects.stuck(now=NOW))) == {"slow", "fresh"}


def test_retryable_follows_the_contract(connections):
    assert set(names(GroupConnection.objects.retryable())) == {"blocked", "action", "auth"}
    assert connections["blocked"].is_retryable
    assert not connections["gone"].is_retryable
    assert not connections["slow"].is_retryable


def test_time_in_status(connections):
    assert connections["done"].time_in_status >= dt.timedelta(days=30)
    assert GroupConnection(status="created").time_in_status is None


def test_a_connection_may_arrive_before_its_group_and_carrier(db):
    connection = GroupConnection.objects.create(
        id=synthetic_id("orphan"), group_id=synthetic_id("group"), carrier_id=synthetic_id("carrier")
    )
    loaded = GroupConnection.objects.select_related("group", "carrier").get(pk=connection.pk)
    assert loaded.group is None and loaded.carrier is None
    assert loaded.group_id == synthetic_id("group")


def test_operators_hold_the_retry_permission(db):
    permission = Permission.objects.get(codename="retry_groupconnection", content_type__app_label="connections")
    assert permission.group_set.filter(name=OPERATOR).exists()
