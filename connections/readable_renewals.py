"""Renewal decisions in plain words: the issues that keep one ``not_ready`` and what the platform
expects of each carrier, for the renewals list and the renewal page.

Shapes come from the renewals reference (seed 003, ENDPOINTS.md §16):

* ``issues[]`` of ``{level (warning | error), message, carrier_id, line_of_coverage}``, empty unless
  the status is ``not_ready``;
* ``body.carriers[]`` of ``{carrier_id, lines_of_coverage: {<line>: {open_enrollment_start_date,
  open_enrollment_end_date, plans[]}}}``, a plan being ``{plan_id}`` (a plan of the group) or
  ``{name, plan_type, metal_tier}`` (one to be set up), or both as in Noyo's answer.

Nothing trusts a shape: an entry that is not an object is left out, an unknown line or level is
shown as it came, and the page keeps the raw payload beside the readable form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from command_center.json_cells import joined_sql, text_of, text_of_sql, text_or_sql
from command_center.noyo.contract import LINES_OF_COVERAGE, RENEWAL_ISSUE_LEVELS
from command_center.sync.records import label_for, label_sql, normalize_noyo_id, parse_date

# Lines in the contract's order (medical, dental, vision, ...), unknown ones after: Postgres' jsonb
# does not keep the order of an object's keys as Noyo sent them.
_LINE_ORDER = {line: n for n, line in enumerate(LINES_OF_COVERAGE)}


@dataclass
class CarrierRef:
    """A carrier as a renewal names it: the mirrored Carrier when there is one (pages link it)."""

    id: str
    name: str
    carrier: object | None = None


@dataclass
class Issue:
    level: str
    message: str
    carrier: CarrierRef | None
    line: str

    @property
    def tone(self) -> str:
        return {"error": "bad", "warning": "warn"}.get(self.level, "info")


@dataclass
class PlanExpectation:
    text: str
    plan: object | None = None  # the mirrored Plan, when the renewal names one by id
    plan_id: str = ""


@dataclass
class LineExpectation:
    line: str
    open_enrollment_start: object | None
    open_enrollment_end: object | None
    plans: list[PlanExpectation] = field(default_factory=list)


@dataclass
class CarrierExpectation:
    carrier: CarrierRef | None
    lines: list[LineExpectation] = field(default_factory=list)

    @property
    def line_names(self) -> str:
        return ", ".join(line.line for line in self.lines) or "any plans on the renewal date"


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def carrier_ids_in(renewals) -> set[str]:
    """Every carrier id the renewals name (``carrier_ids``), for one Carrier query per page."""
    return {i for renewal in renewals for i in renewal.carrier_id_list}


def plan_ids_in(renewal) -> set[str]:
    ids = set()
    for entry in renewal.expected_carriers:
        lines = entry.get("lines_of_coverage")
        for line in lines.values() if isinstance(lines, dict) else ():
            for plan in _dicts(line.get("plans") if isinstance(line, dict) else None):
                plan_id = normalize_noyo_id(plan.get("plan_id"))
                if plan_id:
                    ids.add(plan_id)
    return ids


def carrier_ref(carrier_id, carriers: dict) -> CarrierRef | None:
    noyo_id = normalize_noyo_id(carrier_id)
    if noyo_id is None:
        return None
    carrier = carriers.get(noyo_id)
    return CarrierRef(noyo_id, carrier.name if carrier else f"Carrier {noyo_id[:8]} (not known here)", carrier)


def describe_issues(renewal, carriers: dict) -> list[Issue]:
    """Errors first, then warnings, in Noyo's order within each level."""
    issues = [
        Issue(
            level=str(issue.get("level") or ""),
            message=str(issue.get("message") or "(no message)"),
            carrier=carrier_ref(issue.get("carrier_id"), carriers),
            line=label_for(str(issue.get("line_of_coverage"))) if issue.get("line_of_coverage") else "",
        )
        for issue in _dicts(renewal.issues)
    ]
    return sorted(issues, key=lambda issue: {"error": 0, "warning": 1}.get(issue.level, 2))


def describe_expectations(renewal, carriers: dict, plans: dict | None = None) -> list[CarrierExpectation]:
    """What the platform expects of each carrier at renewal, line by line."""
    plans = plans or {}
    expectations = []
    for entry in renewal.expected_carriers:
        lines = entry.get("lines_of_coverage")
        described = [
            LineExpectation(
                line=label_for(str(name)),
                open_enrollment_start=parse_date(line.get("open_enrollment_start_date")),
                open_enrollment_end=parse_date(line.get("open_enrollment_end_date")),
                plans=[_plan(plan, plans) for plan in _dicts(line.get("plans"))],
            )
            for name, line in sorted(lines.items() if isinstance(lines, dict) else (), key=_line_key)
            if isinstance(line, dict)
        ]
        expectations.append(CarrierExpectation(carrier_ref(entry.get("carrier_id"), carriers), described))
    return expectations


def _line_key(item):
    return (_LINE_ORDER.get(item[0], len(_LINE_ORDER)), str(item[0]))


def _plan(plan: dict, plans: dict) -> PlanExpectation:
    plan_id = normalize_noyo_id(plan.get("plan_id")) or ""
    mirrored = plans.get(plan_id)
    details = [label_for(str(plan[key])) for key in ("plan_type", "metal_tier") if plan.get(key)]
    name = str(plan.get("name") or "") or (mirrored.name if mirrored else "")
    if not name:
        name = f"Plan {plan_id[:8]} (not mirrored)" if plan_id else "A plan without a name or id"
    elif not plan_id:
        details.append("to be set up at the carrier")
    return PlanExpectation(" · ".join([name, *details]), mirrored, plan_id)


def issues_text(issues, names: dict) -> str:
    """The issues on one line each, for the CSV: "Error: message (carrier, line)"; the carrier by name
    when it is mirrored (``names``), else by the id as Noyo gave it. ``issues_sql`` says the same in SQL."""
    lines = []
    for issue in _dicts(issues):
        carrier_id = text_of(issue.get("carrier_id"))
        where = [names.get(carrier_id, carrier_id), label_for(text_of(issue.get("line_of_coverage") or ""))]
        where = ", ".join(w for w in where if w)
        level = label_for(text_of(issue.get("level") or "issue"))
        message = text_of(issue.get("message") or "")
        lines.append(f"{level}: {message}{f' ({where})' if where else ''}")
    return "\n".join(lines)


def carrier_name_sql(carrier_id: str, names: dict, literal) -> str:
    """``names.get(carrier_id, carrier_id)`` in SQL, for a text SQL snippet holding the id: the names go
    into the statement as one jsonb object, the same names the Python side reads."""
    return f"coalesce({literal(json.dumps(names))}::jsonb ->> {carrier_id}, {carrier_id})"


def issues_sql(names: dict):
    """``issues_text`` in SQL, of a jsonb SQL snippet; NULL when there are none."""

    def build(issues: str, literal) -> str:
        return joined_sql(
            issues,
            lambda issue: _line(issue, names, literal),
            "\n",
            literal=literal,
            lone_value=False,
            only_objects=True,
        )

    return build


def _line(issue: str, names: dict, literal) -> str:
    def text_or(key, default):
        return text_or_sql(issue, key, default, literal=literal)

    carrier = carrier_name_sql(text_of_sql(f"({issue} -> 'carrier_id')"), names, literal)
    line = label_sql(text_or("line_of_coverage", ""), literal, LINES_OF_COVERAGE)
    where = f"concat_ws(', ', NULLIF({carrier}, ''), NULLIF({line}, ''))"
    level = label_sql(text_or("level", "issue"), literal, RENEWAL_ISSUE_LEVELS)
    return f"{level} || ': ' || {text_or('message', '')} || coalesce(' (' || NULLIF({where}, '') || ')', '')"
