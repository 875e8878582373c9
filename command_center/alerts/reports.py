"""Scheduled reports: a saved view's CSV, sent daily or weekly at a chosen time, as an alert is.

1. The tick (``command_center.reports_tick``, every minute from beat) asks each enabled report for its
   latest due time (``latest_slot``: today's or the last chosen weekday's time, in the report's zone)
   and makes one ``Delivery`` for it. The unique constraint on (report, slot) makes that once per
   due time, however many ticks or workers see it due; a tick that missed a time (beat was down)
   sends the latest one, once, late, and no older ones. On the night a clock changes, a time that
   does not exist (02:30 when clocks go from 02:00 to 03:00) goes an hour later, and a time that comes
   twice goes the first time (zoneinfo's ``fold=0``).
2. The message is sent by the alerts' task (``send_alert_delivery``): tried again on errors that may
   pass, every try recorded, shown on the deliveries page.
3. The CSV is made when the message is sent, by the list's own export view (its FilterSet, sort,
   chosen columns, masking and audit entry, as the owner): what the owner's "Export CSV" would give.
   By e-mail it is attached, or, bigger than ``REPORT_ATTACH_MAX_BYTES``, replaced by a link.
4. To a webhook it is always a link to the console's export, which asks for sign-in. A link that
   worked without a session would hand the members' data to anyone who can read the chat, its
   history and the chat service's link previews, for as long as the link lived.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone

from .digest import base_url
from .models import Channel, Delivery, ScheduledReport

# The lists a report can be made of: the route of their export, and what the list is called.
REPORTABLE = {
    "connections:connection_list": ("connections:connection_export", "Group connections"),
    "connections:group_list": ("connections:group_export", "Groups"),
    "connections:carrier_list": ("connections:carrier_export", "Carriers"),
    "connections:disconnection_list": ("connections:disconnection_export", "Disconnection requests"),
    "connections:renewal_list": ("connections:renewal_export", "Renewal decisions"),
    "members:employee_list": ("members:employee_export", "Employees"),
    "members:snapshot_list": ("members:snapshot_export", "Member snapshots"),
    "members:memberrequest_list": ("members:memberrequest_export", "Member requests"),
    "members:transaction_list": ("members:transaction_export", "Member transactions"),
    "members:difference_list": ("members:difference_export", "Tracking differences"),
    "attention_list": ("attention_export", "Attention items"),
    "audit_list": ("audit_export", "Audit log"),
}
Frequency = ScheduledReport.Frequency


def attach_max_bytes() -> int:
    return max(0, int(getattr(settings, "REPORT_ATTACH_MAX_BYTES", 5_000_000)))


def zone_of(report: ScheduledReport) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(report.time_zone)


def _slot_on(report, day: dt.date) -> dt.datetime | None:
    if report.frequency == Frequency.WEEKLY and day.weekday() != report.weekday:
        return None
    return dt.datetime.combine(day, report.at, tzinfo=zone_of(report))


def latest_slot(report: ScheduledReport, now: dt.datetime) -> dt.datetime | None:
    """The latest time the report was due at or before ``now`` (aware, in UTC)."""
    today = now.astimezone(zone_of(report)).date()
    for back in range(8):
        slot = _slot_on(report, today - dt.timedelta(days=back))
        if slot is not None and slot <= now:
            return slot.astimezone(dt.UTC)
    return None


def next_slot(report: ScheduledReport, now: dt.datetime) -> dt.datetime:
    """The next time the report is due after ``now``, and not before its schedule was set."""
    start = max(now, report.scheduled_at)
    today = start.astimezone(zone_of(report)).date()
    for ahead in range(9):
        slot = _slot_on(report, today + dt.timedelta(days=ahead))
        if slot is not None and slot > start:
            return slot.astimezone(dt.UTC)
    raise AssertionError("a daily or weekly report is due within 8 days")


def schedule_words(report: ScheduledReport) -> str:
    """ "Daily at 08:00 (Europe/Paris)", "Weekly on Monday at 17:30 (UTC)"."""
    when = "Daily" if report.frequency == Frequency.DAILY else f"Weekly on {report.get_weekday_display()}"
    return f"{when} at {report.at:%H:%M} ({report.time_zone})"


def list_label(report: ScheduledReport) -> str:
    return REPORTABLE.get(report.view.list_name, ("", report.view.list_name))[1]


def export_url(report: ScheduledReport) -> str:
    path = reverse(REPORTABLE[report.view.list_name][0])
    return base_url() + path + (f"?{report.view.query}" if report.view.query else "")


def _masked(text: str) -> str:
    from members.readable import mask_ssns_in_text

    return mask_ssns_in_text(" ".join(str(text).split()))


# --- Making the due messages -------------------------------------------------------------------


def make_due(now: dt.datetime | None = None) -> list[Delivery]:
    """A delivery for each enabled report whose latest due time has no delivery yet."""
    now = now or timezone.now()
    reports = ScheduledReport.objects.filter(enabled=True, channel__enabled=True, owner__is_active=True).select_related(
        "view", "channel", "owner"
    )
    due = [
        (report, slot)
        for report in reports
        if (slot := latest_slot(report, now)) is not None and slot >= report.scheduled_at
    ]
    if not due:
        return []
    made_already = set(
        Delivery.objects.filter(
            report__in=[r for r, _ in due], report_slot__gte=now - dt.timedelta(days=8)
        ).values_list("report_id", "report_slot")
    )
    made = []
    for report, slot in due:
        if (report.pk, slot) not in made_already:
            delivery = _make(report, slot, now)
            if delivery is not None:
                made.append(delivery)
    return made


def _make(report: ScheduledReport, slot: dt.datetime, now: dt.datetime) -> Delivery | None:
    owner, channel = report.owner, report.channel
    email = channel.kind == Channel.Kind.EMAIL
    subject, body = render(report, slot, attached=email)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                channel=channel,
                user=owner,
                recipient=owner.email if email else "",
                subject=subject,
                body=body,
                created_at=now,
                next_attempt_at=now,
                report=report,
                report_slot=slot,
            )
    except IntegrityError:  # another tick or worker made this one: it sends it
        return None
    if email and not owner.email:
        from .deliver import give_up

        give_up(
            delivery,
            f"{owner.get_username()} has no e-mail address, so this was not sent. "
            "An administrator can add one to the user in the admin.",
            now=now,
            channel_at_fault=False,
        )
    return delivery


def render(
    report: ScheduledReport, slot: dt.datetime, *, attached: bool, too_big: int | None = None
) -> tuple[str, str]:
    """The subject and the text of a report's message. Built from the view's name (SSN-shaped text masked)
    and the list's; the rows go in the CSV, never in the text."""
    name = _masked(report.view.name)
    local = slot.astimezone(zone_of(report))
    subject = f"Report: {name} ({list_label(report)})"[: Delivery._meta.get_field("subject").max_length]
    lines = [
        f"Your report “{name}” of {list_label(report)}, due {local:%A} {local.day} {local:%B %Y, %H:%M} ({report.time_zone})."
    ]
    if attached:
        lines.append(
            "The CSV is attached: the list as its saved view shows it (filters, sort, columns), when this was sent."
        )
    else:
        if too_big:
            lines.append(
                f"The CSV ({too_big:,} bytes) is bigger than an e-mail takes ({attach_max_bytes():,} bytes), so it is not attached."
            )
        lines.append(
            f"Download the CSV (sign-in needed; the list as it is when you open the link): {export_url(report)}"
        )
    lines.append(f"The list: {base_url()}{report.view.list_url}")
    lines.append(f"Change or stop this report: {base_url()}{reverse('alerts:report_edit', args=[report.pk])}")
    return subject, "\n".join(lines)


# --- The CSV, made when the message is sent ------------------------------------------------------


class ExportRefused(Exception):
    """The list's export refused the saved view's query (a filter that is no longer valid)."""


def make_csv(report: ScheduledReport, limit: int) -> tuple[str, bytes | None, int]:
    """The report's CSV through the list's own export view, as its owner: (file name, content or None
    when bigger than ``limit`` bytes, its size so far). Raises ExportRefused with the export's words."""
    from django_htmx.middleware import HtmxDetails

    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(REPORTABLE[report.view.list_name][0])
    request.GET = QueryDict(report.view.query)
    request.user = report.owner
    request.META.update({"SERVER_NAME": "reports", "SERVER_PORT": "80", "REQUEST_METHOD": "GET"})
    request.htmx = HtmxDetails(request)
    response = resolve(request.path).func(request)
    if response.status_code != 200:
        raise ExportRefused(_masked(response.content.decode("utf-8", "replace")))
    filename = response["Content-Disposition"].partition('filename="')[2].rstrip('"') or "report.csv"
    content = bytearray()
    # Not response.close(): it sends request_finished, which closes the worker's database connection.
    # A file left half read is closed with its generator (and its cursor) when the response goes.
    for chunk in response.streaming_content if response.streaming else [response.content]:
        content += chunk if isinstance(chunk, bytes) else str(chunk).encode()
        if len(content) > limit:
            return filename, None, len(content)
    return filename, bytes(content), len(content)


def row_count(content: bytes) -> int:
    return max(0, sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1)


def prepare(delivery: Delivery) -> None:
    """Before a report's e-mail is sent: attach its CSV, or say why not and link to it (the text is saved,
    so the deliveries page shows what was sent). A webhook's message is its link: nothing to do."""
    from .deliver import Permanent

    report = delivery.report
    if report is None:
        raise Permanent("The report was deleted before this was sent.")
    if delivery.channel.kind != Channel.Kind.EMAIL:
        return
    try:
        filename, content, size = make_csv(report, attach_max_bytes())
    except ExportRefused as refused:
        raise Permanent(f"The list's export refused the saved view: {refused}") from refused
    if content is None:
        delivery.subject, delivery.body = render(report, delivery.report_slot, attached=False, too_big=size)
        delivery.attachments = []
    else:
        delivery.attachments = [(filename, content, "text/csv")]
        delivery.body = render(report, delivery.report_slot, attached=True)[1] + f"\nRows: {row_count(content):,}."
    delivery.save(update_fields=["subject", "body"])
