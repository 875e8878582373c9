"""What the sandbox remembers: its clock, faults, tokens, request log and writes.

Generated data (``data.py``) is a pure function of the seed and the time; this
module holds the little that is not: an overlay of written connections and
groups, the clock's offset, the faults switched on, the tokens issued and the
requests received. ``Sandbox.reset()`` forgets all of it.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from .. import contract
from . import carriers as carrier_table
from . import renewals, schedules
from .data import ConnectionSpec, Dataset, Record
from .schedules import H, M, position

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
# A token really lives TOKEN_TTL seconds, while the answer says expires_in=864000, the
# documented example whose unit is disputed (ENDPOINTS.md §2): a client trusting it as
# seconds would keep a dead token, so clients are tested against the disagreement.
TOKEN_TTL_SECONDS = 600
TOKEN_EXPIRES_IN = 864000
_EIN_OR_SSN = re.compile(r"^(\d{2}-?\d{7}|\d{3}-?\d{2}-?\d{4})$")


class ApiError(Exception):
    """An answer with the error body we chose: {"message": ..., "errors": {field: [...]}}."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or {}

    def body(self) -> dict:
        return {"message": self.message, "errors": self.errors}


@dataclass
class Config:
    seed: int = 1
    scale: str = "small"
    clock_speed: float = 1.0
    start_time: float | None = None  # sandbox epoch at start; default: the real time
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token_ttl: float = TOKEN_TTL_SECONDS
    faults: dict = field(default_factory=dict)  # applied at start and on every reset
    webhook_url: str = ""
    webhook_secret: str = ""


@dataclass
class Faults:
    """Trouble on demand. Rates are drawn from a seeded stream, so a run is repeatable."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    retry_after: int = 1  # seconds, sent with every 429 (and 503)
    latency_ms: int = 0
    drop_rate: float = 0.0  # close the socket without answering
    fail_next: list = field(default_factory=list)  # e.g. [503, 503, "drop", 429]: the next requests, in order
    token_ttl: float | None = None  # tokens issued from now on die after this many seconds
    # ... or after serving this many requests: an early death no clock decides, for tests on a busy machine.
    token_uses: int | None = None
    malformed_rate: float = 0.0  # share of record ids served malformed, always the same ids
    malformed_ids: list = field(default_factory=list)
    malformed_mode: str | None = None  # one of MALFORMED_MODES; default: each record's by its id
    shift_per_page: int = 0  # records inserted (+) or removed (-) before the window on each later page
    path_contains: str | None = None  # limit the HTTP faults above to matching paths
    method: str | None = None  # ... and to this method
    include_token: bool = False  # let the HTTP faults hit the token endpoint too
    connection_outcome: str | None = None  # force the outcome of the next retries/creations
    # Endpoints this API key is not offered, answered with that status for good, e.g.
    # {"/renewal_decisions": 404}: paths under the API prefix, whatever the other faults say; a
    # "{name}" segment matches any one segment ("/group_enrollments/{id}/individual_enrollments").
    not_offered: dict = field(default_factory=dict)
    seed: int = 0

    # What real systems send though no document says so (the last two are not even malformed):
    # a field gone, an enum value not listed, an impossible date, a number as a string, a field added.
    MALFORMED_MODES = ("missing_field", "unknown_enum", "bad_date", "number_as_string", "extra_field")

    @classmethod
    def from_dict(cls, values: dict) -> Faults:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ApiError(
                422, f"Unknown fault setting: {', '.join(unknown)}", {name: ["Unknown field."] for name in unknown}
            )
        faults = cls(**values)
        faults.fail_next = [int(x) if str(x).isdigit() else str(x) for x in faults.fail_next]
        if faults.malformed_mode not in (None, *cls.MALFORMED_MODES):
            raise ApiError(
                422, "Unknown malformed_mode", {"malformed_mode": [f"One of {', '.join(cls.MALFORMED_MODES)}."]}
            )
        if not all(isinstance(v, int) and 400 <= v < 500 for v in faults.not_offered.values()):
            raise ApiError(
                422, "not_offered maps paths to 4xx statuses", {"not_offered": ["Values must be 4xx statuses."]}
            )
        if faults.connection_outcome not in (None, *contract.GROUP_CONNECTION_STATUSES):
            raise ApiError(422, "Unknown connection_outcome", {"connection_outcome": ["Not a connection status."]})
        return faults

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Decision:
    """A confirm or reject written through the API, laid over a generated disconnection request.

    A confirmed request is ``processing`` from ``decided`` and ``completed`` from ``completes``
    (the carrier finishes it hours later, as the generated confirmed ones do); a rejected one
    stays ``rejected``.
    """

    status: str
    decided: float
    completes: float | None = None
    effective_end_date: str | None = None


class Clock:
    """Sandbox time = start + real time elapsed × speed + manual advances."""

    def __init__(self, t0: float, speed: float) -> None:
        self.t0, self.default_speed = t0, speed
        self.reset()

    def reset(self) -> None:
        self._base, self._real, self.speed = self.t0, time.monotonic(), self.default_speed

    def now(self) -> float:
        return self._base + (time.monotonic() - self._real) * self.speed

    def advance(self, seconds: float) -> None:
        self._base += seconds

    def set_speed(self, speed: float) -> None:
        self._base, self._real, self.speed = self.now(), time.monotonic(), speed


class Tokens:
    """Issued bearer tokens (JWT-shaped, opaque to clients) and when each dies: in real seconds, or
    after a number of requests (``uses``)."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}
        self._uses_left: dict[str, int] = {}
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(16)

    def issue(self, subject: str, ttl: float, uses: int | None = None) -> str:
        if len(self._expiry) > 10000:
            self._expiry = {t: exp for t, exp in self._expiry.items() if exp > time.monotonic()}
        now = int(time.time())
        header = _b64({"alg": "HS256", "typ": "JWT"})
        payload = _b64({"sub": subject, "iat": now, "exp": now + int(ttl), "jti": secrets.token_hex(8)})
        signature = (
            base64.urlsafe_b64encode(hmac.digest(self._key, f"{header}.{payload}".encode(), "sha256"))
            .rstrip(b"=")
            .decode()
        )
        token = f"{header}.{payload}.{signature}"
        self._expiry[token] = time.monotonic() + ttl
        if uses is not None:
            with self._lock:
                self._uses_left[token] = uses
        return token

    def check(self, token: str) -> str:
        """ "ok" (and one use spent, for a token issued with ``uses``), "expired" or "invalid"."""
        expiry = self._expiry.get(token)
        if expiry is None:
            return "invalid"
        if time.monotonic() >= expiry:
            return "expired"
        with self._lock:
            if token in self._uses_left:
                if self._uses_left[token] <= 0:
                    return "expired"
                self._uses_left[token] -= 1
        return "ok"

    def expire_all(self) -> None:
        self._expiry = dict.fromkeys(self._expiry, 0.0)


def _not_offered(not_offered: dict, path: str) -> int | None:
    """The status a not_offered fault answers for ``path``; a ``{name}`` segment matches any one segment."""
    if path in not_offered:
        return not_offered[path]
    for pattern, status in not_offered.items():
        if "{" in pattern and re.fullmatch(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(pattern)), path):
            return status
    return None


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


class Sandbox:
    """The sandbox's whole state, shared by the HTTP threads; guarded by ``lock``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        t0 = config.start_time if config.start_time is not None else time.time()
        self.data = Dataset(config.seed, config.scale, t0)
        self.clock = Clock(t0, config.clock_speed)
        self.tokens = Tokens()
        self.lock = threading.RLock()
        self.log: collections.deque = collections.deque(maxlen=200_000)
        self.webhook = (config.webhook_url, config.webhook_secret)
        self._group_numbers: dict[tuple[str, str], list[int]] | None = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.clock.reset()
            self.faults = Faults.from_dict(dict(self.config.faults))
            self._fault_rng = random.Random(self.faults.seed)
            self.connections: dict[str, ConnectionSpec] = {}  # written specs, by id: retried or created
            self.created_connections: list[str] = []
            self.groups: dict[str, Record] = {}  # groups created by POST /group_connections
            self.disconnection_decisions: dict[str, Decision] = {}  # confirmed or rejected, by request id
            self.renewals: dict[str, renewals.CreatedRenewal] = {}  # renewal decisions created, by id, in order
            self.page_counters: dict[str, int] = {}
            self.log.clear()
            self._sequence = 0

    def now(self) -> float:
        return self.clock.now()

    # --- Faults -------------------------------------------------------------------
    def set_faults(self, values: dict) -> Faults:
        faults = Faults.from_dict(values)
        with self.lock:
            self.faults, self._fault_rng = faults, random.Random(faults.seed)
        return faults

    def fault_for(self, method: str, path: str) -> int | str | None:
        """The fault this request meets: an HTTP status, "drop", or None."""
        f = self.faults
        if not (path.startswith(contract.API_PREFIX) or (f.include_token and path == contract.TOKEN_PATH)):
            return None
        refused = _not_offered(f.not_offered, path.removeprefix(contract.API_PREFIX))
        if refused is not None:
            return refused
        if (f.path_contains and f.path_contains not in path) or (f.method and f.method.upper() != method):
            return None
        with self.lock:
            if f.fail_next:
                return f.fail_next.pop(0)
            drop, draw = self._fault_rng.random(), self._fault_rng.random()
        if drop < f.drop_rate:
            return "drop"
        for status, rate in ((429, f.rate_429), (500, f.rate_500), (503, f.rate_503)):
            if draw < rate:
                return status
            draw -= rate
        return None

    def page_shift(self, path: str, offset: int) -> int:
        """How far records have moved since this list's first page ("records move between pages")."""
        if not self.faults.shift_per_page:
            return 0
        with self.lock:
            pages = 0 if offset == 0 else self.page_counters.get(path, 0) + 1
            self.page_counters[path] = pages
        return pages * self.faults.shift_per_page

    def is_malformed(self, record_id: str) -> bool:
        f = self.faults
        if record_id in f.malformed_ids:
            return True
        return f.malformed_rate > 0 and self.data.ids.unit("malformed", record_id) < f.malformed_rate

    def malformed_mode(self, record_id: str) -> str:
        modes = Faults.MALFORMED_MODES
        return self.faults.malformed_mode or modes[self.data.ids.hash("malformed-mode", record_id) % len(modes)]

    # --- Request log ------------------------------------------------------------------
    def record_request(self, entry: dict) -> None:
        with self.lock:
            self._sequence += 1
            self.log.append({"seq": self._sequence, **entry})

    def requests(self, method: str | None = None, path_contains: str | None = None) -> list[dict]:
        with self.lock:
            entries = list(self.log)
        return [
            e
            for e in entries
            if (not method or e["method"] == method.upper()) and (not path_contains or path_contains in e["path"])
        ]

    # --- Group connections, with writes laid over the generated ones ---------------------
    def connection_spec(self, index: int) -> ConnectionSpec:
        base = self.data.connection_base(index)
        return self.connections.get(base.id, base)

    def find_connection(self, connection_id: str) -> ConnectionSpec | None:
        if connection_id in self.connections:
            return self.connections[connection_id]
        index = self.data.ids.key("connection", connection_id)
        return self.data.connection_base(index) if index is not None and index < self.data.n_connections else None

    def all_connection_specs(self):
        for i in range(self.data.n_connections):
            yield self.connection_spec(i)
        for connection_id in list(self.created_connections):
            yield self.connections[connection_id]

    def duplicate_of(self, carrier_id: str, number: str, except_id: str | None = None) -> str | None:
        """The id of a connection that already has this carrier and carrier_group_id."""
        if self._group_numbers is None:
            index: dict[tuple[str, str], list[int]] = {}
            for i in range(self.data.n_connections):
                spec = self.data.connection_base(i)
                index.setdefault((spec.carrier_id, dict(spec.group_data)["carrier_group_id"]), []).append(i)
            self._group_numbers = index
        candidates = [self.connection_spec(i) for i in self._group_numbers.get((carrier_id, number), [])]
        candidates += [s for s in self.connections.values() if s.carrier_id == carrier_id]
        for spec in candidates:
            if spec.id != except_id and dict(spec.group_data)["carrier_group_id"] == number:
                return spec.id
        return None

    def retry_connection(self, connection_id: str, body: Any) -> ConnectionSpec:
        """PUT /group_connections/{id}/retry: processing now, an outcome later (schedules.retry_story)."""
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a JSON object.")
        with self.lock:
            spec = self.find_connection(connection_id)
            if spec is None:
                raise ApiError(404, "Group connection not found.")
            now = self.now()
            status = spec.story[position(spec.story, now)].status
            if status not in contract.RETRYABLE_STATUSES:
                allowed = ", ".join(contract.RETRYABLE_STATUSES)
                message = (
                    f"A group connection in status '{status}' cannot be retried; retry is allowed from: {allowed}."
                )
                raise ApiError(
                    contract.RETRY_REFUSED_STATUS,
                    message,
                    {"status": [f"Cannot retry a connection in status '{status}'."]},
                )
            group_data = dict(spec.group_data)
            errors = _retry_errors(body, spec.carrier_id)
            if errors:
                raise ApiError(422, "The retry request is invalid.", errors)
            for name in contract.RETRY_FIELDS:
                if body.get(name):
                    group_data[name] = body[name]
            if self.duplicate_of(spec.carrier_id, group_data["carrier_group_id"], except_id=spec.id):
                raise ApiError(
                    409,
                    "Another group connection already uses this carrier_id and carrier_group_id.",
                    {"carrier_group_id": ["Duplicate for this carrier."]},
                )
            attempt = spec.attempt + 1
            rng = self.data.ids.rng("retry", spec.id, attempt)
            context = {"carrier_group_id": group_data["carrier_group_id"], "date": self.data.today.isoformat()}
            story = schedules.retry_story(rng, spec.story, now, self.faults.connection_outcome, context)
            updated = replace(spec, group_data=tuple(group_data.items()), story=story, attempt=attempt)
            self.connections[spec.id] = updated
            return updated

    def create_connection(self, body: Any, group_id: str | None = None) -> ConnectionSpec:
        """POST /group_connections (a new group) or /groups/{group_id}/group_connections (an existing one)."""
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a JSON object.")
        required_data = contract.CREATE_CONNECTION_GROUP_DATA_REQUIRED if group_id is None else ("carrier_group_id",)
        errors = {
            name: ["This field is required."] for name in contract.CREATE_CONNECTION_REQUIRED if not body.get(name)
        }
        group_data = body.get("group_data") if isinstance(body.get("group_data"), dict) else {}
        if body.get("group_data") and not isinstance(body.get("group_data"), dict):
            errors["group_data"] = ["Must be an object."]
        for name in required_data:
            if "group_data" not in errors and not group_data.get(name):
                errors[f"group_data.{name}"] = ["This field is required."]
        carrier_id = body.get("carrier_id")
        if carrier_id and carrier_id not in carrier_table.CARRIER_BY_ID:
            errors["carrier_id"] = ["Unknown carrier."]
        number = group_data.get("carrier_group_id")
        if (
            carrier_id in carrier_table.CARRIER_BY_ID
            and number
            and not carrier_table.is_valid_group_number(carrier_id, number)
        ):
            errors["group_data.carrier_group_id"] = [_format_message(carrier_id)]
        for name in ("broker_federal_ein", "broker_tin"):
            if group_data.get(name) and not _EIN_OR_SSN.match(str(group_data[name])):
                errors[f"group_data.{name}"] = ["Must be an EIN (12-3456789) or SSN (123-45-6789)."]
        if errors:
            raise ApiError(422, "The group connection request is invalid.", errors)
        with self.lock:
            if self.duplicate_of(carrier_id, number):
                raise ApiError(
                    409,
                    "A group connection with this carrier_id and carrier_group_id already exists.",
                    {"carrier_group_id": ["Duplicate for this carrier."]},
                )
            now = self.now()
            serial = len(self.created_connections)
            rng = self.data.ids.rng("created", serial)
            organization = self.data.organization_ids[0]
            if group_id is None:
                group_id = _uuid(rng)
                self.groups[group_id] = {
                    "id": group_id,
                    "version": _uuid(rng),
                    "created": int(now),
                    "modified": int(now),
                    "organization_id": organization,
                    "name": group_data["group_name"],
                    "dba_name": "",
                    "federal_ein": body.get("federal_ein") or "",
                    "sic_code": "",
                }
                request_type = "initial"
            else:
                request_type = "incremental"
            context = {"carrier_group_id": number, "date": self.data.today.isoformat()}
            spec = ConnectionSpec(
                id=_uuid(rng),
                key=None,
                group_id=group_id,
                organization_id=organization,
                carrier_id=carrier_id,
                federal_ein=body.get("federal_ein") or "",
                request_type=request_type,
                group_data=tuple({"group_name": "", **group_data}.items()),
                story=schedules.new_connection_story(rng, now, self.faults.connection_outcome, context),
            )
            self.connections[spec.id] = spec
            self.created_connections.append(spec.id)
            return spec

    # --- Disconnection requests, with confirms and rejects laid over the generated ones ---------
    def disconnection_request(self, request_id: str) -> Record | None:
        key, now = self.data.ids.key("disconnection", request_id), self.now()
        return None if key is None else self.with_decision(self.data.disconnection_request(key, now), now)

    def disconnection_requests(self, g: int, now: float) -> list[Record]:
        return [self.with_decision(record, now) for record in self.data.disconnection_requests(g, now)]

    def with_decision(self, record: Record | None, now: float) -> Record | None:
        decision = self.disconnection_decisions.get(record["id"]) if record else None
        if decision is None or decision.decided > now:
            return record
        done = decision.completes is not None and decision.completes <= now
        status = "completed" if done else decision.status
        record = {
            **record,
            "status": status,
            "version": self.data.ids.version("disconnection-decision", record["id"], status),
            "modified": int(decision.completes if done else decision.decided),
            "decided": int(decision.decided),
            "completed": int(decision.completes) if done else None,
        }
        if decision.effective_end_date:
            record["effective_end_date"] = decision.effective_end_date
        return record

    def decide_disconnection(self, request_id: str, decision: str, body: Any) -> Record:
        """PUT /group_disconnection_requests/{id}/confirm or /reject: only a request that needs review."""
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a JSON object.")
        with self.lock:
            now = self.now()
            record = self.disconnection_request(request_id)
            if record is None:
                raise ApiError(404, "Group disconnection request not found.")
            if record["status"] != contract.DISCONNECTION_REVIEW_STATUS:
                verb = "confirmed" if decision == "confirm" else "rejected"
                message = (
                    f"A group disconnection request in status '{record['status']}' cannot be {verb}; "
                    f"only one in '{contract.DISCONNECTION_REVIEW_STATUS}' can."
                )
                raise ApiError(
                    contract.DISCONNECTION_DECISION_REFUSED_STATUS,
                    message,
                    {"status": [f"The request is '{record['status']}', not '{contract.DISCONNECTION_REVIEW_STATUS}'."]},
                )
            end_date, completes = None, None
            if decision == "confirm":
                end_date = body.get("effective_end_date")
                if end_date is not None and not _is_iso_date(end_date):
                    raise ApiError(
                        422, "The confirmation is invalid.", {"effective_end_date": ["Must be a date (YYYY-MM-DD)."]}
                    )
                completes = now + self.data.ids.rng("disconnection-confirm", request_id).uniform(10 * M, 12 * H)
            self.disconnection_decisions[request_id] = Decision(
                contract.DISCONNECTION_STATUS_AFTER[decision], now, completes, end_date
            )
            return self.with_decision(record, now)

    # --- Renewal decisions created through the API, after the generated ones -----------------------
    def created_renewals(self, now: float, group_id: str | None = None) -> list[Record]:
        """The created decisions as they stand at ``now`` (of one group, if given), oldest first."""
        found = (
            renewals.render(c, now, self._renewal_version)
            for c in list(self.renewals.values())
            if group_id is None or c.group_id == group_id
        )
        return [record for record in found if record is not None]

    def _renewal_version(self, decision_id: str, status: str) -> str:
        return self.data.ids.version("created-renewal", decision_id, status)

    def create_renewal_decision(self, group_id: str, g: int | None, body: Any) -> Record:
        """POST /groups/{group_id}/renewal_decisions: checked, then submitted; it resolves on its own
        (``renewals``; the choices are ``contract.UNCONFIRMED_CHOICES["renewal_create_*"]``)."""
        plans: dict[tuple[str, str], dict[str, Record]] = {}
        for plan in self.data.plans(g, self.data.today) if g is not None else []:
            plans.setdefault((plan["carrier_id"], plan["line_of_coverage"]), {})[plan["id"]] = plan
        errors = renewals.check(body, plans)
        if errors:
            raise ApiError(422, "The renewal decision is invalid.", errors)
        wanted = {c["carrier_id"] for c in body["body"]["carriers"]}
        with self.lock:
            now = self.now()
            existing = self.created_renewals(now, group_id)
            if g is not None:
                existing += [self.data.renewal_decision(i, now) for i in self.data.renewals_of_group(g)]
            for record in existing:
                named = {c.get("carrier_id") for c in record["body"]["carriers"]}
                if record["renewal_date"] == body["renewal_date"] and named & wanted:
                    message = (
                        f"Renewal decision {record['id']} already sets this group's expectations of this carrier "
                        f"for {body['renewal_date']}; change it with PUT /renewal_decisions/{record['id']}/{record['version']}."
                    )
                    raise ApiError(
                        contract.RENEWAL_DECISION_CONFLICT_STATUS,
                        message,
                        {"renewal_date": ["A renewal decision for this date already names this carrier."]},
                    )
            rng = self.data.ids.rng("created-renewal", len(self.renewals))
            decision_id = _uuid(rng)
            created = renewals.build(
                rng, decision_id, self._renewal_version(decision_id, "submitted"), group_id, body, plans, now
            )
            self.renewals[decision_id] = created
            return created.record


def _is_iso_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _retry_errors(body: dict, carrier_id: str) -> dict[str, list[str]]:
    errors = {}
    number = body.get("carrier_group_id")
    if number is not None and (not isinstance(number, str) or not number):
        errors["carrier_group_id"] = ["Must be a non-empty string."]
    elif number and not carrier_table.is_valid_group_number(carrier_id, number):
        errors["carrier_group_id"] = [_format_message(carrier_id)]
    for name in ("broker_federal_ein", "broker_tin"):
        if body.get(name) and not _EIN_OR_SSN.match(str(body[name])):
            errors[name] = ["Must be an EIN (12-3456789) or SSN (123-45-6789)."]
    return errors


def _format_message(carrier_id: str) -> str:
    carrier = carrier_table.CARRIER_BY_ID[carrier_id]
    return f"Does not match {carrier['name']}'s format: {carrier['format_hint']}."


def _uuid(rng: random.Random) -> str:
    raw = f"{rng.getrandbits(128):032x}"
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{'89ab'[int(raw[16], 16) % 4]}{raw[17:20]}-{raw[20:32]}"


def signature(secret: str, body: bytes) -> str:
    """x-noyo-signature: hex HMAC-SHA256 of the raw body with the shared secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
