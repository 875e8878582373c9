"""The sandbox's confirm and reject of a group disconnection request (ENDPOINTS.md §7).

Documented: ``PUT /group_disconnection_requests/{id}/confirm`` with an optional
``{effective_end_date}`` and ``PUT …/reject`` with no body, each answering 200 with the request,
``processing`` or ``rejected``, ``decided`` set. Our reading of what the documents leave open:
only a ``needs_review`` request is decided (409 otherwise), and a confirmed one completes later.
"""

import pytest

from command_center.noyo import contract


def waiting(sandbox, n=0):
    return sandbox.examples()["group_disconnection_requests_by_status"]["needs_review"][n]


def test_the_examples_name_requests_in_every_status(sandbox):
    found = sandbox.examples()["group_disconnection_requests_by_status"]
    assert set(found) == set(contract.GROUP_DISCONNECTION_STATUSES)


def test_confirming_a_request_that_needs_review_answers_200_processing_with_a_decision_time(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    before = sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()

    answer = sandbox_api.put(f"/group_disconnection_requests/{request_id}/confirm", json={})

    assert answer.status_code == 200
    confirmed = answer.json()
    assert confirmed["id"] == request_id and confirmed["status"] == "processing"
    assert confirmed["decided"] == int(sandbox.now()) and confirmed["completed"] is None
    assert confirmed["version"] != before["version"]
    assert confirmed["effective_end_date"] == before["effective_end_date"]
    # Read back the same, alone and in its group's list.
    assert sandbox_api.get(f"/group_disconnection_requests/{request_id}").json() == confirmed
    listed = sandbox_api.get(f"/groups/{confirmed['group_id']}/group_disconnection_requests").json()["response"]
    assert confirmed in listed


def test_a_confirmation_may_set_the_effective_end_date(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    answer = sandbox_api.put(
        f"/group_disconnection_requests/{request_id}/confirm", json={"effective_end_date": "2031-03-31"}
    )
    assert answer.status_code == 200 and answer.json()["effective_end_date"] == "2031-03-31"


@pytest.mark.parametrize("value", ["31/03/2031", "2031-02-30", 20310331])
def test_an_effective_end_date_that_is_not_a_date_answers_422_beside_the_field(sandbox_api, sandbox, value):
    request_id = waiting(sandbox)
    answer = sandbox_api.put(f"/group_disconnection_requests/{request_id}/confirm", json={"effective_end_date": value})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["effective_end_date"]
    assert sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()["status"] == "needs_review"


def test_a_confirmed_request_completes_as_time_passes(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    sandbox_api.put(f"/group_disconnection_requests/{request_id}/confirm")
    sandbox.advance(13 * 3600)
    later = sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()
    assert later["status"] == "completed" and later["completed"] >= later["decided"]


def test_rejecting_a_request_that_needs_review_answers_200_rejected(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    answer = sandbox_api.put(f"/group_disconnection_requests/{request_id}/reject")
    assert answer.status_code == 200
    assert answer.json()["status"] == "rejected" and answer.json()["decided"] == int(sandbox.now())
    sandbox.advance(30 * 86400)
    assert sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()["status"] == "rejected"


@pytest.mark.parametrize("status", ["processing", "completed", "rejected"])
@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_a_request_that_does_not_need_review_cannot_be_decided(sandbox_api, sandbox, status, decision):
    request_id = sandbox.examples()["group_disconnection_requests_by_status"][status][0]
    answer = sandbox_api.put(f"/group_disconnection_requests/{request_id}/{decision}")
    assert answer.status_code == contract.DISCONNECTION_DECISION_REFUSED_STATUS
    assert f"'{status}'" in answer.json()["message"] and answer.json()["errors"]["status"]


def test_a_second_decision_is_refused_and_changes_nothing(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    assert sandbox_api.put(f"/group_disconnection_requests/{request_id}/confirm").status_code == 200
    again = sandbox_api.put(f"/group_disconnection_requests/{request_id}/reject")
    assert again.status_code == 409 and "'processing'" in again.json()["message"]
    assert sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()["status"] == "processing"


def test_an_unknown_request_answers_404_and_a_get_405(sandbox_api):
    unknown = "00000000-0000-4000-8000-000000000000"
    assert sandbox_api.put(f"/group_disconnection_requests/{unknown}/confirm").status_code == 404
    assert sandbox_api.get(f"/group_disconnection_requests/{unknown}/reject").status_code == 405


def test_reset_forgets_decisions(sandbox_api, sandbox):
    request_id = waiting(sandbox)
    sandbox_api.put(f"/group_disconnection_requests/{request_id}/reject")
    sandbox.reset()
    assert sandbox_api.get(f"/group_disconnection_requests/{request_id}").json()["status"] == "needs_review"
