"""Reading Noyo's lists for one resource family and feeding the mirror engine.

A ``FamilyRun`` is what a family function (``connections.sync.sync_groups`` …) works with:
the client, the run's progress, and two ways to read:

* ``mirror_list(resource, records)``: one org-wide list, read to the end; then rows not seen
  are marked removed upstream.
* ``mirror_per_parent(parents, step)``: lists that exist only per parent (a group's
  contacts, an employee's dependents), named by a ``Step``. They are fetched by a small
  thread pool, since each is a round trip of its own, while this thread maps and writes (the
  ORM stays on one thread). With more parents than ``NOYO_SYNC_CHUNK_PARENTS`` they are split
  into chunk tasks that any Celery worker can read (``command_center.sync.chunks``). Rows are
  marked removed only if every parent's list was read; a parent Noyo no longer knows (404)
  counts as read, with no children.

Any other Noyo error stops the family: what was fetched so far is written (each row a
correct version of its record), the resource is left "incomplete" and nothing more is
marked removed; the error goes up to the run wrapper (``command_center.sync.runs``), which says
so in the run's message.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from command_center.noyo.contract import PAGE_SIZE_MAX as PAGE_SIZE
from command_center.noyo.errors import Forbidden, NotFound

from .engine import RESOURCES, Mirror, Progress, Resource
from .payloads import lenient_id

logger = logging.getLogger("command_center.sync")

# Family name -> (label, "module:function"). The order is the full sync's order: parents first.
FAMILIES = {
    "groups": ("groups", "connections.sync:sync_groups"),
    "group_connections": ("group connections", "connections.sync:sync_group_connections"),
    "employees": ("employees", "members.sync:sync_employees"),
    "snapshots": ("member snapshots", "members.sync:sync_snapshots"),
    "member_requests": ("member requests", "members.sync:sync_member_requests"),
}
FULL = "full"
KINDS = (FULL, *FAMILIES)


def families_of(kind: str) -> list[str]:
    return list(FAMILIES) if kind == FULL else [kind]


def kind_label(kind: str) -> str:
    return "full" if kind == FULL else FAMILIES[kind][0]


def sync_family(family: str) -> Callable:
    """The function that syncs a family (it lives in the app that owns the family's models)."""
    module, function = FAMILIES[family][1].split(":")
    return getattr(importlib.import_module(module), function)


# Every Step defined, by name; a chunk task finds its step here (``step_named``).
STEPS: dict[str, Step] = {}


@dataclass(frozen=True)
class Step:
    """One per-parent read of a family: which lists each parent has, and what goes with them.

    It is named (``"employees.dependents"``: the family first) and defined at module level, so
    a chunk task in another process builds the same read from the name.

    ``children(noyo)`` gives ``[(resource, fetch)]``, ``fetch(parent_id)`` one parent's list.
    ``shared()`` builds the context every parent's list shares (read where the lists are read).
    ``handle(mirror, records, context, mirror_of)`` replaces the plain ``mirror.add_many`` when one
    list feeds several resources; those are ``feeds``, so that they finish with the same
    completeness. ``touched`` names ``(resource, column)``: the values of that column in the rows
    written, which the family needs afterwards (``FamilyRun.touched``).
    """

    name: str
    children: Callable[[Any], list[tuple[Resource, Callable]]]
    context_key: str
    shared: Callable[[], dict] | None = None
    handle: Callable | None = None
    feeds: tuple[Resource, ...] = ()
    touched: tuple[tuple[Resource, str], ...] = ()

    def __post_init__(self):
        STEPS[self.name] = self


def step_named(name: str) -> Step:
    """The step of that name, importing the module of its family (a worker may not have yet)."""
    if name not in STEPS:
        sync_family(name.split(".")[0])
    return STEPS[name]


def ordered(resources: dict) -> list[tuple[str, dict]]:
    """A run's ``resources`` as (key, counts) pairs in the order the run read them."""
    return sorted((resources or {}).items(), key=lambda item: (item[1].get("order", 0), item[0]))


def resource_label(key: str) -> str:
    """Plain words for a resource key: "group_connections" -> "group connections"."""
    resource = RESOURCES.get(key)
    return resource.label if resource else key.replace("_", " ")


class FamilyRun:
    """One family's reading and writing within a run (see the module docstring)."""

    def __init__(
        self,
        noyo,
        progress: Progress,
        *,
        run=None,
        family: str = "",
        workers: int | None = None,
        batch_size: int | None = None,
    ):
        self.noyo = noyo
        self.progress = progress
        self.run = run
        self.family = family
        # Concurrent per-parent fetches (settings.NOYO_SYNC_WORKERS). Noyo's rate limits are
        # unconfirmed (contract.UNCONFIRMED_CHOICES): a handful hides latency without hammering it.
        self.workers = workers or settings.NOYO_SYNC_WORKERS
        self.batch_size = batch_size
        self.known_carriers: set[str] = set()
        self.mirrors: dict[str, Mirror] = {}
        # Step.touched: per resource key, the column values of the rows its steps wrote.
        self.touched: dict[str, set] = defaultdict(set)
        # The resource being read when an error stopped the family, for the run's message.
        self.stopped_at: str | None = None

    def mirror(self, resource: Resource, keep_ids: bool = False) -> Mirror:
        """The run's mirror of ``resource``; ``keep_ids`` for a parent whose listed ids ``parents`` will need
        (only then: a million member request ids would cost a hundred megabytes)."""
        mirror = self.mirrors.get(resource.key)
        if mirror is None:
            kwargs = {"batch_size": self.batch_size} if self.batch_size else {}
            mirror = Mirror(
                resource,
                run=self.run,
                progress=self.progress,
                known_carriers=self.known_carriers,
                keep_ids=keep_ids,
                **kwargs,
            )
            mirror.counts.family = self.family
            self.mirrors[resource.key] = mirror
        return mirror

    def parents(self, resource: Resource, fields: tuple[str, ...] = ()) -> Parents:
        """The records of ``resource`` whose own lists are read next, as ``(id, {field: value})``.

        Read in this family (``keep_ids``): every id its lists named, mapped or not (a group that failed to
        map still has contacts). Read by another family: the rows present in the mirror, plus
        the records that failed to map in the latest run that read them, their fields read
        leniently from the payload kept with the failure. ``complete`` tells whether the
        parents' own lists were all read: if not, the children cannot be checked for removals.
        """
        mirror = self.mirrors.get(resource.key)
        if mirror is not None and mirror.listed is not None:
            rows = {noyo_id: {} for noyo_id in mirror.listed}
            if fields:
                for pk, *values in resource.model._base_manager.filter(pk__in=list(rows)).values_list("pk", *fields):
                    rows[pk] = dict(zip(fields, values))
            return Parents(list(rows.items()), complete=bool(mirror.counts.complete))
        return Parents(parents_in_mirror(resource, fields), complete=True)

    def mirror_list(
        self, resource: Resource, records, context: dict | None = None, *, keep_ids: bool = False
    ) -> Mirror:
        """Mirror one whole list; mark what it no longer has as removed.

        A list Noyo will not give this API key (404 or 403) leaves the resource *unavailable*:
        nothing is marked removed and the family goes on. Any other error goes up.
        """
        mirror = self.mirror(resource, keep_ids=keep_ids)
        counts = mirror.counts
        if hasattr(records, "read_ahead"):  # a long list need not wait a round trip per page
            records.read_ahead(self.workers)
        try:
            counts.total = records.total
            self.progress.save(force=True)
            for chunk in prefetched(records):
                for payload in chunk:
                    mirror.add(payload, context)
        except (NotFound, Forbidden) as error:
            counts.pages += getattr(records, "pages", 0)
            counts.unavailable = not_offered_message(resource, error)
            mirror.finish(complete=False, why_not="Noyo would not list them")
            logger.warning("Sync: %s", counts.unavailable)
            return mirror
        except BaseException:
            counts.pages += getattr(records, "pages", 0)
            self.stopped_at = self.stopped_at or resource.key
            mirror.finish(complete=False, why_not="the list was not read to the end")
            raise
        counts.pages += getattr(records, "pages", 1)
        counts.min_pages += min_pages(counts.total or 0)
        mirror.finish(complete=True)
        return mirror

    def mirror_per_parent(self, parents: Parents | list, step: Step, *, instead: PerParent | None = None) -> None:
        """For every parent and each of the step's child resources, fetch the parent's list and mirror it.

        ``parents`` are ids, or ``(id, context)`` pairs whose context goes to the mapping
        (``step.context_key`` always holds the parent id); a ``Parents`` also says whether the
        parents' own lists were read to the end.

        A parent Noyo no longer knows (404) counts as read, with no children; but when *every*
        parent's list answers 404, it is the list Noyo does not offer this API key: the
        resource is unavailable and nothing is marked removed, unless ``instead`` names
        another documented way to read it (one child resource), which is then read. A parent
        whose list Noyo refuses this API key (403) is counted and said; the rest go on, and
        nothing is marked removed for that resource.
        """
        mirrors = [self.mirror(resource) for resource, _ in step.children(self.noyo)]
        finished, complete = False, True
        try:
            complete = self._read_per_parent(parents, step)
            unoffered = [m for m in mirrors if m.counts.parents and m.counts.parents_gone == m.counts.parents]
            if unoffered and instead is not None:
                (mirror,) = mirrors
                mirror.counts.note(
                    f"Noyo answered 404 to the {mirror.resource.label} lists of all {mirror.counts.parents:,} "
                    f"parents, so they were read {instead.how} instead."
                )
                complete = self._read_per_parent(instead.parents, instead.step)
            else:
                for mirror in unoffered:
                    mirror.counts.unavailable = (
                        f"Noyo does not offer {mirror.resource.label} to this API key "
                        f"(it answered 404 to the lists of all {mirror.counts.parents:,} parents)."
                    )
            finished = True
        except BaseException:
            self.stopped_at = self.stopped_at or mirrors[0].resource.key
            raise
        finally:
            # A refused or unoffered list also hides the records of the resources it feeds (a snapshot's summaries).
            fed_refused = any(mirror.counts.parents_refused for mirror in mirrors)
            fed_unavailable = any(mirror.counts.unavailable for mirror in mirrors)
            for mirror in [*mirrors, *(self.mirror(resource) for resource in step.feeds)]:
                fed = mirror not in mirrors
                if mirror.counts.parents_refused:
                    n, s = mirror.counts.parents_refused, "" if mirror.counts.parents_refused == 1 else "s"
                    mirror.counts.note(
                        f"Noyo refused this API key the lists of {n:,} of {mirror.counts.parents:,} parent{s} (403)."
                    )
                if not complete:
                    why_not = "the list of their parents was not read to the end"
                elif not finished:
                    why_not = "not every list was read"
                elif mirror.counts.unavailable or (fed and fed_unavailable):
                    why_not = "Noyo would not list them"
                elif mirror.counts.parents_refused or (fed and fed_refused):
                    why_not = "Noyo refused some of the lists"
                else:
                    why_not = ""
                mirror.finish(complete=not why_not, why_not=why_not)

    def _read_per_parent(self, parents, step: Step) -> bool:
        """Read every parent's lists of ``step``, here or in chunk tasks; answer whether the parents were complete."""
        from . import chunks

        complete = parents.complete if isinstance(parents, Parents) else True
        items = parents.items if isinstance(parents, Parents) else parents
        items = [(item, {}) if isinstance(item, str) else item for item in items]
        for resource, _ in step.children(self.noyo):
            counts = self.mirror(resource).counts
            counts.parents, counts.parents_done, counts.parents_gone = len(items), 0, 0
        if chunks.wanted(self, len(items)):
            chunks.read(self, step, items)
        else:
            read_lists(self.noyo, step, items, self.mirror, self.touched, self.workers, after_each=self.progress.save)
        return complete


def read_lists(noyo, step: Step, items, mirror_of, touched: dict, workers: int, after_each=None) -> None:
    """Fetch and feed the lists of ``step`` for ``items`` (``(parent_id, context)``) into ``mirror_of(resource)``.

    The one reading of per-parent lists, in the run's own task and in a chunk task alike.
    """
    shared = step.shared() if step.shared else {}
    children = step.children(noyo)
    for resource, column in step.touched:
        values = touched[resource.key]
        mirror_of(resource).on_written = lambda rows, c=column, v=values: v.update(r[c] for r in rows if r.get(c))
    tasks = [
        (mirror_of(resource), fetch, parent_id, {**shared, **context, step.context_key: parent_id})
        for parent_id, context in items
        for resource, fetch in children
    ]
    for mirror, context, records, pages in fan_out(tasks, workers):
        mirror.counts.pages += pages
        if records is REFUSED:
            mirror.counts.parents_refused += 1
            records = []
        elif records is None:  # the parent is gone upstream: nothing under it
            mirror.counts.parents_gone += 1
            records = []
        else:
            mirror.counts.min_pages += min_pages(len(records))
        if step.handle is None:
            mirror.add_many(records, context)
        else:
            step.handle(mirror, records, context, mirror_of)
        mirror.counts.parents_done += 1
        if after_each is not None:
            after_each()


class PerParent:
    """Another way to read a resource per parent (``mirror_per_parent(instead=...)``), and how to say it."""

    def __init__(self, parents: Parents, step: Step, how: str):
        self.parents, self.step, self.how = parents, step, how


class Parents:
    """Parent records to read children of, and whether their own list was read to the end."""

    def __init__(self, items: list[tuple[str, dict]], complete: bool = True):
        self.items, self.complete = items, complete

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def ids(self) -> list[str]:
        return [noyo_id for noyo_id, _ in self.items]


def parents_in_mirror(resource: Resource, fields: tuple[str, ...] = ()) -> list[tuple[str, dict]]:
    """The rows of ``resource`` present in the mirror, plus the records that failed to map in the
    latest run that read it (their fields read leniently from the payload kept with the failure)."""
    present = resource.model._base_manager.filter(removed_upstream_at__isnull=True).order_by("pk")
    rows = {pk: dict(zip(fields, values)) for pk, *values in present.values_list("pk", *fields)}
    for noyo_id, payload in latest_failures(resource):
        if noyo_id not in rows and not resource.model._base_manager.filter(pk=noyo_id).exists():
            rows[noyo_id] = {name: lenient_id(payload, name) for name in fields}
    return list(rows.items())


def latest_failures(resource: Resource) -> list[tuple[str, dict]]:
    """``(id, payload)`` of the records of ``resource`` that failed to map in the latest run that read it."""
    from command_center.models import SyncFailure, SyncRun

    run = (
        SyncRun.objects.filter(resources__has_key=resource.key)
        .exclude(status=SyncRun.Status.SKIPPED)
        .order_by("-created")
        .values_list("pk", flat=True)
        .first()
    )
    if run is None:
        return []
    failures = SyncFailure.objects.filter(run_id=run, resource=resource.key).exclude(noyo_id="")
    return [
        (noyo_id, payload if isinstance(payload, dict) else {})
        for noyo_id, payload in failures.values_list("noyo_id", "payload")
    ]


def not_offered_message(resource: Resource, error) -> str:
    """E.g. "Noyo does not offer renewal decisions to this API key (it answered 404 to their list)." """
    return f"Noyo does not offer {resource.label} to this API key (it answered {error.status_code} to their list)."


PREFETCH_CHUNK = 100
PREFETCH_AHEAD = 20


def prefetched(records, chunk: int = PREFETCH_CHUNK, ahead: int = PREFETCH_AHEAD):
    """Yield ``records`` in lists of ``chunk``, read by a thread up to ``ahead`` lists in advance.

    Noyo builds the next page while this thread maps and writes the current one, instead
    of each waiting for the other. A failure in the reader is raised here, in order.
    """
    buffer: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def read():
        iterator = iter(records)
        try:
            while not stop.is_set():
                items = list(itertools.islice(iterator, chunk))
                if not items:
                    break
                buffer.put(items)
            buffer.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            buffer.put(error)
        finally:
            if hasattr(iterator, "close"):  # its pages being read ahead end here, not whenever it is collected
                iterator.close()

    reader = threading.Thread(target=read, name="noyo-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            item = buffer.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full buffer
            try:
                buffer.get_nowait()
            except queue.Empty:
                reader.join(timeout=0.1)


def min_pages(records: int) -> int:
    """The fewest calls a list of ``records`` costs: ceil(n/100), and one even when empty."""
    return max(1, -(-records // PAGE_SIZE))


# What fan_out yields as ``records`` for a parent whose list Noyo refused this API key (403).
REFUSED = object()


def fan_out(tasks, workers: int):
    """Yield ``(mirror, context, records, pages)`` for each task as its fetch finishes, ``workers`` at a time.

    ``records`` is the fetched list, None when Noyo answered 404 for the parent, ``REFUSED``
    when it answered 403. At most ``2 * workers`` results wait in memory. The first other
    error stops the fan-out and is raised.
    """

    def fetch(task):
        mirror, fetch_list, parent_id, context = task
        records = None
        try:
            records = fetch_list(parent_id)
            return mirror, context, list(records), getattr(records, "pages", 1)
        except NotFound:
            return mirror, context, None, getattr(records, "pages", 0) or 1
        except Forbidden:
            return mirror, context, REFUSED, getattr(records, "pages", 0) or 1

    if workers <= 1:
        for task in tasks:
            yield fetch(task)
        return
    pending = iter(tasks)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="noyo-fetch") as pool:
        running = set()
        try:
            while True:
                while len(running) < 2 * workers:
                    task = next(pending, None)
                    if task is None:
                        break
                    running.add(pool.submit(fetch, task))
                if not running:
                    return
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in running:
                future.cancel()
