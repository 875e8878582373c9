"""Where statuses are scheduled: every record that moves over time has a *story*.

A story is a tuple of ``Step(at, status, error)``, ``at`` in sandbox epoch
seconds. A record's status at sandbox time ``now`` is the last step with
``at <= now``; its ``version`` is derived from the number of steps passed, and
its ``modified`` is that step's time. Steps before the sandbox's start time
(``t0``) are history; steps after it are what "time moves" means: advance the
clock past them and the record changes, exactly as it would at Noyo.

Stories are drawn from a record's own random stream, so they are the same on
every read and every run with the same seed.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from . import vocab
from .ids import weighted

M, H, D = 60, 3600, 86400


class Step(NamedTuple):
    at: float
    status: str
    error: str = ""


def position(story: tuple[Step, ...], now: float) -> int:
    """Index of the step in force at ``now`` (-1: the record does not exist yet)."""
    index = -1
    for i, step in enumerate(story):
        if step.at > now:
            break
        index = i
    return index


# --- Group connections ---------------------------------------------------------
# Each archetype: how long ago the connection was created (range in seconds),
# the steps already taken (status, gap range after the previous step) and the
# steps still to come (status, gap range after the previous one, counted from t0).
# A status ending in "!" carries a setup_result error; "?" carries one half the time.
class Archetype(NamedTuple):
    age: tuple[float, float]
    past: tuple = ()
    future: tuple = ()


CONNECTION_ARCHETYPES = {
    "completed": Archetype(
        (60 * D, 6 * 365 * D),
        (("processing", 1 * M, 10 * M), ("waiting_on_carrier", 1 * H, 48 * H), ("completed", 1 * D, 20 * D)),
    ),
    "unable_to_connect": Archetype(
        (2 * D, 60 * D),
        (("processing", 1 * M, 10 * M), ("waiting_on_carrier", 1 * H, 3 * D), ("unable_to_connect!", 1 * H, 5 * D)),
    ),
    "action_required": Archetype(
        (2 * D, 45 * D),
        (("processing", 1 * M, 10 * M), ("waiting_on_carrier", 1 * H, 2 * D), ("action_required!", 1 * H, 3 * D)),
    ),
    "carrier_authorization": Archetype(
        (1 * D, 30 * D),
        (("processing", 1 * M, 10 * M), ("carrier_authorization", 1 * H, 2 * D)),
    ),
    "noyo_review": Archetype(
        (1 * D, 10 * D),
        (("processing", 1 * M, 10 * M), ("noyo_review!", 1 * H, 2 * D)),
        (("processing", 30 * M, 3 * H), ("waiting_on_carrier", 1 * H, 5 * H), ("completed", 6 * H, 2 * D)),
    ),
    "stuck_processing": Archetype((10 * D, 40 * D), (("processing", 5 * M, 30 * M),)),
    "waiting_on_carrier": Archetype(
        (5 * D, 30 * D),
        (("processing", 1 * M, 10 * M), ("waiting_on_carrier?", 1 * H, 2 * D)),
        (("completed", 2 * H, 3 * D),),
    ),
    "just_created": Archetype(
        (15, 60),
        (),
        (("processing", 2 * M, 5 * M), ("waiting_on_carrier", 20 * M, 60 * M), ("completed", 2 * H, 8 * H)),
    ),
    "in_flight_success": Archetype(
        (20 * M, 6 * H),
        (("processing", 2 * M, 10 * M),),
        (("waiting_on_carrier", 2 * M, 20 * M), ("completed", 30 * M, 6 * H)),
    ),
    "in_flight_failure": Archetype(
        (20 * M, 6 * H),
        (("processing", 2 * M, 10 * M),),
        (("waiting_on_carrier", 2 * M, 20 * M), ("unable_to_connect!", 30 * M, 6 * H)),
    ),
}
# The first groups take these in order, so every status shows up at any scale.
CONNECTION_COVER = (
    "completed",
    "unable_to_connect",
    "action_required",
    "carrier_authorization",
    "noyo_review",
    "stuck_processing",
    "waiting_on_carrier",
    "just_created",
    "in_flight_success",
    "in_flight_failure",
)
CONNECTION_WEIGHTS = (60, 6, 5, 3, 3, 3, 4, 2, 9, 5)
# A brand-new group has only the one connection that created it.
RECENT_ARCHETYPES = frozenset({"just_created", "in_flight_success", "in_flight_failure"})

RETRY_OUTCOMES = ("completed", "unable_to_connect", "action_required")
RETRY_OUTCOME_WEIGHTS = (65, 20, 15)


def connection_story(
    rng: random.Random, archetype: str, t0: float, not_before: float | None = None, context: dict | None = None
) -> tuple[Step, ...]:
    """The story of a generated connection. ``not_before`` keeps an incremental
    connection after its group's creation."""
    plan = CONNECTION_ARCHETYPES[archetype]
    created = t0 - rng.uniform(*plan.age)
    if not_before is not None:
        created = min(max(created, not_before), t0 - 120)
    gaps = [rng.uniform(low, high) for _status, low, high in plan.past]
    room = t0 - 60 - created
    if sum(gaps) > room:  # squeeze history into the time the connection has existed
        gaps = [gap * room / sum(gaps) for gap in gaps]
    steps = [Step(created, "created")]
    at = created
    for (status, _low, _high), gap in zip(plan.past, gaps):
        at += gap
        steps.append(_step(rng, at, status, context))
    at = t0
    for status, low, high in plan.future:
        at += rng.uniform(low, high)
        steps.append(_step(rng, at, status, context))
    return tuple(steps)


def retry_story(
    rng: random.Random, story: tuple[Step, ...], now: float, outcome: str | None, context: dict | None = None
) -> tuple[Step, ...]:
    """A retry keeps what happened so far, moves to processing now and reaches an outcome later."""
    kept = story[: position(story, now) + 1]
    outcome = outcome or weighted(rng.random(), RETRY_OUTCOMES, RETRY_OUTCOME_WEIGHTS)
    waiting = now + rng.uniform(60, 120)
    return kept + (
        Step(now, "processing"),
        Step(waiting, "waiting_on_carrier"),
        _step(rng, waiting + rng.uniform(4 * M, 15 * M), outcome + "!" * (outcome != "completed"), context),
    )


def new_connection_story(
    rng: random.Random, now: float, outcome: str | None, context: dict | None = None
) -> tuple[Step, ...]:
    outcome = outcome or weighted(rng.random(), RETRY_OUTCOMES, RETRY_OUTCOME_WEIGHTS)
    processing = now + rng.uniform(30, 90)
    waiting = processing + rng.uniform(4 * M, 10 * M)
    return (
        Step(now, "created"),
        Step(processing, "processing"),
        Step(waiting, "waiting_on_carrier"),
        _step(rng, waiting + rng.uniform(20 * M, 2 * H), outcome + "!" * (outcome != "completed"), context),
    )


def _step(rng: random.Random, at: float, status: str, context: dict | None) -> Step:
    bare = status.rstrip("!?")
    wants_error = status.endswith("!") or (status.endswith("?") and rng.random() < 0.5)
    error = ""
    if wants_error and bare in vocab.CONNECTION_ERRORS:
        error = rng.choice(vocab.CONNECTION_ERRORS[bare]).format(**(context or {}))
    return Step(at, bare, error)


# --- Legacy member requests (transactions follow their request) -----------------
REQUEST_STORIES = ("completed", "failed", "canceled", "in_flight", "stuck")
REQUEST_STORY_WEIGHTS = (86, 2, 5, 5, 2)


def request_story(kind: str, draws: tuple[float, float, float], created: float, t0: float) -> tuple[Step, ...]:
    """``draws`` are three numbers in [0, 1) from one hash: requests are scanned by the
    million when a list is filtered by status, so no Random is built here."""
    a, b, c = draws
    if kind == "in_flight":
        outcome = "completed" if b < 0.85 else "failed" if b < 0.9 else "canceled"
        return (Step(t0 - 5 * M - a * (3 * H - 5 * M), "processing"), Step(t0 + 90 + c * 6 * H, outcome))
    if kind == "stuck":
        return (Step(t0 - 3 * D - a * 17 * D, "processing"),)
    created = min(created, t0 - 2 * D - 60)
    return (Step(created, "processing"), Step(created + 60 + a * 2 * D, kind))


# --- Member snapshots --------------------------------------------------------------
# Each scenario is an employee's chain of snapshots, oldest first. Noyo works only on
# an employee's latest snapshot (seed 002): one still processing when a newer one
# arrives is "replaced" at that moment, and ``latest_only`` makes every chain so.
SNAPSHOT_SCENARIOS = (
    "completed",
    "two_completed",
    "replaced_chain",
    "in_flight",
    "just_submitted",
    "canceled",
    "replaced_soon",
    "scheduled_file",
    "none",
)
SNAPSHOT_WEIGHTS = (35, 12, 6, 4, 2, 3, 3, 3, 30)


def snapshot_chain(rng: random.Random, scenario: str, earliest: float, t0: float) -> list[tuple[Step, ...]]:
    """The stories of an employee's snapshots; a snapshot exists from its first step."""
    latest = t0 - 4 * D
    start = rng.uniform(earliest, latest) if earliest < latest else max(earliest, t0 - 3 * D)

    def finished(created: float, outcome: str = "completed") -> tuple[Step, ...]:
        return (
            Step(created, "submitted"),
            Step(created + rng.uniform(30, 120), "processing"),
            Step(created + rng.uniform(1 * H, 2 * D), outcome),
        )

    if scenario == "none":
        return []
    if scenario in ("completed", "canceled"):
        return [finished(start, scenario)]
    if scenario == "two_completed":
        return latest_only([finished(start), finished(start + 2 * D + rng.uniform(0, max(0.0, t0 - 3 * D - start)))])
    if scenario == "replaced_chain":
        later = start + rng.uniform(1 * H, 1 * D)
        first = (Step(start, "submitted"), Step(start + 60, "processing"), Step(later, "replaced"))
        return latest_only([first, finished(later)])
    if scenario == "in_flight":
        created = t0 - rng.uniform(10 * M, 2 * H)
        earlier = finished(start)
        current = (
            Step(created, "submitted"),
            Step(created + 60, "processing"),
            Step(t0 + rng.uniform(5 * M, 6 * H), "completed"),
        )
        # An employee hired an hour ago has had no time for an earlier snapshot.
        return latest_only([earlier, current] if start < created - H else [current])
    if scenario == "just_submitted":
        created = t0 - rng.uniform(10, 60)
        return [
            (
                Step(created, "submitted"),
                Step(t0 + rng.uniform(2 * M, 10 * M), "processing"),
                Step(t0 + rng.uniform(1 * H, 6 * H), "completed"),
            )
        ]
    if scenario == "replaced_soon":
        created, newer = t0 - rng.uniform(30 * M, 3 * H), t0 + rng.uniform(5 * M, 3 * H)
        return latest_only(
            [(Step(created, "submitted"), Step(created + 60, "processing"), Step(newer, "replaced")), finished(newer)]
        )
    if scenario == "scheduled_file":
        created = t0 - rng.uniform(1 * D, 5 * D)
        return [
            (
                Step(created, "submitted"),
                Step(created + 60, "processing"),
                Step(t0 + rng.uniform(1 * D, 6 * D), "completed"),
            )
        ]
    raise ValueError(scenario)


def latest_only(chain: list[tuple[Step, ...]]) -> list[tuple[Step, ...]]:
    """The chain as Noyo would have it: a snapshot not settled when the next one arrives is cut
    there and replaced, so one is in progress at most, and a settled one is never replaced.

    The guide replaces snapshots "while in the processing status": one caught still submitted
    moves to processing halfway to the newer one's arrival. Stories must start in created order.
    """
    out = []
    for story, newer in zip(chain, [*chain[1:], None]):
        arrives = newer[0].at if newer else None
        if arrives is None or story[-1].at <= arrives:
            out.append(story)
            continue
        if arrives <= story[0].at:
            raise ValueError("snapshots must be created in order")
        kept = [step for step in story if step.at < arrives]
        if kept[-1].status == "submitted":
            kept.append(Step((kept[-1].at + arrives) / 2, "processing"))
        out.append((*kept, Step(arrives, "replaced")))
    return out


# --- Other slow movers -------------------------------------------------------------
DISCONNECTION_COVER = ("needs_review", "processing", "completed", "rejected")
RENEWAL_COVER = ("submitted", "ready", "not_ready", "done")
