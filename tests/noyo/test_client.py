"""The Noyo client against the running sandbox, over loopback HTTP.

Each test gets a freshly reset sandbox (``sandbox`` fixture) and counts what
the sandbox saw in its request log. Retry delays are tiny so the suite is fast.
"""

import datetime as dt
import logging
import random
import time

import pytest

from command_center.noyo import contract
from command_center.noyo.backoff import RetryPolicy
from command_center.noyo.errors import (
    AuthenticationError,
    BadRequest,
    Conflict,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from command_center.noyo.sandbox.carriers import make_group_number
from tests.noyo.conftest import ATTEMPTS

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
NORTHWIND = "d5792730-663e-4e24-a4ff-ca68c35f748f"  # Sync carrier, carrier_group_id "NW" + 6 digits


@pytest.fixture
def examples(sandbox):
    return sandbox.examples()


def a_month_ago(sandbox) -> str:
    """A date the sandbox's records cover whatever today is: derived from its own clock, not written in."""
    return (sandbox.data.today - dt.timedelta(days=30)).isoformat()


def wait_until(condition, timeout=15.0):
    """Poll for what the sandbox has done, instead of sleeping a guess of how long it takes."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the sandbox did not get there in time"
        time.sleep(0.02)


def api_requests(sandbox, method="GET", path_contains=contract.API_PREFIX):
    """What the sandbox received (it logs each request before answering it)."""
    return sandbox.requests(method=method, path_contains=path_contains)


# --- Auth ----------------------------------------------------------------------------------------


def test_it_fetches_one_token_and_reuses_it(noyo, sandbox, examples):
    noyo.get_group(examples["groups"][0])
    noyo.get_group(examples["groups"][1])
    assert noyo.token_calls == 1
    assert noyo.api_calls == 2
    assert len(sandbox.requests(method="POST", path_contains=contract.TOKEN_PATH)) == 1


def test_it_renews_the_token_before_it_expires(make_client, sandbox, examples):
    now = [1000.0]
    noyo = make_client(clock=lambda: now[0])
    noyo.get_group(examples["groups"][0])
    now[0] += contract.TOKEN_MAX_AGE_SECONDS - 1
    noyo.get_group(examples["groups"][0])
    assert noyo.token_calls == 1
    now[0] += 2  # the sandbox says expires_in=864000; we renew after TOKEN_MAX_AGE_SECONDS whatever it says
    noyo.get_group(examples["groups"][0])
    assert noyo.token_calls == 2
    assert [r["status"] for r in api_requests(sandbox)] == [200, 200, 200]


def test_a_token_that_expires_early_is_fetched_again_once(noyo, sandbox, examples):
    noyo.get_group(examples["groups"][0])
    sandbox.expire_tokens()
    group = noyo.get_group(examples["groups"][0])
    assert group["id"] == examples["groups"][0]
    assert noyo.token_calls == 2
    assert [r["status"] for r in api_requests(sandbox)] == [200, 401, 200]


def test_a_second_401_is_an_authentication_error(noyo, sandbox, examples):
    sandbox.set_faults(token_ttl=0)  # every token is dead on arrival
    with pytest.raises(AuthenticationError) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code == 401
    assert noyo.token_calls == 2
    assert [r["status"] for r in api_requests(sandbox)] == [401, 401]


def test_wrong_credentials_are_an_authentication_error_without_the_secret(make_client, sandbox, examples):
    noyo = make_client(client_secret="not-the-secret")
    with pytest.raises(AuthenticationError) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code == 401
    assert "not-the-secret" not in f"{raised.value} {raised.value!r} {raised.value.body}"
    assert api_requests(sandbox) == []


# --- Pagination -----------------------------------------------------------------------------------


def test_it_reads_a_list_in_pages_of_100_until_total_records(noyo, sandbox):
    requests = noyo.iter_member_requests()
    total = requests.total
    records = list(requests)
    assert total == sandbox.data.counts()["member_requests"] > 300
    assert len({r["id"] for r in records}) == len(records) == total
    pages = api_requests(sandbox, path_contains="/member_requests")
    assert noyo.api_calls == len(pages) == -(-total // 100)
    assert [p["query"]["offset"] for p in pages] == [str(n) for n in range(0, total, 100)]
    assert {p["query"]["page_size"] for p in pages} == {"100"}


def test_it_yields_each_record_once_while_records_move_forward(noyo, sandbox):
    expected = {r["id"] for r in noyo.iter_member_requests()}
    sandbox.reset()
    sandbox.set_faults(shift_per_page=7)  # records inserted before our window between pages
    records = [r["id"] for r in noyo.iter_member_requests()]
    assert len(records) == len(set(records))
    assert set(records) == expected


def test_records_that_move_back_are_left_for_the_next_sync(noyo, sandbox):
    expected = {r["id"] for r in noyo.iter_member_requests()}
    sandbox.reset()
    sandbox.set_faults(shift_per_page=-7)  # records removed before our window between pages
    records = [r["id"] for r in noyo.iter_member_requests()]
    assert len(records) == len(set(records))
    assert set(records) < expected


def test_a_bare_array_costs_one_call_without_paging(noyo, sandbox, examples):
    day = a_month_ago(sandbox)
    configurations = list(noyo.iter_group_carrier_configurations(examples["groups"][0], effective_date=day))
    assert configurations and all(c["group_id"] == examples["groups"][0] for c in configurations)
    [request] = api_requests(sandbox)
    assert request["query"] == {"effective_date": day}


def test_the_latest_audit_is_one_object(noyo, sandbox, examples):
    audit = noyo.get_group_latest_audit(examples["groups"][0], carrier_id=NORTHWIND)
    assert audit["group_id"] == examples["groups"][0]
    assert api_requests(sandbox)[0]["query"] == {"carrier_id": NORTHWIND}


# --- Reads and their filters -----------------------------------------------------------------------


def test_groups_filter_by_company_ids_and_carrier_number(noyo, sandbox):
    groups = list(noyo.iter_groups())
    assert len(groups) == sandbox.data.counts()["groups"]
    word = groups[3]["dba_name"].split()[0]
    assert groups[3] in list(noyo.iter_groups(company=word.lower()))
    wanted = [groups[1]["id"], groups[2]["id"]]
    assert [g["id"] for g in noyo.iter_groups(group_ids=wanted)] == wanted
    connection = next(c for c in noyo.iter_group_connections() if c.get("group_id") == groups[0]["id"])
    found = list(
        noyo.iter_groups(
            carrier_id=connection["carrier_id"], carrier_group_id=connection["group_data"]["carrier_group_id"]
        )
    )
    assert [g["id"] for g in found] == [groups[0]["id"]]
    assert api_requests(sandbox)[2]["query"]["group_ids"] == ",".join(wanted)


def test_group_connections_filter_by_every_documented_filter(noyo, sandbox):
    everything = list(noyo.iter_group_connections())
    assert {c["status"] for c in everything} == set(contract.GROUP_CONNECTION_STATUSES)
    failing = list(noyo.iter_group_connections(status=["unable_to_connect", "action_required"]))
    assert failing and {c["status"] for c in failing} <= {"unable_to_connect", "action_required"}
    picked = [everything[0]["id"], everything[5]["id"]]
    assert sorted(c["id"] for c in noyo.iter_group_connections(ids=picked)) == sorted(picked)
    one = everything[4]
    by_number = list(
        noyo.iter_group_connections(
            carrier_id=[one["carrier_id"]], carrier_group_id=one["group_data"]["carrier_group_id"]
        )
    )
    assert [c["id"] for c in by_number] == [one["id"]]
    by_org = list(noyo.iter_group_connections(organization_id=one["organization_id"]))
    assert one["id"] in {c["id"] for c in by_org}
    newest_first = [c["created"] for c in noyo.iter_group_connections(sort_by="created", sort_direction="desc")]
    assert newest_first == sorted(newest_first, reverse=True)
    queries = [r["query"] for r in api_requests(sandbox)]
    assert queries[1]["status"] == "unable_to_connect,action_required"
    assert queries[2]["id"] == ",".join(picked)


def test_group_scoped_lists(noyo, sandbox, examples):
    group_id = examples["groups"][0]
    by_group = list(
        noyo.iter_group_connections_by_group(
            group_id, status=list(contract.GROUP_CONNECTION_STATUSES), sort_by="modified"
        )
    )
    assert by_group and all(c["group_id"] == group_id for c in by_group)
    assert all(c["group_id"] == group_id for c in noyo.iter_group_contacts(group_id))
    assert all(loc["group_id"] == group_id for loc in noyo.iter_group_locations(group_id))
    assert all(r["group_id"] == group_id for r in noyo.iter_renewal_decisions_by_group(group_id))
    assert list(noyo.iter_renewal_decisions())
    assert noyo.get_group(group_id)["id"] == group_id
    assert noyo.get_group_connection(by_group[0]["id"])["id"] == by_group[0]["id"]


def test_disconnection_requests_by_group_and_one(noyo, sandbox):
    for group_id in (g["id"] for g in noyo.iter_groups()):
        requests = list(noyo.iter_group_disconnection_requests(group_id))
        if requests:
            break
    assert requests, "the sandbox has disconnection requests in some group"
    one = noyo.get_group_disconnection_request(requests[0]["id"])  # Noyo answers this GET with 201
    assert one["id"] == requests[0]["id"]


def test_group_enrollments_and_plans_filter_by_date_status_line_and_carrier(noyo, sandbox, examples):
    day = a_month_ago(sandbox)
    group_id = examples["groups"][0]
    enrollments = list(noyo.iter_group_enrollments(group_id, effective_date=day, status=["active", "completed"]))
    assert enrollments and {e["status"] for e in enrollments} <= {"active", "completed"}
    assert noyo.get_group_enrollment(enrollments[0]["id"])["id"] == enrollments[0]["id"]
    plans = list(
        noyo.iter_plans(
            group_id,
            effective_date=day,
            status=["active"],
            line_of_coverage=["medical", "dental"],
            carrier_id=[NORTHWIND],
        )
    )
    assert plans and all(
        p["status"] == "active" and p["line_of_coverage"] == "medical" and p["carrier_id"] == NORTHWIND for p in plans
    )
    query = api_requests(sandbox, path_contains="/plans")[0]["query"]
    assert query == {
        "effective_date": day,
        "status": "active",
        "line_of_coverage": "medical,dental",
        "carrier_id": NORTHWIND,
        "page_size": "100",
        "offset": "0",
    }


def test_employees_filter_by_name_and_birth_date(noyo, sandbox, examples):
    group_id = examples["groups"][0]
    someone = next(iter(noyo.iter_employees_by_group(group_id)))
    person = someone["person"]
    assert someone in list(noyo.iter_employees(first_name=person["first_name"], last_name=person["last_name"]))
    assert someone in list(noyo.iter_employees(date_of_birth=person["date_of_birth"]))
    assert someone in list(noyo.iter_employees_by_group(group_id, name=person["last_name"].upper()))
    assert all(
        e["person"]["last_name"] == person["last_name"] for e in noyo.iter_employees(last_name=person["last_name"])
    )
    assert noyo.get_employee(someone["id"]) == someone


def test_member_records_of_an_employee(noyo, sandbox, examples):
    day = a_month_ago(sandbox)
    employee_id = examples["employees"]["with_every_snapshot_scenario"][0]
    dependents = list(noyo.iter_dependents(employee_id))
    assert dependents and all(d["employee_id"] == employee_id for d in dependents)
    assert noyo.get_dependent(dependents[0]["id"])["id"] == dependents[0]["id"]
    own = list(noyo.iter_individual_enrollments(employee_id, effective_date=day))
    family = list(noyo.iter_individual_enrollments(employee_id, effective_date=day, include_dependents=True))
    assert {e["individual_type"] for e in own} == {"employee"}
    assert {e["individual_type"] for e in family} == {"employee", "dependent"}
    assert noyo.get_individual_enrollment(own[0]["id"], effective_date=day)["id"] == own[0]["id"]
    by_group_enrollment = list(
        noyo.iter_individual_enrollments_by_group_enrollment(own[0]["group_enrollment_id"], effective_date=day)
    )
    assert own[0]["id"] in {e["id"] for e in by_group_enrollment}
    premiums = list(noyo.iter_premiums(employee_id, effective_date=day))
    assert premiums and all(isinstance(p["amount"], str) for p in premiums)
    queries = [r["query"] for r in api_requests(sandbox, path_contains="/individual_enrollments")]
    assert queries[1]["include_dependents"] == "true" and queries[1]["effective_date"] == day


def test_member_snapshots_and_tracking_differences(noyo, sandbox, examples):
    employee_id = examples["employees"]["with_every_snapshot_scenario"][0]
    group_id = noyo.get_employee(employee_id)["group_id"]
    of_employee = list(noyo.iter_member_snapshots_by_employee(employee_id))
    of_group = list(noyo.iter_member_snapshots_by_group(group_id, employee_id=employee_id))
    assert of_employee and {s["id"] for s in of_group} == {s["id"] for s in of_employee}
    snapshot = noyo.get_member_snapshot(of_employee[0]["id"])
    assert snapshot["fulfillment_summary"] and "member_snapshot" in snapshot
    with_differences = next(d for d in noyo.iter_differences() if d.get("member_snapshot_id"))
    differences = list(
        noyo.iter_differences(
            member_snapshot_id=with_differences["member_snapshot_id"], employee_id=with_differences["employee_id"]
        )
    )
    assert differences and {d["member_snapshot_id"] for d in differences} == {with_differences["member_snapshot_id"]}
    assert (
        api_requests(sandbox, path_contains="/differences")[1]["query"]["member_snapshot_id"]
        == with_differences["member_snapshot_id"]
    )


def test_differences_are_read_from_the_tracking_host(make_client, sandbox):
    noyo = make_client(tracking_url=sandbox.url + "/")
    noyo.api_url = "http://127.0.0.1:9"  # nothing listens there: only the tracking host may be used
    assert list(noyo.iter_differences())


def test_legacy_member_requests_and_transactions(noyo, sandbox, examples):
    employee_id = examples["employees"]["with_every_snapshot_scenario"][0]
    group_id = noyo.get_employee(employee_id)["group_id"]
    completed_new_hires = list(noyo.iter_member_requests(status=["completed"], request_type=["new_hire"]))
    assert completed_new_hires and {(r["status"], r["request_type"]) for r in completed_new_hires} == {
        ("completed", "new_hire")
    }
    of_employee = list(noyo.iter_member_requests_by_employee(employee_id))
    assert [r["id"] for r in noyo.iter_member_requests(employee_id=employee_id, group_id=group_id)] == [
        r["id"] for r in of_employee
    ]
    request = noyo.get_member_request(of_employee[0]["id"])
    transactions = list(noyo.iter_member_transactions_by_request(request["id"]))
    assert [t["id"] for t in transactions] == request["transactions"]
    assert [t["id"] for t in noyo.iter_member_transactions(ids=request["transactions"])] == request["transactions"]
    assert [t["id"] for t in noyo.iter_member_transactions(member_request_id=request["id"])] == request["transactions"]
    assert noyo.get_member_transaction(transactions[0]["id"]) == transactions[0]
    assert len(list(noyo.iter_member_transactions())) == sandbox.data.counts()["member_transactions"]


# --- Errors ------------------------------------------------------------------------------------------


def test_an_unknown_id_is_not_found(noyo, sandbox):
    with pytest.raises(NotFound) as raised:
        noyo.get_group_connection(UNKNOWN_ID)
    assert raised.value.status_code == 404
    assert raised.value.body["message"]
    assert len(api_requests(sandbox)) == 1


def test_a_duplicate_connection_is_a_conflict(noyo, sandbox):
    existing = next(iter(noyo.iter_group_connections(carrier_id=[NORTHWIND])))
    with pytest.raises(Conflict) as raised:
        noyo.create_group_connection(
            NORTHWIND, {"carrier_group_id": existing["group_data"]["carrier_group_id"], "group_name": "Copycat LLC"}
        )
    assert raised.value.status_code == 409
    assert "already exists" in raised.value.message


def test_invalid_data_is_a_validation_error_with_field_messages(noyo, sandbox):
    with pytest.raises(ValidationFailed) as raised:
        noyo.create_group_connection(
            NORTHWIND, {"carrier_group_id": "12345", "group_name": "Acme"}, federal_ein="12-3456789"
        )
    error = raised.value
    assert error.status_code == 422
    assert list(error.field_errors) == ["group_data.carrier_group_id"]
    assert "NW followed by 6 digits" in error.field_errors["group_data.carrier_group_id"][0]
    assert "group_data.carrier_group_id" in error.message


def test_a_retry_in_a_status_noyo_does_not_retry_from_is_refused_clearly(noyo, examples):
    completed = examples["group_connections_by_status"]["completed"][0]
    with pytest.raises(Conflict) as raised:
        noyo.retry_group_connection(completed)
    assert raised.value.status_code == contract.RETRY_REFUSED_STATUS
    assert "completed" in raised.value.message


def test_a_bad_filter_value_is_a_validation_error(noyo, sandbox):
    with pytest.raises(ValidationFailed) as raised:
        list(noyo.iter_group_connections(sort_direction="sideways"))
    assert raised.value.field_errors == {"sort_direction": ["Must be asc or desc."]}
    assert len(api_requests(sandbox)) == 1


@pytest.mark.parametrize("status", [400, 405, 418])
def test_other_4xx_are_bad_requests_and_never_retried(noyo, sandbox, status, examples):
    sandbox.set_faults(fail_next=[status])
    with pytest.raises(BadRequest) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code == status
    assert len(api_requests(sandbox)) == 1


def test_rate_limiting_is_retried_honouring_retry_after_then_raised(noyo, sandbox, sleeps, examples):
    sandbox.set_faults(rate_429=1.0, retry_after=1)
    with pytest.raises(RateLimited) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.retry_after == 1.0
    assert sleeps == [1.0] * (ATTEMPTS - 1)
    assert [r["status"] for r in api_requests(sandbox)] == [429] * ATTEMPTS


def test_a_retry_after_longer_than_we_wait_is_raised_at_once(noyo, sandbox, sleeps, examples):
    sandbox.set_faults(fail_next=[429], retry_after=30)
    with pytest.raises(RateLimited) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.retry_after == 30
    assert sleeps == []
    assert len(api_requests(sandbox)) == 1


def test_a_500_is_a_server_error_and_not_retried(noyo, sandbox, examples):
    sandbox.set_faults(fail_next=[500])
    with pytest.raises(ServerError) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code == 500
    assert len(api_requests(sandbox)) == 1


def test_a_lasting_outage_is_retried_within_bounds_then_raised(noyo, sandbox, sleeps, examples):
    sandbox.set_faults(rate_503=1.0, retry_after=0)
    with pytest.raises(ServerError) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code == 503
    assert len(api_requests(sandbox)) == ATTEMPTS == noyo.api_calls


def test_a_dropped_connection_is_a_network_error(noyo, sandbox, examples):
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(NetworkError) as raised:
        noyo.get_group(examples["groups"][0])
    assert raised.value.status_code is None
    assert raised.value.may_have_reached_noyo
    assert len(api_requests(sandbox)) == ATTEMPTS


def test_a_slow_answer_times_out_as_a_network_error(make_client, sandbox, examples):
    noyo = make_client(timeout=0.1)
    noyo.get_group(examples["groups"][0])  # the token first: latency applies to the token endpoint too
    sandbox.set_faults(latency_ms=300)
    with pytest.raises(NetworkError) as raised:
        noyo.get_group(examples["groups"][0])
    assert "timed out" in raised.value.message
    assert noyo.api_calls == 1 + ATTEMPTS
    # Let the sandbox finish the slow answers (it logs each when done) before the next test resets it.
    wait_until(lambda: len(api_requests(sandbox)) == 1 + ATTEMPTS)


# --- Retries under injected faults --------------------------------------------------------------------


def test_it_counts_what_it_absorbed_on_the_way(make_client, sandbox, examples):
    noyo = make_client(retry_policy=RetryPolicy(max_attempts=5, base_delay=0.01, jitter=0.0, sleep=lambda s: None))
    sandbox.set_faults(fail_next=[429, 503, "drop", 429], retry_after=2)

    noyo.get_group(examples["groups"][0])
    sandbox.expire_tokens()
    noyo.get_group(examples["groups"][0])

    assert noyo.stats.as_dict() == {
        "calls": 7,
        "rate_limited": 2,
        "rate_limited_wait_seconds": 4.0,
        "server_errors_retried": 1,
        "connection_errors_retried": 1,
        "tokens_fetched": 2,
        "tokens_refused": 1,
        "statuses": {"200": 2, "401": 1, "429": 2, "503": 1, "network_error": 1},
    }
    assert noyo.api_calls == len(api_requests(sandbox)) == 7


def test_transient_failures_are_retried_with_growing_delays(noyo, sandbox, sleeps, examples):
    sandbox.set_faults(fail_next=[503, "drop", 502], retry_after=0)
    noyo.retry_policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=1.0, jitter=0.0, sleep=sleeps)
    assert noyo.get_group(examples["groups"][0])["id"] == examples["groups"][0]
    assert [r["status"] for r in api_requests(sandbox)] == [503, None, 502, 200]
    assert sleeps == [0.0, 0.02, 0.04]  # Retry-After: 0 honoured, then backoff
    assert noyo.api_calls == 4


def test_a_random_mix_of_faults_still_reads_every_record(noyo, sandbox):
    expected = [r["id"] for r in noyo.iter_member_requests()]
    sandbox.reset()
    sandbox.set_faults(rate_429=0.1, rate_503=0.1, drop_rate=0.05, retry_after=0, seed=3)
    noyo.retry_policy = RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, sleep=lambda s: None)
    assert [r["id"] for r in noyo.iter_member_requests()] == expected


def test_pages_read_ahead_are_the_same_records_in_the_same_order(noyo, sandbox):
    expected = [r["id"] for r in noyo.iter_member_requests()]
    sandbox.reset()
    records = noyo.iter_member_requests().read_ahead(4)
    assert [r["id"] for r in records] == expected
    pages = api_requests(sandbox, path_contains="/member_requests")
    assert sorted(int(p["query"]["offset"]) for p in pages) == list(range(0, len(expected), 100))
    assert records.pages == len(pages)


def test_pages_read_ahead_through_faults_still_read_every_record(noyo, sandbox):
    expected = [r["id"] for r in noyo.iter_member_requests()]
    sandbox.reset()
    sandbox.set_faults(rate_429=0.1, rate_503=0.1, drop_rate=0.05, retry_after=0, seed=3)
    noyo.retry_policy = RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, sleep=lambda s: None)
    assert [r["id"] for r in noyo.iter_member_requests().read_ahead(4)] == expected


def test_the_token_endpoint_is_retried_like_a_read(noyo, sandbox, examples):
    sandbox.set_faults(fail_next=[503], include_token=True, retry_after=0)
    noyo.get_group(examples["groups"][0])
    assert noyo.token_calls == 2
    assert [r["status"] for r in sandbox.requests(path_contains=contract.TOKEN_PATH)] == [503, 200]


def test_each_call_is_logged_once_without_personal_data(noyo, sandbox, caplog, examples):
    caplog.set_level(logging.DEBUG, logger="command_center.noyo")
    sandbox.set_faults(fail_next=[503], retry_after=0, path_contains="/employees")
    list(noyo.iter_employees(first_name="Fatima", date_of_birth="1970-07-12"))
    lines = [r.getMessage() for r in caplog.records if r.name == "command_center.noyo"]
    assert len(lines) == noyo.token_calls + noyo.api_calls == 3
    assert "status=503" in lines[1] and "attempt=1" in lines[1]
    assert "status=200" in lines[2] and "attempt=2" in lines[2]
    assert "query=date_of_birth,first_name,offset,page_size" in lines[2]
    assert "Fatima" not in caplog.text and "1970-07-12" not in caplog.text and sandbox.client_secret not in caplog.text


def test_calls_that_went_well_are_debug_lines_and_refusals_and_retries_stay_in_sight(noyo, sandbox, caplog, examples):
    # A first demo sync made ~1,000 INFO lines, scrolling away the URL and logins printed above them.
    caplog.set_level(logging.INFO, logger="command_center.noyo")
    sandbox.set_faults(fail_next=[503], retry_after=0, path_contains="/employees")
    list(noyo.iter_employees())
    lines = [r.getMessage() for r in caplog.records if r.name == "command_center.noyo"]
    assert len(lines) == 2
    assert "status=503" in lines[0] and "attempt=1" in lines[0]
    assert "status=200" in lines[1] and "attempt=2" in lines[1]


# --- Writes -------------------------------------------------------------------------------------------


def test_retry_moves_a_connection_to_processing_and_keeps_an_amended_number(noyo, sandbox, examples):
    connection_id = examples["group_connections_by_status"]["unable_to_connect"][0]
    carrier_id = noyo.get_group_connection(connection_id)["carrier_id"]
    number = make_group_number(carrier_id, random.Random(5))
    retried = noyo.retry_group_connection(connection_id, carrier_group_id=number, broker_tin="123-45-6789")
    assert retried["id"] == connection_id and retried["status"] == "processing"
    assert retried["group_data"]["carrier_group_id"] == number
    assert noyo.get_group_connection(connection_id)["group_data"]["carrier_group_id"] == number
    assert len(api_requests(sandbox, "PUT", "/retry")) == 1


def test_retry_with_no_fields_sends_an_empty_object(noyo, sandbox, examples):
    connection_id = examples["retryable_connection_ids"][-1]
    assert noyo.retry_group_connection(connection_id)["status"] == "processing"


def test_create_for_a_new_group_and_for_an_existing_one(noyo, sandbox, examples):
    created = noyo.create_group_connection(
        NORTHWIND, {"carrier_group_id": "NW900001", "group_name": "Fresh Start Co"}, federal_ein="98-7654321"
    )
    assert created["status"] == "created" and created["request_type"] == "initial"
    assert noyo.get_group(created["group_id"])["name"] == "Fresh Start Co"
    existing = examples["groups"][0]
    incremental = noyo.create_group_connection(NORTHWIND, {"carrier_group_id": "NW900002"}, group_id=existing)
    assert incremental["group_id"] == existing and incremental["request_type"] == "incremental"
    assert [r["path"] for r in api_requests(sandbox, "POST")] == [
        contract.path("group_connections"),
        contract.path("group_group_connections", group_id=existing),
    ]


@pytest.mark.parametrize("fault", [503, 502, 504, "drop"])
def test_a_retry_that_may_have_reached_noyo_is_never_sent_twice(noyo, sandbox, examples, fault):
    connection_id = examples["group_connections_by_status"]["unable_to_connect"][0]
    noyo.get_group_connection(connection_id)  # a token first, so the fault meets the PUT
    sandbox.set_faults(fail_next=[fault], retry_after=0)
    with pytest.raises((ServerError, NetworkError)) as raised:
        noyo.retry_group_connection(connection_id)
    assert len(api_requests(sandbox, "PUT", "/retry")) == 1
    if fault == "drop":
        assert "check its current state" in raised.value.message


def test_a_create_that_timed_out_is_never_sent_twice(make_client, sandbox, examples):
    noyo = make_client(timeout=0.2)
    noyo.get_group(examples["groups"][0])
    sandbox.set_faults(latency_ms=400)
    with pytest.raises(NetworkError) as raised:
        noyo.create_group_connection(NORTHWIND, {"carrier_group_id": "NW900003", "group_name": "Slow Lane Inc"})
    assert raised.value.may_have_reached_noyo
    assert noyo.api_calls == 2
    # Noyo did act on it, after we gave up: exactly why the client must not send it again.
    sandbox.set_faults()
    wait_until(lambda: api_requests(sandbox, "POST"))  # the sandbox logs the create once it has made it
    found = list(noyo.iter_group_connections(carrier_id=[NORTHWIND], carrier_group_id="NW900003"))
    assert [c["group_data"]["group_name"] for c in found] == ["Slow Lane Inc"]


def test_a_write_refused_with_429_is_sent_again(noyo, sandbox, examples):
    connection_id = examples["group_connections_by_status"]["unable_to_connect"][0]
    noyo.get_group_connection(connection_id)
    sandbox.set_faults(fail_next=[429], retry_after=0)
    assert noyo.retry_group_connection(connection_id)["status"] == "processing"
    assert [r["status"] for r in api_requests(sandbox, "PUT", "/retry")] == [429, 201]


def test_a_write_with_an_expired_token_is_sent_again_once(noyo, sandbox, examples):
    connection_id = examples["group_connections_by_status"]["unable_to_connect"][0]
    noyo.get_group_connection(connection_id)
    sandbox.expire_tokens()
    assert noyo.retry_group_connection(connection_id)["status"] == "processing"
    assert [r["status"] for r in api_requests(sandbox, "PUT", "/retry")] == [401, 201]


def test_the_token_refetch_does_not_spend_the_retry_budget(noyo, sandbox, examples):
    noyo.get_group(examples["groups"][0])
    sandbox.set_faults(fail_next=[401, 503, 503], retry_after=0)
    assert noyo.get_group(examples["groups"][0])["id"] == examples["groups"][0]
    assert [r["status"] for r in api_requests(sandbox)] == [200, 401, 503, 503, 200]
    assert noyo.token_calls == 2
