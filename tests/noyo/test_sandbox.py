"""The Noyo sandbox speaks the documented contract, over real loopback HTTP."""

import datetime as dt
import time
import uuid

import httpx
import pytest

from command_center.noyo import contract
from command_center.noyo.sandbox import Config, RunningSandbox, carriers
from command_center.noyo.sandbox.data import Dataset


def all_records(api, path, **params):
    records, offset = [], 0
    while True:
        answer = api.get(path, params={**params, "page_size": 100, "offset": offset})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        records += page["response"]
        offset += 100
        if offset >= page["meta"]["total_records"]:
            return records


def as_of(day: dt.date) -> str:
    return day.isoformat()


# --- Authentication -------------------------------------------------------------------
def test_it_refuses_api_calls_without_a_token(sandbox):
    answer = httpx.get(f"{sandbox.api_url}/groups")
    assert answer.status_code == 401
    assert answer.json()["message"]
    assert answer.json()["errors"] == {}


def test_it_refuses_an_unknown_bearer_token(sandbox):
    answer = httpx.get(f"{sandbox.api_url}/groups", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401


def test_it_issues_a_bearer_token_for_basic_client_credentials(sandbox):
    answer = httpx.post(
        sandbox.token_url, auth=(sandbox.client_id, sandbox.client_secret), json={"grant_type": "client_credentials"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 864000
    assert body["access_token"].count(".") == 2  # JWT-shaped
    groups = httpx.get(f"{sandbox.api_url}/groups", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert groups.status_code == 200


@pytest.mark.parametrize("auth", [("sandbox-client", "wrong"), ("someone-else", "sandbox-secret"), None])
def test_it_refuses_other_client_credentials(sandbox, auth):
    answer = httpx.post(sandbox.token_url, auth=auth, json={"grant_type": "client_credentials"})
    assert answer.status_code == 401


def test_it_wants_the_client_credentials_grant(sandbox):
    answer = httpx.post(
        sandbox.token_url, auth=(sandbox.client_id, sandbox.client_secret), json={"grant_type": "password"}
    )
    assert answer.status_code == 400
    assert "grant_type" in answer.json()["errors"]


# --- Envelope, paging, bare arrays, 404 ------------------------------------------------------
def test_it_answers_lists_in_the_pagination_envelope(sandbox_api):
    body = sandbox_api.get("/member_requests", params={"page_size": 10, "offset": 30}).json()
    assert body["meta"] == {"offset": 30, "page_num": 4, "page_size": 10, "total_records": 400}
    assert len(body["response"]) == 10


def test_it_pages_20_records_by_default(sandbox_api):
    body = sandbox_api.get("/employees").json()
    assert body["meta"]["page_size"] == contract.PAGE_SIZE_DEFAULT
    assert len(body["response"]) == contract.PAGE_SIZE_DEFAULT


@pytest.mark.parametrize("page_size", [5, 100])
def test_it_accepts_page_sizes_within_the_documented_limits(sandbox_api, page_size):
    assert len(sandbox_api.get("/employees", params={"page_size": page_size}).json()["response"]) == page_size


@pytest.mark.parametrize("page_size", [4, 101, 0, "ten"])
def test_it_refuses_page_sizes_outside_the_limits_with_422(sandbox_api, page_size):
    answer = sandbox_api.get("/employees", params={"page_size": page_size})
    assert answer.status_code == 422
    assert "page_size" in answer.json()["errors"]


def test_it_answers_an_empty_page_past_the_end(sandbox_api):
    body = sandbox_api.get("/groups", params={"offset": 500}).json()
    assert body["response"] == [] and body["meta"]["total_records"] == 20


def test_offset_paging_reads_every_record_once(sandbox_api):
    groups = all_records(sandbox_api, "/groups")
    assert len(groups) == 20 == len({g["id"] for g in groups})


def test_it_answers_carrier_configurations_as_a_bare_array(sandbox_api):
    group = sandbox_api.get("/groups").json()["response"][0]
    answer = sandbox_api.get(f"/groups/{group['id']}/carrier_configurations").json()
    assert isinstance(answer, list) and answer
    assert set(answer[0]) == {"group_id", "carrier_id", "carrier_group_id", "configuration"}
    assert "bill_groups" in answer[0]["configuration"]


def test_it_answers_the_latest_audit_as_one_object(sandbox_api):
    group = sandbox_api.get("/groups").json()["response"][0]
    audit = sandbox_api.get(f"/groups/{group['id']}/audit_requests/latest").json()
    assert set(audit) == {"group_id", "carrier_ids", "completed_at"}
    assert audit["group_id"] == group["id"]


@pytest.mark.parametrize(
    "path",
    [
        "/groups/{id}",
        "/group_connections/{id}",
        "/employees/{id}",
        "/dependents/{id}",
        "/member_snapshots/{id}",
        "/member_requests/{id}",
        "/member_transactions/{id}",
        "/individual_enrollments/{id}",
        "/group_enrollments/{id}",
        "/group_disconnection_requests/{id}",
        "/differences/{id}",
        "/groups/{id}/contacts",
        "/employees/{id}/dependents",
    ],
)
def test_it_answers_404_for_an_unknown_id(sandbox_api, path):
    answer = sandbox_api.get(path.format(id=uuid.uuid4()))
    assert answer.status_code == 404
    assert answer.json()["message"]


def test_it_answers_404_for_an_id_of_another_kind(sandbox_api):
    employee = sandbox_api.get("/employees").json()["response"][0]
    assert sandbox_api.get(f"/groups/{employee['id']}").status_code == 404


def test_it_finds_a_record_by_the_id_a_list_gave(sandbox_api):
    for path in (
        "/groups",
        "/group_connections",
        "/employees",
        "/member_requests",
        "/member_transactions",
        "/differences",
    ):
        record = sandbox_api.get(path, params={"offset": 7, "page_size": 5}).json()["response"][0]
        assert sandbox_api.get(f"{path}/{record['id']}").json() == record


def test_it_answers_every_documented_path(sandbox_api, sandbox):
    data = sandbox.data
    group, employee = data.group(0), data.employee(0)
    enrollment = data.group_enrollments(0, data.today)[0]
    dependent = data.dependents(0)[0]
    request = data.member_request(0, sandbox.now())
    snapshot = data.snapshots(0, sandbox.now())[0]
    ids = {
        "group_id": group["id"],
        "employee_id": employee["id"],
        "enrollment_id": enrollment["id"],
        "dependent_id": dependent["id"],
        "request_id": request["id"],
        "snapshot_id": snapshot["id"],
        "connection_id": data.ids.uuid("connection", 0),
        "transaction_id": request["transactions"][0],
        "difference_id": data.ids.uuid("difference", 0),
        "contact_id": data.contacts(0)[0]["id"],
        "location_id": data.locations(0)[0]["id"],
    }
    for name, template in contract.PATHS.items():
        if name in (
            "group_connection_retry",
            "group_disconnection_request_confirm",
            "group_disconnection_request_reject",
        ):
            continue  # PUT only
        if name == "group_disconnection_request":
            ids["request_id"] = data.disconnection_requests(2, sandbox.now())[0]["id"]
        elif name.startswith("member_request"):
            ids["request_id"] = request["id"]
        if name == "individual_enrollment":
            ids["enrollment_id"] = data.individual_enrollments(0, data.today, False)[0]["id"]
        answer = sandbox_api.get(template.format(**ids))
        assert answer.status_code in (200, 201), (name, answer.text)


# --- Filters ---------------------------------------------------------------------------------
def test_it_filters_connections_by_a_status_list(sandbox_api):
    wanted = ["unable_to_connect", "action_required"]
    connections = all_records(sandbox_api, "/group_connections", status=",".join(wanted))
    assert connections and {c["status"] for c in connections} <= set(wanted)
    everything = all_records(sandbox_api, "/group_connections")
    assert len(connections) == len([c for c in everything if c["status"] in wanted])


def test_it_refuses_an_unknown_status_filter(sandbox_api):
    assert sandbox_api.get("/group_connections", params={"status": "stuck"}).status_code == 422


def test_it_filters_connections_by_carrier_and_group_number(sandbox_api):
    target = sandbox_api.get("/group_connections", params={"offset": 3}).json()["response"][0]
    found = sandbox_api.get(
        "/group_connections",
        params={"carrier_id": target["carrier_id"], "carrier_group_id": target["group_data"]["carrier_group_id"]},
    ).json()
    assert [c["id"] for c in found["response"]] == [target["id"]]
    by_carrier = all_records(sandbox_api, "/group_connections", carrier_id=target["carrier_id"])
    assert target["id"] in {c["id"] for c in by_carrier} and {c["carrier_id"] for c in by_carrier} == {
        target["carrier_id"]
    }


def test_a_carrier_group_id_filter_needs_exactly_one_carrier(sandbox_api):
    answer = sandbox_api.get("/group_connections", params={"carrier_group_id": "NW123456"})
    assert answer.status_code == 422


def test_it_filters_connections_by_ids_and_organization(sandbox_api, sandbox):
    everything = all_records(sandbox_api, "/group_connections")
    picked = [everything[1]["id"], everything[4]["id"]]
    assert [c["id"] for c in all_records(sandbox_api, "/group_connections", id=",".join(picked))] == picked
    partner = sandbox.data.organization_ids[1]
    partner_connections = all_records(sandbox_api, "/group_connections", organization_id=partner)
    assert partner_connections and {c["organization_id"] for c in partner_connections} == {partner}


def test_it_sorts_connections_by_modified(sandbox_api):
    newest_first = all_records(sandbox_api, "/group_connections", sort_by="modified", sort_direction="desc")
    assert [c["modified"] for c in newest_first] == sorted((c["modified"] for c in newest_first), reverse=True)
    assert sandbox_api.get("/group_connections", params={"sort_by": "carrier"}).status_code == 422


def test_it_filters_groups_by_company_ids_and_carrier_group_id(sandbox_api):
    groups = all_records(sandbox_api, "/groups")
    word = groups[5]["name"].split()[0].upper()
    assert groups[5]["id"] in {g["id"] for g in all_records(sandbox_api, "/groups", company=word)}
    picked = [groups[2]["id"], groups[9]["id"]]
    assert [g["id"] for g in all_records(sandbox_api, "/groups", group_ids=",".join(picked))] == picked
    connection = sandbox_api.get(f"/groups/{groups[4]['id']}/group_connections").json()["response"][0]
    found = all_records(
        sandbox_api,
        "/groups",
        carrier_id=connection["carrier_id"],
        carrier_group_id=connection["group_data"]["carrier_group_id"],
    )
    assert [g["id"] for g in found] == [groups[4]["id"]]
    assert sandbox_api.get("/groups", params={"carrier_id": connection["carrier_id"]}).status_code == 422


def test_it_filters_employees_by_name_case_insensitively_and_partially(sandbox_api):
    employee = sandbox_api.get("/employees", params={"offset": 13}).json()["response"][0]
    fragment = employee["person"]["last_name"][1:4].upper()
    found = all_records(sandbox_api, "/employees", last_name=fragment)
    assert employee["id"] in {e["id"] for e in found}
    assert all(fragment.lower() in e["person"]["last_name"].lower() for e in found)
    by_name = all_records(sandbox_api, "/employees", name=employee["person"]["first_name"].lower())
    assert employee["id"] in {e["id"] for e in by_name}
    by_birth = all_records(sandbox_api, "/employees", date_of_birth=employee["person"]["date_of_birth"])
    assert employee["id"] in {e["id"] for e in by_birth}


def test_it_lists_a_groups_employees(sandbox_api):
    group = sandbox_api.get("/groups").json()["response"][1]
    employees = all_records(sandbox_api, f"/groups/{group['id']}/employees")
    assert employees and {e["group_id"] for e in employees} == {group["id"]}


def test_it_filters_member_requests(sandbox_api):
    failed = all_records(sandbox_api, "/member_requests", status="failed,canceled")
    assert failed and {r["status"] for r in failed} <= {"failed", "canceled"}
    hires = all_records(sandbox_api, "/member_requests", request_type="new_hire")
    assert hires and {r["request_type"] for r in hires} == {"new_hire"}
    employee = hires[0]["employee_id"]
    mine = all_records(sandbox_api, "/member_requests", employee_id=employee)
    assert mine and {r["employee_id"] for r in mine} == {employee}
    assert mine == all_records(sandbox_api, f"/employees/{employee}/member_requests")
    group = sandbox_api.get(f"/employees/{employee}").json()["group_id"]
    in_group = all_records(sandbox_api, "/member_requests", group_id=group)
    assert {r["id"] for r in mine} <= {r["id"] for r in in_group}
    assert sandbox_api.get("/member_requests", params={"request_type": "hiring"}).status_code == 422


def test_it_filters_member_transactions_by_ids_and_request(sandbox_api):
    request = sandbox_api.get("/member_requests", params={"offset": 2, "page_size": 5}).json()["response"][0]
    assert len(request["transactions"]) == 2
    by_ids = all_records(sandbox_api, "/member_transactions", ids=",".join(request["transactions"]))
    assert [t["id"] for t in by_ids] == request["transactions"]
    assert {t["member_request_id"] for t in by_ids} == {request["id"]}
    assert by_ids == all_records(sandbox_api, f"/member_requests/{request['id']}/member_transactions")


def test_it_filters_differences(sandbox_api):
    everything = all_records(sandbox_api, "/differences")
    target = everything[0]
    by_snapshot = all_records(sandbox_api, "/differences", member_snapshot_id=target["member_snapshot_id"])
    assert target in by_snapshot and {d["member_snapshot_id"] for d in by_snapshot} == {target["member_snapshot_id"]}
    by_group = all_records(sandbox_api, "/differences", group_id=target["group_id"])
    assert len(by_group) == len([d for d in everything if d["group_id"] == target["group_id"]])
    by_carrier = all_records(sandbox_api, "/differences", carrier_id=target["carrier_id"])
    assert {d["carrier_id"] for d in by_carrier} == {target["carrier_id"]}


def test_it_filters_plans_and_group_enrollments(sandbox_api):
    group = sandbox_api.get("/groups").json()["response"][0]
    plans = all_records(sandbox_api, f"/groups/{group['id']}/plans", line_of_coverage="medical", status="active")
    assert plans and {(p["line_of_coverage"], p["status"]) for p in plans} == {("medical", "active")}
    enrollments = all_records(sandbox_api, f"/groups/{group['id']}/group_enrollments", status="active")
    assert enrollments and {e["status"] for e in enrollments} == {"active"}


def test_group_snapshots_come_newest_first_and_filter_by_employee(sandbox_api, sandbox):
    group = sandbox.data.group(0)
    snapshots = all_records(sandbox_api, f"/groups/{group['id']}/member_snapshots")
    assert [s["created"] for s in snapshots] == sorted((s["created"] for s in snapshots), reverse=True)
    employee = snapshots[0]["employee_id"]
    mine = all_records(sandbox_api, f"/groups/{group['id']}/member_snapshots", employee_id=employee)
    assert {s["employee_id"] for s in mine} == {employee}


# --- Temporal data ------------------------------------------------------------------------------
def test_individual_enrollment_status_follows_the_effective_date(sandbox_api, sandbox):
    data = sandbox.data
    new_hire = data.employee(5)  # hired days ago: coverage starts on the 1st of the month after the hire date
    own = sandbox_api.get(f"/employees/{new_hire['id']}/individual_enrollments").json()["response"]
    start = dt.date.fromisoformat(own[0]["effective_start_date"])
    hired = dt.date.fromisoformat(new_hire["employment"]["employment_dates"]["hire_date"])
    assert start == (hired.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    # On the 1st of a month, yesterday's new hire is covered from today: the expectation follows the sandbox's clock.
    assert own and {e["status"] for e in own} == {"pending" if data.today < start else "active"}
    before = sandbox_api.get(
        f"/employees/{new_hire['id']}/individual_enrollments",
        params={"effective_date": as_of(start - dt.timedelta(days=1))},
    ).json()
    assert {e["status"] for e in before["response"]} == {"pending"}
    later = sandbox_api.get(
        f"/employees/{new_hire['id']}/individual_enrollments", params={"effective_date": as_of(start)}
    ).json()
    assert {e["status"] for e in later["response"]} == {"active"}

    leaver = data.employee(2)  # terminated: coverage ended
    ended = sandbox_api.get(f"/employees/{leaver['id']}/individual_enrollments").json()["response"]
    assert {e["status"] for e in ended} == {"terminated"}
    end = dt.date.fromisoformat(ended[0]["effective_end_date"])
    before_end = sandbox_api.get(
        f"/employees/{leaver['id']}/individual_enrollments", params={"effective_date": as_of(end)}
    ).json()
    assert {e["status"] for e in before_end["response"]} == {"active"}

    notice = data.employee(8)  # has given notice: active today, terminated after the end date
    today = sandbox_api.get(f"/employees/{notice['id']}/individual_enrollments").json()["response"]
    assert {e["status"] for e in today} == {"active"}
    end = dt.date.fromisoformat(today[0]["effective_end_date"])
    after = sandbox_api.get(
        f"/employees/{notice['id']}/individual_enrollments",
        params={"effective_date": as_of(end + dt.timedelta(days=1))},
    ).json()["response"]
    assert {e["status"] for e in after} == {"terminated"}


def test_dependents_enrollments_come_with_include_dependents(sandbox_api, sandbox):
    employee = sandbox.data.employee(0)
    own = all_records(sandbox_api, f"/employees/{employee['id']}/individual_enrollments")
    family = all_records(sandbox_api, f"/employees/{employee['id']}/individual_enrollments", include_dependents="true")
    assert {e["individual_type"] for e in own} == {"employee"}
    assert {e["individual_type"] for e in family} == {"employee", "dependent"}
    dependent = next(e for e in family if e["individual_type"] == "dependent")
    assert dependent in all_records(sandbox_api, f"/dependents/{dependent['individual_id']}/individual_enrollments")


def test_premiums_are_decimal_strings_for_the_plan_year_asked(sandbox_api, sandbox):
    employee = sandbox.data.employee(0)
    premiums = all_records(sandbox_api, f"/employees/{employee['id']}/premiums")
    assert {p["premium_type"] for p in premiums} == {"employer_amount", "employee_amount"}
    assert all(isinstance(p["amount"], str) and f"{float(p['amount']):.2f}" == p["amount"] for p in premiums)
    start = dt.date.fromisoformat(premiums[0]["effective_start_date"])
    last_year = all_records(
        sandbox_api, f"/employees/{employee['id']}/premiums", effective_date=as_of(start - dt.timedelta(days=1))
    )
    assert last_year and all(p["effective_end_date"] < premiums[0]["effective_start_date"] for p in last_year)


def test_plan_and_group_enrollment_status_follow_the_effective_date(sandbox_api, sandbox):
    group = sandbox.data.group(0)
    enrollments = all_records(sandbox_api, f"/groups/{group['id']}/group_enrollments")
    current = next(e for e in enrollments if e["status"] == "active")
    start = dt.date.fromisoformat(current["effective_start_date"])
    before = all_records(
        sandbox_api, f"/groups/{group['id']}/group_enrollments", effective_date=as_of(start - dt.timedelta(days=1))
    )
    assert next(e for e in before if e["id"] == current["id"])["status"] == "pending"
    assert sandbox_api.get(f"/groups/{group['id']}/plans", params={"effective_date": "2024-02-30"}).status_code == 422


# --- Coverage of the catalog ----------------------------------------------------------------------
def test_connections_come_in_every_status_with_setup_errors_where_documented(sandbox_api):
    connections = all_records(sandbox_api, "/group_connections")
    assert {c["status"] for c in connections} == set(contract.GROUP_CONNECTION_STATUSES)
    assert {c["request_type"] for c in connections} == set(contract.GROUP_CONNECTION_REQUEST_TYPES)
    with_errors = {c["status"] for c in connections if c["setup_result"]}
    assert "unable_to_connect" in with_errors and with_errors <= set(contract.GROUP_CONNECTION_ERROR_STATUSES)
    for connection in connections:
        assert carriers.is_valid_group_number(connection["carrier_id"], connection["group_data"]["carrier_group_id"])


def test_member_requests_and_transactions_cover_every_type_and_status(sandbox_api):
    requests = all_records(sandbox_api, "/member_requests")
    assert {r["request_type"] for r in requests} == set(contract.MEMBER_REQUEST_TYPES)
    assert {r["status"] for r in requests} == set(contract.MEMBER_REQUEST_STATUSES)
    transactions = all_records(sandbox_api, "/member_transactions")
    assert {t["transaction_type"] for t in transactions} == set(contract.MEMBER_TRANSACTION_TYPES)
    assert {t["status"] for t in transactions} == set(contract.MEMBER_TRANSACTION_STATUSES)
    assert sum(len(r["transactions"]) for r in requests) == len(transactions)
    completed_hire = next(r for r in requests if r["request_type"] == "new_hire" and r["status"] == "completed")
    assert completed_hire["body"]["coverages"][0]["lines_of_coverage"]
    assert all("individual_enrollment_id" in m for members in completed_hire["result"].values() for m in members)
    termination = next(r for r in requests if r["request_type"] == "termination")
    assert {"reason", "last_work_date"} <= set(termination["body"])


def test_the_generated_data_covers_every_status_and_type(sandbox):
    data, now = sandbox.data, sandbox.now()
    snapshots = [s for e in range(data.n_employees) for s in data.snapshots(e, now)]
    assert {s["status"] for s in snapshots} == set(contract.MEMBER_SNAPSHOT_STATUSES)
    assert {f["status"] for s in snapshots for f in s["fulfillment_summary"]} == set(contract.FULFILLMENT_STATUSES)
    assert all(f["errors"] for s in snapshots for f in s["fulfillment_summary"] if f["status"] == "invalid")
    assert {r["relationship"] for e in range(data.n_employees) for r in data.dependents(e)} == set(
        contract.DEPENDENT_RELATIONSHIPS
    )
    differences = [data.difference(i, now) for i in range(data.n_differences)]
    assert {d["difference_classification"] for d in differences} == set(contract.DIFFERENCE_CLASSIFICATIONS)
    disconnections = [r for g in range(data.n_groups) for r in data.disconnection_requests(g, now)]
    assert {r["status"] for r in disconnections} == set(contract.GROUP_DISCONNECTION_STATUSES)
    assert {data.renewal_decision(i, now)["status"] for i in range(data.n_renewals)} == set(
        contract.RENEWAL_DECISION_STATUSES
    )
    plans = [p for g in range(data.n_groups) for p in data.plans(g, data.today)]
    assert {p["line_of_coverage"] for p in plans} == set(contract.LINES_OF_COVERAGE)
    assert {p["status"] for p in plans} == set(contract.PLAN_STATUSES)
    ges = [x for g in range(data.n_groups) for x in data.group_enrollments(g, data.today)]
    assert {x["status"] for x in ges} == set(contract.GROUP_ENROLLMENT_STATUSES)
    assert {data.employee(e)["employment"]["employment_status"] for e in range(data.n_employees)} == set(
        contract.EMPLOYMENT_STATUSES
    )
    assert {t for g in range(data.n_groups) for c in data.contacts(g) for t in c["types"]} == set(
        contract.CONTACT_TYPES
    )


def test_snapshots_take_only_the_five_statuses_the_guide_lists(sandbox):
    """Seed 002: submitted, processing, completed, canceled, replaced. No failed, and so no top-level errors."""
    data, now = sandbox.data, sandbox.now()
    assert set(contract.MEMBER_SNAPSHOT_STATUSES) == {"submitted", "processing", "completed", "canceled", "replaced"}
    for later in (0, 3600, 86400, 7 * 86400):
        snapshots = [s for e in range(data.n_employees) for s in data.snapshots(e, now + later, full=True)]
        assert {s["status"] for s in snapshots} <= set(contract.MEMBER_SNAPSHOT_STATUSES)
        assert not any("errors" in s for s in snapshots)


SNAPSHOT_LIST_FIELDS = {"id", "version", "created", "modified", "employee_id", "status", "fulfillment_summary"}


def test_a_replaced_snapshot_and_the_one_after_it_carry_only_documented_fields(sandbox_api, sandbox):
    """No document links a snapshot to the one it replaced: the mirror derives it from created order."""
    employee = sandbox.data.employee(2)  # the "replaced chain" scenario
    earlier, later = all_records(sandbox_api, f"/employees/{employee['id']}/member_snapshots")
    assert earlier["status"] == "replaced" and earlier["created"] < later["created"]
    assert set(earlier) == set(later) == SNAPSHOT_LIST_FIELDS
    full = sandbox_api.get(f"/member_snapshots/{later['id']}").json()
    assert set(full) == SNAPSHOT_LIST_FIELDS | {"created_members", "member_snapshot"}
    assert full["member_snapshot"]["coverages"]


# --- Values only where the documents list them --------------------------------------------------
def test_contacts_take_only_the_documented_types(sandbox):
    """Seed 001: billing, company, executive, online. Carrier contacts exist in newer docs, their type value is unconfirmed."""
    data = sandbox.data
    assert contract.CONTACT_TYPES == ("billing", "company", "executive", "online")
    contacts = [c for g in range(data.n_groups) for c in data.contacts(g)]
    assert {t for c in contacts for t in c["types"]} == set(contract.CONTACT_TYPES)


def test_disconnections_come_only_from_the_documented_sources(sandbox):
    data, now = sandbox.data, sandbox.now()
    assert contract.GROUP_DISCONNECTION_SOURCE_TYPES == ("platform", "carrier")  # the documented examples
    requests = [r for g in range(data.n_groups) for r in data.disconnection_requests(g, now)]
    assert {r["source_type"] for r in requests} == {"platform", "carrier"}


def test_employees_are_full_time_as_documented_and_a_leaver_shows_in_dates(sandbox_api, sandbox):
    """Seed 001 shows employment_status full-time and employment_dates {hire_date, full_time_start}, nothing else."""
    data = sandbox.data
    assert contract.EMPLOYMENT_STATUSES == ("full-time",)
    employees = [data.employee(e) for e in range(data.n_employees)]
    assert {e["employment"]["employment_status"] for e in employees} == {"full-time"}
    assert all(set(e["employment"]["employment_dates"]) == {"hire_date", "full_time_start"} for e in employees)
    assert {(e["employment"]["salary"]["unit"], e["employment"]["salary"]["type"]) for e in employees} == {
        ("annual", "salary")
    }
    leaver = data.employee(2)  # left: the coverage's end and the termination request say so
    ended = all_records(sandbox_api, f"/employees/{leaver['id']}/individual_enrollments")
    assert {x["status"] for x in ended} == {"terminated"}
    requests = all_records(sandbox_api, f"/employees/{leaver['id']}/member_requests")
    terminations = [r for r in requests if r["request_type"] == "termination"]
    assert all(r["body"]["last_work_date"] <= data.today.isoformat() for r in terminations)


def test_carrier_configurations_are_shaped_like_the_documented_example(sandbox_api, sandbox):
    """Seed 001: bill_group_number 10001 and member_group_key 2613038 are integers; the statuses are open."""
    for g in range(sandbox.data.n_groups):
        group_id = sandbox.data.group(g)["id"]
        for item in sandbox_api.get(f"/groups/{group_id}/carrier_configurations").json():
            configuration = item["configuration"]
            assert isinstance(configuration["policy_number"], str)
            for bill_group in configuration["bill_groups"]:
                assert type(bill_group["bill_group_number"]) is int and bill_group["bill_group_status"] == "open"
                assert set(bill_group) == {"bill_group_number", "bill_group_description", "bill_group_status"}
            for member_group in configuration["member_groups"]:
                assert type(member_group["member_group_key"]) is int and member_group["member_group_status"] == "open"
                assert set(member_group) == {"member_group_key", "member_group_name", "member_group_status"}


IN_PROGRESS = ("submitted", "processing")


def assert_noyo_works_only_on_the_latest_snapshot(data, moments):
    """Seed 002: a snapshot still in progress when a newer one arrives for the same employee is
    replaced; Noyo processes only the latest. So one in progress at most, and a settled one stays so."""
    for e in range(data.n_employees):
        timeline = [{s["id"]: s for s in data.snapshots(e, now)} for now in moments]
        for snapshots in timeline:
            assert sum(s["status"] in IN_PROGRESS for s in snapshots.values()) <= 1, (e, snapshots)
        for before, after in zip(timeline, timeline[1:]):
            for snapshot_id, snapshot in before.items():
                if snapshot["status"] in ("completed", "canceled", "replaced"):
                    assert after[snapshot_id]["status"] == snapshot["status"], (e, snapshot_id)
        chain = list(timeline[-1].values())
        assert [s["created"] for s in chain] == sorted(s["created"] for s in chain)
        for older, newer in zip(chain, chain[1:]):
            key = data.ids.key("snapshot", older["id"])
            if older["status"] == "replaced":
                assert data.snapshot(key, newer["created"] - 1)["status"] == "processing", (e, older["id"])
                assert not {f["status"] for f in older["fulfillment_summary"]} & {"processing", "scheduled"}
            else:
                assert older["modified"] <= newer["created"], (e, older["id"])


def test_an_employee_has_one_snapshot_in_progress_at_most_at_any_time(sandbox):
    now = sandbox.now()
    assert_noyo_works_only_on_the_latest_snapshot(
        sandbox.data,
        [now + offset for offset in (-2 * 86400, -3600, 0, 600, 3600, 3 * 3600, 86400, 7 * 86400, 30 * 86400)],
    )


@pytest.mark.parametrize("seed", [1, 7])
def test_no_seed_gives_an_employee_two_snapshots_in_progress(seed):
    t0 = 1_780_000_000  # a fixed moment: the data must hold at any, so the calendar does not matter
    data = Dataset(seed, "small", t0)
    assert_noyo_works_only_on_the_latest_snapshot(data, [t0 + offset for offset in (0, 600, 3600, 86400, 30 * 86400)])


def test_scales_have_exact_totals():
    counts = Dataset(1, "large", time.time()).counts()
    assert counts["groups"] == 1000 and counts["employees"] == 50_000
    assert counts["dependents"] == 100_000 and counts["member_requests"] == 1_000_000
    small = Dataset(1, "small", time.time())
    assert sum(len(small.dependents(e)) for e in range(small.n_employees)) == small.counts()["dependents"]


def test_carriers_have_formats_kinds_and_cadences():
    assert {c["kind"] for c in carriers.CARRIERS} == {"sync", "send"}
    assert all(
        set(c) == {"id", "name", "kind", "carrier_group_id_format", "format_hint", "file_cadence"}
        for c in carriers.CARRIERS
    )
    covered = {line for lines in carriers.LINES_BY_CARRIER.values() for line in lines}
    assert covered == set(contract.LINES_OF_COVERAGE)


# --- Determinism and time ---------------------------------------------------------------------------
def test_it_is_deterministic_for_a_seed():
    t0 = 1_750_000_000
    first, again, other = Dataset(3, "small", t0), Dataset(3, "small", t0), Dataset(4, "small", t0)
    for make in (
        lambda d: d.group(5),
        lambda d: d.employee(17),
        lambda d: d.member_request(33, t0),
        lambda d: d.render_connection(d.connection_base(9), t0),
        lambda d: d.snapshots(4, t0),
    ):
        assert make(first) == make(again)
    assert first.employee(17) != other.employee(17)


def test_versions_stay_put_while_time_stands_still(sandbox_api):
    first = all_records(sandbox_api, "/group_connections")
    assert all_records(sandbox_api, "/group_connections") == first


def test_connections_move_forward_as_time_passes(sandbox_api, sandbox):
    before = {c["id"]: c for c in all_records(sandbox_api, "/group_connections")}
    in_flight = [
        c for c in before.values() if c["status"] in ("created", "processing", "waiting_on_carrier", "noyo_review")
    ]
    sandbox.advance(3 * 86400)
    after = {c["id"]: c for c in all_records(sandbox_api, "/group_connections")}
    moved = [i for i in before if after[i]["version"] != before[i]["version"]]
    assert moved and all(after[i]["modified"] > before[i]["modified"] for i in moved)
    assert {after[i]["status"] for i in moved} <= {"processing", "waiting_on_carrier", "completed", "unable_to_connect"}
    assert any(after[c["id"]]["status"] in ("completed", "unable_to_connect") for c in in_flight)
    finished = [i for i in before if before[i]["status"] == "completed"]
    assert all(after[i] == before[i] for i in finished)  # settled records keep their version


def test_requests_snapshots_and_renewals_move_forward_as_time_passes(sandbox_api, sandbox):
    requests = all_records(sandbox_api, "/member_requests", status="processing")
    group = sandbox.data.group(0)
    snapshots = all_records(sandbox_api, f"/groups/{group['id']}/member_snapshots")
    renewals = all_records(sandbox_api, "/renewal_decisions")
    sandbox.advance(7 * 86400)
    requests_after = {r["id"]: r for r in all_records(sandbox_api, "/member_requests")}
    assert any(requests_after[r["id"]]["status"] in ("completed", "failed", "canceled") for r in requests)
    snapshots_after = {s["id"]: s for s in all_records(sandbox_api, f"/groups/{group['id']}/member_snapshots")}
    assert len(snapshots_after) > len(snapshots)  # a newer snapshot arrived and replaced one in flight
    assert {s["status"] for s in snapshots_after.values()} <= {"completed", "replaced", "canceled"}
    assert "submitted" not in {r["status"] for r in all_records(sandbox_api, "/renewal_decisions")}
    assert "submitted" in {r["status"] for r in renewals}


def test_the_request_log_counts_calls(sandbox_api, sandbox):
    sandbox_api.get("/groups")
    sandbox_api.get("/employees", params={"page_size": 5})
    log = sandbox.requests(method="GET", path_contains="/employees")
    assert [(r["method"], r["path"], r["status"], r["query"]) for r in log] == [
        ("GET", "/api/v1/employees", 200, {"page_size": "5"})
    ]
    assert [r["path"] for r in sandbox.requests()] == ["/auth/public/token", "/api/v1/groups", "/api/v1/employees"]


def test_a_deep_page_of_a_million_requests_is_cheap():
    """O(page size), not O(offset): a guard against regressions, with a generous bound."""
    running = RunningSandbox(Config(seed=1, scale="large", clock_speed=0)).start()
    try:
        token = httpx.post(
            running.token_url,
            auth=(running.client_id, running.client_secret),
            json={"grant_type": "client_credentials"},
        ).json()["access_token"]
        with httpx.Client(base_url=running.api_url, headers={"Authorization": f"Bearer {token}"}) as api:
            api.get("/member_requests", params={"page_size": 100, "offset": 499_900})
            started = time.perf_counter()
            page = api.get("/member_requests", params={"page_size": 100, "offset": 500_000}).json()
            elapsed = time.perf_counter() - started
        assert page["meta"]["total_records"] == 1_000_000 and len(page["response"]) == 100
        assert elapsed < 0.5
    finally:
        running.stop()
