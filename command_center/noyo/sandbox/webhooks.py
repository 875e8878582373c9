"""Signed webhook events for connections the API wrote (created or retried).

Production Noyo pushes ``group_connection_request.*`` events; the sandbox can
too, so the app's webhook endpoint can be tried end to end. A background
thread looks at the written connections every half second (sandbox time moves
on its own) and posts an event whenever one appears or changes status.
Delivery is best effort: a failed POST is reported on stderr and not retried.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import urllib.request
import uuid

from .. import contract
from .schedules import position
from .state import Sandbox, signature


class Webhooks:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.url, self.secret = sandbox.webhook
        self._seen: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent: list[dict] = []  # what was posted, for tests and the state endpoint

    def configure(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret
        self._seen = {connection_id: self._status(connection_id) for connection_id in self.sandbox.connections}
        if url and not self._thread:
            self._thread = threading.Thread(target=self._watch, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def start(self) -> None:
        self.configure(self.url, self.secret)

    def stop(self) -> None:
        self._stop.set()

    def _status(self, connection_id: str) -> str:
        spec = self.sandbox.connections[connection_id]
        return spec.story[max(0, position(spec.story, self.sandbox.now()))].status

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            if not self.url:
                continue
            for connection_id in list(self.sandbox.connections):
                status = self._status(connection_id)
                previous = self._seen.get(connection_id)
                if previous != status:
                    self._seen[connection_id] = status
                    kind = (
                        "created"
                        if previous is None and connection_id in self.sandbox.created_connections
                        else "status_change"
                    )
                    self.post(f"group_connection_request.{kind}", connection_id)

    def post(self, event_type: str, object_id: str) -> None:
        body = json.dumps(
            {
                "data": {"id": object_id},
                "event": {"id": str(uuid.uuid4()), "type": event_type, "created": int(self.sandbox.now())},
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            contract.WEBHOOK_SIGNATURE_HEADER: signature(self.secret, body),
            contract.WEBHOOK_TIMESTAMP_HEADER: dt.datetime.now(dt.UTC).isoformat(),
        }
        try:
            with urllib.request.urlopen(
                urllib.request.Request(self.url, body, headers, method="POST"), timeout=5
            ) as answer:
                status = answer.status
        except Exception as error:
            status = getattr(error, "code", None)
            print(f"noyo sandbox: webhook {event_type} to {self.url} failed: {error}", file=sys.stderr)
        self.sent.append({"type": event_type, "id": object_id, "status": status})
