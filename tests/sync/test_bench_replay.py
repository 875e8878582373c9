"""bench_sync --replay: Noyo's answers recorded once, then served with no Noyo, through the real client."""

import httpx

from command_center.models import SyncRun
from command_center.noyo.recording import Recorder, Replayer, patch_transport
from command_center.sync.client import sync_client

NOWHERE = "http://noyo.replay"  # no such host: only the recording can answer


def point_nowhere(settings):
    settings.NOYO_API_URL = settings.NOYO_TRACKING_URL = NOWHERE
    settings.NOYO_TOKEN_URL = f"{NOWHERE}/auth/public/token"


def test_a_recorded_sync_is_replayed_with_no_sandbox_and_finds_nothing_changed(sync_now, settings, tmp_path):
    recorder = Recorder(tmp_path)
    with patch_transport(recorder=recorder):
        first = sync_now()
    recorder.close()
    point_nowhere(settings)
    replayer = Replayer(tmp_path)

    with patch_transport(replayer=replayer):
        again = sync_now()

    assert first.status == again.status == SyncRun.Status.SUCCEEDED
    assert again.totals["fetched"] == first.totals["fetched"] > 0
    assert (again.totals["created"], again.totals["updated"], again.totals["failed"]) == (0, 0, 0)
    assert replayer.missing == []
    assert replayer.served == again.api_calls + 1  # every call, and the token


def test_a_request_not_in_the_recording_is_named_not_sent(noyo_settings, settings, tmp_path):
    recorder = Recorder(tmp_path)
    with patch_transport(recorder=recorder), sync_client() as noyo:
        groups = list(noyo.iter_groups())
    recorder.close()
    point_nowhere(settings)
    replayer = Replayer(tmp_path)

    with patch_transport(replayer=replayer), sync_client() as noyo:
        assert list(noyo.iter_groups()) == groups
        answer = noyo._http.get(f"{NOWHERE}/api/v1/groups/unknown")

    assert answer.status_code == 599
    assert replayer.missing == ["GET /api/v1/groups/unknown?"]


def test_outside_the_block_the_transport_is_the_real_one(tmp_path):
    original = httpx.HTTPTransport.handle_request
    recorder = Recorder(tmp_path)
    with patch_transport(recorder=recorder):
        assert httpx.HTTPTransport.handle_request is not original
    assert httpx.HTTPTransport.handle_request is original
    assert not Replayer.exists(tmp_path)  # published only on close
    recorder.close()
    assert Replayer.exists(tmp_path)
