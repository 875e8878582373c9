"""Per-parent lists read in chunk tasks, so that every Celery worker can help with one family.

A family's per-parent step (the dependents of 50,000 employees: a call each) is split into
chunks of ``NOYO_SYNC_CHUNK_PARENTS`` parents, one ``SyncChunk`` row and one Celery task each.

* Any worker process takes a chunk with a conditional UPDATE (queued -> running) and reads its
  parents' lists into the mirror with the same code as the run's own task (``read_lists``),
  keeping a heartbeat on the chunk. What it read (counts, the ids it saw, what its client met)
  goes into the chunk's ``result``.
* The run's own task takes chunks too while it waits, so a run never waits on a queue it
  occupies (one worker process reads every chunk itself), and it adds each chunk's result to
  the run's progress as the chunk ends: the counts still add up, and "removed upstream" is
  still decided by the run's task, from every id every chunk saw, and only if every chunk read
  its lists to the end.
* A chunk whose heartbeat stopped (its worker was killed) is taken again, its failed records
  of the lost attempt replaced, up to ``MAX_ATTEMPTS``; then it fails, the family fails with
  it and nothing is marked removed.
* A chunk that meets a Noyo error fails; the chunks not yet taken are cancelled, the ones
  running finish, and the run's task raises the same error, as a family read in one process
  does (the run's message says how far it got).

Writes from several processes are safe because the engine's are: a row is upserted by its id
and version, and a new row someone else wrote first makes the batch an upsert.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections import defaultdict
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from command_center.models import SyncChunk, SyncFailure, SyncRun
from command_center.noyo import errors

from .engine import Mirror, Progress, stats_delta
from .families import FamilyRun, Step, read_lists, step_named

logger = logging.getLogger("command_center.sync")

HEARTBEAT_SECONDS = 10
# A running chunk whose heartbeat is older than this lost its worker.
STALE_AFTER = timedelta(seconds=90)
MAX_ATTEMPTS = 3
# How often the run's task looks at its chunks while others read them.
POLL_SECONDS = 0.2
COUNTED = (
    "fetched",
    "created",
    "updated",
    "unchanged",
    "repeated",
    "failed",
    "pages",
    "min_pages",
    "parents_done",
    "parents_refused",
    "parents_gone",
)
TASK = "command_center.sync_chunk"


def wanted(job: FamilyRun, parents: int) -> bool:
    """Split the step into chunks: a run row to hang them on, and more parents than one chunk holds."""
    size = settings.NOYO_SYNC_CHUNK_PARENTS
    return job.run is not None and size > 0 and parents > size


def read(job: FamilyRun, step: Step, items: list[tuple[str, dict]]) -> None:
    """Read ``step`` for ``items`` in chunks, taking chunks here too, and add each chunk's result to ``job``."""
    size = settings.NOYO_SYNC_CHUNK_PARENTS
    chunks = SyncChunk.objects.bulk_create(
        SyncChunk(run=job.run, step=step.name, number=number, parents=[[pk, context] for pk, context in part])
        for number, part in enumerate(items[start : start + size] for start in range(0, len(items), size))
    )
    ids = [chunk.pk for chunk in chunks]
    transaction.on_commit(lambda: enqueue(ids))
    pending, failed = set(ids), None
    try:
        while pending:
            chunk = take(ids)
            if chunk is not None:
                execute(chunk, job.noyo, job.workers, own_client=False)
            for ended in SyncChunk.objects.filter(pk__in=pending).exclude(status__in=ACTIVE).order_by("number"):
                pending.discard(ended.pk)
                merge(job, ended)
                if ended.status == SyncChunk.Status.FAILED and failed is None:
                    failed = ended
                    SyncChunk.objects.filter(pk__in=pending, status=SyncChunk.Status.QUEUED).update(
                        status=SyncChunk.Status.CANCELLED, finished_at=timezone.now()
                    )
            job.progress.save()
            if chunk is None and pending:
                time.sleep(POLL_SECONDS)
    finally:
        # Stopped for any reason: no worker should start what this run will not count.
        SyncChunk.objects.filter(pk__in=ids, status=SyncChunk.Status.QUEUED).update(
            status=SyncChunk.Status.CANCELLED, finished_at=timezone.now()
        )
    if failed is not None:
        raise error_of(failed)


ACTIVE = (SyncChunk.Status.QUEUED, SyncChunk.Status.RUNNING)


def enqueue(ids: list[int]) -> None:
    """A task per chunk, for any worker (by name: tasks import this module, not the other way round)."""
    if current_app.conf.task_always_eager:  # no other worker exists: the run's task reads them all
        return
    for pk in ids:
        current_app.tasks[TASK].delay(pk)


def take(ids: list[int]) -> SyncChunk | None:
    """Claim one of these chunks: the first queued one, else one whose worker stopped (it is read again)."""
    for pk in SyncChunk.objects.filter(pk__in=ids, status=SyncChunk.Status.QUEUED).values_list("pk", flat=True)[:5]:
        chunk = claim(pk)
        if chunk is not None:
            return chunk
    now = timezone.now()
    for stale in SyncChunk.objects.filter(
        pk__in=ids, status=SyncChunk.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ):
        if stale.attempts >= MAX_ATTEMPTS:
            SyncChunk.objects.filter(pk=stale.pk, status=stale.status, attempts=stale.attempts).update(
                status=SyncChunk.Status.FAILED,
                finished_at=now,
                error=f"The workers reading these lists stopped {stale.attempts} times (last {stale.worker}).",
            )
            continue
        chunk = claim(stale.pk, SyncChunk.Status.RUNNING, attempts=stale.attempts)
        if chunk is not None:
            logger.warning(
                "Sync run #%s: %s chunk %s lost its worker; reading it again", chunk.run_id, chunk.step, chunk.number
            )
            return chunk
    return None


def claim(pk: int, status: str = SyncChunk.Status.QUEUED, **seen) -> SyncChunk | None:
    """Take the chunk if it is still as seen (``status``, ``seen`` fields) and its run still runs."""
    now = timezone.now()
    # The run is asked by id, not joined: an UPDATE through a join re-checks, after waiting for
    # another claimer's commit, the chunk's status as it was before, and both would take the chunk.
    running = SyncRun.objects.filter(status=SyncRun.Status.RUNNING)
    claimed = SyncChunk.objects.filter(pk=pk, status=status, run__in=running, **seen).update(
        status=SyncChunk.Status.RUNNING, attempts=F("attempts") + 1, worker=worker_name(), heartbeat_at=now
    )
    return SyncChunk.objects.select_related("run").get(pk=pk) if claimed else None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:200]


def execute(chunk: SyncChunk, noyo, workers: int, *, own_client: bool) -> None:
    """Read a claimed chunk's lists into the mirror and record what it read; never raises for Noyo.

    ``own_client``: the client is this chunk's alone, so the calls it made are the chunk's to report
    (the run's own client counts its calls itself).
    """
    from .runs import Heartbeat

    step = step_named(chunk.step)
    if chunk.attempts > 1:  # what a lost attempt recorded is recorded again by this one
        SyncFailure.objects.filter(chunk=chunk).delete()
    progress = Progress()  # counts only: the run's task writes the run's progress
    mirrors: dict[str, Mirror] = {}

    def mirror_of(resource):
        if resource.key not in mirrors:
            mirrors[resource.key] = Mirror(resource, run=chunk.run, progress=progress, keep_ids=True, chunk=chunk)
        return mirrors[resource.key]

    touched: dict[str, set] = defaultdict(set)
    before = noyo.stats.as_dict() if own_client else None
    heartbeat = Heartbeat(chunk.pk, model=SyncChunk, every=HEARTBEAT_SECONDS)
    heartbeat.start()
    state: dict = {"status": SyncChunk.Status.DONE}
    try:
        read_lists(noyo, step, [tuple(item) for item in chunk.parents], mirror_of, touched, workers)
        for mirror in mirrors.values():
            mirror.flush()
    except errors.NoyoError as error:
        state = failure_state(error, error.message)
    except Exception as error:  # a bug or the database: the chunk fails, and so does its family
        logger.exception("Sync run #%s: %s chunk %s failed", chunk.run_id, chunk.step, chunk.number)
        state = failure_state(error, f"{type(error).__name__}: {str(error)[:300]}\n\n{traceback.format_exc()}")
    finally:
        heartbeat.stop()
    if state["status"] != SyncChunk.Status.DONE:
        for mirror in mirrors.values():  # what was fetched is written, as a family read in one process does
            try:
                mirror.flush()
            except Exception:
                logger.exception("Sync run #%s: what chunk %s read could not be written", chunk.run_id, chunk.number)
    result = {
        "resources": {
            key: {
                **{name: getattr(mirror.counts, name) for name in COUNTED},
                "notes": mirror.counts.notes,
                "seen": mirror.listed,
                "unidentified": mirror.unidentified,
            }
            for key, mirror in mirrors.items()
        },
        "touched": {key: sorted(values) for key, values in touched.items()},
    }
    if before is not None:
        result["absorbed"] = stats_delta(noyo.stats.as_dict(), before)
    # Only the attempt that holds the chunk records it: one taken again meanwhile is the other's.
    SyncChunk.objects.filter(pk=chunk.pk, status=SyncChunk.Status.RUNNING, attempts=chunk.attempts).update(
        result=result, finished_at=timezone.now(), **state
    )


def failure_state(error: Exception, message: str) -> dict:
    return {
        "status": SyncChunk.Status.FAILED,
        "error_type": type(error).__name__ if isinstance(error, errors.NoyoError) else "",
        "error_status": getattr(error, "status_code", None),
        "error": message,
    }


def merge(job: FamilyRun, chunk: SyncChunk) -> None:
    """Add what a chunk read to the run's mirrors: counts, seen ids (for removals), touched values, calls."""
    from .engine import RESOURCES

    result = chunk.result or {}
    for key, read_ in (result.get("resources") or {}).items():
        mirror = job.mirror(RESOURCES[key])
        for name in COUNTED:
            setattr(mirror.counts, name, getattr(mirror.counts, name) + read_.get(name, 0))
        for note in read_.get("notes") or ():
            mirror.counts.note(note)
        for noyo_id in read_.get("seen") or ():
            mirror.seen.add(noyo_id)
        mirror.unidentified += read_.get("unidentified", 0)
    for key, values in (result.get("touched") or {}).items():
        job.touched[key].update(values)
    job.progress.add_elsewhere(result.get("absorbed") or {})


def error_of(chunk: SyncChunk) -> Exception:
    """The error that stopped a chunk, to stop the family with: the same Noyo error, or a plain one."""
    kind = getattr(errors, chunk.error_type, None) if chunk.error_type else None
    if isinstance(kind, type) and issubclass(kind, errors.NoyoError):
        return kind(chunk.error, status_code=chunk.error_status)
    return ChunkFailed(chunk.error.split("\n\n")[0] or "A chunk of the lists could not be read.")


class ChunkFailed(Exception):
    """A chunk failed for a reason that is not Noyo's (a lost worker, a bug); its message says which."""


def run_task(chunk_id: int) -> str:
    """The body of the chunk task: take the chunk if nobody has, read it with this process's client."""
    chunk = claim(chunk_id)
    if chunk is None:
        return "taken"  # by the run's own task or another worker, or the run ended
    execute(chunk, process_client(), settings.NOYO_SYNC_WORKERS, own_client=True)
    return "read"


_clients: dict = {}


def process_client():
    """One sync client per worker process and Noyo configuration, kept across chunk tasks: its token
    and open connections serve the next chunk too (a task reads one chunk at a time)."""
    from .client import sync_client

    key = (os.getpid(), settings.NOYO_API_URL, settings.NOYO_TOKEN_URL, settings.NOYO_CLIENT_ID)
    if key not in _clients:
        _clients[key] = sync_client()
    return _clients[key]
