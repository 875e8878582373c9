"""Indexes the members console needs beyond those declared on the models.

Each one is named after, and commented with, the query it serves. They are plain
SQL that SQLite and Postgres both accept (partial indexes included), created
with IF NOT EXISTS, and kept out of the model state, so a later ``Meta.indexes``
entry of the same name can adopt one without a clash.
"""

from django.db import migrations

INDEXES = [
    # Employees list sorted by hire date (?sort=hire_date, both directions).
    ("employee_hire_date_idx", "members_employee", '"hire_date", "id"', ""),
    # Snapshots page with a fulfillment status (the dashboard's ?fulfillment_status=invalid), newest first.
    ("fs_status_created_idx", "members_fulfillmentsummary", '"status", "created", "id"', ""),
    # Snapshots page with a carrier, newest first.
    ("fs_carrier_created_idx", "members_fulfillmentsummary", '"carrier_id", "created", "id"', ""),
    # Snapshot summary: bounded counts of present snapshots per status (index-only scan).
    ("snapshot_present_status_idx", "members_membersnapshot", '"status"', '"removed_upstream_at" IS NULL'),
    # Snapshot summary: bounded counts of present fulfillments per carrier × status (index-only scan).
    (
        "fs_present_carrier_status_idx",
        "members_fulfillmentsummary",
        '"carrier_id", "status"',
        '"removed_upstream_at" IS NULL',
    ),
]


def create(apps, schema_editor):
    for name, table, columns, where in INDEXES:
        condition = f" WHERE {where}" if where else ""
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({columns}){condition}')


def drop(apps, schema_editor):
    for name, _table, _columns, _where in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
