"""Sync runs: a row first, then a Celery task that fills it in.

``start_sync(kind, trigger, user)`` is the one way a sync starts (the Syncs page, the
schedule, the command, the demo setup). It:

1. creates the ``SyncRun`` row, queued;
2. claims the run's resource families in ``SyncLock`` with a conditional UPDATE
   (``… SET run = #12 WHERE family = 'groups' AND run IS NULL``) and checks the row count.
   Two triggers racing for one family: the database lets one UPDATE through; the other
   matches no row, rolls back its claims and becomes a SKIPPED run that says who holds it.
   This works the same on Postgres (row locks) and SQLite (one writer at a time), with no
   advisory locks and no polling. A full sync claims every family;
3. enqueues the task in ``transaction.on_commit``, so a worker never sees a run that is
   not committed yet.

``execute(run)`` (the task body) marks it running, keeps a heartbeat, runs the families,
then records succeeded / partial / failed with a message in plain words and, for an
unexpected error, the traceback; the claim is released in the same transaction.
``reap_stale_runs()`` (every minute, from beat) fails runs whose worker died.
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

from command_center.models import SyncLock, SyncRun
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
    run holds one of its families.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown sync kind {kind!r}; expected one of {', '.join(KINDS)}.")
    with transaction.atomic():
        run = SyncRun.objects.create(kind=kind, trigger=trigger, requested_by=user if _is_user(user) else None)
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
    ensure_locks()
    now = timezone.now()
    try:
        with transaction.atomic():
            for family in families_of(run.kind):
                claimed = SyncLock.objects.filter(family=family, run__isnull=True).update(run=run, claimed_at=now)
                if not claimed:
                    raise _Busy(family)
    except _Busy as busy:
        holder_id = SyncLock.objects.filter(family=busy.family).values_list("run_id", flat=True).first()
        return SyncRun.objects.filter(pk=holder_id).first() or SyncRun(pk=holder_id, kind=busy.family)
    return None


class _Busy(Exception):
    def __init__(self, family):
        self.family = family


def ensure_locks() -> None:
    """One lock row per family (the migration creates them; a family added later gets one here)."""
    missing = set(FAMILIES) - set(SyncLock.objects.values_list("family", flat=True))
    if missing:
        SyncLock.objects.bulk_create([SyncLock(family=f) for f in missing], ignore_conflicts=True)


def release(run: SyncRun) -> None:
    SyncLock.objects.filter(run=run).update(run=None, claimed_at=None)


def _busy_message(kind: str, holder: SyncRun) -> str:
    """E.g. "A group connections sync (#12) is already running." """
    what = "A full" if holder.kind == FULL else f"A {kind_label(holder.kind)}" if holder.kind in FAMILIES else "Another"
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
    progress = Progress(run, api_calls=lambda: noyo.api_calls if noyo is not None else 0)
    heartbeat = Heartbeat(run.pk)
    heartbeat.start()
    try:
        if own_client:
            wait_for_local_noyo()
            noyo = sync_client()
        _run_families(run, noyo, progress)
    except NoyoError as error:
        _finish(run, progress, SyncRun.Status.FAILED, noyo_failure_message(error, run, progress, noyo))
    except Exception as error:  # anything else: a bug or the database; keep the traceback
        logger.exception("Sync run #%s failed", run.pk)
        message = f"The sync stopped on an unexpected error ({type(error).__name__}: {str(error)[:200]}); {_removed_note(progress)}"
        _finish(run, progress, SyncRun.Status.FAILED, message, error=traceback.format_exc())
    else:
        failed = sum(c.failed for c in progress.counts.values())
        status = SyncRun.Status.PARTIAL if failed else SyncRun.Status.SUCCEEDED
        _finish(run, progress, status, success_message(run, progress))
    finally:
        heartbeat.stop()
        if own_client and noyo is not None:
            noyo.close()
    return run


def _run_families(run: SyncRun, noyo, progress: Progress) -> None:
    job = FamilyRun(noyo, progress, run=run)
    for family in families_of(run.kind):
        started = time.monotonic()
        sync_family(family)(job)
        logger.info("Sync run #%s: %s took %.1f s (peak memory so far %d MB)", run.pk, family,
                    time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        job.mirrors.clear()  # free the seen-id sets before the next family


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
    """

    def __init__(self, run_id: int, every: float = HEARTBEAT_SECONDS):
        self.run_id, self.every = run_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"sync-heartbeat-{run_id}", daemon=True)

    def start(self):
        # SQLite in-memory test databases are per connection: a second thread would not see the run.
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
                    SyncRun.objects.filter(pk=self.run_id, status=SyncRun.Status.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # a locked SQLite file, a lost connection: try again next beat
                    logger.warning("Heartbeat of sync run #%s missed a beat", self.run_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()


# --- Reaping ------------------------------------------------------------------------------------

WORKER_STOPPED = "The worker stopped while this sync was running."
NEVER_STARTED = "No worker picked this sync up within an hour; it was abandoned."


def reap_stale_runs(now=None) -> int:
    """Fail running runs whose heartbeat stopped, and queued runs nobody picked up; release their claims."""
    now = now or timezone.now()
    reaped = 0
    stale = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    forgotten = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, created__lt=now - QUEUED_TOO_LONG)
    for queryset, status, message in ((stale, SyncRun.Status.RUNNING, WORKER_STOPPED), (forgotten, SyncRun.Status.QUEUED, NEVER_STARTED)):
        for run in queryset:
            with transaction.atomic():
                # Conditional: a run that finished meanwhile is left alone.
                updated = SyncRun.objects.filter(pk=run.pk, status=status).update(
                    status=SyncRun.Status.FAILED, finished_at=now, message=message
                )
                if updated:
                    release(run)
                    reaped += 1
    # Claims left by runs that are no longer active (a crash between finishing and releasing).
    SyncLock.objects.exclude(run=None).exclude(run__status__in=SyncRun.ACTIVE_STATUSES).update(run=None, claimed_at=None)
    return reaped


# --- Messages -------------------------------------------------------------------------------------


def success_message(run: SyncRun, progress: Progress) -> str:
    counts = progress.counts
    fetched = sum(c.fetched for c in counts.values())
    created = sum(c.created for c in counts.values())
    updated = sum(c.updated for c in counts.values())
    removed = sum(c.removed for c in counts.values())
    failed = sum(c.failed for c in counts.values())
    if run.kind != FULL and len(counts) == 1:
        (key,) = counts
        what = f"{fetched:,} {_label(key)}"
    else:
        what = f"{fetched:,} records of {len(counts)} kinds"
    message = f"Read {what}: {created:,} new, {updated:,} changed, {removed:,} marked removed."
    if not (created or updated or removed):
        message = f"Read {what}: nothing changed."
    if failed:
        message += f" {failed:,} record{'s' if failed != 1 else ''} could not be read; see the failed records below."
    return message


def noyo_failure_message(error: NoyoError, run: SyncRun, progress: Progress, noyo=None) -> str:
    """E.g. "Noyo did not answer (503) after 5 attempts; 1,200 of 3,400 group connections were mirrored; nothing was marked removed." """
    attempts = noyo.retry_policy.max_attempts if noyo is not None else None
    if isinstance(error, RateLimited) or error.status_code in RETRY_STATUSES:
        cause = f"Noyo did not answer ({error.status_code})" + (f" after {attempts} attempts" if attempts else "")
    elif isinstance(error, NetworkError):
        cause = "Noyo could not be reached" + (f" after {attempts} attempts" if attempts else "") + f" ({error.message.rstrip('.')})"
    elif error.status_code:
        cause = f"Noyo answered {error.status_code}: {error.message.rstrip('.')}"
    else:
        cause = error.message.rstrip(".")
    return f"{cause}; {_where_it_stopped(progress)}; {_removed_note(progress)}"


def _where_it_stopped(progress: Progress) -> str:
    unfinished = [(key, c) for key, c in progress.counts.items() if not c.complete]
    if not unfinished:
        return "no list was being read"
    key, c = unfinished[0]
    written = c.created + c.updated + c.unchanged
    if c.total is not None:
        return f"{written:,} of {c.total:,} {_label(key)} were mirrored"
    if c.parents:
        return f"{written:,} {_label(key)} were mirrored (the lists of {c.parents_done:,} of {c.parents:,} parents were read)"
    return f"{written:,} {_label(key)} were mirrored"


def _removed_note(progress: Progress) -> str:
    removed = sum(c.removed for c in progress.counts.values())
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
