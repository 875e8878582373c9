"""The documents server answers as the documents say, and nothing more."""

import httpx

from tests.conformance import documents

TEST_COMPANY = "2613a221-d3c8-4c8a-86d5-e7e885fd1da9"  # the group every other group example hangs off
COMPANY_1 = (
    "049c6ac3-3cf2-4d99-b781-aaa9aa846cb2"  # a group of the pagination example, with nothing documented under it
)


def documented(path, method="GET"):
    return [
        e
        for e in documents.load()["examples"]
        if e["kind"] == "response" and e["method"] == method and e["path"] == path
    ]


def test_the_token_endpoint_answers_the_documented_token_response(documented_noyo):
    answer = httpx.post(
        documented_noyo.token_url,
        auth=(documented_noyo.client_id, documented_noyo.client_secret),
        json={"grant_type": "client_credentials"},
    )

    assert answer.status_code == 200
    assert answer.json() == documented("/auth/public/token", "POST")[0]["json"]


def test_the_token_endpoint_refuses_other_credentials(documented_noyo):
    answer = httpx.post(documented_noyo.token_url, auth=("someone", "else"), json={"grant_type": "client_credentials"})

    assert answer.status_code == 401 and answer.json()["message"]


def test_an_api_call_without_the_documented_token_is_refused(documented_noyo):
    assert httpx.get(documented_noyo.api_url + "/groups").status_code == 401


def test_the_examples_at_one_path_make_one_list_paged_as_documented(documents_api):
    first = documents_api.get("/groups", params={"page_size": 5}).json()
    second = documents_api.get("/groups", params={"page_size": 5, "offset": 5}).json()

    assert first["meta"] == {"offset": 0, "page_num": 1, "page_size": 5, "total_records": 6}
    assert second["meta"] == {"offset": 5, "page_num": 2, "page_size": 5, "total_records": 6}
    names = [group["name"] for group in first["response"] + second["response"]]
    assert names == ["Test Company", "Company 1", "Company 2", "Company 3", "Company 4", "Company 5"]


def test_records_without_an_id_are_each_served(documents_api):
    premiums = documents_api.get("/employees/30b74a44-d5b1-4123-a7a4-6d3aec251ba4/premiums").json()["response"]

    assert [p["premium_type"] for p in premiums] == ["employer_amount", "employee_amount"]


def test_paging_outside_the_documented_bounds_answers_422(documents_api):
    assert documents_api.get("/groups", params={"page_size": 4}).status_code == 422
    assert documents_api.get("/groups", params={"page_size": 101}).status_code == 422
    assert documents_api.get("/groups", params={"offset": 6}).status_code == 422


def test_a_query_naming_an_examples_filters_gets_that_example(documents_api):
    filtered = documents_api.get("/member_requests", params={"status": "processing", "request_type": "new_hire"}).json()
    everything = documents_api.get("/member_requests").json()

    assert [r["request_type"] for r in filtered["response"]] == ["new_hire"]
    assert [r["request_type"] for r in everything["response"]] == ["new_hire", "termination"]


def test_bare_arrays_and_single_objects_come_as_documented(documents_api):
    configurations = documents_api.get(f"/groups/{TEST_COMPANY}/carrier_configurations").json()
    audit = documents_api.get(f"/groups/{TEST_COMPANY}/audit_requests/latest").json()

    assert isinstance(configurations, list) and configurations[0]["configuration"]["policy_number"] == "9100084"
    assert audit == {
        "group_id": "2ce3b54a-2535-4803-b218-e6b44081d418",
        "carrier_ids": ["8fac0992-933a-4743-8dab-0d606ef2569e"],
        "completed_at": 1602609543,
    }


def test_a_child_example_under_a_parent_no_list_holds_is_served_once_under_the_first_parent_without_its_own(
    documented_noyo, documents_api
):
    plans = documents_api.get(f"/groups/{TEST_COMPANY}/plans")

    assert [plan["name"] for plan in plans.json()["response"]] == ["Dental - Employee", "Dental - Dependent"]
    assert documents_api.get(f"/groups/{COMPANY_1}/plans").status_code == 404
    assert documents_api.get("/groups/31559b4b-e45a-4df8-84f6-2220d7ed0c3a/plans").status_code == 404
    assert {
        "method": "GET",
        "documented": "/groups/31559b4b-e45a-4df8-84f6-2220d7ed0c3a/plans",
        "served": f"/groups/{TEST_COMPANY}/plans",
        "lines": ["001_0bd154a99514d965.txt:1829"],
    } in documented_noyo.noyo.placements


def test_a_child_example_under_a_listed_parent_stays_there(documents_api):
    assert documents_api.get(f"/groups/{TEST_COMPANY}/contacts").json()["meta"]["total_records"] == 2
    assert documents_api.get(f"/groups/{COMPANY_1}/contacts").status_code == 404


def test_anything_not_documented_answers_404_with_a_json_body(documents_api):
    answer = documents_api.get("/renewal_decisions")

    assert answer.status_code == 404
    assert "nothing is documented" in answer.json()["message"]


def test_the_request_log_names_every_call_and_its_answer(documented_noyo, documents_api):
    documents_api.get("/groups", params={"page_size": 5})
    documents_api.get("/differences")

    assert [(r["path"], r["status"]) for r in documented_noyo.requests()] == [
        ("/auth/public/token", 200),
        ("/api/v1/groups", 200),
        ("/api/v1/differences", 404),
    ]
