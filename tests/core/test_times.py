"""Times read one way on every page: how long ago, the exact moment with its zone on hover."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from command_center.templatetags.cc import absolute, ago, when

NOW = dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_a_moment_reads_as_how_long_ago_with_the_exact_time_and_zone_on_hover():
    html = when(NOW - dt.timedelta(hours=3), now=NOW)
    assert html == '<time datetime="2026-12-01T11:05:00+00:00" title="Dec 1, 2026 11:05 UTC">3\xa0hours ago</time>'


def test_a_moment_ahead_of_ours_reads_in_the_future_not_zero_minutes_ago():
    # The demo sandbox's clock runs fast: Noyo's times are ahead of the console's.
    assert ago(NOW + dt.timedelta(hours=2), now=NOW) == "in 2\xa0hours"
    assert ago(NOW + dt.timedelta(seconds=20), now=NOW) == "just now"


@override_settings(TIME_ZONE="America/New_York")
def test_the_exact_time_is_in_the_consoles_zone_and_says_which():
    assert absolute(NOW) == "Dec 1, 2026 09:05 EST"


def test_a_day_without_a_time_stays_a_day():
    assert when(dt.date(2026, 12, 1)) == absolute(dt.date(2026, 12, 1)) == "Dec 1, 2026"


def test_no_page_writes_a_time_of_day_its_own_way():
    # "M j, Y H:i", "H:i:s", "Y-m-d H:i" each read differently and none said its zone.
    own_way = re.compile(r"""\|date:["'][^"']*[HGgh]:i""")
    offenders = [
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html") if own_way.search(path.read_text())
    ]
    assert offenders == []


@override_settings(TIME_ZONE="America/New_York")
def test_the_exact_time_reads_as_djangos_own_format_would_write_it_in_every_season():
    # absolute() writes the moment itself (it is on every row of a list); each hour of a year that
    # has both clock changes, the hour the clock goes back included, reads as date_format writes it.
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    from command_center.templatetags.cc import MOMENT_FORMAT

    start = dt.datetime(2026, 1, 1, 0, 7, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(hours=n) for n in range(0, 365 * 24, 1)]
    assert [absolute(m) for m in moments] == [date_format(timezone.localtime(m), MOMENT_FORMAT) for m in moments]
    assert [absolute(m.date()) for m in moments[::24]] == [date_format(m.date(), "M j, Y") for m in moments[::24]]


def test_how_long_ago_reads_as_djangos_own_words_for_every_span():
    # ago() and duration_since() hand timesince words translated once per number (TIME_WORDS).
    from django.utils.timesince import timesince

    from connections.templatetags.console import duration_since

    spans = [dt.timedelta(minutes=m) for m in range(1, 200, 7)] + [
        dt.timedelta(hours=h, minutes=5) for h in range(1, 24 * 800, 37)
    ]
    for span in spans:
        assert ago(NOW - span, now=NOW) == f"{timesince(NOW - span, NOW, depth=1)} ago"
        assert duration_since(NOW - span, now=NOW) == timesince(NOW - span, NOW)
