"""The example alert rules and Grafana dashboard in monitoring/ use only what /metrics exports, so they
cannot drift from it; and they are what Prometheus and Grafana read."""

import json
import re
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

MONITORING = settings.BASE_DIR / "monitoring"
RULES = MONITORING / "prometheus" / "alerts.yml"
DASHBOARD = MONITORING / "grafana" / "command-center.json"

METRIC = re.compile(r"\b(?:command_center_\w+|up)\b(?!\s*\()")
SELECTOR = re.compile(r"\b(command_center_\w+)\s*\{([^}]*)\}")
LABEL_MATCHER = re.compile(r"(\w+)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
# Series Prometheus makes itself, not /metrics.
PROMETHEUS_OWN = {"up"}


def rules():
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def dashboard():
    return json.loads(DASHBOARD.read_text())


def expressions():
    """(where, PromQL) for every alert rule and every dashboard query."""
    found = [(f"alert {rule['alert']}", rule["expr"]) for rule in rules()]
    found += [
        (f"panel {panel['title']!r}", target["expr"])
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
    ]
    return found


@pytest.fixture
def exported(sync_now, client, scrape):
    """{series name: its label names} in a scrape after a sync, and a page request timed."""
    sync_now("group_connections")
    client.get("/")
    series = {}
    for name, labels in scrape().samples:
        series.setdefault(name, set()).update(key for key, _ in labels)
    return series


def test_every_metric_and_label_the_rules_and_the_dashboard_use_is_exported(exported):
    used = set()
    for where, expr in expressions():
        names = set(METRIC.findall(expr)) - PROMETHEUS_OWN
        assert names or set(METRIC.findall(expr)), f"{where} uses no metric: {expr}"
        used |= names
        for name in names:
            assert name in exported, f"{where} uses {name}, which /metrics does not export"
        for name, matchers in SELECTOR.findall(expr):
            for label in LABEL_MATCHER.findall(matchers):
                assert label in exported[name], f"{where} selects {name} by {label!r}, a label it does not have"
        labels = set().union(*(exported[name] for name in names)) | ({"job", "instance"} if not names else set())
        for grouping in GROUPING.findall(expr):
            for label in filter(None, (part.strip() for part in grouping.split(","))):
                assert label in labels, f"{where} groups by {label!r}, a label none of its metrics has"
    # Each kind of figure is watched somewhere.
    assert {
        "command_center_sync_family_last_success_timestamp_seconds",
        "command_center_sync_family_runs",
        "command_center_noyo_api_calls",
        "command_center_connections",
        "command_center_attention_items_open",
        "command_center_retry_attempts_total",
        "command_center_http_request_duration_seconds_bucket",
    } <= used


def test_every_alert_rule_says_what_happened_and_how_bad_it_is():
    for rule in rules():
        assert rule["alert"].startswith("CommandCenter")
        assert rule["labels"]["severity"] in ("page", "warning"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_the_dashboard_reads_from_the_prometheus_datasource_it_asks_for_on_import():
    board = dashboard()
    assert [source["name"] for source in board["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}" and panel["targets"], panel["title"]
        assert panel["description"], panel["title"]


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool is not installed (Debian: apt-get install prometheus)"
)
def test_promtool_accepts_the_rules_the_dashboard_queries_and_the_scrape_configuration(tmp_path):
    def promtool(*args, cwd=MONITORING / "prometheus"):
        done = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    promtool("check", "rules", "alerts.yml")
    promtool("test", "rules", "alerts.test.yml")
    # Each dashboard query as a recording rule, for promtool to parse.
    queries = [
        {"record": f"dashboard:query_{i}", "expr": expr}
        for i, (where, expr) in enumerate(expressions())
        if where.startswith("panel")
    ]
    (tmp_path / "dashboard.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": queries}]}))
    promtool("check", "rules", "dashboard.yml", cwd=tmp_path)
    # The example configuration, with its token file where this test can write one.
    shutil.copy(RULES, tmp_path / "alerts.yml")
    (tmp_path / "token").write_text("a-token")
    config = (
        (MONITORING / "prometheus" / "prometheus.yml")
        .read_text()
        .replace("/etc/prometheus/command-center-token", str(tmp_path / "token"))
    )
    (tmp_path / "prometheus.yml").write_text(config)
    promtool("check", "config", "prometheus.yml", cwd=tmp_path)
