"""Reading fields of a Noyo payload for the mirror: the typed value, or ``Malformed`` with a plain reason.

The ``to_row`` functions in ``connections/sync.py`` and ``members/sync.py`` are built from
these. The rule: a record is malformed when its own id is not a Noyo id or a field has the wrong
*type* (a dict where a status should be, a date that is not a date). A missing field is not
malformed (Noyo's own examples leave out ``version``, ``created`` and ``modified``); an enum
value we do not know is stored as it came.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .engine import Malformed
from .records import (
    from_epoch,
    normalize_noyo_id,
    parse_date,
    parse_decimal,
    payload_version,
)

_CENTS = Decimal("0.01")
# Noyo's ids as they usually come: canonical lower-case UUID text, accepted without parsing.
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _noyo_id(value) -> str | None:
    if type(value) is str and _CANONICAL_ID.fullmatch(value):
        return value
    return normalize_noyo_id(value)


def record_id(payload: dict, key: str = "id") -> str:
    """The record's own Noyo id, canonical; Malformed when missing or not a UUID."""
    value = payload.get(key)
    noyo_id = _noyo_id(value)
    if noyo_id is None:
        if value in (None, ""):
            raise Malformed(f"It has no {key}.")
        raise Malformed(f"Its {key} {str(value)[:60]!r} is not a Noyo id.")
    return noyo_id


def foreign_id(payload: dict, key: str) -> str | None:
    """A reference to another record: its canonical id, None when missing; Malformed when not an id."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    noyo_id = _noyo_id(value)
    if noyo_id is None:
        raise Malformed(f"Its {key} {str(value)[:60]!r} is not a Noyo id.")
    return noyo_id


def lenient_id(payload, key: str) -> str | None:
    """A reference read without judging: the canonical id, or None (for identifying a failed record)."""
    return _noyo_id(payload.get(key)) if isinstance(payload, dict) else None


def version(payload: dict) -> str:
    """Noyo's ``version``; for a record that comes without one (the member requests guide's examples
    do), a digest of the whole payload, so an unchanged record still costs no write on a resync."""
    value = payload.get("version")
    if value in (None, ""):
        return payload_version(payload)
    if not isinstance(value, (str, int)):
        raise Malformed(f"Its version is a {type(value).__name__}, not text.")
    return str(value)


def text(payload: dict | None, key: str, default: str = "") -> str:
    """A text field; numbers are accepted as text, a list or an object is Malformed."""
    if payload is None:
        return default
    value = payload.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise Malformed(f"Its {key} is a {type(value).__name__}, not text.")


def epoch(payload: dict | None, key: str):
    """An aware datetime from epoch seconds; None when missing; Malformed when not a time."""
    if payload is None:
        return None
    value = payload.get(key)
    if value is None or value == "":
        return None
    result = from_epoch(value)
    if result is None:
        raise Malformed(f"Its {key} {str(value)[:40]!r} is not a time (epoch seconds).")
    return result


def date(payload: dict | None, key: str):
    if payload is None:
        return None
    value = payload.get(key)
    if value is None or value == "":
        return None
    result = parse_date(value)
    if result is None:
        raise Malformed(f"Its {key} {str(value)[:40]!r} is not a date (YYYY-MM-DD).")
    return result


def decimal(payload: dict | None, key: str):
    if payload is None:
        return None
    value = payload.get(key)
    if value is None or value == "":
        return None
    result = parse_decimal(value)
    if result is None or abs(result) >= 10**10:
        raise Malformed(f"Its {key} {str(value)[:40]!r} is not an amount.")
    return result.quantize(_CENTS)


def integer(payload: dict | None, key: str):
    if payload is None:
        return None
    value = payload.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Malformed(f"Its {key} is true/false, not a number.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Malformed(f"Its {key} {str(value)[:40]!r} is not a whole number.") from None
    if abs(number) >= 2**31:
        raise Malformed(f"Its {key} {number} is out of range.")
    return number


def boolean(payload: dict | None, key: str, default: bool = False) -> bool:
    if payload is None:
        return default
    value = payload.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    raise Malformed(f"Its {key} is {str(value)[:40]!r}, not true or false.")


def obj(payload: dict | None, key: str) -> dict:
    """A nested object; {} when missing, Malformed when it is something else."""
    if payload is None:
        return {}
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"Its {key} is a {type(value).__name__}, not an object.")
    return value


def array(payload: dict | None, key: str) -> list:
    """A list; [] when missing, Malformed when it is something else."""
    if payload is None:
        return []
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"Its {key} is a {type(value).__name__}, not a list.")
    return value


def base(payload: dict) -> dict:
    """The columns every mirrored row has: id, version, created, modified, raw."""
    return {
        "id": record_id(payload),
        "version": version(payload),
        "created": epoch(payload, "created"),
        "modified": epoch(payload, "modified"),
        "raw": payload,
    }
