"""Sync runs: a row first, then a Celery task that fills it in.

``start_sync(kind, trigger, user)`` is the one way a sync starts (the Syncs page, the
schedule, the command, the demo setup). It:

1. creates the ``SyncRun`` row, queued;
2. claims the run's resource families in ``SyncFamily`` with a conditional UPDATE
   (``… SET run = #12 WHERE family = 'groups' AND run IS NULL``) and checks the row count.
   Two triggers racing for one family: the database lets one UPDATE through; the other
   matches no row, rolls back its claims and becomes a SKIPPED run that says who holds it.
   This works the same on Postgres (row locks) and SQLite (one writer at a time), with no
   advisory locks and no polling. A full sync claims every family;
3. enqueues the task in ``transaction.on_commit``, so a worker never sees a run that is
   not committed yet.

``execute(run)`` (the task body) marks it running, keeps a heartbeat and tries every family
of the run, whatever another one did. Each family ends succeeded, partial (failed records, a
list Noyo will not give this API key) or failed (it stopped: Noyo down, a bug), with its own
message in plain words; the run ends succeeded, partial or failed from them. The outcome of
each family is also written on its ``SyncFamily`` row, which every page reads to say how
current its data is, and the claims are released in the same transaction.

A run whose worker died would hold its families for good: ``reap_stale_runs()`` (every
minute, from beat) fails it, and so does the next trigger that finds the family held by a run
whose heartbeat stopped, so syncs go on even with no worker running the reaper.
"""

from __future__ import annotations

import logging
import resource
import threading
import time
import traceback
from datetime import timedelta

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone

from command_center.models import SyncFamily, SyncRun
from command_center.noyo.backoff import RETRY_STATUSES
from command_center.noyo.errors import NetworkError, NoyoError, RateLimited

from .client import sync_client, wait_for_local_noyo
from .engine import Progress
from .families import (
    FAMILIES,
    FULL,
    KINDS,
    FamilyRun,
    families_of,
    kind_label,
    resource_label,
    sync_family,
)

logger = logging.getLogger("command_center.sync")

HEARTBEAT_SECONDS = 20
# A running run whose heartbeat is older than this lost its worker.
STALE_AFTER = timedelta(minutes=3)
# A queued run no worker picked up within this long will not be.
QUEUED_TOO_LONG = timedelta(hours=1)


# --- Starting ---------------------------------------------------------------------------------


def start_sync(kind: str, trigger: str, user=None, *, enqueue: bool = True) -> SyncRun:
    """Create the run, claim its families, and (``enqueue``) queue its task once committed.

    Returns the run; its status is SKIPPED (with the reason in ``message``) when another
    live run holds one of its families. A holder whose worker died is failed first.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown sync kind {kind!r}; expected one of {', '.join(KINDS)}.")
    with transaction.atomic():
        run = SyncRun.objects.create(kind=kind, trigger=trigger, requested_by=user if _is_user(user) else None)
        holder = _claim(run)
    if holder is not None and holder.pk and reap_if_dead(holder):
        with transaction.atomic():
            holder = _claim(run)
    if holder is not None:
        run.status = SyncRun.Status.SKIPPED
        run.finished_at = timezone.now()
        run.message = _busy_message(kind, holder)
        run.save(update_fields=["status", "finished_at", "message"])
        return run
    if enqueue:
        transaction.on_commit(lambda: _enqueue(run))
    return run


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _claim(run: SyncRun) -> SyncRun | None:
    """Claim every family of the run; on the first one taken, undo and return its holder."""
    ensure_families()
    now = timezone.now()
    try:
        with transaction.atomic():
            for family in families_of(run.kind):
                claimed = SyncFamily.objects.filter(family=family, run__isnull=True).update(run=run, claimed_at=now)
                if not claimed:
                    raise _Busy(family)
    except _Busy as busy:
        holder_id = SyncFamily.objects.filter(family=busy.family).values_list("run_id", flat=True).first()
        return SyncRun.objects.filter(pk=holder_id).first() or SyncRun(pk=holder_id, kind=busy.family)
    return None


class _Busy(Exception):
    def __init__(self, family):
        self.family = family


def ensure_families() -> None:
    """One row per family (the migration creates them; a family added later gets one here)."""
    missing = set(FAMILIES) - set(SyncFamily.objects.values_list("family", flat=True))
    if missing:
        SyncFamily.objects.bulk_create([SyncFamily(family=f) for f in missing], ignore_conflicts=True)


def release(run: SyncRun) -> None:
    SyncFamily.objects.filter(run=run).update(run=None, claimed_at=None)


def _busy_message(kind: str, holder: SyncRun) -> str:
    """E.g. "A group connections sync (#12) is already running." """
    label = "full" if holder.kind == FULL else kind_label(holder.kind) if holder.kind in FAMILIES else ""
    what = f"{'An' if label[:1] in 'aeiou' else 'A'} {label}" if label else "Another"
    state = "queued" if holder.status == SyncRun.Status.QUEUED else "running"
    return f"{what} sync (#{holder.pk}) is already {state}."


def _enqueue(run: SyncRun) -> None:
    # By name, through the app's registry: tasks import this module, not the other way round.
    current_app.tasks[task_name(run.kind)].delay(run_id=run.pk)


def task_name(kind: str) -> str:
    """The Celery task that runs a sync of this kind (``command_center.sync_groups``, ...)."""
    return f"command_center.sync_{kind}"


# --- Running ------------------------------------------------------------------------------------


def execute(run_id: int, noyo=None) -> SyncRun:
    """Run a queued sync to its end and record the outcome. Never raises for a Noyo failure."""
    started = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=started, heartbeat_at=started
    )
    run = SyncRun.objects.get(pk=run_id)
    if not claimed:
        logger.warning("Sync run #%s is %s, not queued: not running it again", run_id, run.status)
        return run
    own_client = noyo is None
    progress = Progress(run, noyo=lambda: noyo)
    heartbeat = Heartbeat(run.pk)
    heartbeat.start()
    try:
        if own_client:
            wait_for_local_noyo()
            noyo = sync_client()
        outcomes = [_run_family(run, family, noyo, progress) for family in families_of(run.kind)]
    except Exception as error:  # before any family ran (building the client): a bug or the settings
        logger.exception("Sync run #%s failed", run.pk)
        message = f"The sync could not start ({type(error).__name__}: {str(error)[:200]}); nothing was marked removed."
        _finish(run, progress, SyncRun.Status.FAILED, message, error=traceback.format_exc())
    else:
        errors = "\n\n".join(outcome.error for outcome in outcomes if outcome.error)
        _finish(run, progress, overall_status(outcomes), run_message(outcomes, progress), error=errors)
    finally:
        heartbeat.stop()
        if own_client and noyo is not None:
            noyo.close()
    return run


class Outcome:
    """How one family of a run ended: a status, a message in plain words, and a traceback for a bug."""

    def __init__(self, family: str, status: str, message: str, error: str = ""):
        self.family, self.status, self.message, self.error = family, status, message, error

    def as_dict(self, started, finished) -> dict:
        return {
            "status": self.status,
            "message": self.message,
            "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
        }


def _run_family(run: SyncRun, family: str, noyo, progress: Progress) -> Outcome:
    """Sync one family and record its outcome; a failure stops this family only."""
    started, clock = timezone.now(), time.monotonic()
    job = FamilyRun(noyo, progress, run=run, family=family)
    try:
        sync_family(family)(job)
    except NoyoError as error:
        outcome = Outcome(family, SyncRun.Status.FAILED, noyo_failure_message(error, job, noyo))
    except Exception as error:  # a bug or the database: this family stops, the others are still tried
        logger.exception("Sync run #%s: the %s family failed", run.pk, family)
        message = (
            f"The sync stopped on an unexpected error ({type(error).__name__}: {str(error)[:200]}); "
            f"{_removed_note(job)}"
        )
        outcome = Outcome(family, SyncRun.Status.FAILED, message, error=traceback.format_exc())
    else:
        outcome = family_outcome(job)
    logger.info(
        "Sync run #%s: %s %s in %.1f s (peak memory so far %d MB)",
        run.pk,
        family,
        outcome.status,
        time.monotonic() - clock,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    )
    record_outcome(run, outcome, started)
    outcome.error += derive_attention(run, job)
    progress.save(force=True)
    return outcome


def derive_attention(run: SyncRun, job: FamilyRun) -> str:
    """Open, refresh and close the attention items of what the family read (``command_center.attention``):
    the one place a sync touches them. Only resources read to the end close items. A failure here
    leaves the items as they were and the family's outcome stands (the mirror it wrote is right);
    its traceback is returned, for the run's error."""
    from command_center import attention

    try:
        attention.derive_after_family(job.family, {key: mirror.counts for key, mirror in job.mirrors.items()}, run=run)
    except Exception:
        logger.exception("Sync run #%s: deriving attention items after the %s family failed", run.pk, job.family)
        return f"Attention items after the {job.family} family could not be derived:\n{traceback.format_exc()}"
    return ""


def record_outcome(run: SyncRun, outcome: Outcome, started=None, finished=None) -> None:
    """Write a family's outcome on the run (``families``) and on the family's own row."""
    finished = finished or timezone.now()
    run.families = {**(run.families or {}), outcome.family: outcome.as_dict(started or finished, finished)}
    SyncRun.objects.filter(pk=run.pk).update(families=run.families)
    state = {
        "last_attempt_run": run,
        "last_attempt_at": finished,
        "last_outcome": outcome.status,
        "last_message": outcome.message,
    }
    if outcome.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL):
        state["last_read_at"] = finished
    if outcome.status == SyncRun.Status.SUCCEEDED:
        state["last_success_at"] = finished
    SyncFamily.objects.filter(family=outcome.family).update(**state)


def overall_status(outcomes: list[Outcome]) -> str:
    """Succeeded when every family did, failed when every family failed, partial in between."""
    statuses = {outcome.status for outcome in outcomes}
    if statuses == {SyncRun.Status.SUCCEEDED}:
        return SyncRun.Status.SUCCEEDED
    if statuses == {SyncRun.Status.FAILED}:
        return SyncRun.Status.FAILED
    return SyncRun.Status.PARTIAL


def _finish(run: SyncRun, progress: Progress, status: str, message: str, error: str = "") -> None:
    progress.save(force=True)
    with transaction.atomic():
        SyncRun.objects.filter(pk=run.pk).update(
            status=status, finished_at=timezone.now(), message=message, error=error, api_calls=progress.api_calls
        )
        release(run)
    run.refresh_from_db()


class Heartbeat:
    """Touches ``heartbeat_at`` every HEARTBEAT_SECONDS from a thread, while the run's process lives.

    The run's progress saves move it too; this covers long quiet stretches (Noyo backing off).
    ``model`` is SyncRun, or SyncChunk for a chunk task (both say "running" the same way).
    """

    def __init__(self, run_id: int, every: float = HEARTBEAT_SECONDS, model=SyncRun):
        self.run_id, self.every, self.model = run_id, every, model
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"sync-heartbeat-{run_id}", daemon=True)

    def start(self):
        # SQLite in-memory databases are per connection: a second thread would not see the run.
        if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
            return
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _beat(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    self.model.objects.filter(pk=self.run_id, status=SyncRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a locked SQLite file, a lost connection: try again next beat
                    logger.warning("Heartbeat of %s #%s missed a beat", self.model.__name__, self.run_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()


# --- Reaping ------------------------------------------------------------------------------------

WORKER_STOPPED = "The worker stopped while this sync was running."
NEVER_STARTED = "No worker picked this sync up within an hour; it was abandoned."


def reap_stale_runs(now=None) -> int:
    """Fail running runs whose heartbeat stopped, and queued runs nobody picked up; release their claims."""
    now = now or timezone.now()
    stale = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    forgotten = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, created__lt=now - QUEUED_TOO_LONG)
    reaped = sum(reap_if_dead(run, now) for run in [*stale, *forgotten])
    # Claims left by runs that are no longer active (a crash between finishing and releasing).
    SyncFamily.objects.exclude(run=None).exclude(run__status__in=SyncRun.ACTIVE_STATUSES).update(
        run=None, claimed_at=None
    )
    return reaped


def reap_if_dead(run: SyncRun, now=None) -> bool:
    """Fail ``run`` if its worker is gone (no heartbeat for STALE_AFTER, or queued and never
    picked up for QUEUED_TOO_LONG), release its families and record them failed; True if so.

    Conditional on the status it was seen in, so a run that finished meanwhile is left alone.
    """
    now = now or timezone.now()
    if run.status == SyncRun.Status.RUNNING and run.heartbeat_at is not None and run.heartbeat_at < now - STALE_AFTER:
        message = WORKER_STOPPED
    elif run.status == SyncRun.Status.QUEUED and run.created < now - QUEUED_TOO_LONG:
        message = NEVER_STARTED
    else:
        return False
    with transaction.atomic():
        updated = SyncRun.objects.filter(pk=run.pk, status=run.status).update(
            status=SyncRun.Status.FAILED, finished_at=now, message=message
        )
        if not updated:
            return False
        run.refresh_from_db()
        for family in families_of(run.kind) if run.kind in KINDS else []:
            if (run.families or {}).get(family, {}).get("status") is None:  # families that had ended keep their outcome
                record_outcome(run, Outcome(family, SyncRun.Status.FAILED, message), finished=now)
        release(run)
    logger.warning("Sync run #%s failed: %s", run.pk, message)
    return True


# --- Messages -------------------------------------------------------------------------------------


def family_outcome(job: FamilyRun) -> Outcome:
    """A family that ran to its end: succeeded, or partial when records failed or a list was refused."""
    counts = [mirror.counts for mirror in job.mirrors.values()]
    problems = []
    failed = sum(c.failed for c in counts)
    if failed:
        problems.append(
            f"{failed:,} record{'s' if failed != 1 else ''} could not be read; see the failed records below."
        )
    problems += [c.unavailable for c in counts if c.unavailable]
    problems += [note for c in counts if c.parents_refused for note in c.notes if "refused" in note]
    status = SyncRun.Status.PARTIAL if problems else SyncRun.Status.SUCCEEDED
    return Outcome(
        job.family, status, " ".join([read_message({key: m.counts for key, m in job.mirrors.items()}), *problems])
    )


def read_message(counts: dict) -> str:
    """E.g. "Read 45 group connections: 2 new, 1 changed, 0 marked removed." """
    fetched = sum(c.fetched for c in counts.values())
    created = sum(c.created for c in counts.values())
    updated = sum(c.updated for c in counts.values())
    removed = sum(c.removed for c in counts.values())
    if len(counts) == 1:
        (key,) = counts
        what = f"{fetched:,} {_label(key)}"
    else:
        what = f"{fetched:,} records of {len(counts)} kinds"
    if not (created or updated or removed):
        return f"Read {what}: nothing changed."
    return f"Read {what}: {created:,} new, {updated:,} changed, {removed:,} marked removed."


def run_message(outcomes: list[Outcome], progress: Progress) -> str:
    """One family: its message. Several: what was read in all, then, family by family, what went wrong."""
    if len(outcomes) == 1:
        return outcomes[0].message
    troubled = [o for o in outcomes if o.status != SyncRun.Status.SUCCEEDED]
    parts = [read_message(progress.counts)]
    if troubled:
        parts.insert(0, f"{len(outcomes) - len(troubled)} of {len(outcomes)} families synced.")
    for outcome in troubled:
        state = "failed" if outcome.status == SyncRun.Status.FAILED else "partly synced"
        parts.append(f"{kind_label(outcome.family).capitalize()} {state}: {outcome.message}")
    return " ".join(parts)


def noyo_failure_message(error: NoyoError, job: FamilyRun, noyo=None) -> str:
    """E.g. "Noyo did not answer (503) after 5 attempts; 1,200 of 3,400 group connections were mirrored; nothing was marked removed." """
    attempts = noyo.retry_policy.max_attempts if noyo is not None else None
    if isinstance(error, RateLimited) or error.status_code in RETRY_STATUSES:
        cause = f"Noyo did not answer ({error.status_code})" + (f" after {attempts} attempts" if attempts else "")
    elif isinstance(error, NetworkError):
        cause = (
            "Noyo could not be reached"
            + (f" after {attempts} attempts" if attempts else "")
            + f" ({error.message.rstrip('.')})"
        )
    elif error.status_code:
        cause = f"Noyo answered {error.status_code}: {error.message.rstrip('.')}"
    else:
        cause = error.message.rstrip(".")
    return f"{cause}; {_where_it_stopped(job)}; {_removed_note(job)}"


def _where_it_stopped(job: FamilyRun) -> str:
    if job.stopped_at is None or job.stopped_at not in job.mirrors:
        return "no list was being read"
    key, c = job.stopped_at, job.mirrors[job.stopped_at].counts
    if c.total is not None:
        return f"{c.mirrored:,} of {c.total:,} {_label(key)} were mirrored"
    if c.parents:
        return f"{c.mirrored:,} {_label(key)} were mirrored (the lists of {c.parents_done:,} of {c.parents:,} parents were read)"
    return f"{c.mirrored:,} {_label(key)} were mirrored"


def _removed_note(job: FamilyRun) -> str:
    removed = sum(mirror.counts.removed for mirror in job.mirrors.values())
    if not removed:
        return "nothing was marked removed."
    return f"only lists read to the end were checked for removed records ({removed:,} marked removed)."


def _label(key: str) -> str:
    return resource_label(key)


def wait_for(run_id: int, timeout: float = 30.0) -> SyncRun:
    """Poll until the run is no longer active (for tests and the foreground command)."""
    deadline = time.monotonic() + timeout
    while True:
        run = SyncRun.objects.get(pk=run_id)
        if not run.is_active or time.monotonic() > deadline:
            return run
        time.sleep(0.1)
