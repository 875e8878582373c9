"""Load the sandbox's carriers: their reference data (names, Sync/Send kind, carrier_group_id
formats with an example and the carrier's own name for the id, file cadence, authorization steps).

Carriers nobody has named yet (placeholders) and missing ones are written; carriers
staff have edited are left alone unless ``--overwrite``.

What is added to the sandbox's table comes from Noyo's documents, never beyond them:
the id's name only where the carrier's format hint names it ("group number", "policy number",
"master agreement": the documents' own examples of what a carrier_group_id is), the example
from the hint, and authorization steps as the group connections guide words them for each kind.
The documents say Noyo's sandbox has special test ids per carrier but list none, and this
sandbox has none: ``sandbox_test_ids`` stays blank.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from connections.models import Carrier

FIELDS = (
    "name",
    "kind",
    "carrier_group_id_label",
    "carrier_group_id_format",
    "format_hint",
    "format_example",
    "file_cadence",
    "authorization_steps",
    "sandbox_test_ids",
)

# What the guide says happens in carrier_authorization, by kind (shared/seeds, group connections guide).
AUTHORIZATION_STEPS = {
    "sync": (
        "When a connection waits on carrier authorization, Noyo could not pull the group's data from the carrier. "
        "Reach out to the carrier to give Noyo access (Noyo's console shows the prompt), then retry the connection."
    ),
    "send": (
        "Noyo obtains the group's information from the carrier before testing begins; nothing is needed from us "
        "unless the connection moves to action required."
    ),
}
# The carrier's name for the id, where its format hint says it.
ID_LABELS = (
    (re.compile(r"policy number", re.I), "Policy number"),
    (re.compile(r"master agreement", re.I), "Master agreement number"),
    (re.compile(r"group number", re.I), "Group number"),
)
EXAMPLE = re.compile(r"e\.g\. (\S+)")


def demo_reference(row: dict) -> dict:
    """The sandbox table's row with the reference data its hint and the documents give."""
    hint = row.get("format_hint") or ""
    example = EXAMPLE.search(hint)
    label = next((name for pattern, name in ID_LABELS if pattern.search(hint)), "")
    return {
        **row,
        "carrier_group_id_label": row.get("carrier_group_id_label") or label,
        "format_example": row.get("format_example") or (example.group(1).rstrip(";,.") if example else ""),
        "authorization_steps": row.get("authorization_steps") or AUTHORIZATION_STEPS.get(row.get("kind"), ""),
    }


def load_sandbox_carriers():
    try:
        from command_center.noyo.sandbox.carriers import CARRIERS
    except ImportError as exc:
        raise CommandError(f"The sandbox carriers are not available ({exc}).") from exc
    return [demo_reference(row) for row in CARRIERS]


def seed_carriers(rows, overwrite=False) -> tuple[int, int]:
    """Create or update carriers from ``rows`` (dicts with "id" and FIELDS); return (created, updated)."""
    created = updated = 0
    existing = Carrier.objects.in_bulk([str(row["id"]) for row in rows])
    for row in rows:
        values = {f: row.get(f) or "" for f in FIELDS}
        values["kind"] = values["kind"] if values["kind"] in Carrier.Kind.values else Carrier.Kind.UNKNOWN
        carrier = existing.get(str(row["id"]))
        if carrier is None:
            Carrier.objects.create(id=str(row["id"]), is_placeholder=False, **values)
            created += 1
        elif overwrite or carrier.is_placeholder:
            for field, value in values.items():
                setattr(carrier, field, value)
            carrier.is_placeholder = False
            carrier.save(update_fields=[*FIELDS, "is_placeholder"])
            updated += 1
    return created, updated


class Command(BaseCommand):
    help = "Load the Noyo sandbox's carriers and their reference data into the Carrier table."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="Also replace carriers staff have edited.")

    def handle(self, *args, overwrite=False, **options):
        created, updated = seed_carriers(load_sandbox_carriers(), overwrite=overwrite)
        self.stdout.write(f"Carriers: {created} created, {updated} updated.")
