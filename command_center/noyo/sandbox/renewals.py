"""Renewal decisions created through the API (``POST /groups/{group_id}/renewal_decisions``).

The request and answer are the renewals reference's (seed 003, ENDPOINTS.md §16); what it leaves
open is chosen in ``contract.UNCONFIRMED_CHOICES["renewal_create_*"]``. ``check`` answers the 422
messages by field; ``build`` makes the decision from a valid body; ``render`` answers it as it
stands at a sandbox time: ``submitted`` for the first seconds, then ``ready`` (a renewal date on
the 1st) or ``not_ready`` with issues.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from .. import contract
from . import carriers as carrier_table
from . import vocab

Record = dict[str, Any]


@dataclass(frozen=True)
class CreatedRenewal:
    """A decision written through the API: its answer at creation, and how it resolves."""

    record: Record  # as answered on creation, status submitted
    created: float
    resolves: float
    outcome: str  # ready | not_ready
    issues: tuple = ()

    @property
    def group_id(self) -> str:
        return self.record["group_id"]

    @property
    def renewal_date(self) -> str:
        return self.record["renewal_date"]

    @property
    def carrier_ids(self) -> set[str]:
        return {c["carrier_id"] for c in self.record["body"]["carriers"]}


def _is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def check(body: Any, plans: dict[tuple[str, str], dict[str, Record]]) -> dict[str, list[str]]:
    """The 422 messages for a create body, by field path; empty when it is valid.

    ``plans`` are the group's plans by (carrier_id, line) then id: a ``plan_id`` must be one of them.
    """
    if not isinstance(body, dict):
        return {"": ["The request body must be a JSON object."]}
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in contract.RENEWAL_DECISION_REQUIRED:
        if body.get(name) in (None, "", {}):
            add(name, "This field is required.")
    if body.get("renewal_date") and not _is_date(body["renewal_date"]):
        add("renewal_date", "Must be a date (YYYY-MM-DD).")
    decision = body.get("body")
    if decision in (None, "", {}):
        return errors
    if not isinstance(decision, dict):
        add("body", "Must be an object.")
        return errors
    carriers = decision.get("carriers")
    if not isinstance(carriers, list) or not carriers:
        add("body.carriers", "Give at least one carrier.")
        return errors
    seen = set()
    for n, carrier in enumerate(carriers):
        where = f"body.carriers[{n}]"
        if not isinstance(carrier, dict):
            add(where, "Must be an object.")
            continue
        carrier_id = carrier.get("carrier_id")
        known_carrier = isinstance(carrier_id, str) and carrier_id in carrier_table.CARRIER_BY_ID
        if not carrier_id:
            add(f"{where}.carrier_id", "This field is required.")
        elif not known_carrier:
            add(f"{where}.carrier_id", "Unknown carrier.")
        elif carrier_id in seen:
            add(f"{where}.carrier_id", "This carrier is already named in this decision.")
        seen.add(carrier_id if isinstance(carrier_id, str) else None)
        lines = carrier.get("lines_of_coverage", {})
        if not isinstance(lines, dict):
            add(f"{where}.lines_of_coverage", "Must be an object.")
            continue
        for line, expected in lines.items():
            _check_line(
                add, f"{where}.lines_of_coverage.{line}", carrier_id if known_carrier else None, line, expected, plans
            )
    return errors


def _check_line(add, where: str, carrier_id, line: str, expected: Any, plans) -> None:
    if line not in contract.LINES_OF_COVERAGE:
        add(where, f"Not a line of coverage; one of: {', '.join(contract.LINES_OF_COVERAGE)}.")
        return
    if not isinstance(expected, dict):
        add(where, "Must be an object.")
        return
    dates = {}
    for name in contract.RENEWAL_LINE_DATE_FIELDS:
        value = expected.get(name)
        if value in (None, ""):
            add(f"{where}.{name}", "This field is required.")
        elif not _is_date(value):
            add(f"{where}.{name}", "Must be a date (YYYY-MM-DD).")
        else:
            dates[name] = value
    if len(dates) == 2 and dates["open_enrollment_end_date"] < dates["open_enrollment_start_date"]:
        add(f"{where}.open_enrollment_end_date", "Must not be before open_enrollment_start_date.")
    chosen = expected.get("plans", [])
    if not isinstance(chosen, list):
        add(f"{where}.plans", "Must be a list.")
        return
    known = plans.get((carrier_id, line), {})
    for n, plan in enumerate(chosen):
        if not isinstance(plan, dict):
            add(f"{where}.plans[{n}]", "Must be an object.")
        elif plan.get("plan_id"):
            # Checked against the carrier's plans only once the carrier is known.
            if not isinstance(plan["plan_id"], str) or (carrier_id is not None and plan["plan_id"] not in known):
                add(f"{where}.plans[{n}].plan_id", "No plan with this id for this group, carrier and line of coverage.")
        elif not plan.get("name") or not isinstance(plan.get("name"), str):
            add(f"{where}.plans[{n}]", "Give a plan_id, or a name for a plan to be set up.")
        else:
            for name in contract.RENEWAL_NAMED_PLAN_FIELDS:
                if plan.get(name) is not None and not isinstance(plan[name], str):
                    add(f"{where}.plans[{n}].{name}", "Must be a string.")


def build(
    rng: random.Random, decision_id: str, version: str, group_id: str, body: dict, plans, now: float
) -> CreatedRenewal:
    """The new decision from a body ``check`` passed: plans named {name, plan_id}, as the documented answer."""
    carriers = []
    for carrier in body["body"]["carriers"]:
        lines = {}
        for line, expected in (carrier.get("lines_of_coverage") or {}).items():
            known = plans.get((carrier["carrier_id"], line), {})
            lines[line] = {
                "open_enrollment_end_date": expected["open_enrollment_end_date"],
                "open_enrollment_start_date": expected["open_enrollment_start_date"],
                "plans": [_answer_plan(rng, plan, known) for plan in expected.get("plans", [])],
            }
        carriers.append({"carrier_id": carrier["carrier_id"], "lines_of_coverage": lines})
    renewal_date = body["renewal_date"]
    record = {
        "body": {"carriers": carriers},
        "created": int(now),
        "group_id": group_id,
        "id": decision_id,
        "issues": [],
        "modified": int(now),
        "renewal_date": renewal_date,
        "status": "submitted",
        "version": version,
    }
    ready = dt.date.fromisoformat(renewal_date).day == contract.RENEWAL_READY_DAY
    issues = () if ready else tuple(_issue(rng, carrier) for carrier in carriers)
    return CreatedRenewal(
        record, now, now + contract.RENEWAL_DECISION_RESOLVES_AFTER_SECONDS, "ready" if ready else "not_ready", issues
    )


def _answer_plan(rng: random.Random, plan: dict, known: dict[str, Record]) -> Record:
    if plan.get("plan_id"):
        return {"name": known[plan["plan_id"]].get("name", ""), "plan_id": plan["plan_id"]}
    name = plan["name"]
    match = next((p for p in known.values() if str(p.get("name", "")).lower() == name.lower()), None)
    return {"name": name, "plan_id": match["id"] if match else _uuid(rng)}


def _issue(rng: random.Random, carrier: Record) -> Record:
    lines = sorted(carrier["lines_of_coverage"], key=contract.LINES_OF_COVERAGE.index)
    line = lines[0] if lines else None
    level, message = rng.choice(vocab.RENEWAL_ISSUES)
    plans = carrier["lines_of_coverage"][line]["plans"] if line else []
    plan = plans[0]["name"] if plans and plans[0]["name"] else f"{(line or 'the').replace('_', ' ').title()} Plan"
    return {
        "level": level,
        "message": message.format(plan=plan),
        "carrier_id": carrier["carrier_id"],
        "line_of_coverage": line,
    }


def render(created: CreatedRenewal, now: float, version) -> Record | None:
    """The decision as it stands at ``now``; None before it was made (a running clock read early)."""
    if now < created.created:
        return None
    if now < created.resolves:
        return created.record
    return {
        **created.record,
        "status": created.outcome,
        "issues": [dict(issue) for issue in created.issues],
        "modified": int(created.resolves),
        "version": version(created.record["id"], created.outcome),
    }


def _uuid(rng: random.Random) -> str:
    raw = f"{rng.getrandbits(128):032x}"
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{'89ab'[int(raw[16], 16) % 4]}{raw[17:20]}-{raw[20:32]}"
