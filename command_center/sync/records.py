"""The shared shape of every mirrored Noyo record, and the small conversions the sync needs.

A mirrored row is keyed by Noyo's own id and carries Noyo's ``version`` so a
resync can skip what did not change. Nothing is deleted: a record missing from a
list that was read to the end gets ``removed_upstream_at``.

Enum-like columns (status, request type, ...) are plain CharFields whose
``choices`` are for display only. A value the code does not know is stored as
it came; ``get_<field>_display()`` (and ``status_label``) shows it as itself and
``status_is_known`` / ``is_known(field)`` tell a template that it is unknown.
There is no CHECK constraint on them, and the sync never calls ``full_clean()``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone

# Noyo ids are UUID strings. They are stored as text (CharField(36)), not
# UUIDField: the sync compares and writes them as the strings Noyo sends (no
# parsing on the hot path, the same representation on SQLite and Postgres), and
# an odd id is a failed record for the sync to report, not a crash in the ORM.
NOYO_ID_LENGTH = 36

# Namespace of the synthetic keys given to records Noyo does not identify
# (carrier configurations, latest audits, fulfillment summaries, premiums).
SYNTHETIC_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4f4b-9a57-2b7f4f0c9e11")

# Labels for values whose plain-words form is not just the value with spaces.
_LABELS = {
    "add": "AD&D",
    "std": "STD",
    "ltd": "LTD",
    "epo": "EPO",
    "hdhp": "HDHP",
    "hmo": "HMO",
    "ppo": "PPO",
    "pos": "POS",
    "noyo_review": "Noyo review",
    "no_changes": "No changes",
    "carrier_cobra_enrollment": "Carrier COBRA enrollment",
    "carrier_cobra_termination": "Carrier COBRA termination",
    "cobra_enrollment": "COBRA enrollment",
    "cobra_termination": "COBRA termination",
}


def label_for(value: str) -> str:
    """A readable label for an enum value: ``waiting_on_carrier`` -> ``Waiting on carrier``."""
    return _LABELS.get(value) or value.replace("_", " ").replace("-", " ").capitalize()


def label_sql(text: str, literal, known=()) -> str:
    """``label_for`` in SQL, of a text SQL snippet: the labels as one jsonb object, one lookup.

    ``known`` values (the contract's enum) have their labels in the object too: such a value's text is
    worked out once, where the spelled-out label reads it twice more (a renewal's issue text costs)."""
    labels = {value: label_for(value) for value in known} | _LABELS
    first, rest = (f"translate({part}, '_-', '  ')" for part in (f"left({text}, 1)", f"substr({text}, 2)"))
    return f"coalesce({literal(json.dumps(labels))}::jsonb ->> {text}, upper({first}) || lower({rest}))"


def text_choices(name: str, values) -> type[models.TextChoices]:
    """A TextChoices class built from one of the contract's tuples, so the enum is stated once."""
    members = [(v.upper().replace("-", "_"), (v, label_for(v))) for v in values]
    return models.TextChoices(name, members)


# --- Conversions from Noyo's payloads ---------------------------------------------


def normalize_noyo_id(value) -> str | None:
    """The canonical form of a Noyo id (lower-case UUID text), or None when it is not one.

    The sync records a payload whose own id fails this as a failed record; a
    foreign id that fails it is stored as NULL.
    """
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return None


# What comes around an id copied from a ticket, an e-mail or a log line: quotes, brackets, a full stop.
PASTED_AROUND_AN_ID = "\"'`<>.,;()[]{} "


def pasted_noyo_id(text) -> str | None:
    """The Noyo id someone pasted, however it came (in quotes or braces, upper case, without dashes);
    None when the text is not one (then it is a name, an e-mail, a number to search for)."""
    return normalize_noyo_id(str(text or "").strip().strip(PASTED_AROUND_AN_ID))


def synthetic_id(*parts) -> str:
    """A stable key for a record Noyo does not identify: UUID5 of its natural key.

    The same natural key always gives the same id, so resyncs update rather than
    duplicate. Parts are joined with "|" after ``str()``; None becomes "".
    """
    key = "|".join("" if p is None else str(p) for p in parts)
    return str(uuid.uuid5(SYNTHETIC_NAMESPACE, key))


def payload_version(payload) -> str:
    """A content hash standing in for ``version`` on records Noyo does not version.

    Canonical JSON (sorted keys), SHA-256 hex: equal payloads give equal versions,
    so the sync's "skip when the version is unchanged" rule works for them too.
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def from_epoch(value) -> dt.datetime | None:
    """An aware UTC datetime from Noyo's epoch seconds; None when missing or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_date(value) -> dt.date | None:
    """A date from Noyo's ``YYYY-MM-DD`` (``9999-12-31`` stays as is: open-ended); None when invalid."""
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_decimal(value) -> Decimal | None:
    """A Decimal from Noyo's money strings ("50.00"); None when missing or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def mask_ssn(ssn) -> str:
    """The last four digits only, "•••-••-1234"; "" when there is no SSN to mask."""
    digits = "".join(c for c in str(ssn or "") if c.isdigit())
    if len(digits) < 4:
        return "•••-••-••••" if digits else ""
    return "•••-••-" + digits[-4:]


def mask_ssns(payload):
    """A copy of ``payload`` with every value under an ``ssn`` key masked (raw payloads on pages, admin, CSV)."""
    if isinstance(payload, dict):
        return {
            k: mask_ssn(v) if k == "ssn" and isinstance(v, (str, int)) else mask_ssns(v) for k, v in payload.items()
        }
    if isinstance(payload, list):
        return [mask_ssns(v) for v in payload]
    return payload


def join_lines(lines) -> str:
    """Lines of coverage as one sorted, comma-separated string (see ``LinesOfCoverageQuerySet``)."""
    return ",".join(sorted({str(line) for line in lines or () if line}))


def mirror_fk(to, related_name, **kwargs):
    """A foreign key between mirrored records: nullable, no database constraint, DO_NOTHING.

    Noyo is the source of truth and the mirror only copies it: a child may arrive
    (by webhook, or on an earlier page) before its parent, and mirrored rows are
    never deleted, only marked removed upstream. The sync writes ``<name>_id``
    directly; pages use ``select_related`` (a LEFT JOIN: a parent not mirrored
    yet reads as None).
    """
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name=related_name,
        **kwargs,
    )


# --- The abstract base -------------------------------------------------------------


class MirrorQuerySet(models.QuerySet):
    """Lookups shared by every mirrored model."""

    def present(self):
        """Rows still present upstream (not marked removed)."""
        return self.filter(removed_upstream_at__isnull=True)

    def removed(self):
        return self.filter(removed_upstream_at__isnull=False)

    def versions(self, ids=None) -> dict[str, str]:
        """``{id: version}`` for the given ids (or all rows): what the sync reads before writing."""
        qs = self if ids is None else self.filter(pk__in=list(ids))
        return dict(qs.values_list("pk", "version"))


class LinesOfCoverageQuerySet(MirrorQuerySet):
    """For models with a ``lines_of_coverage`` column holding ``join_lines()`` text."""

    def with_line(self, line: str):
        """Rows whose lines of coverage include ``line`` exactly (``add`` does not match ``ladder``)."""
        return self.filter(
            models.Q(lines_of_coverage=line)
            | models.Q(lines_of_coverage__startswith=f"{line},")
            | models.Q(lines_of_coverage__endswith=f",{line}")
            | models.Q(lines_of_coverage__contains=f",{line},")
        )


class MirroredModel(models.Model):
    """A record mirrored from Noyo. Concrete models add typed columns for what pages use.

    Fields the sync fills on every write: ``id``, ``version``, ``created``,
    ``modified``, ``raw``, ``last_seen`` (and ``first_seen`` on insert), plus the
    model's own columns; it clears ``removed_upstream_at`` when a record comes back.
    """

    id = models.CharField(primary_key=True, max_length=NOYO_ID_LENGTH, help_text="Noyo's id (or a synthetic UUID5).")
    version = models.CharField(
        max_length=64, blank=True, help_text="Noyo's version UUID, or a payload hash for unversioned records."
    )
    created = models.DateTimeField(null=True, blank=True, help_text="Noyo's created time.")
    modified = models.DateTimeField(null=True, blank=True, help_text="Noyo's modified time.")
    raw = models.JSONField(default=dict, blank=True, help_text="The last payload received, as it came.")
    first_seen = models.DateTimeField(default=timezone.now, help_text="When a sync first saw the record.")
    last_seen = models.DateTimeField(default=timezone.now, help_text="When a sync last saw the record.")
    removed_upstream_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a full list read to the end no longer contained the record."
    )

    objects = MirrorQuerySet.as_manager()

    # The column holding the record's status, when it has one.
    STATUS_FIELD = "status"

    class Meta:
        abstract = True

    # Enum display: unknown values are shown as they came.

    def is_known(self, field_name: str) -> bool:
        """Whether the value in ``field_name`` is one of the field's choices (blank counts as known)."""
        field = self._meta.get_field(field_name)
        value = getattr(self, field.attname)
        if value in (None, ""):
            return True
        return value in {str(k) for k, _ in field.flatchoices}

    def label_of(self, field_name: str) -> str:
        """The display label of ``field_name``'s value; the value itself when unknown."""
        field = self._meta.get_field(field_name)
        value = getattr(self, field.attname)
        return str(dict(field.flatchoices).get(value, value) or "")

    @property
    def status_label(self) -> str:
        return self.label_of(self.STATUS_FIELD)

    @property
    def status_is_known(self) -> bool:
        return self.is_known(self.STATUS_FIELD)

    @property
    def raw_masked(self):
        """The raw payload with SSNs masked: what any page or export may show."""
        return mask_ssns(self.raw)

    @property
    def is_removed_upstream(self) -> bool:
        return self.removed_upstream_at is not None


class StatusTrackedModel(MirroredModel):
    """A mirrored record whose status changes the sync records in ``StatusChange``.

    ``status_changed_at`` is when the current status began: the sync sets it when
    it sees a new status (the observation time) and, on first sight, to Noyo's
    ``modified`` (else the time seen). It is the denormalised tip of the status
    history, indexed for "time in current status" and "stuck for N days".
    """

    status = models.CharField(max_length=64, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True, help_text="When the current status began.")

    class Meta:
        abstract = True

    @property
    def time_in_status(self) -> dt.timedelta | None:
        if self.status_changed_at is None:
            return None
        return timezone.now() - self.status_changed_at
