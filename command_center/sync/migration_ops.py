"""Migration operations for indexes only Postgres can have (trigram search).

Django's ``icontains`` on Postgres compiles to ``UPPER(col::text) LIKE UPPER('%x%')``,
so the trigram index is built on that same expression; the planner then uses it
for partial, case-insensitive search. On SQLite these operations do nothing.
"""

from django.db import migrations


def _trigram_sql(table, column, name):
    return f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'


def trigram_indexes(*specs):
    """A RunPython creating ``(table, column, index_name)`` trigram GIN indexes on Postgres only."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column, name in specs:
            schema_editor.execute(_trigram_sql(table, column, name))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _table, _column, name in specs:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forwards, backwards, elidable=False)
