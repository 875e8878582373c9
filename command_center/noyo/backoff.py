"""When to try a Noyo request again, and how long to wait first.

The policy is pure: it answers questions about an attempt that failed, and the
client does the sleeping through ``policy.sleep`` (injectable, as is ``random``,
so tests neither wait nor guess).

What is worth retrying, and for which requests (the write rule):

===========================  =================  ===========================
Failure                      Reads (GET)         Writes (PUT retry, POST)
===========================  =================  ===========================
429 (honour Retry-After)     retry               retry: Noyo refused it unprocessed
502 / 503 / 504              retry               never: Noyo may have acted on it
connect error / connect or   retry               retry: it never reached Noyo
pool timeout
read/write timeout, dropped  retry               never: Noyo may have acted on it
connection, protocol error
any other 4xx, 500           never               never
===========================  =================  ===========================

A group-connection retry or create that Noyo may already have received is
therefore never sent a second time by the client; the caller gets the error
(``NetworkError.may_have_reached_noyo`` / ``ServerError``) and must look at the
connection's state before acting again.
"""

from __future__ import annotations

import enum
import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime


class Failure(enum.Enum):
    """Why an attempt failed, as far as retrying is concerned."""

    RATE_LIMITED = "rate_limited"  # 429: refused, not processed
    UNAVAILABLE = "unavailable"  # 502/503/504: may or may not have been processed
    NOT_SENT = "not_sent"  # connect error, connect/pool timeout: never reached Noyo
    MAYBE_SENT = "maybe_sent"  # read/write timeout, dropped connection: may have reached Noyo
    FINAL = "final"  # anything else: retrying will not help


RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Failures after which Noyo provably did not act, so even a write may go again.
SAFE_FOR_WRITES = frozenset({Failure.RATE_LIMITED, Failure.NOT_SENT})


def failure_for_status(status_code: int) -> Failure:
    if status_code == 429:
        return Failure.RATE_LIMITED
    if status_code in RETRY_STATUSES:
        return Failure.UNAVAILABLE
    return Failure.FINAL


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and in total time.

    ``max_attempts`` counts the first try. ``jitter`` is the fraction of each
    delay that is randomised (0 = none, 1 = "full jitter"), so that many clients
    backing off together do not come back together.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_total_seconds: float = 60.0
    jitter: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    random: Callable[[], float] = field(default=_random.random, compare=False, repr=False)

    def should_retry(self, failure: Failure, *, is_write: bool) -> bool:
        """Is this kind of failure worth another attempt for this kind of request?"""
        if failure is Failure.FINAL:
            return False
        return failure in SAFE_FOR_WRITES if is_write else True

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based) before the next.

        Noyo's Retry-After, when given, is honoured as is: waiting less would
        only earn another 429.
        """
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling * (1 - self.jitter + self.jitter * self.random())

    def next_delay(
        self,
        failure: Failure,
        *,
        attempt: int,
        elapsed: float,
        is_write: bool,
        retry_after: float | None = None,
    ) -> float | None:
        """The wait before the next attempt, or None to give up.

        Gives up when the failure is not retryable for this request, the
        attempts are spent, or waiting would break ``max_delay`` (a Retry-After
        longer than we are willing to wait) or ``max_total_seconds``.
        """
        if not self.should_retry(failure, is_write=is_write) or attempt >= self.max_attempts:
            return None
        wait = self.delay(attempt, retry_after)
        if wait > self.max_delay or elapsed + wait > self.max_total_seconds:
            return None
        return wait


NO_RETRIES = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
