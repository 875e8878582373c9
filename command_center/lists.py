"""How every list page works: filter, sort, paginate, render whole or as an htmx partial, export.

A list view reads, top to bottom::

    @vary_on_headers("HX-Request")
    def connection_list(request):
        filterset = ConnectionFilter(request.GET, queryset=GroupConnection.objects.for_list())
        listing = Listing(request, filterset, sorts=CONNECTION_SORTS, default_sort="-modified")
        return listing.render("connections/connection_list.html")

and its export::

    def connection_export(request):
        filterset = ConnectionFilter(request.GET, queryset=GroupConnection.objects.for_list())
        return export_csv(request, filterset, CONNECTION_COLUMNS, "connections")

One FilterSet serves the page, the CSV export and the API, so they always agree.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.db.models.expressions import Col
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify

PER_PAGE = 50
MAX_PER_PAGE = 200
# The page sizes a list offers (any number up to MAX_PER_PAGE works in the address).
PER_PAGE_CHOICES = (25, 50, 100, 200)
# Counting past this many rows costs more than it tells: the page says "1,000+".
COUNT_LIMIT = 1000
# Paging stops this deep: a deeper OFFSET, and the count that reaches it, cost more than a
# narrower filter (and ?page=9223372036854775808 was "bigint out of range", a 500).
MAX_PAGED_ROWS = 10_000


class BoundedCountPaginator(Paginator):
    """A Paginator that never runs an exact COUNT(*) over a large table.

    It counts at most COUNT_LIMIT + 1 rows (a LIMITed subquery, fast on any
    table), so "page 3 of 20" is exact for small results and "1,000+ results"
    for big ones, where next/previous keep working past the counted pages, as far
    as MAX_PAGED_ROWS: there the last page says to narrow the filters.
    """

    def __init__(self, object_list, per_page, page_number):
        super().__init__(object_list, per_page)
        self._page_number = min(page_number, max_page(per_page))

    @property
    def count(self):
        if not hasattr(self, "_bounded_count"):
            # Make sure the current page is always reachable, even far past the limit.
            limit = max(COUNT_LIMIT, self._page_number * self.per_page) + 1
            # Unordered: counting needs no sort, and a sort over every matching row is most of the cost.
            self._bounded_count = len(self.object_list.order_by()[:limit].values_list("pk", flat=True))
        return self._bounded_count

    @property
    def count_is_exact(self):
        return self.count <= COUNT_LIMIT or self.count <= self._page_number * self.per_page

    @property
    def num_pages(self):
        return min(super().num_pages, max_page(self.per_page))

    @property
    def has_rows_past_paging(self) -> bool:
        """Whether rows lie beyond the deepest page (only known once on it)."""
        return self.count > max_page(self.per_page) * self.per_page


def max_page(per_page: int) -> int:
    return max(1, MAX_PAGED_ROWS // per_page)


def _whole_number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):  # not a number; int() also refuses more than 4,300 digits
        return default


def _per_page(request) -> int:
    return min(MAX_PER_PAGE, max(1, _whole_number(request.GET.get("per_page"), PER_PAGE)))


def _page_number(request, per_page: int = PER_PAGE) -> int:
    """The page asked for: the first when it is not a number, the deepest paging reaches when past it.

    Lenient, as Django's ``get_page`` is: a page number is a link's, not something typed."""
    return min(max_page(per_page), max(1, _whole_number(request.GET.get("page"), 1)))


def filtered(filterset):
    """The filterset's rows, or none when a filter value is bad (the form shows why)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def valid_sort(request, sorts: dict[str, str], default: str) -> str:
    requested = request.GET.get("sort", "")
    return requested if requested.lstrip("-") in sorts else default


def order_by_sort(queryset, sort: str, sorts: dict[str, str | tuple[str, ...]]):
    """Order by the sort key's field; a key may name several (``("review_rank", "-created")``: the
    first decides, the next break its ties, a ``-`` reversing one against the sort's direction)."""
    fields = sorts[sort.lstrip("-")]
    descending = sort.startswith("-")
    order = []
    for field in (fields,) if isinstance(fields, str) else fields:
        down = descending != field.startswith("-")
        # Descending is the exact reverse of ascending (nulls first), so one B-tree index serves both
        # directions. "DESC NULLS LAST" matches no plain index on Postgres: it sorted all 1M rows (330 ms vs 0.3 ms).
        order.append(F(field.lstrip("-")).desc(nulls_first=True) if down else F(field.lstrip("-")).asc(nulls_last=True))
    # The primary key breaks ties so pages never overlap or skip rows.
    return queryset.order_by(*order, "-pk" if descending else "pk")


@dataclass
class Listing:
    """A filtered, sorted, paginated list, ready to render.

    ``sorts`` maps the sort keys a page offers (``?sort=carrier`` or ``?sort=-carrier``)
    to model field paths; anything else falls back to ``default_sort``.
    """

    request: Any
    filterset: Any
    sorts: dict[str, str]
    default_sort: str
    extra_context: dict | None = None
    columns: Any = None  # the columns a person may choose from (command_center.column_choice.Columns)

    def __post_init__(self):
        self.sort = valid_sort(self.request, self.sorts, self.default_sort)
        self.queryset = order_by_sort(filtered(self.filterset), self.sort, self.sorts)
        self.per_page = per_page = _per_page(self.request)
        number = _page_number(self.request, per_page)
        self.paginator = BoundedCountPaginator(self.queryset, per_page, number)
        self.page: Page = self.paginator.get_page(number)

    def context(self) -> dict:
        return {
            "filterset": self.filterset,
            "filter_form": self.filterset.form,
            "page_obj": self.page,
            "paginator": self.paginator,
            "rows": self.page.object_list,
            "sort": self.sort,
            "per_page": self.per_page,
            "per_page_choices": sorted({*PER_PAGE_CHOICES, self.per_page}),
            "per_page_default": PER_PAGE,
            "paging_stops": self._paging_stops(),
            **(self.columns.context(self.columns.read(self.request.GET)) if self.columns else {}),
            **(self.extra_context or {}),
        }

    def _paging_stops(self) -> str:
        """On the deepest page, when more rows lie beyond it: how to reach them."""
        if self.page.number == self.paginator.num_pages and self.paginator.has_rows_past_paging:
            return f"Paging stops after the first {MAX_PAGED_ROWS:,} results. Narrow the filters to see the rest."
        return ""

    def render(self, template: str, status: int | None = None) -> TemplateResponse:
        """The whole page, or only its ``results`` partial for an htmx request."""
        if self.request.htmx and not self.request.htmx.boosted:
            template = f"{template}#results"
        if status is None:
            status = 200 if self.filterset.is_valid() else 400
        return TemplateResponse(self.request, template, self.context(), status=status)


# --- CSV --------------------------------------------------------------------

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a cell safe to open in a spreadsheet: a leading formula character gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# ``neutralise`` as a regular expression: a formula character at the start (in brackets, "-" last), its quote.
FORMULA_START = "^([" + "".join(p for p in FORMULA_PREFIXES if p != "-") + "-])"
QUOTE_IT = "'\\1"


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer output."""

    def write(self, value):
        return value


@dataclass(frozen=True)
class Format:
    """How a column's value becomes its cell, said twice: in Python, and as the same text in SQL.

    ``sql`` takes the field's expression and returns a text expression (None: SQL cannot say it, and
    the export formats that column in Python). tests/core/test_csv_paths.py checks both give the same bytes."""

    python: Callable[[Any], Any]
    sql: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Column:
    """One CSV column: a header, the field path it reads, and how its value becomes text.

    ``format`` is a ``Format`` (Python and SQL), a plain function (Python only), or None: the value as
    csv.writer writes it, which SQL can say for text, whole numbers, decimals, booleans and dates."""

    header: str
    field: str
    format: Format | Callable[[Any], Any] | None = None

    def python(self) -> Callable[[Any], Any] | None:
        return self.format.python if isinstance(self.format, Format) else self.format

    def sql(self):
        """The cell in SQL (PostgreSQL), formula escaping included; None when only Python can make it."""
        if self.format is None:
            return CsvCell(F(self.field))
        if isinstance(self.format, Format) and self.format.sql is not None:
            return CsvCell(self.format.sql(F(self.field)))
        return None


class NotInSql(Exception):
    """A value SQL cannot print as Python would (a float, JSON, a datetime unformatted): Python formats it."""


class CsvCell(Func):
    """A value as csv.writer writes it, neutralised as ``neutralise`` does, in PostgreSQL.

    NULL and '' both become NULL: COPY writes NULL as nothing, as csv.writer writes None and '',
    but '' as "" (quoted)."""

    output_field = TextField()
    _AS_TEXT = {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "DecimalField",
    }
    _TEXT = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotInSql("SQL cells are written for PostgreSQL")
        source = self.source_expressions[0]
        sql, params = compiler.compile(source)
        if getattr(source, "neutralised", False):
            # A cell that cannot start with a formula character (a time).
            return sql, params
        kind = source.output_field.get_internal_type()
        if kind in self._TEXT:
            # Spreadsheets run a cell starting with a formula character: it gets a quote, as in neutralise().
            if isinstance(source, Col):
                # A column is cheap to read three times. Its first character's code is compared: comparing
                # left(…, 1) as text cost three times as much.
                codes = ", ".join(str(ord(prefix)) for prefix in FORMULA_PREFIXES)
                template = f"CASE WHEN ascii({sql}) IN ({codes}) THEN '''' || {sql} ELSE NULLIF({sql}, '') END"
                return template, (*params, *params, *params)
            # A text an expression makes (JSON's, a masked one) is worked out once, where the CASE would work
            # it out three times. Checking it in a SELECT around this one instead moved the cells past the
            # sort, out of PostgreSQL's parallel workers: transactions' export went from 0.86 of COPY to 0.66.
            return f"regexp_replace(NULLIF({sql}, ''), %s, %s)", (*params, FORMULA_START, QUOTE_IT)
        if kind in self._AS_TEXT:
            return f"({sql})::text", params
        if kind == "BooleanField":
            return f"CASE WHEN {sql} THEN 'True' WHEN NOT {sql} THEN 'False' END", (*params, *params)
        if kind == "DateField":
            return f"to_char({sql}, 'YYYY-MM-DD')", params
        raise NotInSql(f"a {kind} has no SQL cell")


class IsoText(Func):
    """``value.isoformat()`` of a date, or of a datetime as Django reads it (in UTC): microseconds only when
    there are some, and "+00:00", as Python prints them."""

    output_field = TextField()
    neutralised = True  # it starts with a digit

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotInSql("SQL cells are written for PostgreSQL")
        source = self.source_expressions[0]
        sql, params = compiler.compile(source)
        if source.output_field.get_internal_type() == "DateField":
            return f"to_char({sql}, 'YYYY-MM-DD')", params
        # One to_char: three of them per time were most of a 1M-row export's time in the database.
        template = (
            f"replace(to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
        )
        return template, params


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _yes_no(value) -> str:
    return "yes" if value else "no"


# A date or time as ISO 8601 (times in UTC, as Django reads them), "" when there is none.
ISO = Format(_iso, IsoText)
# A flag as "yes" or "no" (no value reads "no", as in Python).
YES_NO = Format(
    _yes_no,
    lambda field: Case(When(Q((field.name, True)), then=Value("yes")), default=Value("no"), output_field=TextField()),
)


def _cell_formatters(columns: list[Column], ready: list[bool]) -> list[Callable[[Any], Any]]:
    """One function per column, chosen once: a cell SQL made is ready, the others are formatted and neutralised."""

    def as_is(value):
        return value

    def plain(value):
        return "" if value is None else neutralise(value)

    def formatted(fmt):
        return lambda value: neutralise(fmt(value))

    return [
        as_is if done else (formatted(column.python()) if column.python() else plain)
        for column, done in zip(columns, ready)
    ]


def sql_cells(queryset, columns: list[Column]) -> list:
    """Each column's SQL cell, None for those only Python can make (all of them off PostgreSQL)."""
    if connections[queryset.db].vendor != "postgresql":
        return [None] * len(columns)
    cells = [column.sql() for column in columns]
    try:  # all of them at once: one compile, where one per column was a third of a small export's time
        _compiled(_select(queryset, columns, cells))
        return cells
    except NotInSql:
        pass
    except EmptyResultSet:  # a filter that matches nothing: SQL can say the cells all the same
        return cells
    cells = []
    for column in columns:
        cell = column.sql()
        if cell is not None:
            try:  # compiled now, to know whether SQL can say it
                _compiled(queryset.annotate(csv_probe=cell).values_list("csv_probe"))
            except NotInSql:
                cell = None
            except EmptyResultSet:  # a filter that matches nothing: SQL can say the cell all the same
                pass
        cells.append(cell)
    return cells


def _compiled(queryset) -> tuple[str, tuple]:
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _select(queryset, columns: list[Column], cells: list):
    """The export's SELECT: each cell SQL makes, and the raw field of each one Python makes."""
    names = [
        f"csv_cell_{index}" if cell is not None else column.field
        for index, (column, cell) in enumerate(zip(columns, cells))
    ]
    annotations = {name: cell for name, cell in zip(names, cells) if cell is not None}
    return queryset.annotate(**annotations).values_list(*names)


def csv_rows(
    queryset, columns: list[Column], chunk_size: int = 2000, *, in_sql: bool = True, cells=None
) -> Iterable[list]:
    """The CSV's rows, every cell formatted and neutralised, read in chunks (a server-side cursor on PostgreSQL).

    On PostgreSQL the cells SQL can make are made there (``cells``: ``sql_cells`` already worked out);
    ``in_sql=False`` makes them all in Python, the path SQLite takes (tests compare the two)."""
    if cells is None:
        cells = sql_cells(queryset, columns) if in_sql else [None] * len(columns)
    formatters = _cell_formatters(columns, [cell is not None for cell in cells])
    for values in _select(queryset, columns, cells).iterator(chunk_size=chunk_size):
        yield [fmt(value) for fmt, value in zip(formatters, values)]


def copy_lines(queryset, columns: list[Column], batch_bytes: int = 1 << 16, *, cells=None) -> Iterable[bytes] | None:
    """The CSV's data lines as ``COPY (SELECT …) TO STDOUT WITH CSV`` writes them, in chunks of about
    ``batch_bytes``; None when a column can only be made in Python, or off PostgreSQL.

    COPY ends a line with "\\n", csv.writer with "\\r\\n". Each line comes as one COPY message, so its
    last byte is the line's end and is swapped, while a newline inside a quoted cell stays as it is."""
    if cells is None:
        cells = sql_cells(queryset, columns)
    if any(cell is None for cell in cells):
        return None
    connection = connections[queryset.db]
    try:
        sql, params = _compiled(_select(queryset, columns, cells))
    except EmptyResultSet:  # the filters match nothing (ticked ids none of which are in the list)
        return iter(())
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"

    def lines():
        # The COPY runs while the response streams and holds the connection until its last row. A client
        # that goes away closes this generator: psycopg cancels the COPY, and the connection is usable again.
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            batch, size = [], 0
            for line in copy:
                batch.append(line[:-1])
                size += len(line)
                if size >= batch_bytes:
                    batch.append(b"")
                    yield b"\r\n".join(batch)
                    batch, size = [], 0
            if batch:
                batch.append(b"")
                yield b"\r\n".join(batch)

    return lines()


def export_filename(stem: str, filterset=None, *, ticked: bool = False) -> str:
    """What the file is, read in its name: ``connections_status-unable_to_connect+action_required_2026-12-01.csv``,
    with ``_ticked`` before the date when only the ticked rows are in it."""
    parts = [stem]
    if filterset is not None and filterset.is_valid():
        for name, value in filterset.form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            values = value if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
            # Each value slugified on its own: slugifying them joined ran them together ("…connectaction_required").
            words = "+".join(slugify(str(getattr(item, "pk", item))) for item in values)
            parts.append(f"{slugify(name)}-{words}"[:60])
    if ticked:
        parts.append("ticked")
    date = timezone.localdate().isoformat()
    return "_".join(parts)[: 150 - len(date) - 5] + f"_{date}.csv"


def stream_csv(
    rows: Iterable[list] | None, header: list[str], filename: str, *, lines: Iterable[bytes] | None = None
) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV download: constant memory whatever the number of rows.

    Its data is ``rows``, written here by csv.writer, or ``lines`` the database wrote (``copy_lines``)."""
    writer = csv.writer(_Echo())

    def content():
        yield "\ufeff"  # a BOM, so spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        if lines is not None:
            yield from lines
            return
        # Lines go out in batches: one response chunk per line cost a fifth of the export's time.
        batch = []
        for row in rows:
            batch.append(writer.writerow(row))
            if len(batch) == 500:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ticked_ids(request, model) -> list | None:
    """The ``ids`` ticked on a list, cleaned as the model's primary key; None if one cannot be an id
    (not a number for a numbered table, out of the database's range, too long, a NUL byte)."""
    pk = model._meta.pk
    ids = []
    for value in request.GET.getlist("ids"):
        try:
            if "\x00" in value:
                raise ValidationError("A NUL byte", code="null_characters_not_allowed")
            cleaned = pk.to_python(value)
            pk.run_validators(cleaned)
        except ValidationError:
            return None
        ids.append(cleaned)
    return ids


def refused_export(errors, form=None) -> HttpResponse:
    """400 in plain words for an export whose filters cannot be read: an empty file would read as "no rows"."""

    def label(field):
        bound = form.fields.get(field) if form is not None else None
        return str(bound.label) if bound is not None and bound.label else field.replace("_", " ").capitalize()

    lines = [
        f"{label(field)}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
        for field, messages in errors.items()
    ]
    body = (
        "This export was not made: a filter value is not valid.\n"
        + "\n".join(lines)
        + "\nCorrect it on the list and export again.\n"
    )
    return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")


def export_csv(request, filterset, columns: list[Column], stem: str, *, sorts=None, default_sort="-pk"):
    """The list as on screen (its filters, or only the ticked ``ids``), as a streamed CSV, audited."""
    from command_center.audit import record_export

    if not filterset.is_valid():
        return refused_export(filterset.form.errors, filterset.form)
    queryset = filterset.qs
    if "ids" in request.GET:
        ids = ticked_ids(request, queryset.model)
        if ids is None:
            return refused_export({"ids": ["A ticked row is not one of this list's ids."]}, filterset.form)
        queryset = queryset.filter(pk__in=ids)
    if sorts:
        queryset = order_by_sort(queryset, valid_sort(request, sorts, default_sort), sorts)
    filename = export_filename(stem, filterset, ticked="ids" in request.GET)
    record_export(request.user, stem, filename, request.GET)
    header = [column.header for column in columns]
    # PostgreSQL writes the whole file when it can make every cell (COPY); otherwise the cells it
    # can make come ready and Python makes the rest.
    cells = sql_cells(queryset, columns)
    lines = copy_lines(queryset, columns, cells=cells)
    if lines is not None:
        return stream_csv(None, header, filename, lines=lines)
    return stream_csv(csv_rows(queryset, columns, cells=cells), header, filename)
