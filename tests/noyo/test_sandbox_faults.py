"""Faults on demand, and the /_sandbox/* control endpoints."""

import os
import subprocess
import sys
import time

import httpx
import pytest

from command_center.noyo import contract
from command_center.noyo.sandbox.state import ApiError
from tests.sandbox_fixtures import sandbox_token


def statuses(api, n, path="/groups"):
    return [api.get(path).status_code for _ in range(n)]


def test_the_next_requests_fail_as_asked_then_recover(sandbox_api, sandbox):
    sandbox.set_faults(fail_next=[503, 503, 500])
    assert statuses(sandbox_api, 4) == [503, 503, 500, 200]
    assert [r["status"] for r in sandbox.requests(path_contains="/groups")] == [503, 503, 500, 200]


def test_a_429_carries_retry_after(sandbox_api, sandbox):
    sandbox.set_faults(fail_next=[429, 503], retry_after=7)
    too_many = sandbox_api.get("/groups")
    assert too_many.status_code == 429 and too_many.headers["Retry-After"] == "7"
    assert too_many.json()["message"]
    assert sandbox_api.get("/groups").headers["Retry-After"] == "7"


def test_an_endpoint_not_offered_answers_its_status_for_good_and_only_that_path(sandbox_api, sandbox):
    group_id = sandbox.data.group(0)["id"]
    sandbox.set_faults(not_offered={"/renewal_decisions": 404, "/differences": 403})
    assert statuses(sandbox_api, 3, "/renewal_decisions") == [404, 404, 404]
    assert statuses(sandbox_api, 1, "/differences") == [403]
    assert statuses(sandbox_api, 1, f"/groups/{group_id}/renewal_decisions") == [200]
    assert statuses(sandbox_api, 1) == [200]


def test_a_not_offered_path_may_name_any_parent_with_a_placeholder(sandbox_api, sandbox):
    groups = [sandbox.data.group(g)["id"] for g in (0, 1)]
    sandbox.set_faults(not_offered={"/groups/{group_id}/contacts": 404})
    assert [sandbox_api.get(f"/groups/{g}/contacts").status_code for g in groups] == [404, 404]
    assert sandbox_api.get(f"/groups/{groups[0]}/locations").status_code == 200


def test_not_offered_takes_only_client_error_statuses(sandbox):
    with pytest.raises(ApiError):
        sandbox.set_faults(not_offered={"/groups": 503})


def test_fault_rates_are_repeatable(sandbox_api, sandbox):
    sandbox.set_faults(rate_500=0.3, rate_429=0.2)
    first = statuses(sandbox_api, 40)
    sandbox.set_faults(rate_500=0.3, rate_429=0.2)
    assert statuses(sandbox_api, 40) == first
    assert {200, 429, 500} == set(first)


def test_faults_can_be_limited_to_one_path_and_method(sandbox_api, sandbox):
    sandbox.set_faults(rate_503=1.0, path_contains="/retry", method="PUT")
    assert sandbox_api.get("/group_connections").status_code == 200
    connection = sandbox_api.get("/group_connections", params={"status": "unable_to_connect"}).json()["response"][0]
    assert sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={}).status_code == 503
    # the retry never reached the write: the connection is unchanged
    assert sandbox_api.get(f"/group_connections/{connection['id']}").json() == connection
    assert len(sandbox.requests(method="PUT", path_contains="/retry")) == 1


def test_a_dropped_connection_gets_no_answer(sandbox_api, sandbox):
    sandbox.set_faults(fail_next=["drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox_api.get("/groups")
    assert sandbox_api.get("/groups").status_code == 200
    dropped = sandbox.requests(path_contains="/groups")[0]
    assert dropped["status"] is None and dropped["fault"] == "drop"


def test_added_latency_slows_every_answer(sandbox_api, sandbox):
    sandbox.set_faults(latency_ms=150)
    started = time.perf_counter()
    sandbox_api.get("/groups")
    assert time.perf_counter() - started >= 0.15


def test_tokens_can_expire_early(sandbox):
    # Only what the clock guarantees: once the life is over, the token is refused. (That a fresh
    # token works is every other test's business; asserting it here raced the 0.3 s on a busy machine.)
    sandbox.set_faults(token_ttl=0.3)
    headers = {"Authorization": f"Bearer {sandbox_token(sandbox)}"}
    time.sleep(0.4)
    expired = httpx.get(f"{sandbox.api_url}/groups", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["message"]


def test_tokens_can_die_after_a_number_of_requests_whatever_the_time(sandbox):
    sandbox.set_faults(token_uses=2)
    headers = {"Authorization": f"Bearer {sandbox_token(sandbox)}"}
    answers = [httpx.get(f"{sandbox.api_url}/groups", headers=headers) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 401]
    assert "expired" in answers[2].json()["message"]
    fresh = {"Authorization": f"Bearer {sandbox_token(sandbox)}"}
    assert httpx.get(f"{sandbox.api_url}/groups", headers=fresh).status_code == 200


def test_every_token_can_be_expired_at_once(sandbox, sandbox_api):
    assert sandbox_api.get("/groups").status_code == 200
    sandbox.expire_tokens()
    assert sandbox_api.get("/groups").status_code == 401
    fresh = {"Authorization": f"Bearer {sandbox_token(sandbox)}"}
    assert httpx.get(f"{sandbox.api_url}/groups", headers=fresh).status_code == 200


def test_the_token_endpoint_is_spared_unless_asked(sandbox):
    sandbox.set_faults(rate_503=1.0)
    assert sandbox_token(sandbox)
    sandbox.set_faults(rate_503=1.0, include_token=True)
    with pytest.raises(httpx.HTTPStatusError):
        sandbox_token(sandbox)


@pytest.mark.parametrize("mode", ["missing_field", "unknown_enum", "bad_date", "number_as_string", "extra_field"])
def test_malformed_records_are_the_same_ones_on_every_read(sandbox_api, sandbox, mode):
    sandbox.set_faults(malformed_rate=0.3, malformed_mode=mode)
    first = sandbox_api.get("/member_requests", params={"page_size": 100}).json()["response"]
    assert sandbox_api.get("/member_requests", params={"page_size": 100}).json()["response"] == first
    sandbox.set_faults()
    clean = {r["id"]: r for r in sandbox_api.get("/member_requests", params={"page_size": 100}).json()["response"]}
    spoiled = [r for r in first if r != clean[r["id"]]]
    assert 10 < len(spoiled) < 50
    for record in spoiled:
        if mode == "missing_field":
            assert "status" not in record
        elif mode == "unknown_enum":
            assert record["status"] == "retired_by_carrier"
        elif mode == "bad_date":
            assert record["created"] == "yesterday"
        elif mode == "number_as_string":
            assert record["created"] == str(clean[record["id"]]["created"])
        else:
            assert set(record) - set(clean[record["id"]]) == {"undocumented_field"}


def test_undocumented_values_can_be_asked_for_on_purpose(sandbox_api, sandbox):
    """What real systems do though no document says so: an unknown enum value, a field gone, a number as a string."""
    target = sandbox_api.get("/member_requests").json()["response"][2]
    for mode, check in (
        ("unknown_enum", lambda r: r["status"] not in contract.MEMBER_REQUEST_STATUSES),
        ("missing_field", lambda r: "status" not in r),
        ("number_as_string", lambda r: isinstance(r["created"], str) and r["created"].isdigit()),
        ("extra_field", lambda r: "undocumented_field" in r),
    ):
        sandbox.set_faults(malformed_ids=[target["id"]], malformed_mode=mode)
        assert check(sandbox_api.get(f"/member_requests/{target['id']}").json()), mode
    with pytest.raises(ApiError):
        sandbox.set_faults(malformed_mode="numbers_as_words")


def test_malformed_ids_can_be_named(sandbox_api, sandbox):
    target = sandbox_api.get("/group_connections").json()["response"][3]
    sandbox.set_faults(malformed_ids=[target["id"]], malformed_mode="unknown_enum")
    page = sandbox_api.get("/group_connections").json()["response"]
    assert [r["status"] for r in page if r["id"] == target["id"]] == ["retired_by_carrier"]
    assert sum(r["status"] == "retired_by_carrier" for r in page) == 1
    assert sandbox_api.get(f"/group_connections/{target['id']}").json()["status"] == "retired_by_carrier"


def read_with_dedupe(api, path):
    seen, pages, offset = {}, 0, 0
    while True:
        body = api.get(path, params={"page_size": 5, "offset": offset}).json()
        pages += 1
        for record in body["response"]:
            seen.setdefault(record["id"], record)
        offset += len(body["response"])
        if not body["response"] or offset >= body["meta"]["total_records"]:
            return seen, pages


def test_records_pushed_to_later_pages_are_seen_twice_but_never_missed(sandbox_api, sandbox):
    sandbox.set_faults(shift_per_page=2)
    seen, _pages = read_with_dedupe(sandbox_api, "/groups")
    assert len(seen) == 20
    log = sandbox.requests(path_contains="/groups")
    assert len(log) > 4  # more pages than 20 / 5: the list grew while we read


def test_records_pulled_to_earlier_pages_are_missed(sandbox_api, sandbox):
    sandbox.set_faults(shift_per_page=-1)
    seen, _pages = read_with_dedupe(sandbox_api, "/groups")
    assert len(seen) < 20
    sandbox.set_faults()
    seen, _pages = read_with_dedupe(sandbox_api, "/groups")
    assert len(seen) == 20  # the next sync picks them up


# --- Control endpoints ---------------------------------------------------------------------------
def test_control_endpoints_need_no_token(sandbox):
    state = httpx.get(f"{sandbox.url}/_sandbox/state").json()
    assert state["scale"] == "small" and state["counts"]["groups"] == 20


def test_faults_can_be_set_over_http(sandbox, sandbox_api):
    answer = httpx.post(f"{sandbox.url}/_sandbox/faults", json={"fail_next": [502]})
    assert answer.status_code == 200 and answer.json()["fail_next"] == [502]
    assert sandbox_api.get("/groups").status_code == 502
    assert httpx.post(f"{sandbox.url}/_sandbox/faults", json={"rate_418": 1}).status_code == 422


def test_the_clock_can_be_advanced_over_http(sandbox):
    before = sandbox.now()
    clock = httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 3600}).json()
    assert clock["now"] == pytest.approx(before + 3600, abs=1)


def test_the_request_log_can_be_read_over_http(sandbox, sandbox_api):
    sandbox_api.get("/groups")
    sandbox_api.get("/employees")
    log = httpx.get(f"{sandbox.url}/_sandbox/requests", params={"path_contains": "/employees"}).json()
    assert log["count"] == 1 and log["requests"][0]["path"] == "/api/v1/employees"


def test_reset_over_http_clears_faults_clock_and_log(sandbox, sandbox_api):
    sandbox.set_faults(rate_500=1.0)
    sandbox.advance(86400)
    sandbox_api.get("/groups")
    state = httpx.post(f"{sandbox.url}/_sandbox/reset").json()
    assert state["faults"]["rate_500"] == 0 and state["clock"]["now"] == pytest.approx(state["clock"]["start"], abs=1)
    assert sandbox.requests() == []
    assert sandbox_api.get("/groups").status_code == 200


def test_examples_name_records_worth_knowing(sandbox, sandbox_api):
    examples = httpx.get(f"{sandbox.url}/_sandbox/examples").json()
    retryable = examples["retryable_connection_ids"][0]
    assert sandbox_api.get(f"/group_connections/{retryable}").json()["status"] in contract.RETRYABLE_STATUSES
    assert set(examples["group_connections_by_status"]) == set(contract.GROUP_CONNECTION_STATUSES)
    assert httpx.get(f"{sandbox.url}/_sandbox/carriers").json()[0]["kind"] in ("sync", "send")


# --- The management command ----------------------------------------------------------------------
def test_the_command_serves_with_the_credentials_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "NOYO_CLIENT_ID": "ops-client",
        "NOYO_CLIENT_SECRET": "ops-secret",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "noyo_sandbox",
            "--port",
            "0",
            "--seed",
            "5",
            "--clock-speed",
            "60",
            "--malformed-rate",
            "0.1",
            "--malformed-mode",
            "number_as_string",
        ],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "Noyo sandbox listening on http://127.0.0.1:" in line, line
        url = line.split("listening on ")[1].split()[0]
        token = httpx.post(
            f"{url}/auth/public/token", auth=("ops-client", "ops-secret"), json={"grant_type": "client_credentials"}
        )
        assert token.status_code == 200
        demo = httpx.post(
            f"{url}/auth/public/token",
            auth=("sandbox-client", "sandbox-secret"),
            json={"grant_type": "client_credentials"},
        )
        assert demo.status_code == 401
        state = httpx.get(f"{url}/_sandbox/state").json()
        assert state["seed"] == 5
        assert (state["faults"]["malformed_rate"], state["faults"]["malformed_mode"]) == (0.1, "number_as_string")
    finally:
        process.terminate()
        process.wait(timeout=10)
