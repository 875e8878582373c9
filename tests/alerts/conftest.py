"""Fixtures for the alert tests: channels, a webhook endpoint over real loopback HTTP, and the tick at a moment."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from command_center.alerts import tasks
from command_center.alerts.models import Channel, Subscription
from tests.connections.conftest import mirror_from_sandbox  # noqa: F401  (shared with the connections tests)
from tests.sync.conftest import fast_retries, sync_now  # noqa: F401  (fixtures shared with the sync tests)


class WebhookEndpoint:
    """A Slack-style incoming webhook on a free loopback port: it records each POST and answers with the
    next status of ``answers`` (the last one for good), e.g. ``[500]`` or ``[503, 503, 200]``."""

    def __init__(self):
        self.answers: list[int] = [200]
        self.headers: dict[str, str] = {}
        self.received: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                endpoint.received.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("content-type"),
                        "raw": body.decode(),
                        "json": json.loads(body or b"null"),
                    }
                )
                status = endpoint.answers.pop(0) if len(endpoint.answers) > 1 else endpoint.answers[0]
                text = b"ok" if status < 400 else b"invalid_token" if status < 500 else b"upstream trouble"
                self.send_response(status)
                for name, value in endpoint.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-endpoint", daemon=True)

    @property
    def texts(self) -> list[str]:
        return [entry["json"]["text"] for entry in self.received]


@pytest.fixture
def webhook_endpoint():
    endpoint = WebhookEndpoint()
    endpoint.thread.start()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


@pytest.fixture
def email_channel(db):
    channel, _ = Channel.objects.get_or_create(name="E-mail", defaults={"kind": Channel.Kind.EMAIL})
    return channel


@pytest.fixture
def webhook_channel(db, webhook_endpoint):
    return Channel.objects.create(name="Ops chat", kind=Channel.Kind.WEBHOOK, url=webhook_endpoint.url)


@pytest.fixture
def alert_settings(settings):
    settings.ALERT_DIGEST_SECONDS = 300
    settings.ALERT_SEND_ATTEMPTS = 4
    settings.ALERT_RETRY_SECONDS = 30
    settings.ALERT_CHANNEL_FAILING_AFTER = 3
    settings.CONSOLE_BASE_URL = "https://cc.example.com"
    return settings


def subscribe(user, channel, topic=Subscription.Topic.ATTENTION, **fields) -> Subscription:
    if channel.kind == Channel.Kind.EMAIL and not user.email:
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return Subscription.objects.create(user=user, channel=channel, topic=topic, **fields)


@pytest.fixture
def clock():
    """The process's clock, ticking from now, moved on by ``clock.shift(seconds)``: windows pass without sleeping.

    The sandbox keeps its own time (monotonic, frozen in tests), so moving this clock changes no Noyo record.
    """
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def tick(alert_settings):
    """tick(): the alert tick as beat runs it (collect, make the due digests, send them: eagerly in tests)."""
    return tasks.tick


def past_the_window(settings) -> float:
    """Seconds that take the clock past the digest window."""
    return settings.ALERT_DIGEST_SECONDS + 1
