"""Run the whole suite as if it were another day: ``TEST_CLOCK=2028-02-29 make test`` (or ``--clock``).

No test may depend on the calendar. This plugin moves the process's clock (time.time,
datetime.now, date.today: everything the code, the sandbox thread and the live server
read) to the given day at noon UTC, ticking from there, before anything else starts.
``make test-calendar`` runs the suite on the days that break date arithmetic: a month's
last and first day, 31 December and 29 February.

A test that needs one particular moment pins it itself with ``time_machine.travel``.
"""

import datetime as dt
import os

import pytest
import time_machine

_traveller = None


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", ""),
        help="run the suite as if today were this date (YYYY-MM-DD); default $TEST_CLOCK, else the real date",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    global _traveller
    value = config.getoption("--clock")
    if not value:
        return
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--clock / TEST_CLOCK must be a date (YYYY-MM-DD), not {value!r}") from None
    _traveller = time_machine.travel(dt.datetime.combine(day, dt.time(12), dt.UTC), tick=True)
    _traveller.start()


def pytest_report_header(config):
    if _traveller is not None:
        return f"clock: moved to {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC (--clock / TEST_CLOCK)"
    return None


def pytest_unconfigure(config):
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
