"""A saved view can be a scheduled report: its CSV sent daily or weekly at a time in a zone, once per due time,
by e-mail (attached, or a link when big) or to a webhook (a link that needs sign-in), recorded like any alert."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from command_center import saved_views
from command_center.alerts import reports, tasks
from command_center.alerts.models import Delivery, ScheduledReport
from command_center.models import AuditEntry
from tests.factories import make_carrier, make_connection
from tests.members.factories import make_employee, make_member_request, make_transaction

UTC = dt.UTC
TOKYO = "Asia/Tokyo"  # UTC+9 all year: zone-aware without a DST change in the way
# Wednesday 2 December 2026, 08:30 in Tokyo.
WEDNESDAY_0830_TOKYO = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


def schedule(
    owner,
    channel,
    *,
    list_name="connections:connection_list",
    query="status=unable_to_connect&cols=carrier",
    name="Failing",
    at=dt.time(8, 0),
    zone=TOKYO,
    frequency="daily",
    weekday=None,
    since=None,
) -> ScheduledReport:
    view = saved_views.save(owner, list_name, name, query, make_default=False)
    return ScheduledReport.objects.create(
        owner=owner,
        view=view,
        channel=channel,
        frequency=frequency,
        weekday=weekday,
        at=at,
        time_zone=zone,
        scheduled_at=since or WEDNESDAY_0830_TOKYO - dt.timedelta(days=1),
    )


@pytest.fixture
def owner(viewer):
    viewer.email = "vera@example.com"
    viewer.save(update_fields=["email"])
    return viewer


def tick_at(moment):
    with time_machine.travel(moment, tick=False):
        return tasks.reports_tick_now()


def csv_text(content) -> str:
    """An attachment's text (Django's EmailMessage holds a text/* attachment as text when it decodes)."""
    return (content.decode("utf-8") if isinstance(content, bytes) else content).lstrip("\ufeff")


def csv_rows(content) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(content))))


# --- When a report is due ----------------------------------------------------------------------


def test_a_daily_report_is_due_at_its_time_in_its_zone(owner, email_channel):
    report = schedule(owner, email_channel)
    # 08:00 in Tokyo is 23:00 UTC the day before.
    assert reports.latest_slot(report, WEDNESDAY_0830_TOKYO) == dt.datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert reports.latest_slot(report, dt.datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == dt.datetime(
        2026, 11, 30, 23, 0, tzinfo=UTC
    )
    assert reports.next_slot(report, WEDNESDAY_0830_TOKYO) == dt.datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert reports.schedule_words(report) == "Daily at 08:00 (Asia/Tokyo)"


def test_a_weekly_report_is_due_on_its_day_only(owner, email_channel):
    report = schedule(
        owner, email_channel, frequency="weekly", weekday=ScheduledReport.Weekday.MONDAY, at=dt.time(17, 30)
    )
    # Monday 30 November 2026, 17:30 in Tokyo.
    assert reports.latest_slot(report, WEDNESDAY_0830_TOKYO) == dt.datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert reports.next_slot(report, WEDNESDAY_0830_TOKYO) == dt.datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    assert reports.schedule_words(report) == "Weekly on Monday at 17:30 (Asia/Tokyo)"


def test_a_report_goes_once_per_due_time_however_many_ticks_see_it(owner, email_channel):
    make_connection(status="unable_to_connect")
    report = schedule(owner, email_channel)

    first = tick_at(WEDNESDAY_0830_TOKYO)
    again = tick_at(WEDNESDAY_0830_TOKYO + dt.timedelta(minutes=1))

    assert len(first) == 1 and again == []
    assert len(mail.outbox) == 1
    (delivery,) = Delivery.objects.filter(report=report)
    assert delivery.report_slot == dt.datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    # The next day's time is a new message.
    assert len(tick_at(WEDNESDAY_0830_TOKYO + dt.timedelta(days=1))) == 1


def test_two_workers_making_the_same_message_make_one(owner, email_channel):
    report = schedule(owner, email_channel)
    slot = reports.latest_slot(report, WEDNESDAY_0830_TOKYO)

    assert reports._make(report, slot, WEDNESDAY_0830_TOKYO) is not None
    assert reports._make(report, slot, WEDNESDAY_0830_TOKYO) is None  # the unique constraint on (report, slot)
    assert Delivery.objects.filter(report=report).count() == 1


def test_a_report_scheduled_after_today_s_time_starts_with_the_next_one(owner, email_channel):
    schedule(owner, email_channel, since=WEDNESDAY_0830_TOKYO - dt.timedelta(minutes=5))  # set at 08:25, for 08:00

    assert tick_at(WEDNESDAY_0830_TOKYO) == []
    assert len(tick_at(WEDNESDAY_0830_TOKYO + dt.timedelta(days=1))) == 1


def test_a_paused_report_is_not_sent(owner, email_channel):
    report = schedule(owner, email_channel)
    ScheduledReport.objects.filter(pk=report.pk).update(enabled=False)
    assert tick_at(WEDNESDAY_0830_TOKYO) == []


# --- What is sent ----------------------------------------------------------------------------


def test_the_e_mail_carries_the_saved_view_s_csv_its_filters_and_columns(owner, email_channel):
    make_connection(status="unable_to_connect", carrier=make_carrier(name="Zebra Mutual"), carrier_group_id="CG-1")
    make_connection(status="completed", carrier=make_carrier(name="Other Life"))
    schedule(owner, email_channel, query="status=unable_to_connect&cols=carrier")

    tick_at(WEDNESDAY_0830_TOKYO)

    (message,) = mail.outbox
    assert message.to == ["vera@example.com"]
    assert message.subject == "Report: Failing (Group connections)"
    assert "due Wednesday 2 December 2026, 08:00 (Asia/Tokyo)" in message.body
    assert "Rows: 1." in message.body
    ((filename, content, mimetype),) = message.attachments
    assert mimetype == "text/csv" and filename.startswith("connections_status-unable_to_connect")
    rows = csv_rows(content)
    # The columns the view chose (carrier), the required ones (group, status), and the ids: not the type or error.
    assert rows[0] == [
        "Connection id",
        "Group name",
        "Group id",
        "Carrier",
        "Carrier id",
        "Status",
        "Created",
        "Organization id",
        "Federal EIN",
    ]
    assert [row[3] for row in rows[1:]] == ["Zebra Mutual"]
    # Made as the owner's own export: in the audit log under their name.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=owner, object_type="connections").exists()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT and delivery.body == message.body


def test_ssns_are_masked_in_the_report_as_on_the_page(owner, email_channel):
    request = make_member_request(make_employee())
    make_transaction(request, status="failed", raw={"result": {"errors": [{"message": "SSN 123-45-6789 refused"}]}})
    schedule(
        owner, email_channel, list_name="members:transaction_list", query="status=failed", name="Refused 987-65-4321"
    )

    tick_at(WEDNESDAY_0830_TOKYO)

    (message,) = mail.outbox
    content = csv_text(message.attachments[0][1])
    assert "123-45-6789" not in content and "6789" in content
    assert "987-65-4321" not in message.subject + message.body


def test_a_csv_too_big_to_attach_goes_as_a_link_that_needs_sign_in(owner, email_channel, settings):
    settings.REPORT_ATTACH_MAX_BYTES = 50
    settings.CONSOLE_BASE_URL = "https://cc.example.com"
    make_connection(status="unable_to_connect")
    schedule(owner, email_channel)

    tick_at(WEDNESDAY_0830_TOKYO)

    (message,) = mail.outbox
    assert message.attachments == []
    assert "is bigger than an e-mail takes (50 bytes), so it is not attached" in message.body
    assert "https://cc.example.com/connections/export.csv?status=unable_to_connect&cols=carrier" in message.body


def test_a_webhook_gets_a_link_to_the_console_never_the_rows(owner, webhook_channel, webhook_endpoint, settings):
    settings.CONSOLE_BASE_URL = "https://cc.example.com"
    make_connection(status="unable_to_connect", carrier=make_carrier(name="Zebra Mutual"))
    schedule(owner, webhook_channel)

    tick_at(WEDNESDAY_0830_TOKYO)

    (text,) = webhook_endpoint.texts
    assert "https://cc.example.com/connections/export.csv?status=unable_to_connect&cols=carrier" in text
    assert "sign-in needed" in text
    assert "Zebra Mutual" not in text
    # The link asks whoever follows it to sign in.
    from django.test import Client

    assert Client().get("/connections/export.csv?status=unable_to_connect").status_code == 302


def test_a_failing_webhook_is_tried_again_and_the_failure_recorded_in_plain_words(
    owner, webhook_channel, webhook_endpoint, alert_settings
):
    webhook_endpoint.answers = [503, 200]
    report = schedule(owner, webhook_channel)

    tick_at(WEDNESDAY_0830_TOKYO)

    delivery = Delivery.objects.get(report=report)
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 2
    assert delivery.history[0]["reason"] == "The webhook answered 503 Service Unavailable (“upstream trouble”)."


def test_a_saved_view_whose_filter_no_longer_reads_fails_saying_why(owner, email_channel):
    report = schedule(owner, email_channel, query="carrier=no-such-carrier")  # a carrier since gone, say

    tick_at(WEDNESDAY_0830_TOKYO)

    delivery = Delivery.objects.get(report=report)
    assert delivery.state == Delivery.State.FAILED and mail.outbox == []
    assert delivery.reason.startswith(
        "The list's export refused the saved view: This export was not made: a filter value is not valid."
    )


def test_an_owner_without_an_address_is_told_on_the_page_not_mailed(viewer, email_channel):
    report = schedule(viewer, email_channel)
    tick_at(WEDNESDAY_0830_TOKYO)
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == Delivery.State.FAILED and "has no e-mail address" in delivery.reason


# --- The pages -------------------------------------------------------------------------------


def test_a_viewer_schedules_a_report_of_a_saved_view_for_themselves(owner, viewer_client, email_channel):
    view = saved_views.save(
        owner, "connections:connection_list", "Failing", "status=unable_to_connect", make_default=False
    )
    page = viewer_client.get(reverse("alerts:report_create", args=[view.pk]))
    assert page.status_code == 200 and "Time zone" in page.content.decode()

    answer = viewer_client.post(
        reverse("alerts:report_create", args=[view.pk]),
        {
            "frequency": "weekly",
            "weekday": "0",
            "at": "08:15",
            "time_zone": TOKYO,
            "channel": email_channel.pk,
            "enabled": "on",
        },
    )

    assert answer.status_code == 302
    report = ScheduledReport.objects.get()
    assert (report.owner, report.view, report.weekday, report.at) == (owner, view, 0, dt.time(8, 15))
    listing = viewer_client.get(reverse("alerts:report_list")).content.decode()
    assert "Weekly on Monday at 08:15 (Asia/Tokyo)" in listing
    assert "Scheduled “Failing”: weekly on Monday at 08:15 (Asia/Tokyo), by E-mail." in listing


def test_a_weekly_report_without_its_day_is_refused_in_plain_words(owner, viewer_client, email_channel):
    view = saved_views.save(owner, "connections:connection_list", "Failing", "", make_default=False)
    answer = viewer_client.post(
        reverse("alerts:report_create", args=[view.pk]),
        {"frequency": "weekly", "weekday": "", "at": "25:00", "time_zone": "Mars/Base", "channel": email_channel.pk},
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "A weekly report needs its day of the week." in body and "Give a time of day, e.g. 08:00." in body
    assert ScheduledReport.objects.count() == 0


def test_a_list_without_an_export_cannot_be_a_report(owner, viewer_client):
    view = saved_views.save(owner, "sync_list", "Runs", "", make_default=False)
    assert viewer_client.get(reverse("alerts:report_create", args=[view.pk])).status_code == 404


def test_only_the_owner_or_staff_may_change_a_report(owner, email_channel, operator_client, operator):
    report = schedule(owner, email_channel)
    edit = reverse("alerts:report_edit", args=[report.pk])
    assert operator_client.get(edit).status_code == 403
    assert operator_client.post(reverse("alerts:report_delete", args=[report.pk])).status_code == 403
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    assert operator_client.get(edit).status_code == 200
    assert operator_client.post(reverse("alerts:report_delete", args=[report.pk])).status_code == 302
    assert not ScheduledReport.objects.exists()


def test_changing_a_report_starts_its_new_schedule_now(owner, viewer_client, email_channel):
    report = schedule(owner, email_channel)
    with time_machine.travel(WEDNESDAY_0830_TOKYO, tick=False):
        viewer_client.post(
            reverse("alerts:report_edit", args=[report.pk]),
            {"frequency": "daily", "at": "08:10", "time_zone": TOKYO, "channel": email_channel.pk, "enabled": "on"},
        )
    report.refresh_from_db()
    assert report.at == dt.time(8, 10) and report.scheduled_at == WEDNESDAY_0830_TOKYO
    assert tick_at(WEDNESDAY_0830_TOKYO + dt.timedelta(minutes=1)) == []  # 08:10 today passed before the change


def test_someone_signed_out_is_sent_to_sign_in(owner, email_channel, client):
    report = schedule(owner, email_channel)
    for url in (
        reverse("alerts:report_list"),
        reverse("alerts:report_edit", args=[report.pk]),
        reverse("alerts:report_create", args=[report.view.pk]),
    ):
        assert client.get(url).status_code == 302


def test_the_saved_view_menu_offers_to_schedule_it(owner, viewer_client):
    view = saved_views.save(owner, "connections:connection_list", "Failing", "", make_default=False)
    body = viewer_client.get(reverse("connections:connection_list")).content.decode()
    assert reverse("alerts:report_create", args=[view.pk]) in body
