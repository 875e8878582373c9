"""The sandbox's data: every record derived from (seed, kind, key), nothing stored.

Layout, from the top:

* groups ``g`` in ``range(n_groups)``; their per-group counts (employees,
  connections, renewal decisions, disconnection requests) are fixed at start
  in small prefix-sum arrays, so "the 500,000th member request" is a bisect
  away, and an unfiltered page at any offset costs O(page size);
* children without org-wide lists are keyed ``parent * STRIDE + local`` (see
  ``ids.py``), so one is found from its UUID alone;
* anything that moves over time is a story (``schedules.py``) evaluated at
  the sandbox time ``now`` passed in;
* counts are paired (an even index gets ``mean + d``, the next ``mean - d``),
  so a scale's totals are exact: large = 1,000 groups, 50,000 employees,
  100,000 dependents and 1,000,000 member requests.

Records are plain dicts with the field names of ENDPOINTS.md. Each call builds
a fresh dict; cached ``*_info`` tuples are shared and never mutated.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from .. import contract
from . import carriers as carrier_table
from . import schedules, vocab
from .ids import Ids, pick, weighted
from .schedules import D, H, M, Step, position

FOREVER = "9999-12-31"
Record = dict[str, Any]


@dataclass(frozen=True)
class Scale:
    groups: int
    employees: int  # mean per group
    employee_spread: int
    requests: int  # mean per employee
    request_spread: int


SCALES = {
    "small": Scale(groups=20, employees=10, employee_spread=6, requests=2, request_spread=2),
    "medium": Scale(groups=100, employees=20, employee_spread=12, requests=5, request_spread=4),
    "large": Scale(groups=1000, employees=50, employee_spread=30, requests=20, request_spread=15),
}
DEPENDENTS_MEAN, DEPENDENTS_SPREAD = 2, 2

# Strides of the keys of child records (see ids.py).
CHILD_STRIDE = 8  # contacts, locations, dependents
SLOT_STRIDE = 64  # group enrollments: slot * 4 + year
IE_STRIDE = 64  # individual enrollments: slot * 5 + member
SNAPSHOT_STRIDE = 4
PLAN_STRIDE = 4
DISCONNECTION_STRIDE = 4

# The first groups get known carriers, so every line of coverage and both carrier kinds appear at any scale.
_C = carrier_table.CARRIER_IDS
FIXED_GROUP_CARRIERS = ((_C[0], _C[2], _C[3], _C[4]), (_C[6], _C[5], _C[7]))
MEDICAL_CARRIERS = tuple(c for c in _C if "medical" in carrier_table.LINES_BY_CARRIER[c])
LINE_ORDER = {line: i for i, line in enumerate(contract.LINES_OF_COVERAGE)}
BASIC_LINES = ("medical", "dental", "vision")
# The first requests take every type; a termination third, so it has two transactions (carrier + noyo).
REQUEST_TYPE_COVER = (
    "new_hire",
    "demographic",
    "termination",
    "qualifying_life_event",
    "open_enrollment",
    "enrollment_snapshot",
    "cobra_enrollment",
    "cobra_termination",
)


def ts(value: float) -> int:
    return int(value)


def iso(day: dt.date) -> str:
    return day.isoformat()


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_of_month(day: dt.date) -> dt.date:
    return first_of_next_month(day) - dt.timedelta(days=1)


class GroupInfo(NamedTuple):
    index: int
    id: str
    name: str
    dba_name: str
    federal_ein: str
    sic_code: str
    organization_id: str
    birth: float
    carriers: tuple[str, ...]
    slots: tuple[tuple[str, str], ...]  # (carrier_id, line) bought by the group, one carrier per line
    renewal_month: int
    city: tuple
    domain: str


class EmployeeInfo(NamedTuple):
    index: int
    id: str
    group: int
    person: dict
    employment: dict
    hire: dt.date
    leaves: dt.date | None  # last day of coverage when the employee leaves (past or future)
    created: float
    location_id: str
    dependents: tuple  # of DependentInfo


class DependentInfo(NamedTuple):
    key: int
    id: str
    relationship: str
    person: dict
    coverage_ends: dt.date | None


class Enrollment(NamedTuple):
    """One individual enrollment: a member covered on one slot of the group."""

    key: int
    slot: int
    carrier_id: str
    line: str
    individual_type: str
    individual_id: str
    plan_key: int
    premium: float
    start: dt.date
    end: dt.date | None


class Dataset:
    def __init__(self, seed: int, scale: str, t0: float) -> None:
        self.seed, self.scale_name, self.t0 = seed, scale, float(t0)
        self.scale = SCALES[scale]
        self.today = dt.datetime.fromtimestamp(self.t0, dt.UTC).date()
        self.ids = Ids(seed)
        self.organization_ids = (self.ids.uuid("organization", 0), self.ids.uuid("organization", 1))
        self.broker_ein = self._ein(self.ids.rng("broker"))

        n_groups = self.scale.groups
        self._shapes = [self._group_shape(g) for g in range(n_groups)]
        self.employee_prefix = _prefix(
            self._paired("employees", g, n_groups, self.scale.employees, self.scale.employee_spread, 1)
            for g in range(n_groups)
        )
        self.connection_prefix = _prefix(len(shape[0]) for shape in self._shapes)
        self.renewal_prefix = _prefix(self._renewal_count(g) for g in range(n_groups))
        self.disconnection_prefix = _prefix(self._disconnection_count(g) for g in range(n_groups))
        n_employees = self.employee_prefix[-1]
        self.request_prefix = _prefix(
            self._paired("requests", e, n_employees, self.scale.requests, self.scale.request_spread, 4)
            for e in range(n_employees)
        )
        self.difference_prefix = _prefix(self._difference_count(e) for e in range(n_employees))

        cache = lru_cache(maxsize=4096)  # a few pages' worth of employees; bounds memory at any scale
        self.group_info = cache(self._group_info)
        self.employee_info = cache(self._employee_info)
        self.coverage = cache(self._coverage)
        self.connection_base = cache(self._connection_base)
        self.snapshot_stories = cache(self._snapshot_stories)

    # --- Counts and indexes ---------------------------------------------------------
    @property
    def n_groups(self) -> int:
        return self.scale.groups

    @property
    def n_employees(self) -> int:
        return self.employee_prefix[-1]

    @property
    def n_connections(self) -> int:
        return self.connection_prefix[-1]

    @property
    def n_requests(self) -> int:
        return self.request_prefix[-1]

    @property
    def n_transactions(self) -> int:
        return transactions_before(self.n_requests)

    @property
    def n_differences(self) -> int:
        return self.difference_prefix[-1]

    @property
    def n_renewals(self) -> int:
        return self.renewal_prefix[-1]

    def counts(self) -> dict[str, int]:
        return {
            "groups": self.n_groups,
            "group_connections": self.n_connections,
            "employees": self.n_employees,
            "dependents": DEPENDENTS_MEAN * self.n_employees,
            "member_requests": self.n_requests,
            "member_transactions": self.n_transactions,
            "differences": self.n_differences,
            "renewal_decisions": self.n_renewals,
        }

    def _paired(self, kind: str, index: int, count: int, mean: int, spread: int, fixed_pairs: int) -> int:
        pair = index // 2
        if pair < fixed_pairs or (count % 2 and index == count - 1):
            return mean
        delta = self.ids.hash(kind, "pair", pair) % (spread + 1)
        return mean + delta if index % 2 == 0 else mean - delta

    def group_of_employee(self, e: int) -> int:
        return bisect.bisect_right(self.employee_prefix, e) - 1

    def employees_of_group(self, g: int) -> range:
        return range(self.employee_prefix[g], self.employee_prefix[g + 1])

    def connections_of_group(self, g: int) -> range:
        return range(self.connection_prefix[g], self.connection_prefix[g + 1])

    def requests_of_employees(self, employees: range) -> range:
        return range(self.request_prefix[employees.start], self.request_prefix[employees.stop])

    def differences_of_employees(self, employees: range) -> range:
        return range(self.difference_prefix[employees.start], self.difference_prefix[employees.stop])

    def renewals_of_group(self, g: int) -> range:
        return range(self.renewal_prefix[g], self.renewal_prefix[g + 1])

    # --- Groups -------------------------------------------------------------------------
    def _group_shape(self, g: int) -> tuple[tuple[str, ...], str]:
        rng = self.ids.rng("group-shape", g)
        archetype = pick(rng, g, schedules.CONNECTION_COVER, schedules.CONNECTION_WEIGHTS)
        if g < len(FIXED_GROUP_CARRIERS):
            chosen = list(FIXED_GROUP_CARRIERS[g])
        else:
            chosen = [rng.choice(MEDICAL_CARRIERS)] if rng.random() < 0.95 else []
            wanted = 1 + weighted(rng.random(), (0, 1, 2, 3), (15, 35, 35, 15))
            others = [c for c in _C if c not in chosen]
            rng.shuffle(others)
            for carrier in others:
                covered = {line for c in chosen for line in carrier_table.LINES_BY_CARRIER[c]}
                if len(chosen) < wanted and set(carrier_table.LINES_BY_CARRIER[carrier]) - covered:
                    chosen.append(carrier)
        if archetype in schedules.RECENT_ARCHETYPES:
            chosen = chosen[:1]
        return tuple(chosen), archetype

    def _identity(self, g: int) -> tuple:
        """The group's names and numbers: what a connection's group_data needs, without its history."""
        rng = self.ids.rng("group", g)
        name = f"{rng.choice(vocab.COMPANY_FIRST)} {rng.choice(vocab.COMPANY_SECOND)}"
        return (
            f"{name} {rng.choice(vocab.COMPANY_SUFFIXES)}",
            name if rng.random() < 0.4 else "",
            self._ein(rng),
            rng.choice(vocab.SIC_CODES),
            self.organization_ids[1 if g == 3 or rng.random() < 0.1 else 0],
            1 if rng.random() < 0.6 else rng.randint(2, 12),
            rng.choice(vocab.CITIES),
            name.lower().replace(" ", "") + ".example.com",
        )

    def _group_info(self, g: int) -> GroupInfo:
        carriers, _archetype = self._shapes[g]
        name, dba_name, ein, sic, organization, renewal_month, city, domain = self._identity(g)
        slots, seen = [], set()
        for carrier in carriers:
            for line in carrier_table.LINES_BY_CARRIER[carrier]:
                if line not in seen:
                    seen.add(line)
                    slots.append((carrier, line))
        slots.sort(key=lambda slot: LINE_ORDER[slot[1]])
        return GroupInfo(
            index=g,
            id=self.ids.uuid("group", g),
            name=name,
            dba_name=dba_name,
            federal_ein=ein,
            sic_code=sic,
            organization_id=organization,
            birth=self.connection_base(self.connection_prefix[g]).story[0].at,
            carriers=carriers,
            slots=tuple(slots),
            renewal_month=renewal_month,
            city=city,
            domain=domain,
        )

    def group(self, g: int) -> Record:
        info = self.group_info(g)
        return {
            "id": info.id,
            "version": self.ids.version("group", g),
            "created": ts(info.birth),
            "modified": ts(info.birth + 3 * H),
            "organization_id": info.organization_id,
            "name": info.name,
            "dba_name": info.dba_name,
            "federal_ein": info.federal_ein,
            "sic_code": info.sic_code,
        }

    def group_number(self, connection_index: int) -> str:
        g = bisect.bisect_right(self.connection_prefix, connection_index) - 1
        carrier = self._shapes[g][0][connection_index - self.connection_prefix[g]]
        return carrier_table.make_group_number(carrier, self.ids.rng("carrier-group-id", connection_index))

    def contacts(self, g: int) -> list[Record]:
        info = self.group_info(g)
        count = 1 + self.ids.hash("contacts", g) % 3
        return [self._contact(info, g * CHILD_STRIDE + j) for j in range(count)]

    def contact(self, key: int) -> Record | None:
        g, j = divmod(key, CHILD_STRIDE)
        return self.contacts(g)[j] if g < self.n_groups and j < 1 + self.ids.hash("contacts", g) % 3 else None

    def _contact(self, info: GroupInfo, key: int) -> Record:
        rng = self.ids.rng("contact", key)
        first, last = rng.choice(vocab.FIRST_NAMES_F + vocab.FIRST_NAMES_M), rng.choice(vocab.LAST_NAMES)
        primary = key % CHILD_STRIDE == 0
        types = (
            ["company", "billing", "executive"]
            if primary
            else rng.sample(["billing", "online", "executive"], rng.randint(1, 2))
        )
        record = {
            "id": self.ids.uuid("contact", key),
            "version": self.ids.version("contact", key),
            "created": ts(info.birth + 10 * M),
            "modified": ts(info.birth + 2 * D * rng.random()),
            "group_id": info.id,
            "first_name": first,
            "last_name": last,
            "title": rng.choice(vocab.CONTACT_TITLES),
            "email": f"{first}.{last}@{info.domain}".lower().replace("'", ""),
            "phone_number": self._phone(rng, info.city),
            "types": types,
            "primary_contact": primary,
        }
        return record

    def locations(self, g: int) -> list[Record]:
        info = self.group_info(g)
        count = 1 + self.ids.hash("locations", g) % 2
        return [self._location(info, g * CHILD_STRIDE + j) for j in range(count)]

    def location(self, key: int) -> Record | None:
        g, j = divmod(key, CHILD_STRIDE)
        return self.locations(g)[j] if g < self.n_groups and j < 1 + self.ids.hash("locations", g) % 2 else None

    def _location(self, info: GroupInfo, key: int) -> Record:
        rng = self.ids.rng("location", key)
        city = info.city if key % CHILD_STRIDE == 0 else rng.choice(vocab.CITIES)
        return {
            "id": self.ids.uuid("location", key),
            "version": self.ids.version("location", key),
            "created": ts(info.birth + 5 * M),
            "modified": ts(info.birth + 5 * M),
            "group_id": info.id,
            "display_name": "Headquarters" if key % CHILD_STRIDE == 0 else f"{city[0]} office",
            "address": self._address(rng, city),
        }

    def latest_audit(self, g: int, now: float, carrier_id: str | None) -> Record:
        """Noyo re-audits each group daily; carriers whose Sync connection completed are audited."""
        info = self.group_info(g)
        audited = []
        for i in self.connections_of_group(g):
            spec = self.connection_base(i)
            story_pos = position(spec.story, now)
            kind = carrier_table.CARRIER_BY_ID[spec.carrier_id]["kind"]
            if kind == carrier_table.SYNC and story_pos >= 0 and spec.story[story_pos].status == "completed":
                audited.append(spec.carrier_id)
        if carrier_id:
            audited = [c for c in audited if c == carrier_id]
        phase = self.ids.hash("audit-phase", g) % D
        completed_at = (now - phase) // D * D + phase
        if not audited or completed_at < info.birth:
            return {"group_id": info.id, "carrier_ids": [], "completed_at": ts(info.birth)}
        return {"group_id": info.id, "carrier_ids": audited, "completed_at": ts(completed_at)}

    def carrier_configurations(self, g: int, as_of: dt.date) -> list[Record]:
        info = self.group_info(g)
        if as_of < dt.datetime.fromtimestamp(info.birth, dt.UTC).date():
            return []
        out = []
        for i in self.connections_of_group(g):
            spec = self.connection_base(i)
            rng = self.ids.rng("configuration", i)
            number = dict(spec.group_data)["carrier_group_id"]
            out.append(
                {
                    "group_id": info.id,
                    "carrier_id": spec.carrier_id,
                    "carrier_group_id": number,
                    "configuration": {
                        "policy_number": number,
                        "bill_groups": [
                            # Numbers, as in the documented example (10001, 2613038), and its status, open.
                            {
                                "bill_group_number": 10001 + 10 * (i % 900) + b,
                                "bill_group_description": desc,
                                "bill_group_status": "open",
                            }
                            for b, desc in enumerate(("All employees", "Hourly staff")[: rng.randint(1, 2)])
                        ],
                        "member_groups": [
                            {
                                "member_group_key": rng.randrange(10**6, 10**7),
                                "member_group_name": "Full-time",
                                "member_group_status": "open",
                            }
                        ],
                    },
                }
            )
        return out

    # --- Group connections ----------------------------------------------------------------
    def _connection_base(self, i: int) -> ConnectionSpec:
        g = bisect.bisect_right(self.connection_prefix, i) - 1
        j = i - self.connection_prefix[g]
        carriers, archetype = self._shapes[g]
        carrier = carriers[j]
        rng = self.ids.rng("connection", i)
        number = self.group_number(i)
        not_before = None
        if j:  # an incremental connection comes after the one that created its group
            archetype = pick(rng, -1, schedules.CONNECTION_COVER, schedules.CONNECTION_WEIGHTS)
            if archetype in schedules.RECENT_ARCHETYPES and rng.random() < 0.5:
                archetype = "completed"
            not_before = self.connection_base(self.connection_prefix[g]).story[0].at + H
        context = {"carrier_group_id": number, "date": iso(self.today - dt.timedelta(days=rng.randint(5, 90)))}
        story = schedules.connection_story(rng, archetype, self.t0, not_before, context)
        name, _dba, group_ein, _sic, organization, _month, _city, domain = self._identity(g)
        group_data = {
            "carrier_group_id": number,
            "group_name": name,
            "broker_federal_ein": self.broker_ein,
            "broker_tin": self.broker_ein,
            "employer_email_address": f"benefits@{domain}",
        }
        return ConnectionSpec(
            id=self.ids.uuid("connection", i),
            key=i,
            group_id=self.ids.uuid("group", g),
            organization_id=organization,
            carrier_id=carrier,
            federal_ein=group_ein,
            request_type="incremental" if j else "initial",
            group_data=tuple(group_data.items()),
            story=story,
        )

    def render_connection(self, spec: ConnectionSpec, now: float) -> Record | None:
        pos = position(spec.story, now)
        if pos < 0:
            return None
        step = spec.story[pos]
        completed = step.status == "completed"
        return {
            "id": spec.id,
            "version": self.ids.version("connection", spec.id, spec.attempt, pos),
            "created": ts(spec.story[0].at),
            "modified": ts(step.at),
            "completed": ts(step.at) if completed else None,
            "organization_id": spec.organization_id,
            "group_id": spec.group_id,
            "group_audit_request_id": self.ids.uuid("audit", spec.key) if completed and spec.key is not None else None,
            "carrier_id": spec.carrier_id,
            "federal_ein": spec.federal_ein,
            "request_type": spec.request_type,
            "status": step.status,
            "group_data": dict(spec.group_data),
            "setup_result": {"error": step.error} if step.error else {},
        }

    # --- Disconnection requests -----------------------------------------------------------
    def _disconnection_count(self, g: int) -> int:
        if g in (2, 3):  # these two carry one request in each status
            return 2
        if g < 2:
            return 0
        return weighted(self.ids.unit("disconnections", g), (0, 1, 2), (85, 12, 3))

    def disconnection_requests(self, g: int, now: float) -> list[Record]:
        count = self.disconnection_prefix[g + 1] - self.disconnection_prefix[g]
        records = (self._disconnection(g * DISCONNECTION_STRIDE + j, now) for j in range(count))
        return [r for r in records if r]

    def disconnection_request(self, key: int, now: float) -> Record | None:
        g, j = divmod(key, DISCONNECTION_STRIDE)
        if g >= self.n_groups or j >= self.disconnection_prefix[g + 1] - self.disconnection_prefix[g]:
            return None
        return self._disconnection(key, now)

    def _disconnection(self, key: int, now: float) -> Record | None:
        g, j = divmod(key, DISCONNECTION_STRIDE)
        info = self.group_info(g)
        rng = self.ids.rng("disconnection", key)
        outcome = pick(rng, self.disconnection_prefix[g] + j, schedules.DISCONNECTION_COVER, (15, 20, 50, 15))
        created = max(info.birth + D, self.t0 - rng.uniform(2 * D, 60 * D))
        decided = created + rng.uniform(1 * H, 3 * D)
        story = [Step(created, "needs_review" if outcome == "needs_review" or rng.random() < 0.3 else "processing")]
        if outcome == "processing":  # confirmed; the carrier finishes it in the coming hours
            story += [
                Step(min(decided, self.t0 - 60), "processing"),
                Step(self.t0 + rng.uniform(10 * M, 12 * H), "completed"),
            ]
        elif outcome in ("completed", "rejected"):
            story += [Step(min(decided, self.t0 - 120), "processing" if outcome == "completed" else "rejected")]
            if outcome == "completed":
                story.append(Step(min(decided + rng.uniform(1 * H, 5 * D), self.t0 - 60), "completed"))
        pos = position(story, now)
        step = story[pos]
        source = "platform" if story[0].status == "processing" else "carrier"  # needs_review: the carrier asked
        return {
            "id": self.ids.uuid("disconnection", key),
            "version": self.ids.version("disconnection", key, pos),
            "created": ts(created),
            "modified": ts(step.at),
            "organization_id": info.organization_id,
            "carrier_id": rng.choice(info.carriers),
            "group_id": info.id,
            "group_name": info.name,
            "source_type": source,
            "source_id": self.ids.uuid("disconnection-source", key) if source != "platform" else None,
            "status": step.status,
            "effective_end_date": iso(
                last_of_month(dt.datetime.fromtimestamp(created, dt.UTC).date() + dt.timedelta(days=30))
            ),
            "decided": ts(story[1].at) if pos >= 1 else None,
            "completed": ts(step.at) if step.status == "completed" else None,
        }

    # --- Group enrollments and plans ---------------------------------------------------------
    def plan_years(self, info: GroupInfo) -> tuple[dt.date, dt.date, dt.date]:
        """(previous, current, next) plan-year starts for the group."""
        current = dt.date(self.today.year, info.renewal_month, 1)
        if current > self.today:
            current = dt.date(self.today.year - 1, info.renewal_month, 1)
        return (dt.date(current.year - 1, current.month, 1), current, dt.date(current.year + 1, current.month, 1))

    def _enrollment_years(self, info: GroupInfo) -> tuple[int, ...]:
        previous, current, upcoming = self.plan_years(info)
        years = []
        if dt.datetime.fromtimestamp(info.birth, dt.UTC).date() < current:
            years.append(-1)
        years.append(0)
        if (upcoming - self.today).days <= 90:
            years.append(1)
        return tuple(years)

    def group_enrollments(self, g: int, as_of: dt.date) -> list[Record]:
        info = self.group_info(g)
        years = self._enrollment_years(info)
        return [self._group_enrollment(info, s, y, as_of) for s in range(len(info.slots)) for y in years]

    def group_enrollment(self, key: int, as_of: dt.date) -> Record | None:
        g, rest = divmod(key, SLOT_STRIDE)
        s, y = rest // 4, rest % 4 - 1
        if g >= self.n_groups:
            return None
        info = self.group_info(g)
        if s >= len(info.slots) or y not in self._enrollment_years(info):
            return None
        return self._group_enrollment(info, s, y, as_of)

    def _year_bounds(self, info: GroupInfo, y: int) -> tuple[dt.date, dt.date]:
        start = self.plan_years(info)[y + 1]
        return start, dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)

    def _group_enrollment(self, info: GroupInfo, s: int, y: int, as_of: dt.date) -> Record:
        key = info.index * SLOT_STRIDE + s * 4 + y + 1
        carrier, line = info.slots[s]
        start, end = self._year_bounds(info, y)
        status = "pending" if as_of < start else "completed" if as_of > end else "active"
        created = info.birth if y <= 0 else self.t0 - 20 * D
        return {
            "id": self.ids.uuid("group_enrollment", key),
            "version": self.ids.version("group_enrollment", key),
            "created": ts(created),
            "modified": ts(created + H),
            "group_id": info.id,
            "carrier_id": carrier,
            "line_of_coverage": line,
            "status": status,
            "open_enrollment_start_date": iso(start - dt.timedelta(days=45)),
            "open_enrollment_end_date": iso(start - dt.timedelta(days=15)),
            "open_enrollment_renewal_date": iso(end + dt.timedelta(days=1)),
            "effective_start_date": iso(start),
            "effective_end_date": iso(end),
        }

    def _plan_count(self, info: GroupInfo, s: int, y: int) -> int:
        if y:
            return 1
        line = info.slots[s][1]
        limit = {"medical": 3, "dental": 2, "vision": 2}.get(line, 1)
        return 1 + self.ids.hash("plans", info.index, s) % limit

    def plans(self, g: int, as_of: dt.date) -> list[Record]:
        info = self.group_info(g)
        out = []
        for s in range(len(info.slots)):
            for y in self._enrollment_years(info):
                for p in range(self._plan_count(info, s, y)):
                    out.append(self._plan(info, s, y, p, as_of))
        return out

    def plan_id(self, info: GroupInfo, s: int, p: int) -> str:
        return self.ids.uuid("plan", (info.index * SLOT_STRIDE + s * 4 + 1) * PLAN_STRIDE + p)

    def _plan(self, info: GroupInfo, s: int, y: int, p: int, as_of: dt.date) -> Record:
        enrollment_key = info.index * SLOT_STRIDE + s * 4 + y + 1
        key = enrollment_key * PLAN_STRIDE + p
        rng = self.ids.rng("plan", key)
        carrier, line = info.slots[s]
        start, year_end = self._year_bounds(info, y)
        end = year_end if y < 0 or (y == 0 and p == 0 and 1 in self._enrollment_years(info)) else None
        status = "pending" if as_of < start else "discontinued" if end and as_of > end else "active"
        record = {
            "id": self.ids.uuid("plan", key),
            "version": self.ids.version("plan", key),
            "created": ts(info.birth if y <= 0 else self.t0 - 20 * D),
            "modified": ts((info.birth if y <= 0 else self.t0 - 20 * D) + 2 * H),
            "group_enrollment_id": self.ids.uuid("group_enrollment", enrollment_key),
            "carrier_id": carrier,
            "line_of_coverage": line,
            "code": f"{line[:2].upper()}{p + 1}{start.year % 100:02d}",
            "status": status,
            "effective_start_date": iso(start),
            "effective_end_date": iso(end) if end else FOREVER,
            "eligible_member_types": ["all"] if line in BASIC_LINES else ["employee"],
            "waiting_periods": [
                {
                    "waiting_period_enrollment_type": "new_member",
                    "waiting_period_rule": "first_of_month_after_hire_date",
                    "waiting_period_coinciding": True,
                },
                {
                    "waiting_period_enrollment_type": "current_member",
                    "waiting_period_rule": "after_waiting_period",
                    "waiting_period_amount": 0,
                    "waiting_period_unit": "day",
                },
            ],
            "termination_policy": rng.choice(("end_of_month", "end_of_month", "last_work_date", "fifteenth_of_month")),
        }
        record.update(self._plan_extras(line, p, rng))
        return record

    @staticmethod
    def _plan_extras(line: str, p: int, rng: random.Random) -> Record:
        if line == "medical":
            name, plan_type, tier = vocab.MEDICAL_PLANS[p % len(vocab.MEDICAL_PLANS)]
            return {
                "name": name,
                "plan_type": plan_type,
                "network": f"{plan_type.upper()} Network",
                "metal_tier": tier,
                "cobra_rules": {"eligible": True},
            }
        if line == "dental":
            name, plan_type = vocab.DENTAL_PLANS[p % len(vocab.DENTAL_PLANS)]
            return {
                "name": name,
                "plan_type": plan_type,
                "network": "Dental PPO Network",
                "voluntary": rng.random() < 0.3,
                "cobra_rules": {"eligible": True},
            }
        if line == "vision":
            return {
                "name": vocab.VISION_PLANS[p % 2],
                "voluntary": rng.random() < 0.5,
                "cobra_rules": {"eligible": True},
            }
        label = line.replace("_", " ").title() if len(line) > 3 else line.upper()
        voluntary = line not in ("life", "add") or rng.random() < 0.3
        extras = {
            "name": f"{'Voluntary' if voluntary else 'Basic'} {label}",
            "plan_type": "voluntary" if voluntary else "basic",
        }
        if line in ("life", "add", "std", "ltd", "critical_illness"):
            extras["volume_rules"] = (
                {"flat_amount": 50000} if line in ("life", "add") else {"salary_percentage": 60, "maximum": 10000}
            )
        return extras

    # --- Renewal decisions -----------------------------------------------------------------
    def _renewal_count(self, g: int) -> int:
        return 2 if g < 2 else weighted(self.ids.unit("renewals", g), (0, 1, 2), (40, 45, 15))

    def renewal_decision(self, i: int, now: float) -> Record:
        g = bisect.bisect_right(self.renewal_prefix, i) - 1
        info = self.group_info(g)
        rng = self.ids.rng("renewal", i)
        outcome = pick(rng, i, schedules.RENEWAL_COVER, (10, 40, 25, 25))
        _previous, current, upcoming = self.plan_years(info)
        if outcome == "done":
            renewal_date = current
            created = max(info.birth, self.t0 - rng.uniform(60 * D, 200 * D))
            story = [
                Step(created, "submitted"),
                Step(created + 15, "ready"),
                Step(created + rng.uniform(5 * D, 40 * D), "done"),
            ]
        else:
            # Noyo's sandbox picks the scenario by the day of month: the 1st is ready (docs/renewal-readiness).
            renewal_date = upcoming if outcome == "ready" else upcoming.replace(day=15)
            created = self.t0 - (rng.uniform(5, 30) if outcome == "submitted" else rng.uniform(1 * D, 20 * D))
            story = [Step(created, "submitted"), Step(created + 15, "ready" if renewal_date.day == 1 else "not_ready")]
        pos = max(0, position(story, now))
        status = story[pos].status
        lines = [line for _carrier, line in info.slots]
        issues = []
        if status == "not_ready":
            for level, message in rng.sample(vocab.RENEWAL_ISSUES, 2):
                carrier, line = info.slots[rng.randrange(len(info.slots))]
                issues.append(
                    {
                        "level": level,
                        "message": message.format(plan=f"{line.title()} Plan"),
                        "carrier_id": carrier,
                        "line_of_coverage": line,
                    }
                )
        body_carriers = []
        for carrier in info.carriers:
            carrier_lines = {
                line: {
                    "open_enrollment_start_date": iso(renewal_date - dt.timedelta(days=45)),
                    "open_enrollment_end_date": iso(renewal_date - dt.timedelta(days=15)),
                    "plans": [{"plan_id": self.plan_id(info, s, 0)}],
                }
                for s, (c, line) in enumerate(info.slots)
                if c == carrier and line in lines
            }
            body_carriers.append({"carrier_id": carrier, "lines_of_coverage": carrier_lines})
        return {
            "id": self.ids.uuid("renewal", i),
            "version": self.ids.version("renewal", i, pos),
            "group_id": info.id,
            "created": ts(created),
            "modified": ts(story[pos].at),
            "renewal_date": iso(renewal_date),
            "status": status,
            "issues": issues,
            "body": {"carriers": body_carriers},
        }

    # --- Employees and dependents -----------------------------------------------------------
    def _employee_info(self, e: int) -> EmployeeInfo:
        g = self.group_of_employee(e)
        group = self.group_info(g)
        rng = self.ids.rng("employee", e)
        left = e in (2, 3) or (e >= 10 and rng.random() < 0.07)  # the first leavers show at any scale
        if e in (5, 6) or rng.random() < 0.06:  # new hires: coverage starts next month
            hire = self.today - dt.timedelta(days=rng.randint(1, 12) if e in (5, 6) else rng.randint(1, 25))
        else:
            hire = self.today - dt.timedelta(days=rng.randint(60, 15 * 365))
        leaves = None
        if left:
            leaves = last_of_month(self.today - dt.timedelta(days=rng.randint(20, 300)))
            hire = min(hire, leaves - dt.timedelta(days=200))
        elif e == 8 or rng.random() < 0.03:  # has given notice: active now, terminated later
            leaves = last_of_month(self.today + dt.timedelta(days=rng.randint(10, 60)))
        person = self._person(rng, rng.choice("MF"), rng.randint(21, 64), group.city, None)
        # Only what seed 001's example shows: full-time, an annual salary, a hire and a full-time start.
        employment = {
            "employment_status": "full-time",
            "occupation": rng.choice(vocab.OCCUPATIONS),
            "hours_worked": rng.choice((40, 40, 40, 45, 50)),
            "salary": {
                "amount": rng.randrange(38, 190) * 1000,
                "unit": "annual",
                "type": "salary",
                "effective_date": iso(hire),
            },
            "employment_dates": {"hire_date": iso(hire), "full_time_start": iso(hire)},
        }
        hired_at = dt.datetime.combine(hire, dt.time(17), dt.UTC).timestamp()
        created = min(max(group.birth + rng.uniform(1 * H, 2 * D), hired_at), self.t0 - 60)
        locations = 1 + self.ids.hash("locations", g) % 2
        count = self._paired("dependents", e, self.n_employees, DEPENDENTS_MEAN, DEPENDENTS_SPREAD, 6)
        dependents = tuple(self._dependent_info(e, j, person, rng) for j in range(count))
        return EmployeeInfo(
            e,
            self.ids.uuid("employee", e),
            g,
            person,
            employment,
            hire,
            leaves,
            created,
            self.ids.uuid("location", g * CHILD_STRIDE + rng.randrange(locations)),
            dependents,
        )

    def _dependent_info(self, e: int, j: int, employee: dict, parent_rng: random.Random) -> DependentInfo:
        key = e * CHILD_STRIDE + j
        rng = self.ids.rng("dependent", key)
        if e < len(contract.DEPENDENT_RELATIONSHIPS) and j == 0:
            relationship = contract.DEPENDENT_RELATIONSHIPS[e]
        elif j == 0:
            relationship = weighted(
                rng.random(), ("spouse", "domestic-partner", "civil-union", "child"), (75, 10, 3, 12)
            )
        else:
            children = (
                "child",
                "step-child",
                "adopted-child",
                "foster-child",
                "grandchild",
                "legal-guardianship",
                "other",
            )
            relationship = weighted(rng.random(), children, (80, 8, 4, 2, 2, 2, 2))
        employee_age = (self.today - dt.date.fromisoformat(employee["date_of_birth"])).days // 365
        adult = relationship in ("spouse", "domestic-partner", "civil-union", "ex-spouse", "other")
        age = (
            max(18, employee_age + rng.randint(-6, 6)) if adult else rng.randint(0, min(25, max(0, employee_age - 18)))
        )
        sex = rng.choice("MF")
        person = self._person(rng, sex, age, None, employee)
        ends = None
        if relationship == "ex-spouse":  # coverage ended with the divorce
            ends = last_of_month(self.today - dt.timedelta(days=rng.randint(30, 400)))
        return DependentInfo(key, self.ids.uuid("dependent", key), relationship, person, ends)

    def employee(self, e: int) -> Record:
        info = self.employee_info(e)
        return {
            "id": info.id,
            "version": self.ids.version("employee", e),
            "created": ts(info.created),
            "modified": ts(info.created + 6 * H),
            "group_id": self.group_info(info.group).id,
            "location_id": info.location_id,
            "person": info.person,
            "employment": info.employment,
        }

    def dependents(self, e: int) -> list[Record]:
        info = self.employee_info(e)
        return [self._dependent(info, d) for d in info.dependents]

    def dependent(self, key: int) -> Record | None:
        e, j = divmod(key, CHILD_STRIDE)
        if e >= self.n_employees:
            return None
        info = self.employee_info(e)
        return self._dependent(info, info.dependents[j]) if j < len(info.dependents) else None

    def _dependent(self, info: EmployeeInfo, dependent: DependentInfo) -> Record:
        return {
            "id": dependent.id,
            "version": self.ids.version("dependent", dependent.key),
            "created": ts(info.created + 10 * M),
            "modified": ts(info.created + 10 * M),
            "employee_id": info.id,
            "relationship": dependent.relationship,
            "person": dependent.person,
        }

    def employee_matches(self, e: int, filters: dict[str, str]) -> bool:
        person = self.employee_info(e).person
        for field in ("first_name", "last_name"):
            if filters.get(field) and filters[field].lower() not in person[field].lower():
                return False
        if filters.get("name"):
            names = " ".join(
                filter(None, (person["first_name"], person.get("middle_name"), person["last_name"]))
            ).lower()
            if filters["name"].lower() not in names:
                return False
        return not filters.get("date_of_birth") or filters["date_of_birth"] == person["date_of_birth"]

    # --- Individual enrollments and premiums ----------------------------------------------------
    def _coverage(self, e: int) -> tuple[Enrollment, ...]:
        """Who in the family is covered on which of the group's lines, with what plan and dates."""
        info = self.employee_info(e)
        group = self.group_info(info.group)
        rng = self.ids.rng("coverage", e)
        start = max(first_of_next_month(info.hire), dt.date(2015, 1, 1))
        out = []
        for s, (carrier, line) in enumerate(group.slots):
            basic = line in BASIC_LINES
            # The first employees take every basic line, so their snapshots reach Send carriers too.
            if not (s == 0 or (basic and e < 10) or rng.random() < (0.85 if basic else 0.4)):
                continue
            plan = rng.randrange(self._plan_count(group, s, 0))
            plan_key = (group.index * SLOT_STRIDE + s * 4 + 1) * PLAN_STRIDE + plan
            members = [("employee", info.id, None)]
            if basic:
                members += [("dependent", d.id, d.coverage_ends) for d in info.dependents if rng.random() < 0.85]
            for _m, (kind, member_id, ends) in enumerate(members):
                member_index = 0 if kind == "employee" else 1 + [d.id for d in info.dependents].index(member_id)
                cost = {"medical": 480, "dental": 42, "vision": 11}.get(line, 18) * rng.uniform(0.7, 1.4)
                end = info.leaves if ends is None else min(ends, info.leaves) if info.leaves else ends
                out.append(
                    Enrollment(
                        e * IE_STRIDE + s * 5 + member_index,
                        s,
                        carrier,
                        line,
                        kind,
                        member_id,
                        plan_key,
                        round(cost, 2),
                        start,
                        end,
                    )
                )
        return tuple(out)

    def individual_enrollments(self, e: int, as_of: dt.date, include_dependents: bool) -> list[Record]:
        return [
            self._individual_enrollment(x, as_of)
            for x in self.coverage(e)
            if include_dependents or x.individual_type == "employee"
        ]

    def dependent_enrollments(self, dependent_key: int, as_of: dt.date) -> list[Record]:
        e = dependent_key // CHILD_STRIDE
        dependent_id = self.ids.uuid("dependent", dependent_key)
        return [self._individual_enrollment(x, as_of) for x in self.coverage(e) if x.individual_id == dependent_id]

    def individual_enrollment(self, key: int, as_of: dt.date) -> Record | None:
        e = key // IE_STRIDE
        if e >= self.n_employees:
            return None
        found = [x for x in self.coverage(e) if x.key == key]
        return self._individual_enrollment(found[0], as_of) if found else None

    def enrollments_of_group_enrollment(self, enrollment_key: int, as_of: dt.date) -> list[Record] | None:
        if self.group_enrollment(enrollment_key, self.today) is None:
            return None
        g, rest = divmod(enrollment_key, SLOT_STRIDE)
        if rest % 4 != 1:  # only the current plan year has members in the sandbox
            return []
        s = rest // 4
        return [
            self._individual_enrollment(x, as_of)
            for e in self.employees_of_group(g)
            for x in self.coverage(e)
            if x.slot == s
        ]

    def _individual_enrollment(self, x: Enrollment, as_of: dt.date) -> Record:
        e = x.key // IE_STRIDE
        info = self.employee_info(e)
        status = "pending" if as_of < x.start else "terminated" if x.end and as_of > x.end else "active"
        group = self.group_info(info.group)
        record = {
            "id": self.ids.uuid("individual_enrollment", x.key),
            "version": self.ids.version("individual_enrollment", x.key),
            "created": ts(info.created + 20 * M),
            "modified": ts(info.created + 20 * M),
            "group_enrollment_id": self.ids.uuid("group_enrollment", group.index * SLOT_STRIDE + x.slot * 4 + 1),
            "line_of_coverage": x.line,
            "status": status,
            "individual_type": x.individual_type,
            "individual_id": x.individual_id,
            "plan_id": self.ids.uuid("plan", x.plan_key),
            "enroll_data": {"premium": {"amount": x.premium, "unit": "Month"}},
            "effective_start_date": iso(x.start),
            "effective_end_date": iso(x.end) if x.end else FOREVER,
            "cobra_enrollment": {},
            "cobra_details": {},
            "individual_enrollment_configuration": {},
            "pcp_details": {},
        }
        if x.line in ("life", "add"):
            record["enroll_data"]["volume"] = 50000
        if info.leaves and info.leaves < self.today and x.line in BASIC_LINES and e % 3 == 0:
            record["cobra_enrollment"] = {"cobra_enrolled": True, "cobra_type": "federal"}
            record["cobra_details"] = {
                "eligibility_start_date": iso(x.end + dt.timedelta(days=1)),
                "eligibility_end_date": iso(x.end + dt.timedelta(days=548)),
                "qualifying_event_date": iso(info.leaves),
                "qualifying_event_reason": "termination",
            }
        return record

    def premiums(self, e: int, as_of: dt.date) -> list[Record]:
        """Employer and employee shares per carrier, for the current and the previous plan year."""
        info = self.employee_info(e)
        group = self.group_info(info.group)
        previous, current, upcoming = self.plan_years(group)
        by_carrier: dict[str, list[Enrollment]] = {}
        for x in self.coverage(e):
            by_carrier.setdefault(x.carrier_id, []).append(x)
        out = []
        for carrier, enrollments in by_carrier.items():
            years = [(current, upcoming - dt.timedelta(days=1), 1.0)]
            if enrollments[0].start < current:
                years.append((previous, current - dt.timedelta(days=1), 0.93))
            share = 0.6 + (self.ids.hash("employer-share", group.index) % 30) / 100
            for start, end, factor in years:
                if not start <= as_of <= end:
                    continue
                total = sum(x.premium for x in enrollments) * factor
                for premium_type, amount in (
                    ("employer_amount", total * share),
                    ("employee_amount", total * (1 - share)),
                ):
                    out.append(
                        {
                            "carrier_id": carrier,
                            "amount": f"{amount:.2f}",
                            "period": {"amount": 1, "unit": "month"},
                            "premium_type": premium_type,
                            "effective_start_date": iso(start),
                            "effective_end_date": iso(end),
                            "billed_members": [
                                {
                                    "member_id": x.individual_id,
                                    "member_type": x.individual_type,
                                    "line_of_coverage": x.line,
                                    "plan_id": self.ids.uuid("plan", x.plan_key),
                                }
                                for x in enrollments
                            ],
                            "created": ts(info.created + H),
                            "modified": ts(
                                max(info.created + H, dt.datetime.combine(start, dt.time(), dt.UTC).timestamp())
                            ),
                        }
                    )
        return out

    # --- Member snapshots ---------------------------------------------------------------------
    def snapshot_scenario(self, e: int) -> str:
        if e < len(schedules.SNAPSHOT_SCENARIOS) - 1:
            return schedules.SNAPSHOT_SCENARIOS[e]
        return weighted(self.ids.unit("snapshot-scenario", e), schedules.SNAPSHOT_SCENARIOS, schedules.SNAPSHOT_WEIGHTS)

    def _snapshot_stories(self, e: int) -> tuple[tuple[Step, ...], ...]:
        info = self.employee_info(e)
        rng = self.ids.rng("snapshots", e)
        return tuple(schedules.snapshot_chain(rng, self.snapshot_scenario(e), info.created, self.t0))

    def snapshots(self, e: int, now: float, full: bool = False) -> list[Record]:
        records = (self.snapshot(e * SNAPSHOT_STRIDE + j, now, full) for j in range(len(self.snapshot_stories(e))))
        return [r for r in records if r]

    def snapshot(self, key: int, now: float, full: bool = False) -> Record | None:
        e, j = divmod(key, SNAPSHOT_STRIDE)
        if e >= self.n_employees or j >= len(self.snapshot_stories(e)):
            return None
        story = self.snapshot_stories(e)[j]
        pos = position(story, now)
        if pos < 0:
            return None
        status = story[pos].status
        summary, changed = self._fulfillment_summary(e, key, story, pos, now)
        record = {
            "id": self.ids.uuid("snapshot", key),
            "version": self.ids.version("snapshot", key, pos, changed),
            "created": ts(story[0].at),
            "modified": ts(max([story[pos].at] + [at for at in changed if at])),
            "employee_id": self.employee_info(e).id,
            "status": status,
            "fulfillment_summary": summary,
        }
        if full:
            created = {"id": self.employee_info(e).id, "custom_individual_id": f"EMP-{e:06d}", "type": "employee"}
            record["created_members"] = [] if j else [created]
            record["member_snapshot"] = self._snapshot_payload(e)
        return record

    def _fulfillment_summary(
        self, e: int, key: int, story: tuple[Step, ...], pos: int, now: float
    ) -> tuple[list, tuple]:
        """Per-carrier statuses; returns them and the times at which each was last resolved."""
        status = story[pos].status
        carriers = sorted({x.carrier_id for x in self.coverage(e)})
        entries, times = [], []
        for n, carrier in enumerate(carriers):
            rng = self.ids.rng("fulfillment", key, n)
            send = carrier_table.CARRIER_BY_ID[carrier]["kind"] == carrier_table.SEND
            fate = weighted(rng.random(), ("sent", "no_changes", "invalid"), (80, 12, 8) if send else (75, 15, 10))
            if key == 0 and n == 0:
                fate = "invalid"
            elif send and self.snapshot_scenario(e) == "scheduled_file":
                fate = "sent"  # waiting for the carrier's next file: "scheduled" until then
            processing_since = story[1].at if len(story) > 1 and story[1].status == "processing" else story[0].at
            resolves_at = processing_since + rng.uniform(2 * M, 30 * M)
            resolved = now >= resolves_at
            settled = "scheduled" if (send and fate == "sent") else fate  # once the carrier's changes are worked out
            if status == "submitted":
                entry = "processing"
            elif status == "processing":
                entry = settled if resolved else "processing"
            elif status == "completed":
                entry = fate
            elif status == "replaced":
                # The newer snapshot overrides the changes still processing or queued for a file (seed 002);
                # what was already sent, found invalid or found unchanged stays so.
                entry = settled if resolves_at < story[pos].at and settled != "scheduled" else "replaced"
            else:  # canceled
                entry = "no_changes"
            errors = []
            if entry == "invalid":
                code, message, field = vocab.SNAPSHOT_ERRORS[rng.randrange(len(vocab.SNAPSHOT_ERRORS))]
                errors = [{"code": code, "message": message.format(plan="Gold PPO 750"), "field": field}]
            entries.append({"carrier_id": carrier, "status": entry, "errors": errors})
            times.append(resolves_at if status == "processing" and resolved else None)
        return entries, tuple(times)

    def _snapshot_payload(self, e: int) -> Record:
        info = self.employee_info(e)
        by_carrier: dict[tuple[str, str], list[Enrollment]] = {}
        for x in self.coverage(e):
            by_carrier.setdefault((x.carrier_id, x.line), []).append(x)
        return {
            "snapshot_mode": "current_open",
            "enable_member_auto_link": True,
            "employee": {
                "id": info.id,
                "custom_individual_id": f"EMP-{e:06d}",
                "person": info.person,
                "employment": info.employment,
                "classifications": {"class": "all_employees"},
            },
            "dependents": [{"id": d.id, "relationship": d.relationship, "person": d.person} for d in info.dependents],
            "coverages": [
                {
                    "carrier_id": carrier,
                    "line_of_coverage": line,
                    "plan_id": self.ids.uuid("plan", members[0].plan_key),
                    "signature_date": iso(info.hire),
                    "enrolled_members": [
                        {
                            "individual_type": x.individual_type,
                            "individual_id": x.individual_id,
                            "effective_start_date": iso(x.start),
                            "effective_end_date": iso(x.end) if x.end else None,
                        }
                        for x in members
                    ],
                }
                for (carrier, line), members in by_carrier.items()
            ],
            "events": [
                {"id": self.ids.uuid("event", e), "type": "coverage", "reason": "new_hire", "date": iso(info.hire)}
            ],
        }

    # --- Tracking differences --------------------------------------------------------------------
    def _difference_count(self, e: int) -> int:
        if self.snapshot_scenario(e) == "none":
            return 0
        if e < 3:
            return 1
        return weighted(self.ids.unit("differences", e), (0, 1, 2), (70, 20, 10))

    def difference(self, i: int, now: float) -> Record:
        e = bisect.bisect_right(self.difference_prefix, i) - 1
        info = self.employee_info(e)
        rng = self.ids.rng("difference", i)
        snapshot_key = e * SNAPSHOT_STRIDE
        snapshot_created = self.snapshot_stories(e)[0][0].at
        classification = pick(rng, i, contract.DIFFERENCE_CLASSIFICATIONS, (35, 50, 15))
        coverage = self.coverage(e)
        enrollment = coverage[rng.randrange(len(coverage))]
        enrollment_id = self.ids.uuid("individual_enrollment", enrollment.key)
        if classification == "field_mismatch" and info.dependents and rng.random() < 0.5:
            dependent = info.dependents[0]
            born = dt.date.fromisoformat(dependent.person["date_of_birth"])
            swapped = born.replace(day=min(born.month, 28), month=min(born.day, 12))
            object_type, object_id, difference_type = "dependent", dependent.id, "dob"
            carrier_value = swapped if swapped != born else born + dt.timedelta(days=1)
            fields = [{"key": "date_of_birth", "platform_value": iso(born), "carrier_value": iso(carrier_value)}]
        elif classification == "field_mismatch":
            object_type, object_id, difference_type = "individual_enrollment", enrollment_id, "ie_effective_end_date"
            fields = [
                {
                    "key": "effective_end_date",
                    "platform_value": iso(enrollment.end) if enrollment.end else FOREVER,
                    "carrier_value": iso(last_of_month(self.today + dt.timedelta(days=rng.randint(-60, 60)))),
                }
            ]
        else:
            object_type, object_id, difference_type = "individual_enrollment", enrollment_id, "missing_ie"
            present = f"{enrollment.line} coverage from {iso(enrollment.start)}"
            fields = [
                {
                    "key": "individual_enrollment",
                    "platform_value": present if classification == "missing_from_carrier" else None,
                    "carrier_value": present if classification == "missing_from_platform" else None,
                }
            ]
        created = min(snapshot_created + rng.uniform(1 * H, 2 * D), self.t0 - 60)
        fate = pick(rng, i, ("pending", "resolved", "discrepancy"), (30, 50, 20))
        story = [Step(created, "pending")]
        if fate == "pending" and rng.random() < 0.5:
            story.append(Step(self.t0 + rng.uniform(10 * M, 2 * D), "resolved"))
        elif fate != "pending":
            story.append(Step(min(created + rng.uniform(1 * H, 10 * D), self.t0 - 30), fate))
        pos = position(story, now)
        step = story[pos]
        return {
            "id": self.ids.uuid("difference", i),
            "version": self.ids.version("difference", i, pos),
            "created": ts(created),
            "modified": ts(step.at),
            "organization_id": self.group_info(info.group).organization_id,
            "group_id": self.group_info(info.group).id,
            "carrier_id": enrollment.carrier_id,
            "employee_id": info.id,
            "member_snapshot_id": self.ids.uuid("snapshot", snapshot_key),
            "object_type": object_type,
            "object_id": object_id,
            "difference_classification": classification,
            "difference_type": difference_type,
            "fields": fields,
            "impact_score": rng.choice((3, 3, 5)),  # the scores the documents show; the scale is unconfirmed
            "is_dismissed": rng.random() < 0.05,
            "is_suppressed": rng.random() < 0.03,
            "resolved": ts(step.at) if step.status == "resolved" else None,
            "discrepancy_time": ts(step.at) if step.status == "discrepancy" else None,
            "sources": [],  # documented as a list, but no document shows what goes in it
        }

    # --- Legacy member requests and transactions ------------------------------------------------------
    def employee_of_request(self, i: int) -> int:
        return bisect.bisect_right(self.request_prefix, i) - 1

    def request_head(self, i: int, with_story: bool = True) -> tuple[int, str, tuple[Step, ...]]:
        """(employee, request type, story): what filters need, from one hash and no employee lookup.
        Without ``with_story`` the story's timestamps are rough (status is exact)."""
        e = self.employee_of_request(i)
        j = i - self.request_prefix[e]
        h = self.ids.hash("request", i)
        u = [((h >> shift) & 0xFFFF) / 65536 for shift in (0, 16, 32, 48)]
        if i < len(REQUEST_TYPE_COVER):
            kind = REQUEST_TYPE_COVER[i]
        elif j == 0:
            kind = "new_hire" if u[0] < 0.8 else "enrollment_snapshot"
        else:
            kind = weighted(u[0], contract.MEMBER_REQUEST_TYPES, (0, 6, 30, 20, 25, 4, 3, 2))
        cover = i - len(REQUEST_TYPE_COVER)
        if 0 <= cover < len(schedules.REQUEST_STORIES):
            story_kind = schedules.REQUEST_STORIES[cover]
        else:
            story_kind = weighted(u[1], schedules.REQUEST_STORIES, schedules.REQUEST_STORY_WEIGHTS)
        created_hint = self.t0 - 3 * D
        if with_story:
            n = self.request_prefix[e + 1] - self.request_prefix[e]
            start = self.employee_info(e).created
            created_hint = start + (j + 1) / (n + 1) * max(0.0, self.t0 - start)
        return e, kind, schedules.request_story(story_kind, (u[2], u[3], u[1]), created_hint, self.t0)

    def member_request(self, i: int, now: float) -> Record:
        e, kind, story = self.request_head(i)
        pos = max(0, position(story, now))
        status = story[pos].status
        info = self.employee_info(e)
        rng = self.ids.rng("request-body", i)
        body, carriers = self._request_body(kind, e, rng, story[0].at)
        return {
            "id": self.ids.uuid("request", i),
            "version": self.ids.version("request", i, pos),
            "created": ts(story[0].at),
            "modified": ts(story[pos].at),
            "employee_id": info.id,
            "request_type": kind,
            "status": status,
            "transactions": [self.ids.uuid("transaction", t) for t in transactions_of(i)],
            "body": body,
            "result": self._request_result(kind, status, e, body, carriers, rng),
        }

    def _carrier_lines(self, e: int) -> dict[str, dict[str, list[Enrollment]]]:
        out: dict[str, dict[str, list[Enrollment]]] = {}
        for x in self.coverage(e):
            out.setdefault(x.carrier_id, {}).setdefault(x.line, []).append(x)
        return out

    def _request_body(self, kind: str, e: int, rng: random.Random, created: float) -> tuple[Record, list[str]]:
        info = self.employee_info(e)
        signed = iso(dt.datetime.fromtimestamp(created, dt.UTC).date())
        by_carrier = self._carrier_lines(e)
        carriers = list(by_carrier)
        if kind == "termination":
            last_day = info.leaves or self.today
            return {
                "employee_id": info.id,
                "reason": rng.choice(("voluntary", "involuntary", "job-eliminated")),
                "last_work_date": iso(last_day),
                "signature_date": signed,
            }, carriers
        if kind == "cobra_termination":
            return {
                "reason": rng.choice(("expiration", "voluntary", "non-payment")),
                "cobra_termination_date": iso(self.today + dt.timedelta(days=rng.randint(-90, 60))),
                "signature_date": signed,
            }, carriers
        if kind == "demographic":
            change = {"member": {"id": info.id, "member_type": "employee"}}
            choice = rng.randrange(3)
            if choice == 0:
                change["name_change"] = {"first_name": info.person["first_name"], "last_name": info.person["last_name"]}
            elif choice == 1:
                change["contact_change"] = {
                    "home_phone": info.person["contact"]["home_phone"],
                    "email_address": info.person["contact"]["email_address"],
                    "email_address_type": "home",
                }
            else:
                change["salary_change"] = {
                    "amount": info.employment["salary"]["amount"],
                    "unit": info.employment["salary"]["unit"],
                    "type": info.employment["salary"]["type"],
                }
            return {"change_date": signed, "signature_date": signed, "member_changes": [change]}, carriers
        action = {
            "new_hire": "enrolling_members",
            "enrollment_snapshot": "enrolling_members",
            "cobra_enrollment": "enrolling_members",
            "qualifying_life_event": rng.choice(("adding_coverage", "modifying_coverage", "removing_coverage")),
            "open_enrollment": rng.choice(("adding_coverage", "modifying_coverage", "removing_coverage")),
        }[kind]
        coverages = []
        for carrier, lines in by_carrier.items():
            entry_lines = {}
            for line, members in lines.items():
                listed = []
                for x in members:
                    member = {
                        "id": x.individual_id,
                        "member_type": x.individual_type,
                        "plan_id": self.ids.uuid("plan", x.plan_key),
                    }
                    if action == "removing_coverage":
                        member = {
                            "id": x.individual_id,
                            "member_type": x.individual_type,
                            "reason": "other-spouse-group",
                        }
                    if line in ("life", "add"):
                        member["volume"] = 50000
                    listed.append(member)
                entry_lines[line] = {action: listed}
                if action == "enrolling_members":
                    entry_lines[line]["waiving_members"] = []
            config = {"bill_group": "0100", "member_group": f"{rng.randrange(10**5):05d}"}
            coverages.append(
                {
                    "carrier_id": carrier,
                    "carrier_config": config,
                    "signature_date": signed,
                    "lines_of_coverage": entry_lines,
                }
            )
        body: Record = {"coverages": coverages}
        if kind == "enrollment_snapshot":
            body["enrollment_type"] = "new_hire"
        if kind == "cobra_enrollment":
            body["termination_info"] = {"reason": "voluntary", "last_work_date": iso(info.leaves or self.today)}
        if kind == "qualifying_life_event":
            event_day = dt.datetime.fromtimestamp(created, dt.UTC).date() - dt.timedelta(days=rng.randint(1, 25))
            body["event"] = {
                "event_type": rng.choice(("newborn", "marriage", "divorce", "adoption", "lost_coverage", "moved")),
                "event_date": iso(event_day),
            }
        return body, carriers

    def _request_result(
        self, kind: str, status: str, e: int, body: Record, carriers: list[str], rng: random.Random
    ) -> Any:
        if status == "failed":
            return {
                "errors": [
                    {"carrier_id": carriers[0] if carriers else None, "message": rng.choice(vocab.REQUEST_FAILURES)}
                ]
            }
        if status != "completed":
            return {}
        if kind in ("termination", "cobra_termination"):
            return {"last_day_of_coverage": iso(last_of_month(self.employee_info(e).leaves or self.today))}
        if kind == "demographic":  # the documented sample result is a bare list of updated members
            return [{"id": self.employee_info(e).id, "type": "employee", "version": self.ids.version("employee", e)}]
        result: dict[str, list] = {}
        for x in self.coverage(e):
            result.setdefault(x.line, []).append(
                {
                    "member_id": x.individual_id,
                    "member_type": x.individual_type,
                    "individual_enrollment_id": self.ids.uuid("individual_enrollment", x.key),
                }
            )
        return result

    def member_transaction(self, t: int, now: float) -> Record:
        i, k = request_of_transaction(t)
        e, kind, story = self.request_head(i)
        rng = self.ids.rng("transaction", t)
        body, carriers = self._request_body(kind, e, self.ids.rng("request-body", i), story[0].at)
        carrier = carriers[min(k, len(carriers) - 1)] if carriers else None
        transaction_type = self._transaction_type(kind, k, body, rng)
        if transaction_type == "noyo_termination":
            carrier = None
        pos = max(0, position(story, now))
        status = story[pos].status
        if status == "failed" and k == 1:
            status = "completed"
        steps = list(story[: pos + 1])
        verified = None
        if status == "completed" and carrier and carrier_table.CARRIER_BY_ID[carrier]["kind"] == carrier_table.SYNC:
            verify_at = story[-1].at + rng.uniform(1 * H, 20 * D)
            if verify_at <= now:
                verified = verify_at
                steps.append(Step(verify_at, "verified"))
        lines = sorted(self._carrier_lines(e).get(carrier, {}), key=LINE_ORDER.get) if carrier else []
        if "coverages" in body:
            first = body["coverages"][0] if body["coverages"] else {}
            carrier_body = next((c for c in body["coverages"] if c["carrier_id"] == carrier), first)
        else:
            carrier_body = body
        return {
            "id": self.ids.uuid("transaction", t),
            "version": self.ids.version("transaction", t, len(steps)),
            "created": ts(story[0].at + 2),
            "modified": ts(steps[-1].at),
            "member_request_id": self.ids.uuid("request", i),
            "employee_id": self.employee_info(e).id,
            "carrier_id": carrier,
            "lines_of_coverage": lines,
            "transaction_type": transaction_type,
            "status": status,
            "verified": ts(verified) if verified else None,
            "body": carrier_body,
            "result": self._request_result(kind, status, e, body, carriers, rng)
            if carrier or status != "completed"
            else {},
        }

    @staticmethod
    def _transaction_type(kind: str, k: int, body: Record, rng: random.Random) -> str:
        if kind == "termination":
            return "noyo_termination" if k else "carrier_termination"
        simple = {
            "new_hire": "carrier_new_hire",
            "enrollment_snapshot": "carrier_enrollment_snapshot_new_hire",
            "cobra_enrollment": "carrier_cobra_enrollment",
            "cobra_termination": "carrier_cobra_termination",
        }
        if kind in simple:
            return simple[kind]
        if kind == "demographic":
            return rng.choice(("carrier_demographic", "carrier_demographic_full"))
        action = "full"
        for coverage in body.get("coverages", []):
            for line_body in coverage["lines_of_coverage"].values():
                action = next(iter(line_body)).replace("_coverage", "")
        if rng.random() < 0.2:
            action = "full"
        return f"carrier_{kind}_{action}"

    # --- Shared helpers ---------------------------------------------------------------------
    def _person(self, rng: random.Random, sex: str, age: int, city: tuple | None, household: dict | None) -> dict:
        first = rng.choice(vocab.FIRST_NAMES_F if sex == "F" else vocab.FIRST_NAMES_M)
        last = household["last_name"] if household and rng.random() < 0.8 else rng.choice(vocab.LAST_NAMES)
        born = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        address = household["home_address"] if household else self._address(rng, city or rng.choice(vocab.CITIES))
        area = household["contact"]["home_phone"][2:5] if household else (city or vocab.CITIES[0])[4]
        email = f"{first}.{last}{rng.randint(1, 99)}@example.{rng.choice(('com', 'org', 'net'))}".lower().replace(
            "'", ""
        )
        return {
            "first_name": first,
            "middle_name": rng.choice(vocab.FIRST_NAMES_F if sex == "F" else vocab.FIRST_NAMES_M)
            if rng.random() < 0.3
            else "",
            "last_name": last,
            "suffix": rng.choice(vocab.SUFFIXES) if sex == "M" and rng.random() < 0.04 else "",
            "date_of_birth": iso(born),
            "ssn": self._ssn(rng),
            "sex": sex,
            "marital_status": ("married" if household is None and rng.random() < 0.55 else "single")
            if age >= 18
            else "",
            "home_address": address,
            "mailing_address": address,
            "contact": {
                "home_phone": f"+1{area}555{rng.randrange(10000):04d}",
                "work_phone": f"+1{area}555{rng.randrange(10000):04d}" if household is None else "",
                "email_address": email,
                "email_address_type": "home",
                "preferred_method": rng.choice(("email", "email", "phone")),
            },
        }

    @staticmethod
    def _address(rng: random.Random, city: tuple) -> dict:
        name, state, zip_prefix, county, _area = city
        return {
            "street_one": f"{rng.randint(10, 9899)} {rng.choice(vocab.STREETS)} {rng.choice(vocab.STREET_KINDS)}",
            "city": name,
            "state": state,
            "zip_code": f"{zip_prefix}{rng.randrange(100):02d}",
            "county": county,
        }

    @staticmethod
    def _phone(rng: random.Random, city: tuple) -> str:
        return f"+1{city[4]}555{rng.randrange(10000):04d}"

    @staticmethod
    def _ssn(rng: random.Random) -> str:
        area = rng.randint(1, 899)
        area = 665 if area == 666 else area
        return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"

    @staticmethod
    def _ein(rng: random.Random) -> str:
        """Nine bare digits, as the documented examples write an EIN ("112222222")."""
        return f"{rng.choice((12, 20, 27, 33, 45, 46, 47, 54, 77, 81, 82, 84, 94, 95))}{rng.randrange(10**7):07d}"


@dataclass(frozen=True)
class ConnectionSpec:
    """What a group connection is, independent of time: render it at a sandbox time with
    ``Dataset.render_connection``. Writes replace a spec (state.py), never a rendered record."""

    id: str
    key: int | None  # generated index; None for connections created through the API
    group_id: str
    organization_id: str
    carrier_id: str
    federal_ein: str
    request_type: str
    group_data: tuple  # (field, value) pairs, frozen
    story: tuple[Step, ...]
    attempt: int = 0


# Transactions per request: 1, 1, 2, 1, 1, 2, ... so the index arithmetic is closed-form.
def transactions_before(i: int) -> int:
    return i + i // 3


def transactions_of(i: int) -> range:
    return range(transactions_before(i), transactions_before(i + 1))


def request_of_transaction(t: int) -> tuple[int, int]:
    block, r = divmod(t, 4)
    return 3 * block + min(r, 2), 1 if r == 3 else 0


def _prefix(counts) -> array:
    out = array("q", [0])
    for count in counts:
        out.append(out[-1] + count)
    return out
