"""The retry policy: which failures are retried, how long we wait, and when we give up."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from command_center.noyo.backoff import (
    Failure,
    RetryPolicy,
    failure_for_status,
    parse_retry_after,
)


def policy(**overrides):
    settings = {"max_attempts": 5, "base_delay": 1.0, "max_delay": 10.0, "max_total_seconds": 30.0, "jitter": 0.0}
    settings.update(overrides)
    return RetryPolicy(**settings)


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (429, Failure.RATE_LIMITED),
        (502, Failure.UNAVAILABLE),
        (503, Failure.UNAVAILABLE),
        (504, Failure.UNAVAILABLE),
        (500, Failure.FINAL),
        (400, Failure.FINAL),
        (401, Failure.FINAL),
        (404, Failure.FINAL),
        (409, Failure.FINAL),
        (422, Failure.FINAL),
    ],
)
def test_it_classifies_statuses(status, failure):
    assert failure_for_status(status) is failure


@pytest.mark.parametrize("failure", list(Failure))
def test_it_retries_every_transient_failure_of_a_read(failure):
    assert policy().should_retry(failure, is_write=False) is (failure is not Failure.FINAL)


@pytest.mark.parametrize(
    ("failure", "retried"),
    [
        (Failure.RATE_LIMITED, True),
        (Failure.NOT_SENT, True),
        (Failure.UNAVAILABLE, False),
        (Failure.MAYBE_SENT, False),
        (Failure.FINAL, False),
    ],
)
def test_it_resends_a_write_only_when_noyo_provably_did_not_act(failure, retried):
    assert policy().should_retry(failure, is_write=True) is retried


def test_it_doubles_the_delay_up_to_the_ceiling():
    p = policy()
    assert [p.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_it_randomises_the_jittered_share_of_the_delay():
    low = policy(jitter=0.5, random=lambda: 0.0)
    high = policy(jitter=0.5, random=lambda: 0.999999)
    assert low.delay(3) == pytest.approx(2.0)
    assert high.delay(3) == pytest.approx(4.0, abs=1e-5)


def test_full_jitter_can_go_down_to_zero():
    assert policy(jitter=1.0, random=lambda: 0.0).delay(4) == 0.0


def test_it_honours_retry_after_over_its_own_backoff():
    p = policy(jitter=1.0, random=lambda: 0.5)
    assert p.delay(1, retry_after=7) == 7.0
    assert p.delay(5, retry_after=0) == 0.0


def test_it_gives_up_after_max_attempts():
    p = policy(max_attempts=3)
    assert p.next_delay(Failure.UNAVAILABLE, attempt=1, elapsed=0, is_write=False) == 1.0
    assert p.next_delay(Failure.UNAVAILABLE, attempt=2, elapsed=0, is_write=False) == 2.0
    assert p.next_delay(Failure.UNAVAILABLE, attempt=3, elapsed=0, is_write=False) is None


def test_it_gives_up_when_waiting_would_exceed_the_total_budget():
    p = policy(max_total_seconds=5.0)
    assert p.next_delay(Failure.NOT_SENT, attempt=2, elapsed=3.0, is_write=False) == 2.0
    assert p.next_delay(Failure.NOT_SENT, attempt=2, elapsed=3.5, is_write=False) is None


def test_it_gives_up_when_retry_after_is_longer_than_it_will_wait():
    p = policy(max_delay=10.0)
    assert p.next_delay(Failure.RATE_LIMITED, attempt=1, elapsed=0, is_write=True, retry_after=10) == 10.0
    assert p.next_delay(Failure.RATE_LIMITED, attempt=1, elapsed=0, is_write=True, retry_after=11) is None


def test_it_never_retries_a_write_that_may_have_reached_noyo():
    p = policy()
    assert p.next_delay(Failure.MAYBE_SENT, attempt=1, elapsed=0, is_write=True) is None
    assert p.next_delay(Failure.UNAVAILABLE, attempt=1, elapsed=0, is_write=True, retry_after=1) is None


def test_one_attempt_means_no_retries():
    assert policy(max_attempts=1).next_delay(Failure.RATE_LIMITED, attempt=1, elapsed=0, is_write=False) is None


@pytest.mark.parametrize(
    ("header", "seconds"), [("3", 3.0), (" 1.5 ", 1.5), ("-2", 0.0), ("", None), (None, None), ("soon", None)]
)
def test_it_reads_retry_after_in_seconds(header, seconds):
    assert parse_retry_after(header) == seconds


def test_it_reads_retry_after_as_an_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 0.0
