"""``python manage.py noyo_sandbox``: serve the Noyo sandbox until Ctrl-C.

Credentials come from NOYO_CLIENT_ID / NOYO_CLIENT_SECRET (the same variables
the app reads), with the demo values when unset; any other credentials get 401.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError

from command_center.noyo.sandbox import Config, RunningSandbox
from command_center.noyo.sandbox.data import SCALES
from command_center.noyo.sandbox.state import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    TOKEN_TTL_SECONDS,
    Faults,
)


class Command(BaseCommand):
    help = "Serve the Noyo sandbox: the documented Noyo API over HTTP, from deterministic generated data."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--clock-speed", type=float, default=1.0, help="sandbox seconds per real second (0 freezes time)"
        )
        parser.add_argument("--start-time", help="sandbox time at start, ISO 8601 or epoch seconds (default: now)")
        parser.add_argument("--token-ttl", type=float, default=TOKEN_TTL_SECONDS, help="seconds a token really lives")
        parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
        faults = parser.add_argument_group("faults (also settable with POST /_sandbox/faults)")
        faults.add_argument("--rate-429", type=float, default=0.0)
        faults.add_argument("--rate-500", type=float, default=0.0)
        faults.add_argument("--rate-503", type=float, default=0.0)
        faults.add_argument("--retry-after", type=int, default=1, help="seconds, sent with 429 and 503")
        faults.add_argument("--latency-ms", type=int, default=0)
        faults.add_argument(
            "--drop-rate", type=float, default=0.0, help="share of requests answered by closing the socket"
        )
        faults.add_argument("--early-token-expiry", type=float, metavar="SECONDS", help="tokens die after SECONDS")
        faults.add_argument("--malformed-rate", type=float, default=0.0, help="share of record ids served malformed")
        faults.add_argument(
            "--malformed-mode",
            choices=Faults.MALFORMED_MODES,
            help="how those records are spoiled; number_as_string and extra_field are what real systems send "
            "though no document says so (default: each record's by its id)",
        )
        faults.add_argument(
            "--not-offered",
            action="append",
            default=[],
            metavar="PATH[=STATUS]",
            help="an endpoint this API key is not offered, e.g. /renewal_decisions (answered 404, or STATUS); repeatable",
        )
        faults.add_argument(
            "--shift-per-page", type=int, default=0, help="records that move before the window on each later page"
        )
        parser.add_argument("--webhook-url", default="", help="POST signed group_connection_request events here")
        parser.add_argument("--webhook-secret", default=os.environ.get("NOYO_WEBHOOK_SECRET", ""))

    def handle(self, *args, **options):
        faults = {
            "rate_429": options["rate_429"],
            "rate_500": options["rate_500"],
            "rate_503": options["rate_503"],
            "retry_after": options["retry_after"],
            "latency_ms": options["latency_ms"],
            "drop_rate": options["drop_rate"],
            "token_ttl": options["early_token_expiry"],
            "malformed_rate": options["malformed_rate"],
            "malformed_mode": options["malformed_mode"],
            "shift_per_page": options["shift_per_page"],
            "not_offered": _not_offered(options["not_offered"]),
        }
        for name in ("rate_429", "rate_500", "rate_503", "drop_rate", "malformed_rate"):
            if not 0 <= faults[name] <= 1:
                raise CommandError(f"--{name.replace('_', '-')} must be between 0 and 1.")
        config = Config(
            seed=options["seed"],
            scale=options["scale"],
            clock_speed=options["clock_speed"],
            start_time=_start_time(options["start_time"]),
            client_id=os.environ.get("NOYO_CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=os.environ.get("NOYO_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            token_ttl=options["token_ttl"],
            faults={name: value for name, value in faults.items() if value},
            webhook_url=options["webhook_url"],
            webhook_secret=options["webhook_secret"],
        )
        try:
            running = RunningSandbox(config, options["host"], options["port"], verbose=options["verbose"])
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error}") from error
        counts = running.data.counts()
        self.stdout.write(
            f"Noyo sandbox listening on {running.url} (API {running.api_url}, token {running.token_url}); "
            f"scale {config.scale}, seed {config.seed}, {counts['groups']} groups, {counts['employees']} employees, "
            f"clock x{config.clock_speed}",
        )
        self.stdout.flush()
        try:
            running.server.webhooks.start()
            running.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            running.server.webhooks.stop()
            running.server.server_close()


def _not_offered(values: list[str]) -> dict[str, int]:
    refused = {}
    for value in values:
        path, _, status = value.partition("=")
        if not path.startswith("/") or (status and not (status.isdigit() and 400 <= int(status) < 500)):
            raise CommandError(
                f"--not-offered takes a path and an optional 4xx status, e.g. /renewal_decisions=403, not {value!r}."
            )
        refused[path] = int(status or 404)
    return refused


def _start_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--start-time: {error}") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()
