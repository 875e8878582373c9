"""The CSV columns of the members exports, with the SQL that formats some cells in the database.

Times are printed by the database (``IsoUtc``) and transaction ids counted there
(``JsonArrayLength``): loading a timestamp into a Python datetime only to print it
again, and decoding a JSON list only to count it, were a third of an export's time
at 1,000,000 member requests (tests/members/scale_check.py --exports).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import CharField, Func, IntegerField, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Replace

from command_center.column_choice import Choice, Columns
from command_center.json_cells import JsonCell, as_list, joined_sql, json_text, text_of, text_of_sql, truthy
from command_center.lists import ISO, YES_NO, Column, Format

from . import readable


class IsoUtc(Func):
    """A timestamp as ISO 8601 in UTC to the second, "2026-01-31T09:30:00Z" (NULL stays NULL)."""

    output_field = CharField()
    neutralised = True  # it starts with a digit: no formula to neutralise in a CSV

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps SQLite datetimes as UTC text; "%%%%" survives both Python formatting and the driver.
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


class JsonArrayLength(Func):
    """How many items a JSON list holds; NULL when the value is not a list."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN jsonb_array_length(%(expressions)s) END"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "CASE WHEN json_type(%(expressions)s) = 'array' THEN json_array_length(%(expressions)s) END"
        return self.as_sql(compiler, connection, template=template, **extra)


class Export(NamedTuple):
    """An export's columns and the annotations some of them read."""

    stem: str
    columns: list[Column]
    annotations: dict

    def queryset(self, queryset):
        return queryset.annotate(**self.annotations) if self.annotations else queryset


def _lines(value):
    return value.replace(",", ", ") if value else ""


# "dental,medical" as "dental, medical".
LINES = Format(_lines, lambda field: Replace(field, Value(","), Value(", "), output_field=TextField()))


def _masked(value) -> str:
    return readable.mask_ssns_in_text(str(value)) if value else ""


# regexp_replace's replacement for an SSN: the last four digits are the pattern's group 1.
SSN_MASK_SQL = "•••-••-\\1"


def masked_sql(text: str, literal) -> str:
    """``readable.mask_ssns_in_text`` in SQL, of a text SQL snippet."""
    return f"regexp_replace({text}, {literal(readable.ssn_in_text_sql())}, {literal(SSN_MASK_SQL)}, 'g')"


# Free text with any SSN in it masked (an error message), in Python and in SQL.
MASKED = Format(
    _masked,
    lambda field: Func(
        field,
        Value(readable.ssn_in_text_sql()),
        Value(SSN_MASK_SQL),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    ),
)


def errors_text(errors) -> str:
    """Fulfillment or snapshot errors as one CSV cell: "code: message (field); ..."."""
    return "; ".join(error_text(e) for e in as_list(errors))


def error_text(error) -> str:
    """An error in one line, "code: message (field)", any SSN written into it masked."""
    if not isinstance(error, dict):
        return readable.mask_ssns_in_text(text_of(error))
    message = text_of(error.get("message") or error.get("detail") or "")
    code, where = error.get("code"), error.get("field")
    text = f"{text_of(code)}: {message}" if code else message
    return readable.mask_ssns_in_text(f"{text} ({text_of(where)})" if where else text)


def _error_sql(error: str, literal) -> str:
    """``error_text`` in SQL, of one jsonb error."""

    def key(name):
        return f"({error} -> {literal(name)})"

    code = f"CASE WHEN {truthy(key('code'))} THEN {text_of_sql(key('code'))} || ': ' ELSE '' END"
    message = (
        f"CASE WHEN {truthy(key('message'))} THEN {text_of_sql(key('message'))} "
        f"WHEN {truthy(key('detail'))} THEN {text_of_sql(key('detail'))} ELSE '' END"
    )
    where = f"CASE WHEN {truthy(key('field'))} THEN ' (' || {text_of_sql(key('field'))} || ')' ELSE '' END"
    text = (
        f"CASE WHEN jsonb_typeof({error}) = 'object' THEN {code} || {message} || {where} ELSE {text_of_sql(error)} END"
    )
    return masked_sql(text, literal)


# Errors as one cell, "code: message (field); ...", in Python and in SQL.
ERRORS = Format(
    errors_text,
    lambda field: JsonCell(
        field,
        lambda errors, literal: joined_sql(
            errors, lambda e: _error_sql(e, literal), "; ", literal=literal, in_function=True
        ),
    ),
)


# No SSN column in any of them: the SSN is never exported, not even masked.
EMPLOYEES = Export(
    "employees",
    [
        Column("Employee id", "id"),
        Column("First name", "first_name"),
        Column("Middle name", "middle_name"),
        Column("Last name", "last_name"),
        Column("Date of birth", "date_of_birth", ISO),
        Column("Group", "group__name"),
        Column("Group id", "group_id"),
        Column("Employment status", "employment_status"),
        Column("Occupation", "occupation"),
        Column("Hire date", "hire_date", ISO),
        Column("Lines of coverage", "lines_of_coverage", LINES),
        Column("Email", "email"),
        Column("Modified", "csv_modified"),
    ],
    {"csv_modified": IsoUtc("modified")},
)

ENROLLMENTS = Export(
    "enrollments",
    [
        Column("Enrollment id", "id"),
        Column("Employee id", "employee_id"),
        Column("Employee first name", "employee__first_name"),
        Column("Employee last name", "employee__last_name"),
        Column("Individual type", "individual_type"),
        Column("Individual id", "individual_id"),
        Column("Line of coverage", "line_of_coverage"),
        Column("Carrier", "carrier__name"),
        Column("Carrier id", "carrier_id"),
        Column("Plan", "plan__name"),
        Column("Plan id", "plan_id"),
        Column("Status (Noyo)", "status"),
        Column("Noyo status as of", "as_of_date", ISO),
        Column("Effective start date", "effective_start_date", ISO),
        Column("Effective end date", "effective_end_date", ISO),
        Column("Premium", "premium_amount"),
        Column("Premium unit", "premium_unit"),
    ],
    {},
)

SNAPSHOTS = Export(
    "snapshots",
    [
        Column("Snapshot id", "id"),
        Column("Created", "csv_created"),
        Column("Modified", "csv_modified"),
        Column("Status", "status"),
        Column("In status since", "csv_status_since"),
        Column("Employee id", "employee_id"),
        Column("Employee first name", "employee__first_name"),
        Column("Employee last name", "employee__last_name"),
        Column("Group", "group__name"),
        Column("Group id", "group_id"),
        Column("Replaced by", "replaced_by_id"),
    ],
    {
        "csv_created": IsoUtc("created"),
        "csv_modified": IsoUtc("modified"),
        "csv_status_since": IsoUtc("status_changed_at"),
    },
)

FULFILLMENTS = Export(
    "fulfillments",
    [
        Column("Snapshot id", "snapshot_id"),
        Column("Snapshot created", "csv_created"),
        Column("Snapshot status", "snapshot__status"),
        Column("Carrier", "carrier__name"),
        Column("Carrier id", "carrier_id"),
        Column("Fulfillment status", "status"),
        Column("In status since", "csv_status_since"),
        Column("Errors", "errors", ERRORS),
        Column("Employee id", "employee_id"),
        Column("Group id", "group_id"),
    ],
    {"csv_created": IsoUtc("created"), "csv_status_since": IsoUtc("status_changed_at")},
)

MEMBER_REQUESTS = Export(
    "member_requests",
    [
        Column("Member request id", "id"),
        Column("Created", "csv_created"),
        Column("Modified", "csv_modified"),
        Column("Request type", "request_type"),
        Column("Status", "status"),
        Column("In status since", "csv_status_since"),
        Column("Employee id", "employee_id"),
        Column("Employee first name", "employee__first_name"),
        Column("Employee last name", "employee__last_name"),
        Column("Group", "group__name"),
        Column("Group id", "group_id"),
        Column("Transactions", "csv_transactions"),
    ],
    {
        "csv_created": IsoUtc("created"),
        "csv_modified": IsoUtc("modified"),
        "csv_status_since": IsoUtc("status_changed_at"),
        "csv_transactions": JsonArrayLength("transaction_ids"),
    },
)

TRANSACTIONS = Export(
    "transactions",
    [
        Column("Transaction id", "id"),
        Column("Member request id", "member_request_id"),
        Column("Request type", "member_request__request_type"),
        Column("Request status", "member_request__status"),
        Column("Transaction type", "transaction_type"),
        Column("Carrier", "carrier__name"),
        Column("Carrier id", "carrier_id"),
        Column("Lines of coverage", "lines_of_coverage", LINES),
        Column("Status", "status"),
        Column("In status since", "csv_status_since"),
        Column("Error", "csv_error", MASKED),
        Column("Verified", "csv_verified"),
        Column("Created", "csv_created"),
        Column("Modified", "csv_modified"),
        Column("Employee id", "employee_id"),
        Column("Employee first name", "employee__first_name"),
        Column("Employee last name", "employee__last_name"),
    ],
    {
        "csv_verified": IsoUtc("verified"),
        "csv_created": IsoUtc("created"),
        "csv_modified": IsoUtc("modified"),
        "csv_status_since": IsoUtc("status_changed_at"),
        "csv_error": KT("raw__result__errors__0__message"),
    },
)


def fields_text(fields) -> str:
    """A difference's fields as one CSV cell: "date_of_birth: 2016-08-02 (platform) / 2016-02-08 (carrier); ...",
    any SSN written in it masked (once, over the whole cell: the separators cannot join two numbers)."""
    parts = []
    for entry in fields if isinstance(fields, list) else ():
        if not isinstance(entry, dict):
            parts.append(text_of(entry))
            continue
        key = text_of(entry.get("key") or "")
        platform, carrier = (field_cell(key, entry.get(side)) for side in ("platform_value", "carrier_value"))
        parts.append(f"{key}: {platform} (platform) / {carrier} (carrier)")
    return readable.mask_ssns_in_text("; ".join(parts))


HOLDS_AN_SSN = "(holds an SSN: see the difference's page)"


def field_cell(key: str, value) -> str:
    """One side of a field, as ``readable.field_value`` shows it on the page (SSN-shaped text is masked by
    ``fields_text``), in terms SQL can say too: an object or list with an ``ssn`` key in it is left to the
    page, which masks the SSN where it stands."""
    if value is None or value == "":
        return "—"
    if "ssn" in key.lower():
        return readable.mask_ssn(text_of(value) if value else "")
    if value == readable.FOREVER:
        return "open-ended (9999-12-31)"
    if isinstance(value, (dict, list)):
        return HOLDS_AN_SSN if _holds_ssn_key(value) else json_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return text_of(value)


def _holds_ssn_key(value) -> bool:
    if isinstance(value, dict):
        return "ssn" in value or any(_holds_ssn_key(v) for v in value.values())
    return isinstance(value, list) and any(_holds_ssn_key(v) for v in value)


def _field_cell_sql(entry: str, side: str, literal) -> str:
    """``field_cell`` in SQL, of one side of a jsonb entry. Its value's type is read once and branched on."""
    value = f"({entry} -> {literal(side)})"
    # "ssn" in the key's text: ->> gives the text of a string and the JSON of anything else, as text_of does,
    # and no falsy value's text holds "ssn".
    ssn_key = f"strpos(lower({entry} ->> 'key'), 'ssn') > 0"
    digits = f"regexp_replace({text_of_sql(value)}, {literal(readable.not_a_digit_sql())}, '', 'g')"
    ssn = (
        f"CASE WHEN NOT {truthy(value)} THEN '' WHEN length({digits}) >= 4 THEN {literal('•••-••-')} || right({digits}, 4) "
        f"WHEN {digits} <> '' THEN {literal('•••-••-••••')} ELSE '' END"
    )
    forever, open_ended = literal(json_text(readable.FOREVER)), literal(f"open-ended ({readable.FOREVER})")
    return (
        f"CASE coalesce(jsonb_typeof({value}), 'null') WHEN 'null' THEN {literal('—')} "
        f"WHEN 'string' THEN CASE WHEN {value} = '\"\"' THEN {literal('—')} WHEN {ssn_key} THEN {ssn} "
        f"WHEN {value} = {forever} THEN {open_ended} ELSE {value} #>> '{{}}' END "
        f"WHEN 'boolean' THEN CASE WHEN {ssn_key} THEN {ssn} WHEN {value} = 'true' THEN 'yes' ELSE 'no' END "
        f"WHEN 'number' THEN CASE WHEN {ssn_key} THEN {ssn} ELSE ({value})::text END "
        f"ELSE CASE WHEN {ssn_key} THEN {ssn} WHEN jsonb_path_exists({value}, 'strict $.**.ssn') "
        f"THEN {literal(HOLDS_AN_SSN)} ELSE ({value})::text END END"
    )


def _fields_sql(fields: str, literal) -> str:
    """``fields_text`` in SQL, of a jsonb SQL snippet."""

    def part(entry):
        key_value = f"({entry} -> 'key')"
        key = f"CASE WHEN {truthy(key_value)} THEN {text_of_sql(key_value)} ELSE '' END"
        platform = _field_cell_sql(entry, "platform_value", literal)
        carrier = _field_cell_sql(entry, "carrier_value", literal)
        return (
            f"CASE WHEN jsonb_typeof({entry}) = 'object' THEN {key} || ': ' || {platform} || ' (platform) / ' "
            f"|| {carrier} || ' (carrier)' ELSE {text_of_sql(entry)} END"
        )

    return masked_sql(joined_sql(fields, part, "; ", literal=literal, lone_value=False, in_function=True), literal)


# A difference's fields as one cell, in Python and in SQL.
FIELDS = Format(fields_text, lambda field: JsonCell(field, _fields_sql))


DIFFERENCES = Export(
    "tracking_differences",
    [
        Column("Difference id", "id"),
        Column("Classification", "classification"),
        Column("Difference type", "difference_type"),
        Column("Fields", "fields", FIELDS),
        Column("Object type", "object_type"),
        Column("Object id", "object_id"),
        Column("Impact score", "impact_score"),
        Column("Carrier", "carrier__name"),
        Column("Carrier id", "carrier_id"),
        Column("Group", "group__name"),
        Column("Group id", "group_id"),
        Column("Employee id", "employee_id"),
        Column("Employee first name", "employee__first_name"),
        Column("Employee last name", "employee__last_name"),
        Column("Snapshot id", "snapshot_id"),
        Column("Detected", "csv_created"),
        Column("Resolved", "csv_resolved"),
        Column("Discrepancy found", "csv_discrepancy"),
        Column("Dismissed", "is_dismissed", YES_NO),
        Column("Suppressed", "is_suppressed", YES_NO),
    ],
    {
        "csv_created": IsoUtc("created"),
        "csv_resolved": IsoUtc("resolved"),
        "csv_discrepancy": IsoUtc("discrepancy_time"),
    },
)


# The columns a person may choose on each list (?cols=..., command_center.column_choice), and the CSV
# columns each one holds in the list's export.
EMPLOYEE_TABLE = Columns(
    Choice("name", "Name", ("First name", "Middle name", "Last name"), required=True),
    Choice("group", "Group", ("Group", "Group id")),
    Choice("employment", "Employment", ("Employment status", "Occupation")),
    Choice("hire_date", "Hire date", ("Hire date",)),
    Choice("date_of_birth", "Date of birth", ("Date of birth",)),
    Choice("lines", "Lines of coverage", ("Lines of coverage",)),
)
# One table for the snapshots page, whichever rows it shows: snapshots, or their carrier fulfillments.
SNAPSHOT_TABLE = Columns(
    Choice("created", "Created", ("Created", "Snapshot created"), required=True),
    Choice("employee", "Employee", ("Employee id", "Employee first name", "Employee last name")),
    Choice("group", "Group", ("Group", "Group id")),
    Choice("snapshot_status", "Snapshot status", ("Status", "In status since", "Snapshot status")),
    Choice("carrier", "Carrier (fulfillment rows)", ("Carrier", "Carrier id")),
    Choice("fulfillment", "Fulfillment", ("Fulfillment status",)),
    Choice("errors", "What is wrong (fulfillment rows)", ("Errors",)),
)
MEMBER_REQUEST_TABLE = Columns(
    Choice("created", "Created", ("Created",), required=True),
    Choice("type", "Type", ("Request type",)),
    Choice("status", "Status", ("Status", "In status since")),
    Choice("employee", "Employee", ("Employee id", "Employee first name", "Employee last name")),
    Choice("group", "Group", ("Group", "Group id")),
    Choice("transactions", "Transactions", ("Transactions",)),
    Choice("modified", "Last modified", ("Modified",)),
)
TRANSACTION_TABLE = Columns(
    Choice("created", "Created", ("Created", "Modified"), required=True),
    Choice("type", "Type", ("Transaction type",)),
    Choice("carrier", "Carrier", ("Carrier", "Carrier id")),
    Choice("lines", "Lines", ("Lines of coverage",)),
    Choice("status", "Status", ("Status", "In status since")),
    Choice("detail", "Status details", ("Error",)),
    Choice("verified", "Verified", ("Verified",)),
    Choice(
        "request",
        "Request · employee",
        ("Request type", "Request status", "Employee id", "Employee first name", "Employee last name"),
    ),
)
DIFFERENCE_TABLE = Columns(
    Choice("what", "Difference · impact", ("Classification", "Difference type", "Impact score"), required=True),
    Choice("field", "Field", ("Fields",)),
    Choice("platform", "Platform value"),
    Choice("carrier_value", "Carrier value"),
    Choice("carrier", "Carrier", ("Carrier", "Carrier id")),
    Choice(
        "employee",
        "Employee · group",
        ("Employee id", "Employee first name", "Employee last name", "Group", "Group id"),
    ),
    Choice("detected", "Detected", ("Detected",)),
    Choice("resolved", "Resolved?", ("Resolved", "Discrepancy found", "Dismissed", "Suppressed")),
)
