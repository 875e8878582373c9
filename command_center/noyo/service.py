"""The Noyo client as the Django project configures it."""

from __future__ import annotations

from django.conf import settings

from .client import NoyoClient


def noyo_client(**options) -> NoyoClient:
    """A client for the configured Noyo (or sandbox); use it as a context manager to close its pool.

    ``options`` go to ``NoyoClient`` (a retry policy, an http client of the caller's).
    """
    return NoyoClient(
        settings.NOYO_API_URL,
        settings.NOYO_TOKEN_URL,
        settings.NOYO_CLIENT_ID,
        settings.NOYO_CLIENT_SECRET,
        tracking_url=settings.NOYO_TRACKING_URL or None,
        timeout=float(settings.NOYO_TIMEOUT_SECONDS),
        **options,
    )
