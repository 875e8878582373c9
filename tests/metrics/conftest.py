"""Fixtures for the metrics tests: a token set, a scrape that parses, and the sync fixtures (real syncs
against the sandbox)."""

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from tests.connections.conftest import mirror_from_sandbox, retry_calls  # noqa: F401
from tests.sync.conftest import fast_retries, sync_now  # noqa: F401

TOKEN = "test-metrics-token-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


class Scrape:
    """One scrape of /metrics, parsed by prometheus-client's own parser."""

    def __init__(self, text: str):
        self.text = text
        self.families = {family.name: family for family in text_string_to_metric_families(text)}
        self.samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in self.families.values()
            for sample in family.samples
        }

    def value(self, name: str, **labels) -> float:
        """One sample's value; KeyError when the scrape has no such series."""
        return self.samples[(name, frozenset(labels.items()))]

    def get(self, name: str, default: float = 0, **labels) -> float:
        """One sample's value, ``default`` when the scrape has no such series (yet)."""
        return self.samples.get((name, frozenset(labels.items())), default)

    def values(self, name: str, *by: str) -> dict:
        """{(label values...): value} for every sample of ``name``, keyed by the ``by`` labels."""
        found = {}
        for (sample_name, labels), value in self.samples.items():
            if sample_name == name:
                labels = dict(labels)
                found[tuple(labels[key] for key in by)] = value
        return found


@pytest.fixture
def scrape(client, db, metrics_token):
    """scrape() -> Scrape: GET /metrics with the token, as Prometheus does."""

    def get():
        response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
        assert response.status_code == 200, response.content[:500]
        return Scrape(response.content.decode())

    return get
