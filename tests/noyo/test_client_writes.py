"""The client's disconnection decisions and connection creates, against the running sandbox:
the documented paths and bodies, Noyo's answers, and never a write sent twice."""

import pytest

from command_center.noyo import contract
from command_center.noyo.errors import Conflict, NetworkError, ServerError, ValidationFailed
from tests.noyo.test_client import NORTHWIND


def api_requests(sandbox, method=None, path_contains=None):
    return [
        r
        for r in sandbox.requests(method=method, path_contains=path_contains)
        if r["path"].startswith(contract.API_PREFIX)
    ]


@pytest.fixture
def waiting(sandbox):
    return sandbox.examples()["group_disconnection_requests_by_status"]["needs_review"]


def test_confirm_puts_to_the_documented_path_and_answers_the_request_processing(noyo, sandbox, waiting):
    confirmed = noyo.confirm_group_disconnection_request(waiting[0])
    assert confirmed["id"] == waiting[0] and confirmed["status"] == "processing" and confirmed["decided"]
    (put,) = api_requests(sandbox, "PUT")
    assert put["path"] == contract.path("group_disconnection_request_confirm", request_id=waiting[0])
    assert put["status"] == 200


def test_confirm_sends_the_effective_end_date_as_an_iso_date(noyo, waiting):
    import datetime as dt

    confirmed = noyo.confirm_group_disconnection_request(waiting[0], effective_end_date=dt.date(2031, 1, 31))
    assert confirmed["effective_end_date"] == "2031-01-31"


def test_reject_puts_to_the_documented_path_and_answers_the_request_rejected(noyo, sandbox, waiting):
    rejected = noyo.reject_group_disconnection_request(waiting[0])
    assert rejected["status"] == "rejected"
    assert [r["path"] for r in api_requests(sandbox, "PUT")] == [
        contract.path("group_disconnection_request_reject", request_id=waiting[0])
    ]


def test_deciding_a_request_twice_is_a_conflict(noyo, waiting):
    noyo.reject_group_disconnection_request(waiting[0])
    with pytest.raises(Conflict) as raised:
        noyo.confirm_group_disconnection_request(waiting[0])
    assert "'rejected'" in raised.value.message


def test_a_bad_effective_end_date_is_a_validation_error_on_that_field(noyo, waiting):
    with pytest.raises(ValidationFailed) as raised:
        noyo.confirm_group_disconnection_request(waiting[0], effective_end_date="next week")
    assert list(raised.value.field_errors) == ["effective_end_date"]


@pytest.mark.parametrize("fault", [500, 503, "drop"])
def test_a_decision_that_may_have_reached_noyo_is_never_sent_twice(noyo, sandbox, waiting, fault):
    noyo.get_group_disconnection_request(waiting[0])  # a token first, so the fault meets the PUT
    sandbox.set_faults(fail_next=[fault], retry_after=0, method="PUT")
    with pytest.raises((ServerError, NetworkError)):
        noyo.confirm_group_disconnection_request(waiting[0])
    assert len(api_requests(sandbox, "PUT")) == 1


def test_an_existing_groups_create_takes_no_federal_ein(noyo, sandbox):
    group_id = sandbox.examples()["groups"][0]
    with pytest.raises(ValueError, match="only for a new group"):
        noyo.create_group_connection(
            NORTHWIND, {"carrier_group_id": "NW900009"}, federal_ein="12-3456789", group_id=group_id
        )
    assert api_requests(sandbox, "POST") == []


# --- Create renewal decision (seed 003) -------------------------------------------------------------


@pytest.fixture
def renewal_group(noyo, sandbox):
    """A sandbox group and one of its plans: (group_id, carrier_id, line, plan_id)."""
    group_id = sandbox.examples()["groups"][1]
    plan = next(iter(noyo.iter_plans(group_id)))
    return group_id, plan["carrier_id"], plan["line_of_coverage"], plan["id"]


def renewal_body(carrier_id, line, plans):
    window = {"open_enrollment_start_date": "2030-11-01", "open_enrollment_end_date": "2030-11-30"}
    return {"carriers": [{"carrier_id": carrier_id, "lines_of_coverage": {line: {**window, "plans": plans}}}]}


def test_create_renewal_decision_posts_the_documented_body_and_answers_it_submitted(noyo, sandbox, renewal_group):
    import datetime as dt

    group_id, carrier_id, line, plan_id = renewal_group
    made = noyo.create_renewal_decision(
        group_id, dt.date(2031, 1, 1), renewal_body(carrier_id, line, [{"plan_id": plan_id}])
    )
    assert made["status"] == "submitted" and made["renewal_date"] == "2031-01-01" and made["group_id"] == group_id
    (post,) = api_requests(sandbox, "POST")
    assert post["path"] == contract.path("group_renewal_decisions", group_id=group_id) and post["status"] == 201


def test_a_second_decision_for_the_same_date_and_carrier_is_a_conflict(noyo, renewal_group):
    group_id, carrier_id, line, plan_id = renewal_group
    noyo.create_renewal_decision(group_id, "2031-01-01", renewal_body(carrier_id, line, [{"plan_id": plan_id}]))
    with pytest.raises(Conflict):
        noyo.create_renewal_decision(group_id, "2031-01-01", renewal_body(carrier_id, line, [{"name": "Gold PPO"}]))


def test_a_bad_renewal_decision_is_a_validation_error_by_field(noyo, renewal_group):
    group_id, carrier_id, line, _plan_id = renewal_group
    with pytest.raises(ValidationFailed) as raised:
        noyo.create_renewal_decision(group_id, "2031-01-01", renewal_body(carrier_id, line, [{"plan_type": "ppo"}]))
    assert list(raised.value.field_errors) == [f"body.carriers[0].lines_of_coverage.{line}.plans[0]"]


@pytest.mark.parametrize("fault", [500, 503, "drop"])
def test_a_renewal_decision_that_may_have_reached_noyo_is_never_sent_twice(noyo, sandbox, renewal_group, fault):
    group_id, carrier_id, line, plan_id = renewal_group
    sandbox.set_faults(fail_next=[fault], retry_after=0, method="POST", path_contains="renewal_decisions")
    with pytest.raises((ServerError, NetworkError)):
        noyo.create_renewal_decision(group_id, "2031-01-01", renewal_body(carrier_id, line, [{"plan_id": plan_id}]))
    assert len(api_requests(sandbox, "POST", "renewal_decisions")) == 1
