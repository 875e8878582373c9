"""Migration 0007 fills the new ``carrier_ids`` of renewal decisions mirrored before it, from the payload
kept in ``raw`` (a resync would skip them: their version did not change)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("connections", "0006_order_by_ids_not_joins")]
CASCADE = "0fb49f15-dd89-47f8-b8ae-417b9a285b4a"
BLUEPEAK = "36475e91-e211-47c2-b786-b4bcbb18104e"


@pytest.mark.django_db(transaction=True)
def test_renewals_mirrored_before_the_column_get_their_carriers():
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("connections")
    # Going back unapplies what depends on it in other apps too (alerts, saved views): forward again is
    # to every app's last migration, so the tests after this one find every table.
    everything = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    RenewalDecision = old_apps.get_model("connections", "RenewalDecision")
    RenewalDecision.objects.create(
        id="b5f2b5f7-0336-45f7-baf1-7e11dfac50a6",
        status="not_ready",
        raw={
            "body": {"carriers": [{"carrier_id": CASCADE.upper()}, "odd"]},
            "issues": [{"carrier_id": BLUEPEAK}, {"carrier_id": "not-an-id"}, "odd"],
        },
    )
    RenewalDecision.objects.create(id="c5f2b5f7-0336-45f7-baf1-7e11dfac50a6", status="ready", raw={"body": "odd"})

    executor = MigrationExecutor(connection)
    executor.migrate(everything)
    new_apps = executor.loader.project_state(after).apps
    Migrated = new_apps.get_model("connections", "RenewalDecision")
    assert Migrated.objects.get(pk="b5f2b5f7-0336-45f7-baf1-7e11dfac50a6").carrier_ids == ",".join(
        sorted([CASCADE, BLUEPEAK])
    )
    assert Migrated.objects.get(pk="c5f2b5f7-0336-45f7-baf1-7e11dfac50a6").carrier_ids == ""
    Migrated.objects.all().delete()
