"""Keyset pages over a list's own order: stable while rows come and go, and never a COUNT(*).

A list is ordered as its page orders it (``command_center.lists.order_by_sort``: the sort key's
fields, then the primary key; or the differences queue's own order). A page ends on a row; the
cursor of the next page holds that row's values of every ordering field, and the next page is
the rows that come after those values in that order. Nothing counts rows or skips an offset, and
a row inserted or removed between two fetches moves no other row to another page: every row
present throughout is seen exactly once.

NULLs sort where the ORDER BY puts them (ascending nulls last, descending nulls first, as
``order_by_sort`` says), so "after" a NULL and "after" a value both follow that placement.
DRF's CursorPagination was not enough: it positions on the first ordering field alone (an offset
breaks ties, which shifts when rows arrive) and compares NULLs with ``>``, which matches nothing.

A deep page of a descending sort, or over a NOT NULL column, seeks in the sort field's index
(0.1 ms at row 300,000 of 400,000 member requests); ascending over a column that may be NULL, the
scan reads the index from its start, as the page's OFFSET does (about 200 ms there).

A cursor is opaque: the position, JSON, signed (``django.core.signing``), in URL-safe base64. A
cursor that was altered, comes from another order of the list, or is not one at all answers 400.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Case, F, Q, Value
from django.db.models.expressions import Col, OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from command_center import lists

PAGE_SIZE = lists.PER_PAGE
MAX_PAGE_SIZE = lists.MAX_PER_PAGE
CURSOR_SALT = "command_center.api.cursor"
# Annotations holding each row's ordering values (read back to make the next cursor).
ALIAS = "keyset_{}"

BAD_CURSOR = (
    "This cursor is not one this list gave out (it may have been cut short or changed). Start again without it."
)
OTHER_ORDER = (
    "This cursor belongs to another sort order of this list. Start again without it, or use the sort it came from."
)
BAD_PAGE_SIZE = f"Give page_size as a whole number from 1 to {MAX_PAGE_SIZE}."


@dataclass(frozen=True)
class Term:
    """One field of a list's order: what is compared, which way, and whether its NULLs come last."""

    expression: Any
    descending: bool
    nulls_last: bool

    def reversed(self) -> Term:
        return Term(self.expression, not self.descending, not self.nulls_last)


def order_terms(queryset) -> list[Term]:
    """The queryset's ORDER BY as terms. It must end with the primary key, which makes a position unique."""
    nulls_largest = connections[queryset.db].features.nulls_order_largest
    terms = []
    for entry in queryset.query.order_by:
        if isinstance(entry, str):
            entry = OrderBy(F(entry.lstrip("-")), descending=entry.startswith("-"))
        elif not isinstance(entry, OrderBy):
            entry = entry.asc()
        if entry.nulls_last or entry.nulls_first:
            nulls_last = bool(entry.nulls_last)
        else:  # the database's own placement: Postgres puts NULLs after every value, SQLite before
            nulls_last = nulls_largest != entry.descending
        terms.append(Term(entry.expression, entry.descending, nulls_last))
    if not terms or not _is_primary_key(terms[-1].expression, queryset.model):
        raise ImproperlyConfigured(
            f"A keyset page needs an order ending with the primary key; {queryset.model.__name__} has {terms}."
        )
    if not queryset.query.standard_ordering:  # .reverse() was called
        terms = [term.reversed() for term in terms]
    return terms


def _is_primary_key(expression, model) -> bool:
    return isinstance(expression, F) and expression.name in ("pk", model._meta.pk.name, model._meta.pk.attname)


def after(aliases: list[str], terms: list[Term], values: list, *, inclusive=False, never_null=()) -> Q:
    """Rows after ``values`` in the order of ``terms`` (the row itself too when ``inclusive``).

    The usual keyset disjunction: the first term beyond its value, or equal on the first and
    the second beyond, and so on; where "beyond" takes each term's direction and NULL placement.
    It is ANDed with a bound on the first term alone, which the disjunction implies: an index on
    that term starts its scan there, where the disjunction alone reads the index from its start
    (page 1,000 of a million rows would read 50,000 rows to skip them). ``never_null`` names the
    terms no row has NULL in, which need no ``IS NULL`` branch (one would keep the index from seeking).
    """
    parts, equal = [], Q()
    for alias, term, value in zip(aliases, terms, values):
        beyond = _beyond(alias, term, value, alias in never_null)
        if beyond is not None:
            parts.append(equal & beyond)
        equal &= Q(**{f"{alias}__isnull": True}) if value is None else Q(**{alias: value})
    if inclusive:
        parts.append(equal)
    if not parts:
        return Q(pk__in=[])
    seek = _at_or_beyond(aliases[0], terms[0], values[0], aliases[0] in never_null)
    return reduce(or_, parts) & seek if seek is not None else reduce(or_, parts)


def _beyond(alias: str, term: Term, value, never_null: bool) -> Q | None:
    """Rows whose value of one term comes after ``value`` (None: no row can)."""
    if value is None:
        # NULLs last: nothing comes after a NULL; NULLs first: every value does.
        return None if term.nulls_last else Q(**{f"{alias}__isnull": False})
    beyond = Q(**{f"{alias}__{'lt' if term.descending else 'gt'}": value})
    return beyond | Q(**{f"{alias}__isnull": True}) if term.nulls_last and not never_null else beyond


def _at_or_beyond(alias: str, term: Term, value, never_null: bool) -> Q | None:
    """Rows whose value of one term is ``value`` or after it (None: any row may be)."""
    if value is None:
        return Q(**{f"{alias}__isnull": True}) if term.nulls_last else None
    bound = Q(**{f"{alias}__{'lte' if term.descending else 'gte'}": value})
    # Ascending over a column that may be NULL, the NULLs come after every value: the bound must
    # take them, and an index cannot seek past "value or NULL" (the scan reads from the start, as OFFSET does).
    return bound | Q(**{f"{alias}__isnull": True}) if term.nulls_last and not never_null else bound


def never_null(queryset, expression) -> bool:
    """Whether no row can have NULL in a (resolved) ordering expression: a NOT NULL column of the list's
    own table (a join may make any other NULL), a value, or a CASE choosing only between such."""
    if isinstance(expression, Col):
        return not expression.target.null and expression.alias == queryset.query.base_table
    if isinstance(expression, Value):
        return expression.value is not None
    if isinstance(expression, Case):
        return never_null(queryset, expression.default) and all(
            never_null(queryset, when.result) for when in expression.cases
        )
    return False


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (or, going back, before) a row's values; ``inclusive`` takes that row too."""

    values: list
    backwards: bool = False
    inclusive: bool = False


class KeysetPagination(BasePagination):
    """``?cursor=`` pages over the list's order; ``?page_size=`` rows a page (50; at most 200)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.requested_page_size(request)
        terms = order_terms(queryset)
        self.fingerprint = _fingerprint(terms)
        position = self.requested_position(request, len(terms))
        aliases = [ALIAS.format(i) for i in range(len(terms))]
        queryset = queryset.annotate(**{alias: term.expression for alias, term in zip(aliases, terms)})
        backwards = position is not None and position.backwards
        if backwards:
            queryset, terms = queryset.reverse(), [term.reversed() for term in terms]
        if position is not None:
            no_nulls = {alias for alias in aliases if never_null(queryset, queryset.query.annotations[alias])}
            queryset = queryset.filter(
                after(aliases, terms, position.values, inclusive=position.inclusive, never_null=no_nulls)
            )
        rows = list(queryset[: self.page_size + 1])
        more, rows = len(rows) > self.page_size, rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.next, self.previous = self._links(rows, aliases, position, more)
        return rows

    def _links(self, rows, aliases, position, more) -> tuple[Position | None, Position | None]:
        """(next, previous) positions; a page left empty (its rows gone since) links back to its own position."""
        if not rows:
            if position is None:
                return None, None
            if position.backwards:
                return Position(position.values, inclusive=True), None
            return None, Position(position.values, backwards=True, inclusive=True)
        first, last = ([getattr(row, alias) for alias in aliases] for row in (rows[0], rows[-1]))
        if position is not None and position.backwards:
            has_next, has_previous = True, more  # we came back from the rows after these
        else:
            has_next, has_previous = more, position is not None
        return Position(last) if has_next else None, Position(first, backwards=True) if has_previous else None

    def requested_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:  # not a number; int() also refuses more than 4,300 digits
            raise ValidationError({self.page_size_query_param: [BAD_PAGE_SIZE]}) from None
        if size < 1:
            raise ValidationError({self.page_size_query_param: [BAD_PAGE_SIZE]})
        return min(size, MAX_PAGE_SIZE)

    def requested_position(self, request, n_terms: int) -> Position | None:
        token = request.query_params.get(self.cursor_query_param, "")
        if token == "":
            return None
        try:
            payload = signing.loads(token, salt=CURSOR_SALT)
            position = Position([_decode(v) for v in payload["values"]], bool(payload["back"]), bool(payload["incl"]))
            fingerprint = payload["order"]
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from None
        if fingerprint != self.fingerprint or len(position.values) != n_terms:
            raise ValidationError({self.cursor_query_param: [OTHER_ORDER]})
        return position

    def _url(self, position: Position | None) -> str | None:
        if position is None:
            return None
        payload = {
            "order": self.fingerprint,
            "values": [_encode(v) for v in position.values],
            "back": position.backwards,
            "incl": position.inclusive,
        }
        token = signing.dumps(payload, salt=CURSOR_SALT, compress=True)
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, token)

    def get_paginated_response(self, data):
        return Response({"next": self._url(self.next), "previous": self._url(self.previous), "results": data})

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last page."},
                "previous": {**link, "description": "The previous page, or null on the first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: the cursor of a `next` or `previous` link, as given.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows a page ({PAGE_SIZE} unless given; more than {MAX_PAGE_SIZE} gives {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def _fingerprint(terms: list[Term]) -> str:
    """A short digest of the order, so a cursor is never read against another order's values."""
    text = "|".join(f"{term.expression!r}:{term.descending}:{term.nulls_last}" for term in terms)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# JSON has no dates, times or decimals: they travel tagged, and come back as what the database gave.
_TAGS = {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "decimal": Decimal, "uuid": uuid.UUID}


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    return value


def _decode(value):
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        return _TAGS[tag](text)
    return value
