"""Writing rows in bulk: COPY straight into the table for rows known new, one upsert statement per batch
(COPY + ``INSERT … ON CONFLICT`` on Postgres) for the rest, COPY + ``UPDATE … FROM`` for columns of rows."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import orjson
from django.db import connection, models


def dump_json(value) -> str:
    """JSON text for a jsonb column: orjson (several times ``json.dumps``), or ``json`` for what orjson
    refuses (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:
        return json.dumps(value, default=str)


@contextmanager
def _copy_into(cursor, sql: str):
    """``cursor.copy(sql)``, logged as Django logs a query (tests and the debug toolbar see COPY writes too)."""
    started = time.monotonic()
    # Raised as Django's errors (IntegrityError, DataError), as a query through Django would be.
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        yield copy
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _by_shape(rows: list[dict]) -> dict[tuple, list[dict]]:
    """The rows grouped by the columns they carry: the rows of one statement must carry the same ones."""
    by_shape: dict[tuple, list[dict]] = {}
    for row in rows:
        by_shape.setdefault(tuple(sorted(row)), []).append(row)
    return by_shape


class UpsertWriter:
    """Upsert rows in one statement per batch: ``INSERT … ON CONFLICT (id) DO UPDATE``.

    Postgres: the batch is COPied into a temporary table shaped like the mirror table, then
    ``INSERT … SELECT … ON CONFLICT`` moves it over (1.8× psycopg's ``executemany`` on our
    2 KB member requests, several times Django's ``bulk_create``). SQLite (3.24+):
    the same upsert through ``executemany``. Values are adapted once per column kind: JSON
    dumped here, dates and times through the backend's adapters where the driver needs
    them (SQLite); psycopg takes the rest as they are. Columns a row leaves out get the
    field's default on insert and are left alone on update. ``conflict=False`` only inserts
    (status changes, which have their own serial key).

    ``insert`` writes rows known new: on Postgres, COPY straight into the table (no temporary
    table, no merge: a first sync's rows cost what ``COPY FROM`` costs). A row someone else
    wrote meanwhile makes it fail with ``IntegrityError``; the caller then upserts instead.
    ``update(rows)`` sets the columns the rows carry on rows that exist (one ``UPDATE … FROM``).
    """

    def __init__(self, model, conflict: bool = True):
        self.model = model
        self.conflict = conflict
        self.table = model._meta.db_table
        # An auto-increment key is the database's to fill.
        self.fields = [
            f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        self.postgres = connection.vendor == "postgresql"
        self.adapters = {f.attname: self._adapter(f) for f in self.fields}
        self._plans: dict[tuple, tuple[list[str], list[str], tuple]] = {}

    def _adapter(self, field):
        ops = connection.ops
        if isinstance(field, models.JSONField):
            return dump_json
        if self.postgres:
            return None
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        return None

    def _plan(self, shape: tuple) -> tuple[list[str], list[str], tuple]:
        """(the row's columns, every column written, the adapted defaults of the columns it lacks)."""
        plan = self._plans.get(shape)
        if plan is None:
            present = set(shape)
            columns = [f.attname for f in self.fields if f.attname in present]
            missing = [f for f in self.fields if f.attname not in present]
            defaults = tuple(self._adapt(f.attname, f.get_default()) for f in missing)
            plan = self._plans[shape] = (columns, columns + [f.attname for f in missing], defaults)
        return plan

    def _adapt(self, name, value):
        adapter = self.adapters[name]
        return value if adapter is None or value is None else adapter(value)

    def _values(self, group: list[dict], columns: list[str], defaults: tuple) -> list[tuple]:
        adapted = [(i, self.adapters[c]) for i, c in enumerate(columns) if self.adapters[c] is not None]
        values_of = []
        for row in group:
            values = [row[c] for c in columns]
            for i, adapter in adapted:
                if values[i] is not None:
                    values[i] = adapter(values[i])
            values_of.append((*values, *defaults))
        return values_of

    def insert(self, rows: list[dict]) -> None:
        """Insert rows known new (no conflict handling: a row already there raises ``IntegrityError``)."""
        self._write(rows, conflict=False)

    def upsert(self, rows: list[dict]) -> None:
        self._write(rows, conflict=self.conflict)

    def _write(self, rows: list[dict], conflict: bool) -> None:
        with connection.cursor() as cursor:
            for shape, group in _by_shape(rows).items():
                columns, all_columns, defaults = self._plan(shape)
                values = self._values(group, columns, defaults)
                if self.postgres:
                    self._copy(cursor, columns, all_columns, values, conflict)
                else:
                    cursor.executemany(self._insert_sql(columns, all_columns, conflict=conflict), values)

    def update(self, rows: list[dict]) -> None:
        """Set the columns each row carries (besides ``id``) on the existing row of that id."""
        with connection.cursor() as cursor:
            for shape, group in _by_shape(rows).items():
                setting = [f.attname for f in self.fields if f.attname in shape and f.attname != "id"]
                # The id last: the WHERE's placeholder on SQLite.
                values = self._values(group, [*setting, "id"], ())
                if not self.postgres:
                    sets = ", ".join(f'"{c}" = %s' for c in setting)
                    cursor.executemany(f'UPDATE "{self.table}" SET {sets} WHERE "id" = %s', values)
                    continue
                # Only these columns, typed as the table's (and none of its NOT NULLs).
                source = f"mirror_upd_{self.table}"[:63]
                quoted = ", ".join(f'"{c}"' for c in [*setting, "id"])
                cursor.execute(f'DROP TABLE IF EXISTS "{source}"')
                cursor.execute(f'CREATE TEMP TABLE "{source}" AS SELECT {quoted} FROM "{self.table}" WITH NO DATA')
                with _copy_into(cursor, f'COPY "{source}" ({quoted}) FROM STDIN') as copy:
                    for row in values:
                        copy.write_row(row)
                sets = ", ".join(f'"{c}" = source."{c}"' for c in setting)
                cursor.execute(
                    f'UPDATE "{self.table}" AS target SET {sets} FROM "{source}" AS source WHERE target."id" = source."id"'
                )
                cursor.execute(f'DROP TABLE "{source}"')

    def _temp_table(self, cursor) -> str:
        name = f"mirror_tmp_{self.table}"[:63]
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{name}" (LIKE "{self.table}" INCLUDING DEFAULTS)')
        return name

    def _insert_sql(self, columns, all_columns, source=None, conflict=True) -> str:
        quoted = ", ".join(f'"{c}"' for c in all_columns)
        if source is None:
            sql = f'INSERT INTO "{self.table}" ({quoted}) VALUES ({", ".join(["%s"] * len(all_columns))})'
        else:
            sql = f'INSERT INTO "{self.table}" ({quoted}) SELECT {quoted} FROM "{source}"'
        if conflict:
            updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in ("id", "first_seen"))
            sql += f' ON CONFLICT ("id") DO UPDATE SET {updates}'
        return sql

    def _copy(self, cursor, columns, all_columns, values, conflict: bool) -> None:
        quoted = ", ".join(f'"{c}"' for c in all_columns)
        target = self._temp_table(cursor) if conflict else self.table
        with _copy_into(cursor, f'COPY "{target}" ({quoted}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
        if conflict:
            cursor.execute(self._insert_sql(columns, all_columns, source=target))
            cursor.execute(f'TRUNCATE "{target}"')


def writer_for(model):
    return UpsertWriter(model)
