"""The header's search: whatever someone pastes or types (an id, a name, an e-mail, a carrier group id),
the records it names, by kind.

An id is looked up in every table that has pages, since a ticket rarely says what an id is of; a name
in groups, employees and carriers; an e-mail in employees; a carrier group id in connections. Each kind
reads at most ``PER_KIND + 1`` rows through an index, so a search costs a few small queries at any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from command_center.sync.records import pasted_noyo_id
from connections.models import Carrier, Group, GroupConnection, GroupDisconnectionRequest, RenewalDecision
from members.models import Dependent, Employee, MemberRequest, MemberSnapshot, MemberTransaction

PER_KIND = 10
# Longer than any id, name or e-mail: a paste of a whole ticket, refused in words rather than searched.
MAX_LENGTH = 200
# Shorter than this, a name matches too much to be worth listing (and a trigram index needs 3).
MIN_NAME_LENGTH = 2


@dataclass(frozen=True)
class Match:
    label: str
    detail: str
    url: str


@dataclass
class Kind:
    """The matches of one kind of record, and the list that shows them all (when there are more)."""

    name: str
    matches: list[Match] = field(default_factory=list)
    more: bool = False
    list_url: str = ""


def _kind(name, rows, describe, list_url=""):
    rows = list(rows[: PER_KIND + 1])
    return Kind(name, [describe(row) for row in rows[:PER_KIND]], more=len(rows) > PER_KIND, list_url=list_url)


def _list(url_name, text):
    return f"{reverse(url_name)}?{urlencode({'q': text})}"


def _connection(c):
    return Match(
        f"{c.group_name or c.group_id} · {c.carrier.name if c.carrier else c.carrier_id}",
        f"{c.get_status_display()} · carrier group id {c.carrier_group_id or '—'}",
        reverse("connections:connection_detail", args=[c.pk]),
    )


def _group(g):
    return Match(g.name or g.pk, g.dba_name or "", reverse("connections:group_detail", args=[g.pk]))


def _carrier(c):
    return Match(c.name or c.pk, "", reverse("connections:carrier_detail", args=[c.pk]))


def _employee(e):
    return Match(e.full_name or e.pk, e.group.name if e.group else "", reverse("members:employee_detail", args=[e.pk]))


def _dependent(d):
    # Dependents have no page of their own: their employee's shows the family.
    owner = d.employee.full_name if d.employee else d.employee_id
    return Match(d.full_name or d.pk, f"Dependent of {owner}", reverse("members:employee_detail", args=[d.employee_id]))


def _by_id(noyo_id: str) -> list[Kind]:
    lookups = [
        ("Group connections", GroupConnection.objects.select_related("carrier").filter(pk=noyo_id), _connection),
        ("Groups", Group.objects.filter(pk=noyo_id), _group),
        ("Carriers", Carrier.objects.filter(pk=noyo_id), _carrier),
        ("Employees", Employee.objects.select_related("group").filter(pk=noyo_id), _employee),
        ("Dependents", Dependent.objects.select_related("employee").filter(pk=noyo_id), _dependent),
        (
            "Member snapshots",
            MemberSnapshot.objects.filter(pk=noyo_id),
            lambda s: Match(
                f"Snapshot {s.pk}", s.get_status_display(), reverse("members:snapshot_detail", args=[s.pk])
            ),
        ),
        (
            "Member requests",
            MemberRequest.objects.filter(pk=noyo_id),
            lambda r: Match(
                f"Member request {r.pk}", r.get_status_display(), reverse("members:memberrequest_detail", args=[r.pk])
            ),
        ),
        (
            "Member transactions",
            MemberTransaction.objects.filter(pk=noyo_id),
            lambda t: Match(
                f"Transaction {t.pk}", t.get_status_display(), reverse("members:transaction_detail", args=[t.pk])
            ),
        ),
        (
            "Disconnection requests",
            GroupDisconnectionRequest.objects.filter(pk=noyo_id),
            lambda d: Match(
                f"Disconnection request {d.pk}",
                d.get_status_display(),
                reverse("connections:disconnection_detail", args=[d.pk]),
            ),
        ),
        (
            "Renewal decisions",
            RenewalDecision.objects.filter(pk=noyo_id),
            lambda r: Match(f"Renewal decision {r.pk}", "", reverse("connections:renewal_detail", args=[r.pk])),
        ),
        # An id of a group or an organization is also on each of its connections.
        (
            "Connections of this group or organization",
            GroupConnection.objects.select_related("carrier").filter(Q(group_id=noyo_id) | Q(organization_id=noyo_id)),
            _connection,
        ),
    ]
    return [_kind(name, rows, describe) for name, rows, describe in lookups]


def _by_words(text: str) -> list[Kind]:
    kinds = []
    if "@" in text:
        return [
            _kind(
                "Employees",
                Employee.objects.select_related("group").search(text),
                _employee,
                _list("members:employee_list", text),
            )
        ]
    if len(text) < MIN_NAME_LENGTH:
        return []
    kinds.append(
        _kind(
            "Groups",
            Group.objects.filter(Q(name__icontains=text) | Q(dba_name__icontains=text)).order_by("name"),
            _group,
            _list("connections:group_list", text),
        )
    )
    kinds.append(
        _kind(
            "Employees",
            Employee.objects.select_related("group").search(text).order_by("last_name", "first_name"),
            _employee,
            _list("members:employee_list", text),
        )
    )
    kinds.append(
        _kind(
            "Carriers",
            Carrier.objects.filter(name__icontains=text).order_by("name"),
            _carrier,
            _list("connections:carrier_list", text),
        )
    )
    if " " not in text and any(ch.isdigit() for ch in text):
        kinds.append(
            _kind(
                "Connections by carrier group id",
                GroupConnection.objects.select_related("carrier")
                .filter(carrier_group_id__icontains=text)
                .order_by("carrier_group_id", "pk"),
                _connection,
                _list("connections:connection_list", text),
            )
        )
    return kinds


def find(text: str) -> list[Kind]:
    """The kinds of record that match, each with its first matches; kinds without a match left out."""
    text = " ".join(text.split())
    if not text:
        return []
    noyo_id = pasted_noyo_id(text)
    kinds = _by_id(noyo_id) if noyo_id else _by_words(text)
    return [kind for kind in kinds if kind.matches]


def only_match(kinds: list[Kind]) -> Match | None:
    """The one record the search names, to go straight to; None when it names none or several."""
    matches = {match.url: match for kind in kinds for match in kind.matches}
    if len(matches) == 1 and not any(kind.more for kind in kinds):
        return next(iter(matches.values()))
    return None
