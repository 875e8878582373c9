"""No query string makes a page or an export answer 5xx: Hypothesis throws arbitrary values at every parameter.

The routes come from the URL configuration (``tests.routes``), so a list or export added later is
fuzzed without touching this file; a new route that needs a path argument must get one in
``ROUTE_ARGS`` or be named in ``SKIPPED`` with the reason (the first test checks). The admin site
is left out by ``tests.routes``: it is Django's own, with its own parameter handling.

1. Each route is asked once with no query string, recording every key it looks up in
   ``request.GET`` (templates included), the form fields it builds and the sort keys it offers.
2. Each key it reads is then sent hostile values (edge integers for a page, far dates for a date,
   NUL bytes, unicode, long strings, invalid UTF-8 for the rest) beside a few valid parameters
   (a choice, a real id, a plausible date), so that the filters pass and the paging, sorting and
   export code behind them runs. The simplest example comes first, and it is the worst value.
3. A few more requests per route mix everything: repeated keys, unknown keys, several bad values.

Derandomized and without a database of examples: every run sends the same requests (about 450).
Shrinking is off: a failure names the exact query string, and shrinking it cost minutes.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import uuid
from dataclasses import dataclass, field

import pytest
from django import forms
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from command_center import lists
from command_center.audit import record_sync
from command_center.models import AuditEntry
from connections import actions
from connections import retry as retries
from connections.models import NoyoAction
from members.models import FulfillmentSummary, IndividualEnrollment, TrackingDifference
from tests.attention.factories import make_item
from tests.factories import (
    make_carrier,
    make_connection,
    make_disconnection,
    make_group,
    make_renewal_decision,
    make_status_change,
    make_sync_run,
)
from tests.members.factories import (
    make_dependent,
    make_difference,
    make_employee,
    make_enrollment,
    make_fulfillment,
    make_member_request,
    make_premium,
    make_snapshot,
    make_transaction,
)
from tests.routes import named_routes

# Routes not fuzzed, and why.
SKIPPED = {
    "logout": "POST only: a GET is refused (405) before any parameter is read",
    "sync_start": "POST only (starts a sync)",
    "noyo_webhook": "POST only, public, signed: tests/sync/test_webhook_view.py covers bad bodies",
    "connections:connection_bulk_retry": "POST only (retries the ticked connections)",
    "api:connection-retry": "POST only (retries at Noyo)",
    "api:connection-bulk-retry": "POST only (retries several connections at Noyo)",
    "api:connection-create": "POST only (creates a connection at Noyo)",
    "api:disconnection-confirm": "POST only (confirms a disconnection request at Noyo)",
    "api:disconnection-reject": "POST only (rejects a disconnection request at Noyo)",
    "api:renewal-create": "POST only (creates a renewal decision at Noyo)",
    "api:sync-start": "POST only (starts a sync)",
    "api:attention-acknowledge": "POST only (acknowledges the item)",
    "api:attention-assign": "POST only (assigns the item)",
    "api:attention-snooze": "POST only (snoozes the item)",
    "attention_acknowledge": "POST only (acknowledges the item); a GET only redirects to the item",
    "attention_assign": "POST only (assigns the item); a GET only redirects to the item",
    "attention_snooze": "POST only (snoozes the item); a GET only redirects to the item",
    "note_add": "POST only (saves a note); a GET only redirects to the record",
    "view_save": "POST only (saves a view of a list)",
    "view_default": "POST only (makes a saved view the default)",
    "view_delete": "POST only (deletes a saved view)",
    "view_open": "reads no parameter: redirects to the saved list, whose page is fuzzed",
    "api_key_create": "POST only (makes an API key); a GET only redirects to the keys page",
    "api_key_revoke": "POST only (revokes an API key); a GET only redirects to the keys page",
    "alerts:report_delete": "POST only (deletes a scheduled report)",
    "alerts:subscription_delete": "POST only (deletes one's own subscription); a GET only redirects to the subscriptions",
}
# Route → the rows fixture's arguments for it (a route with path arguments must be here or skipped).
ROUTE_ARGS = {
    "sync_detail": lambda rows: {"pk": rows.run.pk},
    "sync_progress": lambda rows: {"pk": rows.run.pk},
    "connections:group_detail": lambda rows: {"pk": rows.group.pk},
    "connections:carrier_detail": lambda rows: {"pk": rows.carrier.pk},
    "connections:connection_detail": lambda rows: {"pk": rows.connection.pk},
    "connections:renewal_detail": lambda rows: {"pk": rows.renewal.pk},
    "connections:connection_retry": lambda rows: {"pk": rows.connection.pk},
    "connections:retry_attempt": lambda rows: {"pk": rows.connection.pk, "token": rows.attempt.token},
    "connections:disconnection_detail": lambda rows: {"pk": rows.disconnection.pk},
    "connections:disconnection_confirm": lambda rows: {"pk": rows.disconnection.pk},
    "connections:disconnection_reject": lambda rows: {"pk": rows.disconnection.pk},
    "connections:action_outcome": lambda rows: {"token": rows.action.token},
    "api:connection-detail": lambda rows: {"pk": rows.connection.pk},
    "api:group-detail": lambda rows: {"pk": rows.group.pk},
    "api:carrier-detail": lambda rows: {"pk": rows.carrier.pk},
    "api:disconnection-request-detail": lambda rows: {"pk": rows.disconnection.pk},
    "api:renewal-decision-detail": lambda rows: {"pk": rows.renewal.pk},
    "api:employee-detail": lambda rows: {"pk": rows.employee.pk},
    "api:enrollment-detail": lambda rows: {"pk": _first(IndividualEnrollment)},
    "api:snapshot-detail": lambda rows: {"pk": rows.snapshot.pk},
    "api:fulfillment-summary-detail": lambda rows: {"pk": _first(FulfillmentSummary)},
    "api:tracking-difference-detail": lambda rows: {"pk": _first(TrackingDifference)},
    "api:member-request-detail": lambda rows: {"pk": rows.member_request.pk},
    "api:transaction-detail": lambda rows: {"pk": rows.transaction.pk},
    "api:attention-item-detail": lambda rows: {"pk": rows.item.pk},
    "api:sync-run-detail": lambda rows: {"pk": rows.run.pk},
    "api:audit-entry-detail": lambda rows: {"pk": _first(AuditEntry)},
    "members:employee_detail": lambda rows: {"pk": rows.employee.pk},
    "members:snapshot_detail": lambda rows: {"pk": rows.snapshot.pk},
    "members:memberrequest_detail": lambda rows: {"pk": rows.member_request.pk},
    "members:transaction_detail": lambda rows: {"pk": rows.transaction.pk},
    "attention_detail": lambda rows: {"pk": rows.item.pk},
    # An Operator is refused the deliveries (403) before anything is read: tests/alerts covers the page.
    "alerts:delivery_detail": lambda rows: {"pk": 1},
    "alerts:report_create": lambda rows: {"view_pk": _saved_view().pk},
    "alerts:report_edit": lambda rows: {"pk": _scheduled_report().pk},
}
ROUTES = [(name, pattern) for name, pattern in named_routes() if name not in SKIPPED]


def _saved_view():
    from django.contrib.auth import get_user_model

    from command_center.models import SavedView

    owner = get_user_model().objects.order_by("pk").first()
    return SavedView.objects.get_or_create(
        owner=owner,
        list_name="connections:connection_list",
        name="Failing",
        defaults={"query": "status=unable_to_connect"},
    )[0]


def _scheduled_report():
    import datetime as dt

    from command_center.alerts.models import Channel, ScheduledReport

    view = _saved_view()
    channel = Channel.objects.get_or_create(name="E-mail", defaults={"kind": "email"})[0]
    return ScheduledReport.objects.get_or_create(
        owner=view.owner, view=view, defaults={"channel": channel, "at": dt.time(8), "time_zone": "UTC"}
    )[0]


def _first(model):
    """The id of the one row of ``model`` the rows fixture makes (it keeps no name for it)."""
    return model.objects.values_list("pk", flat=True).first()


# Requests for each key a route reads, and of anything at all, per route.
EXAMPLES_PER_KEY = 2
MIXED_EXAMPLES = 5

# Parameters read as whole numbers (the lists, the sync page's failures, the API's pages).
INTEGER_KEYS = {"page", "per_page", "page_size", "limit", "offset"}
# The first of each list is what Hypothesis sends first: the worst.
INTEGER_EDGES = [
    str(2**63),
    "-1",
    "0",
    str(2**31),
    str(2**63 - 1),
    str(2**64),
    "9" * 30,
    "9" * 5000,
    "1e309",
    "1.0",
    "٣",
]
DATE_EDGES = [
    "9999-12-31",
    "0001-01-01",
    "9999-12-30",
    "0001-01-02",
    "1899-12-31",
    "10000-01-01",
    "2026-02-30",
    "0000-00-00",
]
ID_EDGES = ["not-an-id", "\x00", str(2**63), "-1", "1.5", "x" * 5000]
TEXT_EDGES = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "",
    " ",
    "+",
    "%00",
    "😀",
    "\u202e",
    "' OR 1=1 --",
    "<script>",
    "٣",
    str(2**63),
    "-1",
    "nan",
    "9999-12-31",
]


@dataclass
class Rows:
    """A few rows of every kind, so the pages run their row code; ``ids`` are theirs, to send."""

    carrier: object
    group: object
    connection: object
    run: object
    attempt: object
    employee: object
    snapshot: object
    member_request: object
    renewal: object
    disconnection: object
    action: object
    transaction: object
    item: object
    ids: list


@pytest.fixture
def rows(operator):
    carrier = make_carrier()
    group = make_group()
    connection = make_connection(group=group, carrier=carrier, status="unable_to_connect", setup_error="Wrong id")
    make_status_change(connection, "processing", "unable_to_connect")
    run = make_sync_run(status="partial")
    run.failures.create(
        resource="group_connections", noyo_id=connection.pk, reason="Bad record", payload={"ssn": "123456789"}
    )
    record_sync(operator, run)
    attempt = retries.prepare_attempt(connection, operator)
    employee = make_employee(group=group)
    make_dependent(employee)
    make_enrollment(employee, carrier=carrier)
    make_premium(employee, carrier=carrier)
    snapshot = make_snapshot(employee, status="failed")
    make_fulfillment(snapshot, carrier=carrier, status="invalid")
    difference = make_difference(snapshot, carrier=carrier)
    member_request = make_member_request(employee, status="failed")
    transaction = make_transaction(
        member_request,
        carrier=carrier,
        status="failed",
        raw={"body": {"carrier_id": carrier.pk}, "result": {"errors": [{"message": "No"}]}},
    )
    renewal = make_renewal_decision(
        group,
        carrier_ids=carrier.pk,
        issues=[{"level": "error", "message": "No plans", "carrier_id": carrier.pk, "line_of_coverage": "medical"}],
        raw={
            "body": {
                "carriers": [
                    {
                        "carrier_id": carrier.pk,
                        "lines_of_coverage": {"medical": {"plans": [{"plan_id": connection.pk}]}},
                    }
                ]
            }
        },
    )
    disconnection = make_disconnection(group, carrier=carrier, group_name=group.name, status="needs_review")
    action = actions.prepare(NoyoAction.Kind.CONFIRM_DISCONNECTION, operator, target_id=disconnection.pk)
    item = make_item(record=connection, assigned_to=operator)
    ids = [
        connection.pk,
        group.pk,
        carrier.pk,
        employee.pk,
        snapshot.pk,
        member_request.pk,
        transaction.pk,
        difference.pk,
        str(run.pk),
        renewal.pk,
        disconnection.pk,
        str(item.pk),
    ]
    return Rows(
        carrier,
        group,
        connection,
        run,
        attempt,
        employee,
        snapshot,
        member_request,
        renewal,
        disconnection,
        action,
        transaction,
        item,
        ids,
    )


def test_every_route_is_fuzzed_or_skipped_for_a_reason():
    for name, pattern in named_routes():
        if name not in SKIPPED and pattern.pattern.converters:
            assert name in ROUTE_ARGS, f"{name} takes arguments: give it some in ROUTE_ARGS, or skip it with a reason"
    names = {name for name, _ in ROUTES}
    assert {
        "connections:connection_list",
        "connections:connection_export",
        "members:employee_list",
        "audit_export",
    } <= names
    assert {
        "connections:carrier_list",
        "connections:carrier_export",
        "connections:renewal_list",
        "connections:renewal_export",
    } <= names
    assert {"attention_list", "attention_export", "attention_detail"} <= names


# --- What a route reads ----------------------------------------------------------------------


@dataclass
class Parameters:
    """What a route reads: the query keys it looks up, the form fields it builds, its sort keys."""

    keys: set = field(default_factory=set)
    fields: dict = field(default_factory=dict)
    sorts: set = field(default_factory=set)


def probe(client, url, monkeypatch) -> Parameters:
    """Ask the route once, plainly, recording every key looked up, the forms built and the sorts offered."""
    found = Parameters()
    original_init, original_sort = forms.BaseForm.__init__, lists.valid_sort

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        found.fields.update({self.add_prefix(name): form_field for name, form_field in self.fields.items()})

    def recording_sort(request, sorts, default):
        found.sorts.update(sorts)
        return original_sort(request, sorts, default)

    def recording(method):
        def read(self, key, *args, **kwargs):
            found.keys.add(key)
            return method(self, key, *args, **kwargs)

        return read

    with monkeypatch.context() as patch:
        patch.setattr(forms.BaseForm, "__init__", recording_init)
        patch.setattr(lists, "valid_sort", recording_sort)
        for method in ("__getitem__", "__contains__", "get", "getlist"):
            patch.setattr(QueryDict, method, recording(getattr(QueryDict, method)))
        response = client.get(url)
        _consume(response)
    assert response.status_code < 500, url
    found.keys = {key for key in found.keys | set(found.fields) if isinstance(key, str)}
    return found


def _consume(response):
    """The body; a streamed export is read to the end, where its errors would surface."""
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Values ----------------------------------------------------------------------------------


def _is_date(name, form_field):
    return isinstance(form_field, forms.DateField) or name == "as_of"


def anything():
    return st.one_of(
        st.sampled_from(TEXT_EDGES),
        st.integers().map(str),
        st.text(max_size=40),
        st.binary(max_size=12),  # percent-encoded as is: invalid UTF-8 too
        st.dates().map(dt.date.isoformat),
    )


def hostile(name, form_field):
    """Bad values aimed at what the parameter is, then anything at all."""
    if name in INTEGER_KEYS:
        aimed = st.one_of(st.sampled_from(INTEGER_EDGES), st.integers().map(str))
    elif _is_date(name, form_field):
        aimed = st.one_of(st.sampled_from(DATE_EDGES), st.dates().map(dt.date.isoformat))
    elif name == "ids" or isinstance(form_field, (forms.ModelChoiceField, forms.UUIDField)):
        aimed = st.sampled_from(ID_EDGES)
    else:
        aimed = st.sampled_from(TEXT_EDGES)
    return st.one_of(aimed, anything())


def valid(name, form_field, params: Parameters, ids):
    """Values the route accepts for ``name``: a sort key, a small number, an id, a date, a choice."""
    if name == "sort" and params.sorts:
        return st.sampled_from(sorted(params.sorts)).flatmap(lambda key: st.sampled_from([key, f"-{key}"]))
    if name in INTEGER_KEYS:
        return st.integers(min_value=1, max_value=3).map(str)
    if name == "ids":
        return st.sampled_from(ids)
    if _is_date(name, form_field):
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(dt.date.isoformat)
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from(["on", "true"])
    if isinstance(form_field, forms.ChoiceField):  # a ModelChoiceField too: its choices are the rows
        choices = [str(value) for value, _ in form_field.choices if str(value)]
        if choices:
            return st.sampled_from(choices)
    if isinstance(form_field, forms.UUIDField):
        return st.just(str(uuid.UUID(int=1)))
    return st.sampled_from(["First", "Group", *ids])


def _pairs(params, values_for):
    keys = sorted(params.keys) or ["q"]
    return st.sampled_from(keys).flatmap(
        lambda name: st.tuples(st.just(name), values_for(name, params.fields.get(name)))
    )


def aimed_at(key, params: Parameters, ids):
    """A bad ``key`` after up to two valid parameters (which may be ``key`` again)."""
    context = st.lists(_pairs(params, lambda name, form_field: valid(name, form_field, params, ids)), max_size=2)
    return st.tuples(context, hostile(key, params.fields.get(key))).map(
        lambda parts: urllib.parse.urlencode([*parts[0], (key, parts[1])])
    )


def mixed(params: Parameters, ids):
    """Valid and bad parameters, repeated keys, an unknown key: anything goes."""
    either = _pairs(
        params, lambda name, form_field: st.one_of(valid(name, form_field, params, ids), hostile(name, form_field))
    )
    unknown = st.tuples(st.text(max_size=10), anything())
    return st.tuples(st.lists(either, max_size=5), st.lists(unknown, max_size=1)).map(
        lambda parts: urllib.parse.urlencode([*parts[0], *parts[1]])
    )


# --- The property ----------------------------------------------------------------------------


def fuzz(client, url, queries, examples):
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query=queries, htmx=st.booleans())
    def answers_without_a_server_error(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        # A savepoint per request: a database error must not poison the next example's queries.
        with transaction.atomic():
            response = client.get(f"{url}?{query}", headers=headers)
            _consume(response)
        assert response.status_code < 500, f"{url}?{query}"

    answers_without_a_server_error()


@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_no_query_string_makes_a_route_answer_5xx(operator_client, rows, monkeypatch, name, pattern):
    url = reverse(name, kwargs=ROUTE_ARGS[name](rows) if name in ROUTE_ARGS else {})
    params = probe(operator_client, url, monkeypatch)
    for key in sorted(params.keys):
        fuzz(operator_client, url, aimed_at(key, params, rows.ids), EXAMPLES_PER_KEY)
    fuzz(operator_client, url, mixed(params, rows.ids), MIXED_EXAMPLES)
