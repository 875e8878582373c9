"""Sending a delivery: one try at a time, recorded, with growing waits on errors that may pass.

``attempt`` makes one try and says whether to try again and when (the Celery task
``send_alert_delivery`` waits that long and calls it again):

1. Claim the try with a conditional UPDATE on the number of tries so far, so two workers holding
   the same delivery never both send it.
2. Send: e-mail through Django's mail backend (a scheduled report's with its CSV attached), a webhook as ``POST {"text": ...}`` with httpx
   and a timeout (``ALERT_WEBHOOK_TIMEOUT_SECONDS``).
3. Errors that may pass by themselves (a timeout, a refused or dropped connection, a 5xx, a 429, an
   SMTP 4xx) are tried again after ``ALERT_RETRY_SECONDS``, doubled each time (a 429's
   ``Retry-After`` is honoured), up to ``ALERT_SEND_ATTEMPTS`` tries; any other (a 4xx: a wrong URL,
   a revoked webhook, an address refused) fails at once, since trying again changes nothing.
4. Record every try in ``history``; a delivery that fails for good counts against its channel,
   which shows as failing after ``ALERT_CHANNEL_FAILING_AFTER`` such failures in a row.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from .models import Channel, Delivery

logger = logging.getLogger("command_center.alerts")

State = Delivery.State
MAX_WAIT = dt.timedelta(hours=1)
# An unfinished delivery whose next try is this late lost its task (a worker restarted): the tick sends it again.
LOST_AFTER = dt.timedelta(minutes=10)


class Transient(Exception):
    """An error that may pass by itself: worth another try later."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class Permanent(Exception):
    """An error another try would meet again."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Tried:
    """What one call of ``attempt`` did: the delivery as it is now, and the seconds to wait before the next try (None: done)."""

    delivery: Delivery | None
    retry_in: float | None = None


def max_attempts() -> int:
    return max(1, int(getattr(settings, "ALERT_SEND_ATTEMPTS", 5)))


def backoff(tries: int, retry_after: float | None = None) -> float:
    """Seconds before the next try after ``tries`` failed ones: ALERT_RETRY_SECONDS, doubled each time, at most an hour."""
    base = max(1, int(getattr(settings, "ALERT_RETRY_SECONDS", 30)))
    wait = base * 2 ** (tries - 1)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return float(min(wait, MAX_WAIT.total_seconds()))


def attempt(delivery_id: int, now: dt.datetime | None = None) -> Tried:
    """Make one try at sending the delivery, unless it is finished or another worker holds this try."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.state not in Delivery.UNFINISHED:
        return Tried(delivery)
    claimed = Delivery.objects.filter(pk=delivery.pk, state__in=Delivery.UNFINISHED, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return Tried(delivery)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    if not delivery.channel.enabled:
        give_up(delivery, "The channel was disabled before this was sent.", now=now, channel_at_fault=False)
        return Tried(delivery)
    try:
        send(delivery)
    except Permanent as error:
        give_up(delivery, f"{error.reason} Not tried again: another try would meet the same answer.", now=now)
    except Transient as error:
        if delivery.attempts >= max_attempts():
            give_up(delivery, f"{error.reason} Gave up after {delivery.attempts} tries.", now=now)
        else:
            wait = backoff(delivery.attempts, error.retry_after)
            _record(
                delivery, State.RETRYING, error.reason, now, wait=wait, next_attempt_at=now + dt.timedelta(seconds=wait)
            )
            logger.info(
                "Alert delivery #%s failed (try %s), trying again in %.0f s: %s",
                delivery.pk,
                delivery.attempts,
                wait,
                error.reason,
            )
            return Tried(delivery, wait)
    except Exception as error:  # a bug or a backend's own error: recorded, not lost
        logger.exception("Alert delivery #%s failed unexpectedly", delivery.pk)
        give_up(delivery, f"Something unexpected went wrong while sending ({type(error).__name__}).", now=now)
    else:
        _record(delivery, State.SENT, "", now, sent_at=now)
        Channel.objects.filter(pk=delivery.channel_id).update(consecutive_failures=0, last_sent_at=now)
    return Tried(delivery)


def give_up(delivery: Delivery, reason: str, *, now: dt.datetime, channel_at_fault: bool = True) -> None:
    """Finish the delivery as failed; unless the cause is not the channel's, count it against the channel."""
    _record(delivery, State.FAILED, reason, now)
    if channel_at_fault:
        Channel.objects.filter(pk=delivery.channel_id).update(
            consecutive_failures=F("consecutive_failures") + 1, last_failed_at=now, last_failure=reason
        )
    logger.warning("Alert delivery #%s failed: %s", delivery.pk, reason)


def _record(delivery: Delivery, state: str, reason: str, now: dt.datetime, wait: float | None = None, **fields) -> None:
    delivery.state = state
    delivery.reason = reason
    entry = {"at": now.isoformat(), "outcome": state, "reason": reason}
    if wait is not None:
        entry["wait_seconds"] = round(wait)
    delivery.history = [*delivery.history, entry]
    for name, value in fields.items():
        setattr(delivery, name, value)
    if state not in Delivery.UNFINISHED:
        delivery.next_attempt_at = None
    delivery.save(update_fields={"state", "reason", "history", "next_attempt_at", *fields})


def lost(now: dt.datetime | None = None):
    """Unfinished deliveries whose next try is long overdue: their task was lost."""
    now = now or timezone.now()
    return Delivery.objects.unfinished().filter(next_attempt_at__lt=now - LOST_AFTER)


# --- Transports ---------------------------------------------------------------------------------


def send(delivery: Delivery) -> None:
    if delivery.report_slot is not None:  # a scheduled report: its CSV is made now (command_center.alerts.reports)
        from .reports import prepare

        prepare(delivery)
    if delivery.channel.kind == Channel.Kind.EMAIL:
        send_email(delivery)
    else:
        send_webhook(delivery)


def send_email(delivery: Delivery) -> None:
    message = EmailMessage(
        delivery.subject,
        delivery.body,
        settings.DEFAULT_FROM_EMAIL,
        [delivery.recipient],
        attachments=getattr(delivery, "attachments", None),
    )
    server = f"the mail server ({settings.EMAIL_HOST}:{settings.EMAIL_PORT})"
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise Permanent(f"{server} refused the address {delivery.recipient}.") from None
    except smtplib.SMTPSenderRefused:
        raise Permanent(
            f"{server} refused the sender address {settings.DEFAULT_FROM_EMAIL} (DEFAULT_FROM_EMAIL)."
        ) from None
    except smtplib.SMTPAuthenticationError:
        raise Permanent(f"{server} refused the user name or password (EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).") from None
    except smtplib.SMTPResponseException as error:
        words = f"{server} answered {error.smtp_code}: {_words(error.smtp_error)}"
        if 400 <= error.smtp_code < 500:
            raise Transient(words) from error
        raise Permanent(words) from error
    except (smtplib.SMTPException, OSError) as error:  # disconnected, refused, timed out, unknown host
        raise Transient(f"Could not reach {server}: {_words(error) or type(error).__name__}.") from error


def send_webhook(delivery: Delivery) -> None:
    timeout = float(getattr(settings, "ALERT_WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        answer = httpx.post(delivery.channel.url, json={"text": delivery.body}, timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException:
        raise Transient(f"The webhook did not answer within {timeout:g} seconds.") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise Permanent(
            "The channel's URL is not a web address this can post to (it must start with https:// or http://)."
        ) from None
    except httpx.TransportError as error:
        raise Transient(f"Could not reach the webhook: {_words(error) or type(error).__name__}.") from error
    if answer.is_success:
        return
    words = f"The webhook answered {answer.status_code} {answer.reason_phrase}".rstrip()
    said = _words(answer.text)[:200]
    words += f" (“{said}”)." if said else "."
    if answer.status_code == 429 or answer.status_code >= 500:
        raise Transient(words, retry_after=_retry_after(answer))
    if answer.is_redirect:
        raise Permanent(
            f"{words} Set the channel's URL to where it points: {answer.headers.get('location', 'unknown')}."
        )
    raise Permanent(f"{words} Check the channel's URL in the admin.")


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("retry-after", "")))
    except ValueError:
        return None


def _words(value) -> str:
    """Text on one line: a server's answer may be bytes, several lines or HTML."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())
