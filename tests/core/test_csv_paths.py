"""The two ways a CSV is written give the same bytes: PostgreSQL writing every cell (COPY, or the cells it can
make beside those Python makes) and Python writing every cell (the path SQLite takes)."""

import csv
import datetime as dt
import io
import os

import pytest
from django.db import connection
from django.urls import reverse

from command_center.json_cells import _LIST_FUNCTIONS
from command_center.lists import Column, _compiled, _select, copy_lines, csv_rows, sql_cells
from command_center.models import AttentionItem, AuditEntry
from command_center.views.attention import ATTENTION_COLUMNS
from command_center.views.audit import AUDIT_COLUMNS
from connections.disconnection_views import DISCONNECTION_COLUMNS
from connections.filters import connections_for_list, disconnections_for_list, groups_for_list
from connections.models import GroupConnection
from connections.views import (
    CARRIER_COLUMNS,
    CONNECTION_COLUMNS,
    GROUP_COLUMNS,
    _renewal_columns,
    carriers_for_list,
    renewals_for_list,
)
from members import columns
from members.filters import status_on
from members.models import (
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    MemberTransaction,
    TrackingDifference,
)
from tests.factories import make_carrier, make_connection, make_disconnection, make_group, make_renewal_decision
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_difference,
    make_employee,
    make_enrollment,
    make_fulfillment,
    make_member_request,
    make_snapshot,
    make_transaction,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQL cells are written for PostgreSQL")

# What a cell may hold that a CSV writer must quote, escape or neutralise.
TRICKY = [
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\r\nlf",
    "Zoë ☃",
    " lead",
    "12-34",
    "'quoted",
    "x\\y",
    "trailing ",
]
# JSON values of every shape, where a cell reads text out of JSON: nested, Unicode, numbers PostgreSQL
# prints in its own way (no exponent), falsy values Python skips.
JSON_VALUES = [
    None,
    "",
    0,
    0.0,
    False,
    True,
    [],
    {},
    123456789,
    1.5,
    1e-07,
    1e20,
    -0.25,
    'Zoë ☃ "q" \\ \n\t\x01',
    {"bb": 1, "a": [1.5, None, True, "é"], "ccc": {"z": {}, "y": []}},
    [1, "two", [3]],
]


WITH_MICROSECONDS = dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC)
WHOLE_SECOND = dt.datetime(2026, 3, 4, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def written_by_python(queryset, columns_) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(queryset, columns_, in_sql=False))
    return out.getvalue().encode()


def written_by_postgres(queryset, columns_) -> bytes:
    lines = copy_lines(queryset, columns_)
    if lines is not None:
        return b"".join(lines)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(queryset, columns_))
    return out.getvalue().encode()


def assert_same_bytes(queryset, columns_, rows):
    queryset = queryset.order_by("pk")
    python = written_by_python(queryset, columns_)
    assert python.count(b"\r\n") >= rows  # the data is there, and with csv.writer's line ends
    assert written_by_postgres(queryset, columns_) == python


def copied(queryset, columns_) -> str:
    """The export's data lines as COPY writes them, in primary key order."""
    return b"".join(copy_lines(queryset.order_by("pk"), columns_)).decode()


@pytest.fixture
def tricky_connections(db):
    carrier = make_carrier(name="=Carrier", format_example="-1")
    for n, text in enumerate(TRICKY):
        group = make_group(name=text, dba_name=text, federal_ein=text)
        make_connection(
            group=group,
            group_name=text,
            carrier=carrier,
            setup_error=text,
            carrier_group_id=text,
            federal_ein=text,
            status_changed_at=None if n % 3 == 0 else (WITH_MICROSECONDS if n % 3 == 1 else WHOLE_SECOND),
            modified=WITH_MICROSECONDS,
            created=WHOLE_SECOND,
        )
        make_disconnection(
            group,
            carrier=carrier,
            reason=text,
            source_id=text,
            effective_end_date=dt.date(2027, 1, n + 1),
            decided=WITH_MICROSECONDS if n % 2 else None,
        )
        make_renewal_decision(group, carrier_ids=f"{carrier.pk},{text}", issues=[{"level": "error", "message": text}])
    return carrier


def test_connections_groups_carriers_disconnections_and_renewals_are_the_same_bytes_both_ways(tricky_connections):
    rows = len(TRICKY)
    assert_same_bytes(connections_for_list(), CONNECTION_COLUMNS, rows)
    assert_same_bytes(groups_for_list(), GROUP_COLUMNS, rows)
    assert_same_bytes(carriers_for_list(), CARRIER_COLUMNS, 1)
    assert_same_bytes(disconnections_for_list(), DISCONNECTION_COLUMNS, rows)
    assert_same_bytes(renewals_for_list(), _renewal_columns(), rows)


def test_a_column_only_python_can_make_keeps_the_other_cells_made_in_sql(tricky_connections):
    """No export has one today; one that did would take the mixed way rather than lose the column."""
    columns_ = [
        *CONNECTION_COLUMNS,
        Column("Modified, as Python prints it", "modified"),  # a datetime with no Format: SQL cannot say it
        Column("Shouted", "group_name", lambda name: name.upper()),  # a Python function, no SQL side
    ]
    cells = sql_cells(connections_for_list(), columns_)
    assert all(cell is not None for cell in cells[: len(CONNECTION_COLUMNS)]) and cells[-2:] == [None, None]
    assert copy_lines(connections_for_list(), columns_) is None
    assert_same_bytes(connections_for_list(), columns_, len(TRICKY))


def test_renewal_issues_of_every_shape_are_the_same_bytes_both_ways(db):
    aetna = make_carrier(name="Aetna")
    group = make_group()
    shapes = [
        [{"level": "error", "message": "No plans found.", "carrier_id": aetna.pk, "line_of_coverage": "medical"}],
        [{"level": "warning", "message": "Not mirrored", "carrier_id": "not-a-carrier", "line_of_coverage": "add"}],
        [{"level": "", "message": ""}, {}, {"line_of_coverage": "short_term_disability"}, {"carrier_id": aetna.pk}],
        [{"level": "Odd-Level_x", "message": {"b": 1, "a": 1e-07}, "carrier_id": 12, "line_of_coverage": "hdhp"}],
        [{"level": text, "message": text, "carrier_id": text, "line_of_coverage": text} for text in TRICKY],
        [{"level": value, "message": value, "carrier_id": value, "line_of_coverage": value} for value in JSON_VALUES],
        JSON_VALUES,  # no issue is an object: none is told
        {"level": "error", "message": "an issue, not in a list"},
        "not a list",
        [],
    ]
    for issues in shapes:
        make_renewal_decision(group, issues=issues, carrier_ids=f"{aetna.pk},,unknown-id,=1")
    assert_same_bytes(renewals_for_list(), _renewal_columns(), len(shapes))
    body = copied(renewals_for_list(), _renewal_columns())
    assert "Error: No plans found. (Aetna, Medical)" in body
    assert "Warning: Not mirrored (not-a-carrier, AD&D)" in body
    assert "Aetna; unknown-id; =1" in body


def test_attention_and_audit_are_the_same_bytes_both_ways(tricky_connections, operator):
    connection_ = make_connection(carrier=tricky_connections)
    for n, text in enumerate(TRICKY):
        AttentionItem.objects.create(
            kind="connection_failed",
            resource="connections.groupconnection",
            object_id=f"{text}{n}",
            carrier=tricky_connections,
            group=connection_.group,
            summary=text,
            first_detected_at=WITH_MICROSECONDS,
            last_detected_at=WHOLE_SECOND,
            opened_at=WHOLE_SECOND,
        )
        AuditEntry.objects.create(
            actor=operator if n % 2 else None,
            action="retry",
            outcome="ok",
            object_type=text,
            object_id=text,
            summary=text,
            details={"text": text, "n": n} if n % 3 else {},
        )
    for value in JSON_VALUES[1:]:  # details of every shape, not only what the product writes
        AuditEntry.objects.create(action="retry", outcome="ok", object_type="x", object_id="y", details=value)
    assert_same_bytes(AttentionItem.objects.all(), ATTENTION_COLUMNS, len(TRICKY))
    assert_same_bytes(AuditEntry.objects.select_related("actor"), AUDIT_COLUMNS, len(TRICKY))


def test_every_members_export_is_the_same_bytes_both_ways(db):
    carrier = make_carrier(name="@Carrier")
    for n, text in enumerate(TRICKY):
        employee = make_employee(
            first_name=text,
            last_name=text,
            occupation=text,
            middle_name=text,
            lines_of_coverage="" if n % 2 else "dental,medical",
            modified=WITH_MICROSECONDS,
        )
        make_enrollment(employee, carrier=carrier, effective_end_date=None if n % 2 else dt.date(2026, 1, 1))
        snapshot = make_snapshot(employee, created=WHOLE_SECOND)
        make_fulfillment(snapshot, carrier=carrier, errors=[{"message": f"{text} SSN {FULL_SSN}", "field": text}])
        make_difference(
            snapshot,
            carrier=carrier,
            fields=[{"key": "first_name", "platform_value": text, "carrier_value": "x"}],
            is_dismissed=bool(n % 2),
        )
        request = make_member_request(employee, transaction_ids=["a", "b"][: n % 3], created=WITH_MICROSECONDS)
        make_transaction(
            request, carrier=carrier, raw={"result": {"errors": [{"message": f"{text} {FULL_SSN}"}]}} if n % 2 else {}
        )
    rows = len(TRICKY)
    assert_same_bytes(columns.EMPLOYEES.queryset(Employee.objects.all()), columns.EMPLOYEES.columns, rows)
    enrollments = IndividualEnrollment.objects.annotate(csv_status_on=status_on(dt.date(2026, 6, 1)))
    assert_same_bytes(enrollments, columns.ENROLLMENTS.columns, rows)
    assert_same_bytes(columns.SNAPSHOTS.queryset(MemberSnapshot.objects.all()), columns.SNAPSHOTS.columns, rows)
    assert_same_bytes(
        columns.FULFILLMENTS.queryset(FulfillmentSummary.objects.all()), columns.FULFILLMENTS.columns, rows
    )
    assert_same_bytes(
        columns.MEMBER_REQUESTS.queryset(MemberRequest.objects.all()), columns.MEMBER_REQUESTS.columns, rows
    )
    assert_same_bytes(
        columns.TRANSACTIONS.queryset(MemberTransaction.objects.all()), columns.TRANSACTIONS.columns, rows
    )
    assert_same_bytes(columns.DIFFERENCES.queryset(TrackingDifference.objects.all()), columns.DIFFERENCES.columns, rows)


# Error messages an SSN may hide in, and text that only looks like one.
SSN_TEXTS = [
    FULL_SSN,
    f"={FULL_SSN}",
    f"-{SSN_DIGITS}",
    f"\t{SSN_DIGITS} at the start",
    f"SSN {FULL_SSN}, again {SSN_DIGITS}\nand on a new line {FULL_SSN}",
    f'say "{SSN_DIGITS}", twice',
    "EIN 12-3456789, id 1234-56-7890, 12345678901, a123456789, 123456789_",
    "é123456789 and 123456789é",  # a Unicode letter beside it: a word, not an SSN
    "١٢٣-٤٥-٦٧٨٩ and １２３４５６７８９",  # Unicode digits are digits
    "123-456789",
]


def test_transaction_errors_are_masked_the_same_both_ways(db):
    employee = make_employee()
    request = make_member_request(employee)
    messages = [*SSN_TEXTS, *TRICKY, None, 123456789, {"nested": FULL_SSN}]
    for message in messages:
        make_transaction(request, raw={"result": {"errors": [{"message": message}]}})
    make_transaction(request, raw={})
    queryset = columns.TRANSACTIONS.queryset(MemberTransaction.objects.all())
    assert_same_bytes(queryset, columns.TRANSACTIONS.columns, len(messages) + 1)
    body = copied(queryset, columns.TRANSACTIONS.columns)
    assert FULL_SSN not in body and "١٢٣" not in body and "é123456789" in body
    assert "'=•••-••-6789" in body and "'\t•••-••-6789 at the start" in body
    assert "'-123456789" in body  # a hyphen before it reads as part of a longer id, on the pages as here


def error_shapes():
    """Errors as Noyo documents them, and shapes it does not: a message, a detail instead, a bare value."""
    yield [{"code": "plan_not_found", "field": "coverages[0].plan_name", "message": "No plan named 'Gold PPO'"}]
    yield [{"detail": "Only a detail"}, {"message": "", "detail": "an empty message reads the detail"}]
    yield [{"code": 7, "message": 0, "detail": None, "field": ["a", 1]}, {}, {"field": "only a field"}]
    yield [{"message": f"{text} SSN {FULL_SSN}", "code": text, "field": text} for text in TRICKY]
    yield [{"message": text} for text in SSN_TEXTS]
    yield [*JSON_VALUES, f"bare {FULL_SSN}"]
    yield [{"message": value, "code": value, "field": value} for value in JSON_VALUES]
    yield from (value for value in JSON_VALUES if value is not None)  # not a list at all (the column is NOT NULL)
    yield {"message": "an error, not in a list"}


def test_fulfillment_errors_of_every_shape_are_the_same_bytes_both_ways(db):
    employee = make_employee()
    carrier = make_carrier()
    shapes = list(error_shapes())
    for errors in shapes:
        make_fulfillment(make_snapshot(employee), carrier=carrier, errors=errors)
    queryset = columns.FULFILLMENTS.queryset(FulfillmentSummary.objects.all())
    assert_same_bytes(queryset, columns.FULFILLMENTS.columns, len(shapes))
    body = copied(queryset, columns.FULFILLMENTS.columns)
    assert FULL_SSN not in body
    assert "plan_not_found: No plan named 'Gold PPO' (coverages[0].plan_name)" in body
    assert "Only a detail; an empty message reads the detail" in body
    assert "0.0000001" in body and "100000000000000000000" in body


def test_difference_fields_of_every_shape_are_the_same_bytes_both_ways(db):
    snapshot = make_snapshot(make_employee())
    carrier = make_carrier()
    sides = [*JSON_VALUES, "9999-12-31", FULL_SSN, SSN_DIGITS, "12", "١٢٣٤٥", "x²³⁴⁵", {"member": {"ssn": FULL_SSN}}]
    shapes = [
        [{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
        [{"key": "effective_end_date", "platform_value": "9999-12-31", "carrier_value": None}],
        *(
            [{"key": key, "platform_value": value, "carrier_value": value} for value in sides]
            for key in ("first_name", "ssn", "Member_SSN", "", None, 7)
        ),
        [{"key": text, "platform_value": text, "carrier_value": text} for text in TRICKY],
        [{"key": "x", "platform_value": text} for text in SSN_TEXTS],
        [*JSON_VALUES, f"bare {FULL_SSN}", {}],
        {"key": "not in a list", "platform_value": "a"},
        "not a list",
        [],
    ]
    for fields in shapes:
        make_difference(snapshot, carrier=carrier, fields=fields)
    queryset = columns.DIFFERENCES.queryset(TrackingDifference.objects.all())
    assert_same_bytes(queryset, columns.DIFFERENCES.columns, len(shapes))
    body = copied(queryset, columns.DIFFERENCES.columns)
    assert FULL_SSN not in body
    assert "date_of_birth: 2016-08-02 (platform) / 2016-02-08 (carrier)" in body
    assert "effective_end_date: open-ended (9999-12-31) (platform) / — (carrier)" in body
    assert "ssn: •••-••-6789 (platform)" in body and "(holds an SSN: see the difference's page)" in body


def difference_fields(fields_lists) -> tuple:
    snapshot = make_snapshot(make_employee())
    carrier = make_carrier()
    for fields in fields_lists:
        make_difference(snapshot, carrier=carrier, fields=fields)
    return columns.DIFFERENCES.queryset(TrackingDifference.objects.all()), columns.DIFFERENCES.columns


TWO_FIELDS = [
    [
        {"key": "first_name", "platform_value": "Ann", "carrier_value": "Anne"},
        {"key": "ssn", "platform_value": FULL_SSN},
    ],
    [{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
]


def test_list_cells_leave_the_rows_cells_to_postgresqls_parallel_workers(db):
    # A subquery in a cell (a SubPlan) keeps PostgreSQL from making any of the row's cells in parallel workers.
    queryset, columns_ = difference_fields(TWO_FIELDS)
    sql, params = _compiled(_select(queryset, columns_, sql_cells(queryset, columns_)))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (VERBOSE) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" not in plan and "cc_list_" in plan
    assert "first_name: Ann (platform) / Anne (carrier); ssn: •••-••-6789 (platform)" in copied(queryset, columns_)


def test_where_functions_may_not_be_made_list_cells_keep_their_subqueries(db):
    queryset, columns_ = difference_fields(TWO_FIELDS)
    role = f"cc_test_no_ddl_{os.getpid()}"
    _compiled(_select(queryset, columns_, sql_cells(queryset, columns_)))  # names its functions
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {', '.join(f'{name}(jsonb)' for name in _LIST_FUNCTIONS)}")
        cursor.execute(f"CREATE ROLE {role}")  # the test's transaction takes it away again
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")  # PostgreSQL 15: only the owner may create in schema public
    assert_same_bytes(queryset, columns_, len(TWO_FIELDS))
    sql, params = _compiled(_select(queryset, columns_, sql_cells(queryset, columns_)))
    assert "cc_list_" not in sql and "jsonb_array_elements" in sql


@pytest.mark.parametrize(
    "columns_",
    [
        CONNECTION_COLUMNS,
        GROUP_COLUMNS,
        CARRIER_COLUMNS,
        DISCONNECTION_COLUMNS,
        ATTENTION_COLUMNS,
        AUDIT_COLUMNS,
        _renewal_columns,
        columns.EMPLOYEES.columns,
        columns.SNAPSHOTS.columns,
        columns.FULFILLMENTS.columns,
        columns.MEMBER_REQUESTS.columns,
        columns.TRANSACTIONS.columns,
        columns.DIFFERENCES.columns,
    ],
    ids=[
        "connections",
        "groups",
        "carriers",
        "disconnections",
        "attention",
        "audit",
        "renewals",
        "employees",
        "snapshots",
        "fulfillments",
        "member_requests",
        "transactions",
        "differences",
    ],
)
def test_these_exports_are_written_whole_by_copy(db, columns_):
    """A column only Python can make would take the export off COPY (several times slower at 1M rows)."""
    model = {
        id(CONNECTION_COLUMNS): connections_for_list(),
        id(GROUP_COLUMNS): groups_for_list(),
        id(CARRIER_COLUMNS): carriers_for_list(),
        id(DISCONNECTION_COLUMNS): disconnections_for_list(),
        id(ATTENTION_COLUMNS): AttentionItem.objects.all(),
        id(AUDIT_COLUMNS): AuditEntry.objects.select_related("actor"),
        id(_renewal_columns): renewals_for_list(),
        id(columns.EMPLOYEES.columns): columns.EMPLOYEES.queryset(Employee.objects.all()),
        id(columns.SNAPSHOTS.columns): columns.SNAPSHOTS.queryset(MemberSnapshot.objects.all()),
        id(columns.FULFILLMENTS.columns): columns.FULFILLMENTS.queryset(FulfillmentSummary.objects.all()),
        id(columns.MEMBER_REQUESTS.columns): columns.MEMBER_REQUESTS.queryset(MemberRequest.objects.all()),
        id(columns.TRANSACTIONS.columns): columns.TRANSACTIONS.queryset(MemberTransaction.objects.all()),
        id(columns.DIFFERENCES.columns): columns.DIFFERENCES.queryset(TrackingDifference.objects.all()),
    }[id(columns_)]
    assert copy_lines(model, columns_() if callable(columns_) else columns_) is not None


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_copy_neutralises_every_formula_character(tricky_connections, viewer_client, prefix):
    make_connection(group_name=f"{prefix}cmd", setup_error=f"{prefix}err", carrier_group_id=f"{prefix}id")
    body = b"".join(
        viewer_client.get(reverse("connections:connection_export"), {"sort": "group"}).streaming_content
    ).decode()
    rows = {row["Setup error"]: row for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
    row = rows[f"'{prefix}err"]
    assert (row["Group name"], row["Carrier group id"]) == (f"'{prefix}cmd", f"'{prefix}id")


def test_copy_keeps_the_sort_on_screen_and_writes_times_in_utc(viewer_client, db):
    for name, modified in [("Bravo", WITH_MICROSECONDS), ("Alpha", WHOLE_SECOND), ("Charlie", WHOLE_SECOND)]:
        make_connection(group_name=name, modified=modified)
    body = b"".join(
        viewer_client.get(reverse("connections:connection_export"), {"sort": "-group"}).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["Group name"] for r in rows] == ["Charlie", "Bravo", "Alpha"]
    assert [r["Modified"] for r in rows] == [
        "2026-03-05T04:59:59+00:00",
        "2026-03-04T05:06:07.000089+00:00",
        "2026-03-05T04:59:59+00:00",
    ]
    assert body.count("\r\n") == 4


@pytest.mark.django_db(transaction=True)
def test_a_client_that_goes_away_mid_export_leaves_the_connection_usable(viewer_client):
    group, carrier = make_group(), make_carrier()
    for _n in range(300):
        make_connection(group=group, carrier=carrier, setup_error="x" * 500)
    response = viewer_client.get(reverse("connections:connection_export"))
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks), next(chunks)  # the BOM, the header, the first 64 KB of rows: the COPY is under way
    response.close()  # what the server does when the client hangs up
    assert GroupConnection.objects.count() == 300
