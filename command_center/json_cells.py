"""CSV cells made from JSON values, said twice: in Python and as the same text in PostgreSQL.

An export whose every cell PostgreSQL can make is written by COPY, several times faster than reading
the rows into Python; JSON columns (errors, issues, details) were the cells that kept exports in Python.
Each text here is defined so that both sides can say it: a JSON value as PostgreSQL prints ``jsonb``
(keys in jsonb's order, non-ASCII as it is, numbers without exponents), Python's truthiness spelled out
in SQL. tests/core/test_csv_paths.py checks that both give the same bytes.

The SQL side is built as text around the field's own SQL (``JsonCell``): a ``jsonb`` SQL snippet goes in,
a text SQL snippet comes out. Constants are quoted into the SQL, so a snippet carries no parameters.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
from collections.abc import Callable
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import Func, TextField

from command_center.lists import NotInSql

logger = logging.getLogger(__name__)

# --- Python --------------------------------------------------------------------------------------


def number_text(value: int | float) -> str:
    """A JSON number as PostgreSQL's numeric prints it: 1e-07 as 0.0000001."""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def json_text(value) -> str:
    """A JSON value written as PostgreSQL prints ``jsonb``: ", " and ": " between items, non-ASCII as it
    is, keys in the order they come (read from PostgreSQL, that is jsonb's own order)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json_text(str(k))}: {json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return number_text(value)
    return json.dumps(str(value), ensure_ascii=False)


def text_of(value) -> str:
    """A JSON value as words in a cell: a string as it is, nothing for null, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json_text(value)


def as_list(value) -> list:
    """The items of a JSON list; a single value that is not a list is one item; null or empty, none."""
    if isinstance(value, list):
        return value
    return [value] if value else []


# --- SQL -----------------------------------------------------------------------------------------


def truthy(j: str) -> str:
    """Python's ``bool(value)`` of a jsonb value: false for null, false, 0, "", [] and {} (and SQL NULL).

    One comparison by type: comparing with all six falsy values was a third of a cell's cost."""
    return (
        f"coalesce(CASE jsonb_typeof({j}) WHEN 'object' THEN {j} <> '{{}}' WHEN 'array' THEN {j} <> '[]' "
        f"WHEN 'string' THEN {j} <> '\"\"' WHEN 'number' THEN {j} <> '0' WHEN 'boolean' THEN {j} = 'true' END, false)"
    )


def text_of_sql(j: str) -> str:
    """``text_of`` in SQL ('' for SQL NULL too: a key the object lacks)."""
    return f"coalesce(CASE jsonb_typeof({j}) WHEN 'string' THEN {j} #>> '{{}}' WHEN 'null' THEN '' ELSE ({j})::text END, '')"


def text_or_sql(obj: str, key: str, default: str, *, literal) -> str:
    """``text_of(obj.get(key) or default)`` in SQL, of a jsonb object SQL snippet.

    ``->>`` gives text_of's text for any value; a falsy one reads "", "0", "-0", "0.0", "false", "[]" or "{}", so
    only a text starting so (or none: code 0) has its type checked; most are words, one character compared.
    The text is read twice: once for its first character, once as the cell."""
    text, value = f"({obj} ->> {literal(key)})", f"({obj} -> {literal(key)})"
    falsy_starts = ", ".join(str(ord(c)) for c in "\0-0[f{")
    return (
        f"CASE WHEN coalesce(ascii({text}), 0) IN ({falsy_starts}) AND NOT {truthy(value)} "
        f"THEN {literal(default)} ELSE {text} END"
    )


def items_sql(j: str) -> str:
    """``as_list`` in SQL: a jsonb array to take apart with jsonb_array_elements."""
    return f"CASE WHEN jsonb_typeof({j}) = 'array' THEN {j} WHEN {truthy(j)} THEN jsonb_build_array({j}) END"


# A list of two or more items is joined by a SQL function made for its item text, not by a subquery in the cell:
# a subquery keeps PostgreSQL from making any of the row's cells in its parallel workers (the differences' export
# went from 0.47 of COPY to 0.64). The function is named by a hash of its text, so a changed item text is a new
# function and never a stale one; ``JsonCell`` makes it on first use, and where the database does not allow that
# (no right to create functions), the cell keeps its subquery.
_LIST_FUNCTIONS: dict[str, str] = {}  # name -> the statement that makes it
_subqueries_only = contextvars.ContextVar("subqueries_only", default=False)


def joined_sql(
    j: str,
    item: Callable[[str], str],
    separator: str,
    *,
    literal,
    lone_value: bool = True,
    only_objects: bool = False,
    in_function: bool = False,
) -> str:
    """``separator.join(item(x) for x in as_list(value))`` in SQL; NULL when there are no items.

    ``lone_value=False``: a value that is not a list has no items; ``only_objects``: items that are not
    objects are left out. ``item`` gets the item's jsonb SQL snippet. ``in_function``: two or more items are
    joined by a function (the item text must then be the same for every export: no names read per request)."""
    where = " WHERE jsonb_typeof(item.value) = 'object'" if only_objects else ""

    def many(value: str) -> str:
        items = items_sql(value) if lone_value else f"CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} END"
        return (
            f"SELECT string_agg({item('item.value')}, {literal(separator)} ORDER BY item.n) "
            f"FROM jsonb_array_elements({items}) WITH ORDINALITY AS item(value, n){where}"
        )

    one = item(f"({j} -> 0)")
    if only_objects:
        one = f"CASE WHEN jsonb_typeof({j} -> 0) = 'object' THEN {one} END"
    rest = f"{_list_function(many('$1'))}({j})" if in_function and not _subqueries_only.get() else f"({many(j)})"
    # No subquery or function call for no item or one (most rows): either costs more than the text, per row.
    return (
        f"CASE WHEN {j} = '[]' THEN NULL "
        f"WHEN jsonb_typeof({j}) = 'array' AND jsonb_array_length({j}) = 1 THEN {one} "
        f"ELSE {rest} END"
    )


def _list_function(body: str) -> str:
    # The body's '%' are doubled for the statement's formatting (JsonCell); the function is made without it.
    body = body.replace("%%", "%")
    name = "cc_list_" + hashlib.sha256(body.encode()).hexdigest()[:20]
    _LIST_FUNCTIONS[name] = (
        f"CREATE OR REPLACE FUNCTION {name}(jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $list$ {body} $list$"
    )
    return name


def has_list_functions(connection, sql: str) -> bool:
    """Whether the database has each list function ``sql`` calls, made now where it lacks one; False when it
    may not be made (then the caller builds the SQL again with subqueries)."""
    names = [name for name in _LIST_FUNCTIONS if name in sql]
    if not names:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regprocedure(name || '(jsonb)') IS NULL", [names]
        )
        missing = [row[0] for row in cursor.fetchall()]
        for name in missing:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(_LIST_FUNCTIONS[name])
            except DatabaseError as error:
                logger.warning("CSV cells keep their subqueries: the list function %s was not made (%s)", name, error)
                return False
    return True


class JsonCell(Func):
    """A CSV cell's text PostgreSQL makes from a jsonb field (``CsvCell`` around it checks for formulas).

    ``build(field_sql, literal)`` returns the text SQL; ``literal(str)`` quotes a constant into it."""

    output_field = TextField()

    def __init__(self, expression, build: Callable[[str, Callable[[str], str]], str]):
        super().__init__(expression)
        self.build = build

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            raise NotInSql("SQL cells are written for PostgreSQL")
        sql, params = compiler.compile(self.source_expressions[0])

        def literal(value: str) -> str:
            # '%' doubled: the statement is formatted with its parameters once more before it runs.
            return connection.ops.compose_sql("%s", [value]).replace("%", "%%")

        field = connection.ops.compose_sql(sql, params).replace("%", "%%") if params else sql
        text = self.build(f"({field})", literal)
        if not has_list_functions(connection, text):
            token = _subqueries_only.set(True)
            try:
                text = self.build(f"({field})", literal)
            finally:
                _subqueries_only.reset(token)
        return text, ()
