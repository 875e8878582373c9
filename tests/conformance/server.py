"""A Noyo made of nothing but its documents: each response example served at its documented path.

Not the sandbox: no generated data, no state, no logic of the sandbox's. What answers what:

1. ``POST /auth/public/token`` with HTTP Basic client credentials and the documented body
   answers the documented token response; every ``/api/v1/`` call must carry its token.
2. A documented path answers its example. Several examples at one path (``/groups`` and
   ``/groups?page_size=5&offset=5``) make one list: the unfiltered example's records first,
   then the others', each record once (by ``id``). A query naming the filters of one example
   (``?status=processing&request_type=new_hire``) gets that example; paging always applies.
3. Lists answer the documented envelope ``{"meta": {...}, "response": [...]}``, paged by
   ``offset`` and ``page_size`` within the documented bounds (ENDPOINTS.md §3.2: 5 to 100,
   offset 0 to total_records - 1; else 422). Bare arrays and single objects come as documented.
4. Placement of child examples. A sync reads a child list for every parent it mirrored
   (``/groups/{group_id}/contacts`` for each group of ``/groups``). Some documented child
   examples sit under a parent id that no documented list holds (the plans under group
   ``31559b4b-…``, the latest audit under ``2ce3b54a-…``): no client could ever ask for them.
   Such an example is served once, under the first documented parent that has no example of
   its own at that path; its payload is untouched, so the record still names the parent it
   names. Once, not under every parent: the same record twice in a sync is not what Noyo
   would send, and would make the counts say so. ``placements`` lists every move.
5. Anything else answers 404 with a JSON body, as Noyo does for what an API key is not offered
   (``/renewal_decisions`` and ``/differences`` are among them: the documents show neither list).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.conformance.documents import RESPONSE

API_PREFIX = "/api/v1"
TOKEN_PATH = "/auth/public/token"
PAGING = ("offset", "page_size")
PAGE_SIZE_DEFAULT, PAGE_SIZE_MIN, PAGE_SIZE_MAX = 20, 5, 100
_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\{[a-z_]+\}")


class Answer(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.body = status, {"message": message, "errors": errors or {}}


def is_id(segment: str) -> bool:
    return bool(_ID.fullmatch(segment))


def child_path(path: str) -> tuple[str, str, str] | None:
    """(collection, parent id, rest) of a child list or object such as ``/groups/{id}/audit_requests/latest``;
    None for any other path (a record by id, an org-wide list), which is answered at its exact path only."""
    segments = path.strip("/").split("/")
    if len(segments) < 3 or not is_id(segments[1]) or any(is_id(s) for s in segments[2:]):
        return None
    return segments[0], segments[1], "/".join(segments[2:])


def is_page(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("response"), list)


def records_of(value: Any) -> list:
    if is_page(value):
        return value["response"]
    return value if isinstance(value, list) else [value]


def record_key(record: Any) -> str:
    """A record's ``id``; for records Noyo gives none (premiums, configurations), the record itself."""
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return record["id"]
    return json.dumps(record, sort_keys=True)


def filters(query: dict) -> dict:
    return {key: value for key, value in query.items() if key not in PAGING}


def plain_first(examples: list[dict]) -> list[dict]:
    """The example without a query first (the unfiltered list), then the others, in document order."""
    return sorted(examples, key=lambda e: (bool(e["query"]), e["seed"], e["line"]))


class DocumentedNoyo:
    """What each request is answered, from the examples (no HTTP here)."""

    def __init__(self, examples: list[dict], client_id: str, client_secret: str):
        self.client_id, self.client_secret = client_id, client_secret
        responses = [e for e in examples if e["kind"] == RESPONSE and e["path"]]
        (self.token_example,) = [e for e in responses if e["path"] == TOKEN_PATH and e["method"] == "POST"]
        self.access_token = self.token_example["json"]["access_token"]
        documented: dict[tuple[str, str], list[dict]] = {}
        for example in responses:
            if example["path"].startswith(API_PREFIX + "/"):
                documented.setdefault((example["method"], example["path"][len(API_PREFIX) :]), []).append(example)
        self.documented = documented
        self.routes, self.placements, self.unreachable = self._place(documented)
        self.conflicts = self._conflicts()

    # --- Placement ---------------------------------------------------------------------

    def parent_ids(self, collection: str) -> list[str]:
        """Ids of the records the documents list as ``collection`` (a list whose path ends with it), in serving order."""
        ids: list[str] = []
        lists = [
            e
            for (method, path), found in self.documented.items()
            for e in found
            if method == "GET" and path.rsplit("/", 1)[-1] == collection
        ]
        for example in plain_first(lists):
            if is_page(example["json"]) or isinstance(example["json"], list):
                for record in records_of(example["json"]):
                    if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"] not in ids:
                        ids.append(record["id"])
        return ids

    def _place(self, documented):
        """The routes after placement (point 4 of the module docstring), the moves, and what could not move."""
        routes = {key: list(found) for key, found in documented.items()}
        orphans: dict[tuple[str, str, str], list[tuple[str, list[dict]]]] = {}
        for (method, path), found in documented.items():
            child = child_path(path)
            if child is not None and child[1] not in self.parent_ids(child[0]):
                orphans.setdefault((method, child[0], child[2]), []).append((path, found))
                del routes[(method, path)]
        placements, unreachable = [], []
        for (method, collection, rest), moved in orphans.items():
            taken = {
                child[1]
                for (m, path) in routes
                if m == method
                for child in [child_path(path)]
                if child and (child[0], child[2]) == (collection, rest)
            }
            free = [parent for parent in self.parent_ids(collection) if parent not in taken]
            for path, found in moved:
                if not free:
                    routes[(method, path)] = found  # still answered where documented
                    unreachable.append((method, path))
                    continue
                served = f"/{collection}/{free[0]}/{rest}"
                routes.setdefault((method, served), []).extend(found)
                placements.append(
                    {
                        "method": method,
                        "documented": path,
                        "served": served,
                        "lines": [f"{e['seed']}:{e['line']}" for e in found],
                    }
                )
        return routes, placements, unreachable

    def _conflicts(self) -> list[dict]:
        """Records one served list would hold twice with different content (the first is served)."""
        found = []
        for (_method, path), examples in self.routes.items():
            seen: dict[str, tuple[Any, str]] = {}
            for example in plain_first(examples):
                for record in records_of(example["json"]):
                    key = record_key(record)
                    where = f"{example['seed']}:{example['line']}"
                    if key in seen and seen[key][0] != record:
                        found.append({"path": path, "id": key, "served": seen[key][1], "ignored": where})
                    seen.setdefault(key, (record, where))
        return found

    # --- Answering ------------------------------------------------------------------------

    def token(self, authorization: str, body: Any) -> tuple[int, Any]:
        scheme, _, encoded = authorization.partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = secret = ""
        if scheme.lower() != "basic" or (client_id, secret) != (self.client_id, self.client_secret):
            raise Answer(401, "HTTP Basic client credentials (CLIENT_ID:CLIENT_SECRET) are required.")
        if body != {"grant_type": "client_credentials"}:
            raise Answer(400, 'The body must be {"grant_type": "client_credentials"}.')
        return 200, self.token_example["json"]

    def api(self, method: str, path: str, query: dict, authorization: str) -> tuple[int, Any]:
        if authorization != f"Bearer {self.access_token}":
            raise Answer(401, "A bearer token from the token endpoint is required.")
        relative = path[len(API_PREFIX) :]
        examples = self.routes.get((method, relative))
        if not examples:
            raise Answer(404, f"Not found: nothing is documented at {method} {path}.")
        wanted = filters(query)
        matching = [e for e in examples if wanted and filters(e["query"]) == wanted]
        chosen = plain_first(matching or examples)
        status = chosen[0]["status"] or (201 if method == "POST" else 200)
        first = chosen[0]["json"]
        if is_page(first) or isinstance(first, list):
            records, ids = [], set()
            for example in chosen:
                for record in records_of(example["json"]):
                    key = record_key(record)
                    if key not in ids:
                        ids.add(key)
                        records.append(record)
            return status, page(records, query) if is_page(first) else records
        return status, first


def page(records: list, query: dict) -> dict:
    """One page of ``records`` in the documented envelope; 422 outside the documented bounds."""
    try:
        size = int(query.get("page_size", PAGE_SIZE_DEFAULT))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise Answer(422, "page_size and offset are whole numbers.", {"page_size": ["Must be a number."]}) from None
    if not PAGE_SIZE_MIN <= size <= PAGE_SIZE_MAX:
        raise Answer(422, f"page_size must be {PAGE_SIZE_MIN} to {PAGE_SIZE_MAX}.", {"page_size": ["Out of range."]})
    if offset < 0 or (offset and offset >= len(records)):
        raise Answer(422, "offset must be 0 to total_records - 1.", {"offset": ["Out of range."]})
    return {
        "meta": {"offset": offset, "page_num": offset // size + 1, "page_size": size, "total_records": len(records)},
        "response": records[offset : offset + size],
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, noyo: DocumentedNoyo):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.noyo = noyo
        self.log: list[dict] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits for the client's delayed ACK
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        authorization = self.headers.get("Authorization", "")
        noyo = self.server.noyo
        try:
            if url.path == TOKEN_PATH and self.command == "POST":
                try:
                    body = json.loads(raw) if raw.strip() else None
                except ValueError:
                    raise Answer(400, "The body is not JSON.") from None
                status, payload = noyo.token(authorization, body)
            elif url.path.startswith(API_PREFIX + "/"):
                status, payload = noyo.api(self.command, url.path, query, authorization)
            else:
                raise Answer(404, f"Not found: {url.path}.")
        except Answer as answer:
            status, payload = answer.status, answer.body
        with self.server.lock:
            self.server.log.append({"method": self.command, "path": url.path, "query": query, "status": status})
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET


class RunningDocuments:
    """The documents served on a free loopback port, from a background thread."""

    client_id, client_secret = "documents-client", "documents-secret"

    def __init__(self, examples: list[dict]):
        self.noyo = DocumentedNoyo(examples, self.client_id, self.client_secret)
        self._server = _Server(self.noyo)
        self._thread = threading.Thread(target=self._server.serve_forever, name="noyo-documents", daemon=True)

    def start(self) -> RunningDocuments:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._server.lock:
            self._server.log.clear()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def requests(self) -> list[dict]:
        with self._server.lock:
            return list(self._server.log)
