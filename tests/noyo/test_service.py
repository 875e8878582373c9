"""The client as Django settings build it."""

from command_center.noyo.service import noyo_client


def test_it_builds_a_client_from_settings(noyo_settings, sandbox):
    noyo_settings.NOYO_TIMEOUT_SECONDS = 7
    with noyo_client() as noyo:
        assert noyo.api_url == sandbox.url
        assert noyo.tracking_url == sandbox.url
        assert noyo._timeout.read == 7.0
        assert len(list(noyo.iter_groups())) == sandbox.data.counts()["groups"]
