"""The benchmark command, pointed at the test sandbox with small counts."""

from io import StringIO

from django.core.management import call_command


def test_it_prints_pages_and_records_per_second(noyo_settings, sandbox):
    out = StringIO()
    call_command("noyo_benchmark", url=sandbox.url, pages=5, records=250, stdout=out)
    text = out.getvalue()
    assert "pages/s over 5 pages of 100" in text
    assert f"reading 250 of {sandbox.data.counts()['member_requests']:,} member requests" in text
    assert "3 API calls for ceil(250/100) = 3" in text
