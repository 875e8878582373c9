"""Load the sandbox's carriers (names, Sync/Send kind, carrier_group_id formats, file cadence).

Carriers nobody has named yet (placeholders) and missing ones are written; carriers
staff have edited are left alone unless ``--overwrite``.
"""

from django.core.management.base import BaseCommand, CommandError

from connections.models import Carrier

FIELDS = ("name", "kind", "carrier_group_id_format", "format_hint", "file_cadence")


def load_sandbox_carriers():
    try:
        from command_center.noyo.sandbox.carriers import CARRIERS
    except ImportError as exc:
        raise CommandError(f"The sandbox carriers are not available ({exc}).") from exc
    return CARRIERS


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
    help = "Load the Noyo sandbox's carriers into the Carrier table."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="Also replace carriers staff have edited.")

    def handle(self, *args, overwrite=False, **options):
        created, updated = seed_carriers(load_sandbox_carriers(), overwrite=overwrite)
        self.stdout.write(f"Carriers: {created} created, {updated} updated.")
