"""Reading Noyo's lists for one resource family and feeding the mirror engine.

A ``FamilyRun`` is what a family function (``connections.sync.sync_groups`` …) works with:
the client, the run's progress, and two ways to read:

* ``mirror_list(resource, records)``: one org-wide list, read to the end; then rows not seen
  are marked removed upstream.
* ``mirror_per_parent(parents, children)``: lists that exist only per parent (a group's
  contacts, an employee's dependents). They are fetched by a small thread pool, since each
  is a round trip of its own, while this thread maps and writes (the ORM stays on one
  thread). Rows are marked removed only if every parent's list was read; a parent Noyo no
  longer knows (404) counts as read, with no children.

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
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from django.conf import settings

from command_center.noyo.contract import PAGE_SIZE_MAX as PAGE_SIZE
from command_center.noyo.errors import NotFound

from .engine import RESOURCES, Mirror, Progress, Resource

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


def ordered(resources: dict) -> list[tuple[str, dict]]:
    """A run's ``resources`` as (key, counts) pairs in the order the run read them."""
    return sorted((resources or {}).items(), key=lambda item: (item[1].get("order", 0), item[0]))


def resource_label(key: str) -> str:
    """Plain words for a resource key: "group_connections" -> "group connections"."""
    resource = RESOURCES.get(key)
    return resource.label if resource else key.replace("_", " ")


class FamilyRun:
    """One family's reading and writing within a run (see the module docstring)."""

    def __init__(self, noyo, progress: Progress, *, run=None, workers: int | None = None, batch_size: int | None = None):
        self.noyo = noyo
        self.progress = progress
        self.run = run
        # Concurrent per-parent fetches (settings.NOYO_SYNC_WORKERS). Noyo's rate limits are
        # unconfirmed (contract.UNCONFIRMED_CHOICES): a handful hides latency without hammering it.
        self.workers = workers or settings.NOYO_SYNC_WORKERS
        self.batch_size = batch_size
        self.known_carriers: set[str] = set()
        self.mirrors: dict[str, Mirror] = {}
        # Lookups shared by mappings within the family (dependent -> employee, ...).
        self.lookups: dict = {}

    def mirror(self, resource: Resource) -> Mirror:
        mirror = self.mirrors.get(resource.key)
        if mirror is None:
            kwargs = {"batch_size": self.batch_size} if self.batch_size else {}
            mirror = Mirror(resource, run=self.run, progress=self.progress, known_carriers=self.known_carriers, **kwargs)
            self.mirrors[resource.key] = mirror
        return mirror

    def parent_ids(self, model) -> list[str]:
        """Ids of the parents present in the mirror, in a stable order."""
        return list(model._base_manager.filter(removed_upstream_at__isnull=True).order_by("pk").values_list("pk", flat=True))

    def mirror_list(self, resource: Resource, records, context: dict | None = None) -> Mirror:
        """Mirror one whole list; mark what it no longer has as removed."""
        mirror = self.mirror(resource)
        counts = mirror.counts
        try:
            counts.total = records.total
            self.progress.save(force=True)
            for chunk in prefetched(records):
                for payload in chunk:
                    mirror.add(payload, context)
        except BaseException:
            counts.pages += getattr(records, "pages", 0)
            mirror.finish(complete=False)
            raise
        counts.pages += getattr(records, "pages", 1)
        counts.min_pages += min_pages(counts.total or 0)
        mirror.finish(complete=True)
        return mirror

    def mirror_per_parent(
        self,
        parents: Iterable[str | tuple[str, dict]],
        children: list[tuple[Resource, Callable]],
        *,
        context_key: str,
        handle: Callable | None = None,
        also: list[Mirror] = (),
    ) -> None:
        """For every parent and child resource, fetch ``fetch(parent_id)`` and mirror it.

        ``parents`` are ids, or ``(id, context)`` pairs whose context goes to the mapping
        (``context_key`` always holds the parent id). ``handle(mirror, records, context)``
        replaces the plain ``mirror.add_many`` when one list feeds several resources; those
        other mirrors are passed as ``also`` so that they finish with the same completeness.
        """
        parents = [(item, {}) if isinstance(item, str) else item for item in parents]
        mirrors = [self.mirror(resource) for resource, _ in children]
        for mirror in mirrors:
            mirror.counts.parents = len(parents)
        tasks = [
            (mirror, fetch, parent_id, {**context, context_key: parent_id})
            for parent_id, context in parents
            for mirror, (_, fetch) in zip(mirrors, children)
        ]
        mirrors += list(also)
        complete = True
        try:
            for mirror, context, records, pages in fan_out(tasks, self.workers):
                if records is None:  # the parent is gone upstream: nothing under it
                    records = []
                mirror.counts.pages += pages
                mirror.counts.min_pages += min_pages(len(records))
                if handle is None:
                    mirror.add_many(records, context)
                else:
                    handle(mirror, records, context)
                mirror.counts.parents_done += 1
                self.progress.save()
        except BaseException:
            complete = False
            raise
        finally:
            for mirror in mirrors:
                mirror.finish(complete=complete)


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
        try:
            iterator = iter(records)
            while not stop.is_set():
                items = list(itertools.islice(iterator, chunk))
                if not items:
                    break
                buffer.put(items)
            buffer.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            buffer.put(error)

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


def fan_out(tasks, workers: int):
    """Yield ``(mirror, context, records, pages)`` for each task as its fetch finishes, ``workers`` at a time.

    ``records`` is the fetched list, or None when Noyo answered 404 for the parent. At most
    ``2 * workers`` results wait in memory. The first other error stops the fan-out and is raised.
    """

    def fetch(task):
        mirror, fetch_list, parent_id, context = task
        try:
            records = fetch_list(parent_id)
            return mirror, context, list(records), getattr(records, "pages", 1)
        except NotFound:
            return mirror, context, None, 1

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
