"""API create renewal decision, against the running sandbox: the New renewal decision form's checks
(line by line) and function, the button's permission and audit entry, one POST per key."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry
from connections.models import NoyoAction, Plan, RenewalDecision
from connections.renewal_forms import MAX_ROWS
from tests.connections.renewals import mirror_sandbox_group

URL = reverse("api:renewal-create")
RENEWAL_DATE = "2031-01-01"


@pytest.fixture
def group(sandbox, noyo_settings, db):
    """A sandbox group mirrored as a sync leaves it: the group, its connections and its plans."""
    return mirror_sandbox_group(sandbox)


@pytest.fixture
def plan(group):
    """A plan the form offers: of a carrier the group is connected to, that may be in force at renewal."""
    connected = set(group.connections.values_list("carrier_id", flat=True))
    return (
        Plan.objects.filter(group=group, carrier_id__in=connected)
        .exclude(status="discontinued")
        .select_related("carrier")
        .order_by("carrier__name", "line_of_coverage", "name")
        .first()
    )


@pytest.fixture
def posts(sandbox):
    return lambda: len(sandbox.requests(method="POST", path_contains="renewal_decisions"))


def body(group, plan, **line):
    return {
        "group": group.pk,
        "carrier": plan.carrier_id,
        "renewal_date": RENEWAL_DATE,
        "lines": [
            {
                "line": plan.line_of_coverage,
                "open_enrollment_start_date": "2030-11-01",
                "open_enrollment_end_date": "2030-11-30",
                "plans": [plan.pk],
                **line,
            }
        ],
    }


def post(client, values, key=None):
    return client.post(URL, values, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_an_operator_sends_a_decision_once_per_key_and_gets_it_mirrored(operator_client, operator, group, plan, posts):
    key = str(uuid.uuid4())
    values = body(group, plan, plan_name="Select Plus PPO HDHP Bronze", plan_type="ppo", metal_tier="bronze")
    first, again = post(operator_client, values, key), post(operator_client, values, key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert posts() == 1
    renewal = RenewalDecision.objects.get()
    answer = first.json()
    assert answer["renewal"]["id"] == renewal.pk and answer["renewal"]["status"] == "submitted"
    assert answer["detail"].startswith("Noyo accepted the renewal decision: it is “Submitted”.")
    action = NoyoAction.objects.get(kind="create_renewal_decision")
    assert action.values["body"] == {
        "carriers": [
            {
                "carrier_id": plan.carrier_id,
                "lines_of_coverage": {
                    plan.line_of_coverage: {
                        "open_enrollment_start_date": "2030-11-01",
                        "open_enrollment_end_date": "2030-11-30",
                        "plans": [
                            {"plan_id": plan.pk},
                            {"name": "Select Plus PPO HDHP Bronze", "plan_type": "ppo", "metal_tier": "bronze"},
                        ],
                    }
                },
            }
        ]
    }
    assert renewal.renewal_date == dt.date(2031, 1, 1)
    entry = AuditEntry.objects.get(action="renew")
    assert (entry.actor, entry.outcome, entry.object_id) == (operator, "succeeded", renewal.pk)
    assert entry.summary == f"Created renewal decision of {group.name} for Jan 1, 2031 with {plan.carrier.name}"


def test_each_lines_problems_come_back_under_its_place_in_the_list(operator_client, group, plan, posts):
    values = body(group, plan, open_enrollment_end_date="2030-10-01", plans=["not-one-of-its-plans"])
    values["lines"].append(
        {
            "line": plan.line_of_coverage,
            "open_enrollment_start_date": "2030-11-01",
            "open_enrollment_end_date": "2030-11-30",
            "plan_name": "Gold",
        }
    )
    response = post(operator_client, values)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["lines[0].open_enrollment_end_date"] == ["Open enrollment cannot end before it starts."]
    assert errors["lines[0].plans"] == ["That plan is not one of the group's plans for this line any more."]
    assert posts() == 0 and not NoyoAction.objects.exists()


def test_the_same_line_twice_is_refused_as_the_form_refuses_it(operator_client, group, plan, posts):
    values = body(group, plan)
    values["lines"].append({**values["lines"][0], "plans": [], "plan_name": "Gold"})
    response = post(operator_client, values)
    assert response.status_code == 400
    assert "is in another row already" in response.json()["errors"]["lines[1].line"][0]
    assert posts() == 0


def test_a_carrier_the_group_is_not_connected_to_is_refused(operator_client, group, plan, posts):
    response = post(operator_client, {**body(group, plan), "carrier": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.json()["errors"]["carrier"] == ["Choose one of the carriers the group is connected to."]
    assert posts() == 0


def test_the_shape_is_checked_before_the_form(operator_client, group, plan, posts):
    response = post(operator_client, {"group": group.pk, "renewal_date": "next year", "lines": "medical"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"carrier", "renewal_date", "lines"}
    too_many = post(operator_client, {**body(group, plan), "lines": body(group, plan)["lines"] * (MAX_ROWS + 1)})
    assert too_many.status_code == 400 and list(too_many.json()["errors"]) == ["lines"]
    unknown = post(operator_client, {**body(group, plan), "group": str(uuid.uuid4())})
    assert unknown.status_code == 400 and unknown.json()["errors"] == {
        "group": ["No group with this id in the mirror."]
    }
    assert posts() == 0


def test_a_second_decision_for_the_same_date_and_carrier_is_not_sent(operator_client, group, plan, posts):
    post(operator_client, body(group, plan))
    response = post(operator_client, body(group, plan, plans=[], plan_name="Gold"))
    assert response.status_code == 409
    assert "already has a renewal decision for Jan 1, 2031" in response.json()["detail"]
    assert response.json()["renewal"]["id"] == RenewalDecision.objects.get().pk
    assert posts() == 1


def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, group, plan, posts):
    response = post(viewer_client, body(group, plan))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only Operators can send renewal decisions to Noyo."}
    assert posts() == 0
