"""The sandbox over HTTP: token endpoint, auth, faults, the request log, then ``api.dispatch``.

Standard library only (``ThreadingHTTPServer``, HTTP/1.1 keep-alive so pooled
clients reuse connections). ``RunningSandbox`` runs one in a background thread:
the management command and the pytest fixtures both use it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .. import contract
from . import api, control
from .state import TOKEN_EXPIRES_IN, ApiError, Config, Faults, Sandbox
from .webhooks import Webhooks


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        super().__init__((host, port), Handler)
        self.sandbox, self.verbose = sandbox, verbose
        self.webhooks = Webhooks(sandbox)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms a response on Linux). TCP_NODELAY sends it at once.
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _handle(self) -> None:
        started = time.perf_counter()
        sb = self.server.sandbox
        url = urlsplit(self.path)
        path, query = url.path, dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path.startswith("/_sandbox/"):
            webhooks = self.server.webhooks
            status, payload, headers = self._answer(
                lambda body: control.handle(sb, webhooks, self.command, path, query, body), raw
            )
            self._send(status, payload, headers)
            return
        fault = sb.fault_for(self.command, path)
        if sb.faults.latency_ms:
            time.sleep(sb.faults.latency_ms / 1000)
        if fault == "drop":
            status, payload, headers = None, None, {}
        elif isinstance(fault, int):
            status, payload, headers = (
                fault,
                {"message": _FAULT_MESSAGES.get(fault, "Injected fault."), "errors": {}},
                {},
            )
            if fault in (429, 503):
                headers["Retry-After"] = str(sb.faults.retry_after)
        elif path == contract.TOKEN_PATH:
            status, payload, headers = self._answer(lambda body: self._token(sb, body), raw, method="POST")
        elif path.startswith(contract.API_PREFIX + "/"):
            status, payload, headers = self._answer(lambda body: self._api(sb, path, query, body), raw)
        else:
            status, payload, headers = 404, {"message": f"No such endpoint: {path}", "errors": {}}, {}
        # Logged before answering, so a client that has its answer also finds it in the log.
        sb.record_request(
            {
                "method": self.command,
                "path": path,
                "query": query,
                "status": status,
                "fault": fault,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "sandbox_time": sb.now(),
            }
        )
        if status is None:
            self._drop()
        else:
            self._send(status, payload, headers)

    def _answer(self, respond, raw: bytes, method: str | None = None) -> tuple[int, Any, dict]:
        if method and self.command != method:
            return 405, {"message": f"Use {method}.", "errors": {}}, {}
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return 400, {"message": "The request body is not valid JSON.", "errors": {}}, {}
        try:
            status, payload = respond(body)
            return status, payload, {}
        except ApiError as error:
            headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
            return error.status, error.body(), headers

    def _token(self, sb: Sandbox, body: Any) -> tuple[int, dict]:
        """POST /auth/public/token: HTTP Basic client credentials, JSON grant_type (ENDPOINTS.md §2)."""
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = secret = ""
        if scheme.lower() != "basic" or not client_id:
            raise ApiError(401, "HTTP Basic client credentials are required.")
        if not (
            hmac.compare_digest(client_id, sb.config.client_id) and hmac.compare_digest(secret, sb.config.client_secret)
        ):
            raise ApiError(401, "Invalid client credentials.")
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            raise ApiError(
                400, "grant_type must be client_credentials.", {"grant_type": ["Must be client_credentials."]}
            )
        ttl = sb.faults.token_ttl if sb.faults.token_ttl is not None else sb.config.token_ttl
        return 200, {
            "access_token": sb.tokens.issue(client_id, ttl, sb.faults.token_uses),
            "expires_in": TOKEN_EXPIRES_IN,
            "token_type": "Bearer",
        }

    def _api(self, sb: Sandbox, path: str, query: dict, body: Any) -> tuple[int, Any]:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "A bearer token is required.")
        verdict = sb.tokens.check(token.strip())
        if verdict != "ok":
            raise ApiError(
                401, "The access token has expired." if verdict == "expired" else "The access token is invalid."
            )
        status, payload = api.dispatch(sb, self.command, path, query, body)
        return status, api.malform(sb, payload)

    def _send(self, status: int, payload: Any, headers: dict) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            # The client gave up (a timeout test): nothing to answer, and no traceback to print.
            self.close_connection = True

    def _drop(self) -> None:
        """Close the connection without a word, as a crashed proxy would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


_FAULT_MESSAGES = {
    403: "This API key may not use this endpoint.",
    404: "Not found.",
    429: "Too many requests.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}


class RunningSandbox:
    """A sandbox serving in a background thread, with the handle tests use to steer it."""

    def __init__(self, config: Config, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        self.config = config
        self.sandbox = Sandbox(config)
        self.server = SandboxServer(self.sandbox, host, port, verbose)
        self._thread = threading.Thread(target=self.server.serve_forever, name="noyo-sandbox", daemon=True)

    def start(self) -> RunningSandbox:
        self._thread.start()
        self.server.webhooks.start()
        return self

    def stop(self) -> None:
        self.server.webhooks.stop()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def api_url(self) -> str:
        return self.url + contract.API_PREFIX

    @property
    def token_url(self) -> str:
        return self.url + contract.TOKEN_PATH

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def data(self):
        return self.sandbox.data

    def reset(self) -> None:
        self.sandbox.reset()

    def set_faults(self, **faults: Any) -> Faults:
        return self.sandbox.set_faults(faults)

    def advance(self, seconds: float) -> float:
        self.sandbox.clock.advance(seconds)
        return self.sandbox.now()

    def set_clock_speed(self, speed: float) -> None:
        self.sandbox.clock.set_speed(speed)

    def now(self) -> float:
        return self.sandbox.now()

    def expire_tokens(self) -> None:
        self.sandbox.tokens.expire_all()

    def requests(self, method: str | None = None, path_contains: str | None = None) -> list[dict]:
        return self.sandbox.requests(method, path_contains)

    def examples(self) -> dict:
        return control.examples(self.sandbox)

    def set_webhook(self, url: str, secret: str) -> None:
        self.server.webhooks.configure(url, secret)
