"""Small factories for mirrored records, for tests that need rows without a sync.

Each takes keyword overrides for any model field and fills the rest plausibly.
Page tests use these; sync tests fill the database from the sandbox instead.
"""

import itertools
import uuid

from django.utils import timezone

from connections.models import Carrier, Group, GroupConnection

_seq = itertools.count(1)


def noyo_id():
    return str(uuid.uuid4())


def make_carrier(**fields):
    n = next(_seq)
    defaults = {"id": noyo_id(), "name": f"Carrier {n}", "kind": "sync", "carrier_group_id_format": r"[A-Z]{2}\d{6}", "format_hint": "two letters and six digits, e.g. AB123456"}
    return Carrier.objects.create(**{**defaults, **fields})


def make_group(**fields):
    n = next(_seq)
    now = timezone.now()
    defaults = {"id": noyo_id(), "version": noyo_id(), "name": f"Group {n} Inc", "dba_name": f"G{n}", "organization_id": str(uuid.UUID(int=1)), "created": now, "modified": now}
    return Group.objects.create(**{**defaults, **fields})


def make_connection(**fields):
    now = timezone.now()
    group = fields.pop("group", None) or make_group()
    carrier = fields.pop("carrier", None) or make_carrier()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "organization_id": group.organization_id,
        "group": group,
        "group_name": group.name,
        "carrier": carrier,
        "carrier_group_id": f"AB{next(_seq):06d}",
        "request_type": "initial",
        "status": "processing",
        "status_changed_at": now,
        "created": now,
        "modified": now,
    }
    return GroupConnection.objects.create(**{**defaults, **fields})
