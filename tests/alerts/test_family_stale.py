"""A family without a successful sync for N minutes alerts once per outage: not again while it lasts,
and again only after the family recovered and went without a success once more."""

from django.core import mail

from command_center.alerts.models import Subscription
from command_center.models import SyncFamily, SyncRun
from tests.alerts.conftest import subscribe

Topic = Subscription.Topic
MINUTE = 60


def stale_alerts(subscription):
    return list(subscription.alerts.order_by("pk").values_list("text", flat=True))


def test_a_family_without_a_successful_sync_alerts_once_and_again_only_after_it_recovered(
    sync_now, sandbox, operator, email_channel, clock, tick, settings
):
    subscription = subscribe(operator, email_channel, Topic.FAMILY_STALE, family="member_requests", stale_minutes=30)
    assert sync_now("member_requests").status == SyncRun.Status.SUCCEEDED
    success = SyncFamily.objects.get(family="member_requests").last_success_at
    clock.shift(29 * MINUTE)
    tick()
    assert stale_alerts(subscription) == []

    # Noyo goes down: the syncs fail, and 30 minutes after the last success it is news, once.
    sandbox.set_faults(path_contains="/member_requests", rate_503=1.0, retry_after=0)
    assert sync_now("member_requests").status == SyncRun.Status.FAILED
    clock.shift(1 * MINUTE + 1)
    assert tick()["alerts"] == 1
    (first,) = stale_alerts(subscription)
    assert first.startswith("No successful member requests sync for 30 minutes (last success ")
    assert first.endswith(": failed)")
    for _ in range(2):
        sync_now("member_requests")
        clock.shift(20 * MINUTE)
        assert tick()["alerts"] == 0
    assert len(stale_alerts(subscription)) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == f"Command Center: {first}"

    # It recovers: nothing to say. Then it goes without a success again: a second alert.
    sandbox.set_faults()
    assert sync_now("member_requests").status == SyncRun.Status.SUCCEEDED
    assert SyncFamily.objects.get(family="member_requests").last_success_at > success
    tick()
    assert len(stale_alerts(subscription)) == 1
    clock.shift(31 * MINUTE)
    tick()
    assert len(stale_alerts(subscription)) == 2
    assert subscription.alerts.values("event").distinct().count() == 2


def test_another_family_and_a_family_never_synced_are_judged_from_when_the_subscription_was_made(
    operator, email_channel, clock, tick, settings
):
    from command_center.sync.runs import ensure_families

    ensure_families()
    subscription = subscribe(operator, email_channel, Topic.FAMILY_STALE, stale_minutes=60)  # every family
    clock.shift(59 * MINUTE)
    tick()
    assert stale_alerts(subscription) == []
    clock.shift(1 * MINUTE + 1)
    tick()

    texts = stale_alerts(subscription)
    assert len(texts) == SyncFamily.objects.count() == 5
    assert "The group connections sync has never succeeded (it has never run)" in texts
