"""The mirror engine: write Noyo payloads of one resource into its model, in batches.

One ``Mirror`` per resource per run. Feed it payloads (``add``), then ``finish``::

    mirror = Mirror(GROUP_CONNECTIONS, run=run)
    for payload in noyo.iter_group_connections():
        mirror.add(payload)
    counts = mirror.finish(complete=True)

For each batch (``batch_size`` payloads):

1. Map every payload to a row with the resource's ``to_row`` (in ``connections/sync.py``
   or ``members/sync.py``). A payload it cannot read (``Malformed``, or any error) becomes
   a ``SyncFailure`` with its id, the reason in plain words and the payload; the rest go on.
2. Read ``id, version`` (and status, when the model tracks one) of the batch's rows: one query.
3. Skip rows whose version did not change: no write at all. Rows the read did not find are
   COPied straight into the table (a first sync costs what ``COPY FROM`` costs); changed
   rows are upserted in one statement (``INSERT … ON CONFLICT (id) DO UPDATE``, see
   ``UpsertWriter``: COPY into a temporary table on Postgres, ``executemany`` on SQLite).
   A "new" row that someone (a webhook, another chunk of the run) wrote meanwhile makes the
   COPY fail: the batch is then upserted whole, so it does not break the batch.
4. Record a ``StatusChange`` for every status seen for the first time or changed, and keep
   ``status_changed_at`` (Noyo's ``modified`` on first sight, the observation time after).
5. Count fetched / created / updated / unchanged / failed into the run's progress.

``finish(complete=True)`` marks rows not seen in this run ``removed_upstream_at``, but only
when the caller read every list feeding the resource to the end; a row that comes back is
written again with the mark cleared. Seen ids are kept as 64-bit hashes in a flat array,
so a million of them cost 8 MB, not the 100 MB of a set.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from command_center.models import StatusChange, SyncFailure, SyncRun

from .records import normalize_noyo_id
from .writer import UpsertWriter, writer_for

logger = logging.getLogger("command_center.sync")

BATCH_SIZE = 1000
# Progress is written at most this often (seconds), and at the end of each resource.
PROGRESS_EVERY = 0.5
BOOKKEEPING = ("first_seen", "last_seen", "removed_upstream_at")


# Every Resource defined, by key (for labels on the Syncs page and in messages).
RESOURCES: dict[str, Resource] = {}


class Malformed(Exception):
    """A payload the mapping cannot read; the message says why, in plain words."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Resource:
    """How one kind of Noyo record is mirrored.

    ``to_row(payload, context)`` returns the row as ``{attname: value}``; it must include
    ``id``, ``version`` and ``raw`` (and ``created``/``modified`` where Noyo sends them).
    Columns it leaves out (``Employee.lines_of_coverage``, ``MemberSnapshot.replaced_by``)
    are never overwritten by the sync. ``carrier_columns`` name the row keys holding carrier
    ids, for ``Carrier.objects.ensure`` before the write.
    """

    key: str
    model: type[models.Model]
    to_row: Callable[[dict, dict | None], dict]
    label: str
    carrier_columns: tuple[str, ...] = ()
    # For records Noyo gives no id (the row's id is derived from fields): the id a payload would
    # have, read leniently, or None. Lets a record that fails to map still count as seen.
    identify: Callable[[dict, dict | None], str | None] | None = None

    def __post_init__(self):
        RESOURCES[self.key] = self

    def identity(self, payload: Any, context: dict | None = None) -> str | None:
        """The id this payload names (or would be mirrored under), None when it cannot be read."""
        if not isinstance(payload, dict):
            return None
        if self.identify is None:
            return normalize_noyo_id(payload.get("id"))
        try:
            return self.identify(payload, context)
        except Exception:  # identifying is best effort: a payload this odd stays unidentified
            return None

    @cached_property  # asked for every row written
    def tracks_status(self) -> bool:
        return any(f.attname == "status_changed_at" for f in self.model._meta.concrete_fields)

    def __str__(self):
        return self.key


@dataclass
class Counts:
    """What a run did to one resource; also its progress while it runs.

    Every record read is accounted for: ``fetched == mirrored + failed``, where ``mirrored``
    is created + updated + unchanged + repeated (``repeated``: the same record twice in one
    list, kept once). ``notes`` say in plain words what else the page must tell: why nothing
    was marked removed, which parents' lists Noyo refused. ``unavailable`` is set when Noyo
    would not list the resource at all (404/403 on the list).
    """

    total: int | None = None
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0
    removed: int = 0
    failed: int = 0
    parents: int | None = None
    parents_done: int = 0
    parents_refused: int = 0
    parents_gone: int = 0
    done: bool = False
    complete: bool | None = None
    family: str = ""
    unavailable: str = ""
    notes: list[str] = field(default_factory=list)
    order: int = 0
    # Pages fetched for this resource, and the fewest the API allows: ceil(n/100) per list, at least one.
    pages: int = 0
    min_pages: int = 0

    @property
    def mirrored(self) -> int:
        return self.created + self.updated + self.unchanged + self.repeated

    @property
    def written(self) -> int:
        return self.created + self.updated + self.removed

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def as_dict(self) -> dict:
        data = {
            "total": self.total,
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repeated": self.repeated,
            "removed": self.removed,
            "failed": self.failed,
            "done": self.done,
            "order": self.order,
            "pages": self.pages,
            "min_pages": self.min_pages,
        }
        if self.parents is not None:
            data.update(
                parents=self.parents,
                parents_done=self.parents_done,
                parents_refused=self.parents_refused,
                parents_gone=self.parents_gone,
            )
        if self.complete is not None:
            data["complete"] = self.complete
        for key in ("family", "unavailable", "notes"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


class Progress:
    """A run's per-resource counts, written to ``SyncRun.resources`` (and the heartbeat) as they move.

    ``noyo`` returns the run's client (or None before it exists): its call counter and what
    it absorbed (``CallStats``) are written with the counts, so the Syncs page shows them as
    they happen. Without a run (a single-record write) it only counts.
    """

    def __init__(self, run: SyncRun | None = None, noyo: Callable[[], Any] | None = None):
        self.run = run
        self.counts: dict[str, Counts] = {}
        self._noyo = noyo or (lambda: None)
        self._saved_at = 0.0
        # What the clients of chunk tasks in other processes met (``CallStats`` deltas, added up).
        self.elsewhere: dict = {}

    def add_elsewhere(self, absorbed: dict) -> None:
        """Add a chunk task's ``CallStats`` delta: its calls are the run's too."""
        self.elsewhere = add_stats(self.elsewhere, absorbed or {})

    def __getitem__(self, key: str) -> Counts:
        if key not in self.counts:
            # Postgres' jsonb does not keep key order: the order the run met them is kept here.
            self.counts[key] = Counts(
                order=len(self.counts) + len(self.run.resources or {}) if self.run else len(self.counts)
            )
        return self.counts[key]

    @property
    def api_calls(self) -> int:
        noyo = self._noyo()
        return (noyo.api_calls if noyo is not None else 0) + int(self.elsewhere.get("calls", 0))

    @property
    def absorbed(self) -> dict:
        noyo = self._noyo()
        own = noyo.stats.as_dict() if noyo is not None and hasattr(noyo, "stats") else {}
        if not self.elsewhere:
            return own
        return add_stats(own, self.elsewhere)

    def save(self, force: bool = False) -> None:
        """Write the counts and the heartbeat, at most every PROGRESS_EVERY seconds unless forced."""
        if self.run is None:
            return
        now = time.monotonic()
        if not force and now - self._saved_at < PROGRESS_EVERY:
            return
        self._saved_at = now
        resources = {**(self.run.resources or {}), **{key: c.as_dict() for key, c in self.counts.items()}}
        self.run.resources = resources
        self.run.api_calls = self.api_calls
        self.run.absorbed = self.absorbed
        self.run.heartbeat_at = timezone.now()
        SyncRun.objects.filter(pk=self.run.pk).update(
            resources=resources,
            api_calls=self.run.api_calls,
            absorbed=self.run.absorbed,
            heartbeat_at=self.run.heartbeat_at,
        )


def add_stats(a: dict, b: dict) -> dict:
    """Two ``CallStats.as_dict()`` summed (``statuses`` by status)."""
    total = dict(a)
    for key, value in b.items():
        if isinstance(value, dict):
            total[key] = {**total.get(key, {})}
            for status, n in value.items():
                total[key][status] = total[key].get(status, 0) + n
        else:
            total[key] = round(total.get(key, 0) + value, 1)
    return total


def stats_delta(after: dict, before: dict) -> dict:
    """What a client met between two ``CallStats.as_dict()`` readings."""
    delta = {}
    for key, value in after.items():
        if isinstance(value, dict):
            delta[key] = {
                s: n - before.get(key, {}).get(s, 0) for s, n in value.items() if n - before.get(key, {}).get(s, 0)
            }
        else:
            delta[key] = round(value - before.get(key, 0), 1)
    return delta


class SeenIds:
    """The ids a run saw, as 64-bit hashes in a flat array: 8 bytes an id.

    A Python set of a million hashes costs about 100 MB; this array costs 8 MB, sorted
    once when the run asks about removals (``in`` is then a binary search). A hash
    collision can only make an id look seen, i.e. leave one row unmarked for one run
    (Python's string hash differs from process to process, so not for the next one).
    """

    def __init__(self):
        self._hashes = array("q")
        self._sorted = True

    def add(self, noyo_id: str) -> None:
        self._hashes.append(hash(noyo_id))
        self._sorted = False

    def __contains__(self, noyo_id: str) -> bool:
        if not self._sorted:
            self._hashes = array("q", sorted(self._hashes))
            self._sorted = True
        hashes, wanted = self._hashes, hash(noyo_id)
        at = bisect_left(hashes, wanted)
        return at < len(hashes) and hashes[at] == wanted

    def __len__(self) -> int:
        return len(self._hashes)


def _text_limits(model) -> list[tuple[str, int]]:
    return [
        (f.attname, f.max_length)
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length and not f.primary_key
    ]


class Mirror:
    """Writes one resource's payloads into its model; see the module docstring."""

    def __init__(
        self,
        resource: Resource,
        *,
        run: SyncRun | None = None,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
        known_carriers: set[str] | None = None,
        keep_ids: bool = False,
        chunk=None,
    ):
        self.resource = resource
        self.model = resource.model
        self.run = run
        self.chunk = chunk  # the SyncChunk this mirror writes for, if a chunk task's: its failures say so
        self.progress = progress or Progress(run)
        self.counts = self.progress[resource.key]
        self.batch_size = batch_size
        self.seen = SeenIds()
        # Every id the lists named, mapped or not, in order (``keep_ids``): the parents whose own
        # lists are read next. A parent that failed to map still has children to mirror.
        self.listed: list[str] | None = [] if keep_ids else None
        # Records whose id could not be read: one of them may be a row we have, so the run
        # cannot tell which rows are gone upstream.
        self.unidentified = 0
        self._rejected: list[SyncFailure] = []
        # Called with the rows written by each batch (and the ids marked removed), for post-passes
        # such as an employee's lines of coverage or a snapshot chain.
        self.on_written: Callable[[list[dict]], None] | None = None
        self.on_removed: Callable[[list[str]], None] | None = None
        self._buffer: list[tuple[Any, dict | None]] = []
        self.last_failures: list[SyncFailure] = []
        self._known_carriers = known_carriers if known_carriers is not None else set()
        self._limits = _text_limits(self.model)
        self._label_lower = self.model._meta.label_lower
        self._writer = writer_for(self.model)

    # --- Feeding -------------------------------------------------------------------

    def add(self, payload: Any, context: dict | None = None) -> None:
        self.counts.fetched += 1
        self._buffer.append((payload, context))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def add_many(self, payloads: Iterable[Any], context: dict | None = None) -> None:
        for payload in payloads:
            self.add(payload, context)

    def reject(self, payload: Any, reason: str, context: dict | None = None) -> None:
        """Count a record read but not mirrored for a reason found outside its mapping (e.g. its parent)."""
        self.counts.fetched += 1
        self.counts.failed += 1
        self._rejected.append(self._failure(payload, reason, context=context))
        if len(self._rejected) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the buffered payloads as one batch."""
        if self._rejected:
            failures, self._rejected = self._rejected, []
            if self.run is not None:
                SyncFailure.objects.bulk_create(failures)
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        self._write_batch(batch)
        self.progress.save()

    def finish(self, complete: bool, why_not: str = "") -> Counts:
        """Write what is left; mark rows not seen as removed upstream if ``complete``.

        ``why_not`` says, in plain words, why the lists were not all read (shown on the run's
        page). Even a complete read marks nothing removed when some record came without a
        readable id: it may have been one of the rows we have.
        """
        self.flush()
        if complete and self.unidentified:
            complete = False
            s = "" if self.unidentified == 1 else "s"
            why_not = f"{self.unidentified:,} record{s} came without a readable id, so none was marked removed"
        self.counts.complete = complete
        if complete:
            self.counts.removed += self.mark_removed()
        elif why_not:
            self.counts.note(f"Nothing was marked removed: {why_not}.")
        self.seen = SeenIds()  # a million ids are tens of megabytes: let them go
        self.counts.done = True
        self.progress.save(force=True)
        return self.counts

    def _saw(self, noyo_id: str) -> None:
        self.seen.add(noyo_id)
        if self.listed is not None:
            self.listed.append(noyo_id)

    # --- One batch --------------------------------------------------------------------

    def map_batch(self, batch: list[tuple[Any, dict | None]]) -> tuple[dict[str, dict], list[SyncFailure]]:
        rows: dict[str, dict] = {}
        failures = []
        for payload, context in batch:
            try:
                if not isinstance(payload, dict):
                    raise Malformed(f"The record is not a JSON object but {type(payload).__name__}.")
                row = self.resource.to_row(payload, context)
                self._check_lengths(row)
            except Malformed as exc:
                failures.append(self._failure(payload, exc.reason, context=context))
                continue
            except Exception as exc:  # a mapping bug must not stop the sync: record it with the payload
                logger.exception("Could not map a %s payload", self.resource.key)
                failures.append(
                    self._failure(
                        payload, f"Could not read this record ({type(exc).__name__}: {exc}).", context=context
                    )
                )
                continue
            self._saw(row["id"])
            if row["id"] in rows:
                self.counts.repeated += 1  # the same id twice in a batch: the later payload wins
            rows[row["id"]] = row
        return rows, failures

    def _write_batch(self, batch) -> None:
        batch, existing, asked = self._skip_unchanged(batch)
        rows, failures = self.map_batch(batch)
        self.write_rows(rows, failures, existing, asked)

    def _skip_unchanged(self, batch):
        """Count and drop the payloads whose ``version`` is the mirrored one before mapping them.

        Most of a resync is unchanged records; reading their id and version straight from
        the payload spares the mapping. A row with that version was mapped and checked when
        it was written. Records Noyo gives no id (premiums, ...) are keyed by their mapping,
        so they are all mapped. Returns the rest of the batch, the rows read, and the ids
        asked for.
        """
        keys = [_quick_key(payload) for payload, _ in batch]
        asked = {key[0] for key in keys if key is not None}
        existing = self._existing(asked)
        rest = []
        for item, key in zip(batch, keys):
            old = existing.get(key[0]) if key is not None else None
            if old is not None and old["version"] == key[1] and not old["removed"]:
                self.counts.unchanged += 1
                self._saw(key[0])
            else:
                rest.append(item)
        return rest, existing, asked

    def write_rows(self, rows: dict[str, dict], failures: list[SyncFailure], existing=None, asked=()) -> None:
        now = timezone.now()
        existing = dict(existing or {})
        existing.update(self._existing([noyo_id for noyo_id in rows if noyo_id not in asked]))
        to_write, new, changes = [], [], []
        for noyo_id, row in rows.items():
            old = existing.get(noyo_id)
            if old is not None and old["version"] == row["version"] and not old["removed"]:
                self.counts.unchanged += 1
                continue
            self._stamp(row, old, now, changes)
            to_write.append(row)
            if old is None:
                new.append(row)
                self.counts.created += 1
            else:
                self.counts.updated += 1
        self.counts.failed += len(failures)
        self.last_failures = failures
        if not (to_write or failures):
            return
        self._ensure_carriers(to_write)
        with transaction.atomic():
            written, bad = self._write(to_write, new)
            if bad:
                failures.extend(bad)
                self._uncount(bad, existing)
            if changes:
                written_ids = {row["id"] for row in written}
                _status_change_writer().insert([c for c in changes if c["object_id"] in written_ids])
            if failures and self.run is not None:
                SyncFailure.objects.bulk_create(failures)
        self.last_failures = failures
        if self.on_written is not None and written:
            self.on_written(written)

    def _existing(self, ids) -> dict[str, dict]:
        """``{id: {version, removed, status, status_changed_at}}`` of the batch's rows already mirrored: one query.

        Raw SQL: Django's ``pk__in`` prepares every id through the lookup machinery, which
        at a thousand ids a batch costs more than the query.
        """
        ids = list(ids)
        if not ids:
            return {}
        columns = '"id", "version", "removed_upstream_at" IS NOT NULL'
        if self.resource.tracks_status:
            columns += ', "status", "status_changed_at"'
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT {columns} FROM "{table}" WHERE "id" = ANY(%s)', [ids])
            else:
                cursor.execute(f'SELECT {columns} FROM "{table}" WHERE "id" IN ({", ".join(["%s"] * len(ids))})', ids)
            found = cursor.fetchall()
        existing = {}
        for values in found:
            old = {"id": values[0], "version": values[1], "removed": bool(values[2])}
            if self.resource.tracks_status:
                old["status"], old["status_changed_at"] = values[3], _as_datetime(values[4])
            existing[values[0]] = old
        return existing

    def _stamp(self, row: dict, old: dict | None, now, changes: list) -> None:
        """Fill the bookkeeping columns and collect the status change, if any."""
        row["last_seen"] = now
        row["removed_upstream_at"] = None
        if old is None:
            row["first_seen"] = now
        if not self.resource.tracks_status:
            return
        new_status = row.get("status", "")
        old_status = old["status"] if old else ""
        if old is not None and old_status == new_status:
            row["status_changed_at"] = old["status_changed_at"]
            return
        row["status_changed_at"] = (row.get("modified") or now) if old is None else now
        # What StatusChange.objects.build() makes, as a plain row: a model instance per change
        # costs more than writing it (millions on a first sync at large scale).
        changes.append(
            {
                "resource": self._label_lower,
                "object_id": row["id"],
                "old_status": old_status or "",
                "new_status": new_status or "",
                "observed_at": now,
                "noyo_modified": row.get("modified"),
                "run_id": self.run.pk if self.run is not None else None,
            }
        )

    def _write(self, rows: list[dict], new: list[dict] = ()) -> tuple[list[dict], list[SyncFailure]]:
        """Write the rows (``new``: those not found, inserted straight; the rest upserted); if the
        batch fails, upsert it whole, then one by one, so only the bad rows fail."""
        if not rows:
            return [], []
        if new:
            try:
                with transaction.atomic():
                    self._writer.insert(new)
                    if len(new) < len(rows):
                        known = {row["id"] for row in new}
                        self._writer.upsert([row for row in rows if row["id"] not in known])
                return rows, []
            except DatabaseError:  # one was written meanwhile (IntegrityError), or a row is bad: merge instead
                pass
        try:
            with transaction.atomic():
                self._writer.upsert(rows)
            return rows, []
        except DatabaseError:
            logger.warning(
                "A batch of %s failed to write; writing its rows one by one", self.resource.key, exc_info=True
            )
        written, bad = [], []
        for row in rows:
            try:
                with transaction.atomic():
                    self._writer.upsert([row])
                written.append(row)
            except DatabaseError as exc:
                reason = f"The database refused this record: {str(exc).strip().splitlines()[0][:300]}"
                bad.append(self._failure(row.get("raw"), reason, noyo_id=row["id"]))
        return written, bad

    def _uncount(self, bad: list[SyncFailure], existing: dict) -> None:
        for failure in bad:
            if failure.noyo_id in existing:
                self.counts.updated -= 1
            else:
                self.counts.created -= 1
            self.counts.failed += 1

    def _ensure_carriers(self, rows: list[dict]) -> None:
        if not self.resource.carrier_columns:
            return
        from connections.models import Carrier

        # A column holds one carrier id, or several comma-joined (RenewalDecision.carrier_ids).
        wanted = {
            i for row in rows for c in self.resource.carrier_columns if row.get(c) for i in row[c].split(",") if i
        }
        missing = wanted - self._known_carriers
        if missing:
            Carrier.objects.ensure(missing)
            self._known_carriers |= missing

    def _check_lengths(self, row: dict) -> None:
        for attname, limit in self._limits:
            value = row.get(attname)
            if value is not None and len(value) > limit:
                raise Malformed(f"Its {attname} is {len(value)} characters long; at most {limit} fit.")

    def _failure(
        self, payload: Any, reason: str, noyo_id: str | None = None, context: dict | None = None
    ) -> SyncFailure:
        """A failed record, kept with its payload; its id, when readable, counts as seen (it is still listed)."""
        if noyo_id is None:
            readable = self.resource.identity(payload, context)
            if readable is None:
                self.unidentified += 1
            else:
                self._saw(readable)
            noyo_id = readable or (str(payload.get("id") or "")[:64] if isinstance(payload, dict) else "")
        return SyncFailure(
            run=self.run,
            chunk=self.chunk,
            resource=self.resource.key,
            noyo_id=noyo_id or "",
            reason=reason,
            payload=_jsonable(payload),
        )

    # --- Removed upstream ---------------------------------------------------------------

    def mark_removed(self) -> int:
        """Mark present rows this run did not see; return how many."""
        now = timezone.now()
        present = self.model._base_manager.filter(removed_upstream_at__isnull=True).values_list("pk", flat=True)
        gone = [pk for pk in present.iterator(chunk_size=5000) if pk not in self.seen]
        for start in range(0, len(gone), 1000):
            self.model._base_manager.filter(pk__in=gone[start : start + 1000]).update(removed_upstream_at=now)
        if gone and self.on_removed is not None:
            self.on_removed(gone)
        return len(gone)


def write_one(resource: Resource, payload: dict, context: dict | None = None, *, run: SyncRun | None = None):
    """Write one payload through the same mapping and rules as a sync; return the saved row.

    Raises ``Malformed`` when the payload cannot be read (nothing is written then).
    """
    mirror = Mirror(resource, run=run, batch_size=1)
    rows, failures = mirror.map_batch([(payload, context)])
    if failures:
        raise Malformed(failures[0].reason)
    mirror.write_rows(rows, [])
    if mirror.last_failures:
        raise Malformed(mirror.last_failures[0].reason)
    (noyo_id,) = rows
    return resource.model._base_manager.get(pk=noyo_id)


def _status_change_writer():
    return UpsertWriter(StatusChange, conflict=False)


_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _quick_key(payload) -> tuple[str, str] | None:
    """(id, version) read straight from a payload, when both are plainly there; else None (map it)."""
    if type(payload) is not dict:
        return None
    noyo_id, version = payload.get("id"), payload.get("version")
    if type(noyo_id) is str and type(version) is str and version and _CANONICAL_ID.fullmatch(noyo_id):
        return noyo_id, version
    return None


def _as_datetime(value):
    """A datetime read by raw SQL: psycopg gives one; SQLite gives text, in UTC."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(str(value))
    return parsed if parsed is None or timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _jsonable(payload: Any) -> Any:
    try:
        json.dumps(payload)
        return payload
    except (TypeError, ValueError):
        return repr(payload)[:10_000]
