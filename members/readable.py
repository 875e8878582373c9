"""Legacy member request bodies and results in plain words, for the request detail page.

Shapes come from the API reference (seed 001) and the sandbox
(``command_center/noyo/sandbox/data.py``), one per request type:

* new_hire, enrollment_snapshot, cobra_enrollment: ``coverages[]`` of
  ``{carrier_id, carrier_config, signature_date, lines_of_coverage: {line:
  {enrolling_members[], waiving_members[]}}}``, plus ``enrollment_type`` /
  ``target_date`` (enrollment snapshot) or ``termination_info`` (COBRA);
* qualifying_life_event, open_enrollment: the same ``coverages[]`` with
  ``adding_coverage`` / ``modifying_coverage`` / ``removing_coverage`` actions,
  plus ``event{event_type, event_date}`` (life event);
* termination: ``reason``, ``last_work_date``, ``signature_date``;
* cobra_termination: ``reason``, ``cobra_termination_date``, ``signature_date``;
* demographic: ``change_date``, ``signature_date``, ``member_changes[]`` of
  ``{member{id, member_type}, name_change{}, contact_change{}, salary_change{}, ...}``.

Results: ``{line: [{member_id, member_type, individual_enrollment_id}]}`` for
enrollments, ``{last_day_of_coverage}`` for terminations, a bare list of updated
members for demographic changes, ``{errors: [{carrier_id, message}]}`` when failed.

Nothing here trusts a shape: whatever is not understood is listed under
``leftovers`` (or marks the part unreadable), and the page shows the raw JSON,
SSNs masked, beside the readable form in every case.
"""

from __future__ import annotations

import array
import functools
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from command_center.sync.records import label_for, mask_ssn, mask_ssns

# The member lists a line of coverage may hold, in the order they are shown.
ACTIONS = {
    "enrolling_members": "Enrolling",
    "adding_coverage": "Adding coverage",
    "modifying_coverage": "Changing coverage",
    "waiving_members": "Waiving",
    "removing_coverage": "Removing coverage",
}

# Scalar body fields, in the order they are shown. Enum values are shown as labels.
FACTS = {
    "enrollment_type": "Enrollment type",
    "reason": "Reason",
    "last_work_date": "Last day of work",
    "cobra_termination_date": "COBRA coverage ends",
    "change_date": "Change effective",
    "target_date": "Takes effect on",
    "signature_date": "Signed on",
}
ENUM_FACTS = {"enrollment_type", "reason"}
NESTED_FACTS = {
    "event": {"event_type": "Life event", "event_date": "Event date"},
    "termination_info": {"reason": "Termination reason", "last_work_date": "Last day of work"},
}
RESULT_FACTS = {"last_day_of_coverage": "Last day of coverage"}
MEMBER_ID_KEYS = ("id", "member_id")
# Keys read into the readable form of one member entry; others are shown as extras.
MEMBER_KEYS = {
    "id",
    "member_id",
    "member_type",
    "type",
    "plan_id",
    "plan_name",
    "volume",
    "reason",
    "individual_enrollment_id",
}


@dataclass
class Names:
    """Display names of the people, plans and carriers a body mentions (looked up by the view)."""

    people: dict[str, str] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    carriers: dict[str, str] = field(default_factory=dict)


@dataclass
class Member:
    id: str
    member_type: str
    name: str
    plan_id: str = ""
    plan: str = ""
    volume: Any = None
    reason: str = ""
    enrollment_id: str = ""
    extras: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Action:
    label: str
    key: str
    members: list[Member]


@dataclass
class Line:
    line: str
    label: str
    actions: list[Action]

    @property
    def has_members(self) -> bool:
        return any(action.members for action in self.actions)


@dataclass
class Coverage:
    carrier_id: str
    carrier: str
    signature_date: str
    config: list[tuple[str, str]]
    lines: list[Line]


@dataclass
class MemberChange:
    member: Member
    changes: list[tuple[str, list[tuple[str, str]]]]


@dataclass
class Readable:
    facts: list[tuple[str, str]] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    member_changes: list[MemberChange] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    unreadable: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.facts or self.coverages or self.member_changes or self.leftovers)


@dataclass
class ReadableResult:
    facts: list[tuple[str, str]] = field(default_factory=list)
    enrollments: list[tuple[str, list[Member]]] = field(default_factory=list)
    updated_members: list[Member] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    unreadable: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.facts or self.enrollments or self.updated_members or self.errors or self.leftovers)


# --- Ids a body mentions ------------------------------------------------------------------


def referenced_ids(*payloads) -> tuple[set[str], set[str], set[str]]:
    """(person ids, plan ids, carrier ids) mentioned anywhere in the payloads: what the view looks up."""
    people, plans, carriers = set(), set(), set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):
                    if key == "plan_id":
                        plans.add(item)
                    elif key == "carrier_id":
                        carriers.add(item)
                    elif key in ("member_id", "employee_id") or (key == "id" and _is_member(value)):
                        people.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for payload in payloads:
        walk(payload)
    return people, plans, carriers


def _is_member(entry: dict) -> bool:
    return str(entry.get("member_type") or entry.get("type") or "") in ("employee", "dependent")


# --- Body -------------------------------------------------------------------------------------


def describe_body(body, names: Names) -> Readable:
    """The body of a member request (any of the eight types) in plain words."""
    readable = Readable()
    if body in (None, {}, []):
        return readable
    if not isinstance(body, dict):
        readable.unreadable = True
        return readable
    for key, item in body.items():
        if key in FACTS and _is_scalar(item):
            continue
        if key in NESTED_FACTS and isinstance(item, dict):
            continue
        if key == "employee_id" and isinstance(item, str):
            continue
        if key == "coverages" and isinstance(item, list):
            continue
        if key == "member_changes" and isinstance(item, list):
            continue
        readable.leftovers.append(key)
    readable.facts = _facts(body, names)
    if isinstance(body.get("coverages"), list):
        for entry in body["coverages"]:
            coverage = _coverage(entry, names)
            if coverage is None:
                readable.leftovers.append("coverages")
                continue
            readable.coverages.append(coverage)
    if isinstance(body.get("member_changes"), list):
        for entry in body["member_changes"]:
            change = _member_change(entry, names)
            if change is None:
                readable.leftovers.append("member_changes")
                continue
            readable.member_changes.append(change)
    readable.leftovers = sorted(set(readable.leftovers))
    return readable


def _facts(body: dict, names: Names) -> list[tuple[str, str]]:
    facts = []
    if isinstance(body.get("employee_id"), str):
        facts.append(("Employee", names.people.get(body["employee_id"]) or body["employee_id"]))
    for parent, children in NESTED_FACTS.items():
        nested = body.get(parent)
        if not isinstance(nested, dict):
            continue
        for key, label in children.items():
            if _is_scalar(nested.get(key)) and nested.get(key) not in (None, ""):
                value = nested[key]
                facts.append((label, label_for(str(value)) if key in ("event_type", "reason") else str(value)))
    for key, label in FACTS.items():
        value = body.get(key)
        if _is_scalar(value) and value not in (None, ""):
            facts.append((label, label_for(str(value)) if key in ENUM_FACTS else str(value)))
    return facts


def _coverage(entry, names: Names) -> Coverage | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("lines_of_coverage", {}), dict):
        return None
    carrier_id = str(entry.get("carrier_id") or "")
    lines = []
    for line, actions in (entry.get("lines_of_coverage") or {}).items():
        if not isinstance(actions, dict):
            return None
        parsed = []
        for key in sorted(actions, key=lambda k: list(ACTIONS).index(k) if k in ACTIONS else len(ACTIONS)):
            members = actions[key]
            if not isinstance(members, list):
                return None
            if members:  # an empty list (no one waiving) says nothing worth a row
                parsed.append(Action(ACTIONS.get(key, label_for(key)), key, [_member(m, names) for m in members]))
        lines.append(Line(line, label_for(line), parsed))
    config = entry.get("carrier_config")
    return Coverage(
        carrier_id=carrier_id,
        carrier=names.carriers.get(carrier_id, ""),
        signature_date=str(entry.get("signature_date") or ""),
        config=_flatten(config) if isinstance(config, dict) else [],
        lines=lines,
    )


def _member(entry, names: Names) -> Member:
    if not isinstance(entry, dict):
        return Member(id="", member_type="", name=str(entry))
    member_id = next((str(entry[k]) for k in MEMBER_ID_KEYS if isinstance(entry.get(k), str)), "")
    plan_id = str(entry.get("plan_id") or "")
    extras = [
        (label, value)
        for key, item in entry.items()
        if key not in MEMBER_KEYS
        for label, value in _flatten({key: item})
    ]
    return Member(
        id=member_id,
        member_type=str(entry.get("member_type") or entry.get("type") or ""),
        name=names.people.get(member_id, ""),
        plan_id=plan_id,
        plan=names.plans.get(plan_id, "") or str(entry.get("plan_name") or ""),
        volume=entry.get("volume"),
        reason=label_for(str(entry["reason"])) if entry.get("reason") else "",
        enrollment_id=str(entry.get("individual_enrollment_id") or ""),
        extras=extras,
    )


def _member_change(entry, names: Names) -> MemberChange | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("member", {}), dict):
        return None
    changes = []
    for key, item in entry.items():
        if key == "member":
            continue
        title = label_for(key[: -len("_change")] if key.endswith("_change") else key)
        changes.append((title, _flatten(item) if isinstance(item, dict) else _flatten({key: item})))
    return MemberChange(member=_member(entry.get("member") or {}, names), changes=changes)


# --- Result ------------------------------------------------------------------------------------


def describe_result(result, names: Names) -> ReadableResult:
    """The result of a member request: enrollments made, last day of coverage, updated members or errors."""
    readable = ReadableResult()
    if result in (None, {}, []):
        return readable
    if isinstance(result, list):  # demographic: the updated members
        if not all(isinstance(item, dict) for item in result):
            readable.unreadable = True
            return readable
        readable.updated_members = [_member(item, names) for item in result]
        return readable
    if not isinstance(result, dict):
        readable.unreadable = True
        return readable
    for key, item in result.items():
        if key in RESULT_FACTS and _is_scalar(item):
            readable.facts.append((RESULT_FACTS[key], str(item)))
        elif key == "errors" and isinstance(item, list):
            readable.errors = [_error(error, names) for error in item]
        elif isinstance(item, (list, dict)) and _looks_like_enrollments(item):
            # Noyo's own sample shows one line's members as a bare object: take both.
            members = item if isinstance(item, list) else [item]
            readable.enrollments.append((label_for(key), [_member(m, names) for m in members]))
        else:
            readable.leftovers.append(key)
    return readable


def _looks_like_enrollments(item) -> bool:
    members = item if isinstance(item, list) else [item]
    return all(isinstance(m, dict) and ("member_id" in m or "individual_enrollment_id" in m) for m in members)


def _error(error, names: Names) -> tuple[str, str]:
    if not isinstance(error, dict):
        return "", str(error)
    carrier_id = str(error.get("carrier_id") or "")
    carrier = names.carriers.get(carrier_id, "") or carrier_id
    message = (
        error.get("message")
        or error.get("detail")
        or ", ".join(f"{k}: {_show(k, v)}" for k, v in error.items() if k != "carrier_id")
    )
    return carrier, mask_ssns_in_text(str(message))


# --- Small helpers -------------------------------------------------------------------------------

# An SSN written out in free text (an error message, a note): 123-45-6789 or 123456789.
SSN_IN_TEXT = re.compile(r"(?<![\w-])\d{3}(-?)\d{2}\1\d{4}(?![\w-])")


def mask_ssns_in_text(text: str) -> str:
    """Free text with any SSN-shaped number masked: keys tell ``mask_ssns`` where SSNs are, text has no keys."""
    return SSN_IN_TEXT.sub(lambda m: mask_ssn(m.group(0)), text)


def _every_character() -> str:
    """Every Unicode character (no surrogates), in code point order: built in one go, as a loop of chr()
    calls it took most of a second, paid by the first export in each process."""
    points = array.array("I", itertools.chain(range(0xD800), range(0xE000, sys.maxunicode + 1)))
    return points.tobytes().decode(f"utf-32-{'le' if sys.byteorder == 'little' else 'be'}")


def _bracket(characters, extra: str = "", *, negated: bool = False) -> str:
    """A bracket expression holding exactly ``characters`` (in code point order), as code point ranges."""
    ranges: list[list[int]] = []
    for character in characters:
        point = ord(character)
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])

    def char(point):
        return "\\" + chr(point) if chr(point) in "\\]^-[" else chr(point)

    inner = "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges) + extra
    return f"[^{inner}]" if negated else f"[{inner}]"


@functools.cache
def ssn_in_text_sql() -> str:
    """SSN_IN_TEXT for PostgreSQL's regexp_replace, the last four digits its group 1 (``'•••-••-\\1'`` masks).

    Python's \\w and \\d are Unicode; PostgreSQL's follow the locale. Their characters are spelled out here
    from Python's own, so both mask the same text (tests/core/test_csv_paths.py)."""
    every = _every_character()
    digit, word = _bracket(re.findall(r"\d", every)), _bracket(re.findall(r"\w", every), "\\-")
    return f"(?<!{word}){digit}{{3}}(?:-{digit}{{2}}-|{digit}{{2}})({digit}{{4}})(?!{word})"


@functools.cache
def not_a_digit_sql() -> str:
    """A character ``mask_ssn`` does not keep (not ``str.isdigit``), for PostgreSQL's regexp_replace."""
    return _bracket((c for c in _every_character() if c.isdigit()), negated=True)


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _show(key: str, value) -> str:
    """A value as text, masked when it is an SSN."""
    if "ssn" in key.lower():
        return mask_ssn(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else mask_ssns_in_text(str(value))


def _flatten(value: dict, prefix: str = "") -> list[tuple[str, str]]:
    """``{"home_address": {"city": "Oakland"}}`` -> ``[("Home address · City", "Oakland")]``."""
    pairs = []
    for key, item in value.items():
        label = f"{prefix} · {label_for(key)}" if prefix else label_for(key)
        if isinstance(item, dict):
            pairs.extend(_flatten(item, label))
        elif isinstance(item, list):
            pairs.append(
                (
                    label,
                    ", ".join(
                        _show(key, v) if _is_scalar(v) else json.dumps(mask_ssns(v), ensure_ascii=False) for v in item
                    ),
                )
            )
        else:
            pairs.append((label, _show(key, item)))
    return pairs


# --- Tracking differences ---------------------------------------------------------------------

# Noyo's open-ended end date (ENDPOINTS.md: 9999-12-31 when open-ended).
FOREVER = "9999-12-31"


def field_value(key: str, value, missing: str = "—") -> str:
    """One side of a difference's field as text: SSNs masked, Noyo's open-ended date in words."""
    if value is None or value == "":
        return missing
    if "ssn" in key.lower():
        return mask_ssn(value)
    if value == FOREVER:
        return "open-ended (9999-12-31)"
    if isinstance(value, (dict, list)):
        return mask_ssns_in_text(json.dumps(mask_ssns(value), ensure_ascii=False))
    return _show(key, value)


@dataclass
class FieldRow:
    key: str
    label: str
    platform: str
    carrier: str


def difference_fields(fields, classification: str = "") -> list[FieldRow]:
    """A difference's ``fields[]{key, platform_value, carrier_value}`` as rows; the side that lacks
    the record (a null value) says so in words."""
    platform_missing = "Not on the platform" if classification == "missing_from_platform" else "—"
    carrier_missing = "Not at the carrier" if classification == "missing_from_carrier" else "—"
    rows = []
    for entry in fields if isinstance(fields, list) else ():
        if not isinstance(entry, dict):
            rows.append(FieldRow("", "", mask_ssns_in_text(str(entry)), ""))
            continue
        key = str(entry.get("key") or "")
        rows.append(
            FieldRow(
                key=key,
                label=label_for(key) if key else "",
                platform=field_value(key, entry.get("platform_value"), platform_missing),
                carrier=field_value(key, entry.get("carrier_value"), carrier_missing),
            )
        )
    return rows


# --- Member transactions ------------------------------------------------------------------------

# A transaction's body is one carrier's part of its request's body: these keys, at the top level
# (seed 001's new hire transaction), or the request's whole ``coverages[]`` (its "Get Single Member Transaction").
COVERAGE_KEYS = ("carrier_id", "carrier_config", "signature_date", "lines_of_coverage")


def describe_transaction_body(body, names: Names) -> Readable:
    """A member transaction's body in plain words, in either documented shape."""
    if isinstance(body, dict) and isinstance(body.get("lines_of_coverage"), dict) and "coverages" not in body:
        coverage = {key: body[key] for key in COVERAGE_KEYS if key in body}
        body = {**{key: value for key, value in body.items() if key not in COVERAGE_KEYS}, "coverages": [coverage]}
    return describe_body(body, names)


# What each transaction status means (seed 001; seed 004 for requests, which transactions follow).
TRANSACTION_MEANINGS = {
    "processing": "Being sent to or worked on by the carrier.",
    "completed": "The carrier made the change.",
    "failed": "Noyo could not make the change at the carrier.",
    "canceled": "Canceled: a later request superseded it.",
}


def transaction_status_detail(status: str, verified, error: str | None) -> str:
    """The details of a transaction's status in one sentence, from what its record says."""
    if status == "failed" and error:
        return mask_ssns_in_text(str(error))
    if status == "completed":
        if verified:
            return f"Completed and verified at the carrier on {verified:%b %-d, %Y}."
        return "Completed; not verified at the carrier yet."
    return TRANSACTION_MEANINGS.get(status, "")


# --- Member snapshots: what was submitted ------------------------------------------------------

SNAPSHOT_FACTS = {
    "snapshot_mode": "Snapshot mode",
    "enable_member_auto_link": "Match existing members (auto-link)",
    "target_date": "Takes effect on",
}
PERSON_KEYS = {"id", "custom_individual_id", "relationship", "person", "employment", "classifications", "event_id"}
ENROLLED_KEYS = {
    "individual_type",
    "individual_id",
    "custom_individual_id",
    "effective_start_date",
    "effective_end_date",
}
SNAPSHOT_COVERAGE_KEYS = {
    "carrier_id",
    "line_of_coverage",
    "plan_id",
    "plan_name",
    "custom_plan_id",
    "signature_date",
    "enrolled_members",
}


@dataclass
class Person:
    role: str
    id: str
    custom_id: str
    name: str
    date_of_birth: str
    ssn: str
    sex: str
    details: list[tuple[str, str]] = field(default_factory=list)
    # The mirrored employee or dependent this person is ({name, employee_id, kind}), set by the view.
    mirrored: dict | None = None


@dataclass
class Enrolled:
    individual_type: str
    id: str
    name: str
    start: str
    end: str
    extras: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SnapshotCoverage:
    carrier_id: str
    carrier: str
    line: str
    plan: str
    plan_id: str
    signature_date: str
    members: list[Enrolled]
    extras: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ReadableSnapshot:
    facts: list[tuple[str, str]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    coverages: list[SnapshotCoverage] = field(default_factory=list)
    events: list[list[tuple[str, str]]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    unreadable: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.facts or self.people or self.coverages or self.events or self.leftovers)


def snapshot_people_names(payload) -> dict[str, str]:
    """Names the payload itself gives its people (``person.first_name`` / ``last_name``), by id."""
    names = {}
    if not isinstance(payload, dict):
        return names
    entries = [
        payload.get("employee"),
        *(payload.get("dependents") or [] if isinstance(payload.get("dependents"), list) else []),
    ]
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("person"), dict):
            person = entry["person"]
            name = " ".join(str(person.get(k) or "") for k in ("first_name", "last_name")).strip()
            for key in ("id", "custom_individual_id"):
                if isinstance(entry.get(key), str) and name:
                    names[entry[key]] = name
    return names


def describe_snapshot(payload, names: Names) -> ReadableSnapshot:
    """A member snapshot's submitted payload (ENDPOINTS.md §14.2) in plain words."""
    readable = ReadableSnapshot()
    if payload in (None, {}):
        return readable
    if not isinstance(payload, dict):
        readable.unreadable = True
        return readable
    known = {"employee", "dependents", "coverages", "events", *SNAPSHOT_FACTS}
    readable.leftovers = sorted(key for key in payload if key not in known)
    for key, label in SNAPSHOT_FACTS.items():
        if _is_scalar(payload.get(key)) and payload.get(key) not in (None, ""):
            value = payload[key]
            readable.facts.append(
                (
                    label,
                    _show(key, value)
                    if isinstance(value, bool)
                    else label_for(str(value))
                    if key == "snapshot_mode"
                    else str(value),
                )
            )
    if isinstance(payload.get("employee"), dict):
        readable.people.append(_person(payload["employee"], "Employee", names))
    for entry in payload.get("dependents") or () if isinstance(payload.get("dependents"), list) else ():
        if isinstance(entry, dict):
            readable.people.append(_person(entry, label_for(str(entry.get("relationship") or "dependent")), names))
    for entry in payload.get("coverages") or () if isinstance(payload.get("coverages"), list) else ():
        if isinstance(entry, dict):
            readable.coverages.append(_snapshot_coverage(entry, names))
    for entry in payload.get("events") or () if isinstance(payload.get("events"), list) else ():
        if isinstance(entry, dict):
            readable.events.append(
                [
                    (label_for(k), label_for(str(v)) if k in ("type", "reason") else _show(k, v))
                    for k, v in entry.items()
                    if _is_scalar(v)
                ]
            )
    for key, kind in (("employee", dict), ("dependents", list), ("coverages", list), ("events", list)):
        if payload.get(key) is not None and not isinstance(payload[key], kind):
            readable.leftovers.append(key)
    readable.leftovers.sort()
    return readable


def _person(entry: dict, role: str, names: Names) -> Person:
    person = entry.get("person") if isinstance(entry.get("person"), dict) else {}
    person_id = str(entry.get("id") or "")
    custom_id = str(entry.get("custom_individual_id") or "")
    own_name = " ".join(
        str(person.get(k) or "") for k in ("first_name", "middle_name", "last_name") if person.get(k)
    ).strip()
    details = _flatten(
        {
            k: v
            for k, v in person.items()
            if k not in ("first_name", "middle_name", "last_name", "date_of_birth", "ssn", "sex")
        }
    )
    if isinstance(entry.get("employment"), dict):
        details += _flatten(entry["employment"], "Employment")
    if isinstance(entry.get("classifications"), dict):
        details += _flatten(entry["classifications"], "Classification")
    details += [(label_for(k), _show(k, v)) for k, v in entry.items() if k not in PERSON_KEYS and _is_scalar(v)]
    return Person(
        role=role,
        id=person_id,
        custom_id=custom_id,
        name=own_name or names.people.get(person_id, ""),
        date_of_birth=str(person.get("date_of_birth") or ""),
        ssn=mask_ssn(person.get("ssn")) if person.get("ssn") else "",
        sex=str(person.get("sex") or ""),
        details=[(label, value) for label, value in details if value not in ("", None)],
    )


def _snapshot_coverage(entry: dict, names: Names) -> SnapshotCoverage:
    carrier_id, plan_id = str(entry.get("carrier_id") or ""), str(entry.get("plan_id") or "")
    members = []
    for member in entry.get("enrolled_members") or () if isinstance(entry.get("enrolled_members"), list) else ():
        if not isinstance(member, dict):
            continue
        member_id = str(member.get("individual_id") or member.get("custom_individual_id") or "")
        members.append(
            Enrolled(
                individual_type=str(member.get("individual_type") or ""),
                id=member_id,
                name=names.people.get(member_id, ""),
                start=str(member.get("effective_start_date") or ""),
                end=field_value("effective_end_date", member.get("effective_end_date"), ""),
                extras=[
                    (label_for(k), _show(k, v)) for k, v in member.items() if k not in ENROLLED_KEYS and _is_scalar(v)
                ],
            )
        )
    return SnapshotCoverage(
        carrier_id=carrier_id,
        carrier=names.carriers.get(carrier_id, ""),
        line=label_for(str(entry.get("line_of_coverage") or "")) if entry.get("line_of_coverage") else "",
        plan=names.plans.get(plan_id, "") or str(entry.get("plan_name") or entry.get("custom_plan_id") or ""),
        plan_id=plan_id,
        signature_date=str(entry.get("signature_date") or ""),
        members=members,
        extras=[
            (label_for(k), _show(k, v)) for k, v in entry.items() if k not in SNAPSHOT_COVERAGE_KEYS and _is_scalar(v)
        ],
    )


def snapshot_referenced_ids(payload) -> tuple[set[str], set[str], set[str]]:
    """(person ids, plan ids, carrier ids) a submitted payload mentions."""
    people, plans, carriers = referenced_ids(payload)
    if isinstance(payload, dict):
        for entry in payload.get("coverages") or () if isinstance(payload.get("coverages"), list) else ():
            for member in (
                (entry.get("enrolled_members") or ())
                if isinstance(entry, dict) and isinstance(entry.get("enrolled_members"), list)
                else ()
            ):
                if isinstance(member, dict) and isinstance(member.get("individual_id"), str):
                    people.add(member["individual_id"])
        for entry in [
            payload.get("employee"),
            *(payload.get("dependents") if isinstance(payload.get("dependents"), list) else []),
        ]:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                people.add(entry["id"])
    return people, plans, carriers
