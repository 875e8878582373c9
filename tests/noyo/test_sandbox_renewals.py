"""The sandbox's create renewal decision (seed 003, ENDPOINTS.md §16).

Documented: ``POST /groups/{group_id}/renewal_decisions`` with ``{renewal_date, body: {carriers: [{carrier_id,
lines_of_coverage: {<line>: {open_enrollment_start_date, open_enrollment_end_date, plans: [{plan_id} | {name,
plan_type, metal_tier}]}}}]}}`` answers the decision ``submitted``, each plan as ``{name, plan_id}``; it resolves
within about 15 seconds, a renewal date on the 1st to ``ready``. Our readings of what the documents leave open
are ``contract.UNCONFIRMED_CHOICES["renewal_create_*"]``: 201, the 422 rules, 409 for a second decision of the
same group, date and carrier, and ``not_ready`` with issues for any other day.
"""

import pytest

from command_center.noyo import contract
from tests.conformance import documents
from tests.noyo.test_sandbox import all_records
from tests.noyo.test_sandbox_documented_shapes import RENEWAL, assert_stamped


@pytest.fixture
def group(sandbox_api, sandbox):
    """A sandbox group with its plans by (carrier, line), and one (carrier, line) it has plans for."""
    group_id = sandbox.examples()["groups"][1]
    plans = {}
    for plan in all_records(sandbox_api, f"/groups/{group_id}/plans"):
        plans.setdefault((plan["carrier_id"], plan["line_of_coverage"]), []).append(plan)
    carrier_id, line = sorted(plans)[0]
    return {"id": group_id, "plans": plans, "carrier_id": carrier_id, "line": line}


def decision(group, renewal_date="2031-01-01", plans=None, line=None, carrier_id=None, **line_fields):
    line = line or group["line"]
    chosen = (
        plans if plans is not None else [{"plan_id": group["plans"][(group["carrier_id"], group["line"])][0]["id"]}]
    )
    expected = {
        "open_enrollment_start_date": "2030-11-01",
        "open_enrollment_end_date": "2030-11-30",
        "plans": chosen,
        **line_fields,
    }
    carrier = {"carrier_id": carrier_id or group["carrier_id"], "lines_of_coverage": {line: expected}}
    return {"renewal_date": renewal_date, "body": {"carriers": [carrier]}}


def create(sandbox_api, group, body):
    return sandbox_api.post(f"/groups/{group['id']}/renewal_decisions", json=body)


def test_a_decision_is_created_submitted_with_the_documented_fields(sandbox_api, sandbox, group):
    plan = group["plans"][(group["carrier_id"], group["line"])][0]
    answer = create(sandbox_api, group, decision(group))

    assert answer.status_code == contract.RENEWAL_DECISION_CREATE_STATUS
    made = answer.json()
    assert set(made) == RENEWAL and made["status"] == "submitted" and made["issues"] == []
    assert_stamped(made)
    assert made["created"] == int(sandbox.now()) and (made["group_id"], made["renewal_date"]) == (
        group["id"],
        "2031-01-01",
    )
    (carrier,) = made["body"]["carriers"]
    assert carrier["carrier_id"] == group["carrier_id"]
    assert carrier["lines_of_coverage"][group["line"]] == {
        "open_enrollment_start_date": "2030-11-01",
        "open_enrollment_end_date": "2030-11-30",
        "plans": [{"name": plan["name"], "plan_id": plan["id"]}],  # named, as the documented answer
    }


def test_the_documented_example_answers_the_documented_shape(sandbox_api, group):
    """Seed 003's own request, its ids swapped for a sandbox group's carrier and plans, answers the keys of its answer."""
    examples = [e for e in documents.load()["examples"] if e["path"] == "/api/v1/groups/{group_id}/renewal_decisions"]
    request = next(e["json"] for e in examples if e["kind"] == documents.REQUEST)
    documented = next(e["json"] for e in examples if e["kind"] == documents.RESPONSE)
    (carrier,) = request["body"]["carriers"]
    ours = sorted(line for c, line in group["plans"] if c == group["carrier_id"])
    others = [line for line in contract.LINES_OF_COVERAGE if line not in ours]
    lines = {}
    for n, expected in enumerate(carrier["lines_of_coverage"].values()):
        line = ours[n] if n < len(ours) else others[n]
        known = [p["id"] for p in group["plans"].get((group["carrier_id"], line), [])]
        plans = [
            {"plan_id": known[k % len(known)]} if "plan_id" in p and known else p
            for k, p in enumerate(expected["plans"])
        ]
        lines[line] = {**expected, "plans": [p for p in plans if "plan_id" not in p or known]}
    body = {**request, "body": {"carriers": [{"carrier_id": group["carrier_id"], "lines_of_coverage": lines}]}}

    answer = create(sandbox_api, group, body)

    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert set(made) == set(documented) and set(made["body"]["carriers"][0]) == set(documented["body"]["carriers"][0])
    for expected in made["body"]["carriers"][0]["lines_of_coverage"].values():
        assert set(expected) == {"open_enrollment_start_date", "open_enrollment_end_date", "plans"}
        assert all(set(plan) == {"name", "plan_id"} for plan in expected["plans"])


def test_a_named_plan_gets_the_id_of_the_groups_plan_of_that_name_or_a_new_one(sandbox_api, group):
    plan = group["plans"][(group["carrier_id"], group["line"])][0]
    named = [
        {"name": plan["name"].upper(), "plan_type": "ppo"},
        {"name": "Select Plus PPO HDHP Bronze", "plan_type": "ppo", "metal_tier": "bronze"},
    ]
    made = create(sandbox_api, group, decision(group, plans=named)).json()
    same, new = made["body"]["carriers"][0]["lines_of_coverage"][group["line"]]["plans"]
    assert same == {"name": plan["name"].upper(), "plan_id": plan["id"]}
    assert new["name"] == "Select Plus PPO HDHP Bronze" and len(new["plan_id"]) == 36
    assert new["plan_id"] not in {p["id"] for p in all_records(sandbox_api, f"/groups/{group['id']}/plans")}


def test_a_decision_is_listed_with_its_groups_and_in_the_org_wide_list(sandbox_api, group):
    made = create(sandbox_api, group, decision(group)).json()
    assert made in all_records(sandbox_api, f"/groups/{group['id']}/renewal_decisions")
    assert made in all_records(sandbox_api, "/renewal_decisions")


def test_a_renewal_on_the_first_resolves_ready_after_about_fifteen_seconds(sandbox_api, sandbox, group):
    made = create(sandbox_api, group, decision(group, renewal_date="2031-01-01")).json()
    sandbox.advance(contract.RENEWAL_DECISION_RESOLVES_AFTER_SECONDS - 1)
    assert all_records(sandbox_api, f"/groups/{group['id']}/renewal_decisions")[-1]["status"] == "submitted"
    sandbox.advance(1)
    later = all_records(sandbox_api, f"/groups/{group['id']}/renewal_decisions")[-1]
    assert later["id"] == made["id"] and later["status"] == "ready" and later["issues"] == []
    assert later["version"] != made["version"] and later["modified"] == made["created"] + 15


def test_a_renewal_on_another_day_resolves_not_ready_with_an_issue_for_the_carrier(sandbox_api, sandbox, group):
    made = create(sandbox_api, group, decision(group, renewal_date="2031-01-15")).json()
    sandbox.advance(15)
    later = next(r for r in all_records(sandbox_api, "/renewal_decisions") if r["id"] == made["id"])
    assert later["status"] == "not_ready"
    (issue,) = later["issues"]
    assert issue["level"] in ("error", "warning") and issue["message"]
    assert (issue["carrier_id"], issue["line_of_coverage"]) == (group["carrier_id"], group["line"])


def test_a_carrier_without_lines_is_accepted_as_documented(sandbox_api, group):
    body = {
        "renewal_date": "2031-01-01",
        "body": {"carriers": [{"carrier_id": group["carrier_id"], "lines_of_coverage": {}}]},
    }
    answer = create(sandbox_api, group, body)
    assert answer.status_code == 201 and answer.json()["body"]["carriers"][0]["lines_of_coverage"] == {}


def test_a_second_decision_for_the_same_date_and_carrier_is_a_conflict(sandbox_api, group):
    made = create(sandbox_api, group, decision(group)).json()
    again = create(sandbox_api, group, decision(group))
    assert again.status_code == contract.RENEWAL_DECISION_CONFLICT_STATUS
    assert made["id"] in again.json()["message"] and list(again.json()["errors"]) == ["renewal_date"]
    # Another date is another decision.
    assert create(sandbox_api, group, decision(group, renewal_date="2032-01-01")).status_code == 201


def test_a_generated_decision_of_the_group_is_a_conflict_too(sandbox_api, sandbox, group):
    existing = all_records(sandbox_api, f"/groups/{group['id']}/renewal_decisions")[0]
    carrier_id = existing["body"]["carriers"][0]["carrier_id"]
    body = {"renewal_date": existing["renewal_date"], "body": {"carriers": [{"carrier_id": carrier_id}]}}
    assert create(sandbox_api, group, body).status_code == 409


LINE = "body.carriers[0].lines_of_coverage"


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda body, g: body.pop("renewal_date"), "renewal_date"),
        (lambda body, g: body.update(renewal_date="01/01/2031"), "renewal_date"),
        (lambda body, g: body.pop("body"), "body"),
        (lambda body, g: body["body"].update(carriers=[]), "body.carriers"),
        (lambda body, g: body["body"]["carriers"][0].update(carrier_id="not-a-carrier"), "body.carriers[0].carrier_id"),
        (
            lambda body, g: body["body"]["carriers"].append(dict(body["body"]["carriers"][0])),
            "body.carriers[1].carrier_id",
        ),
        (lambda body, g: body["body"]["carriers"][0].update(lines_of_coverage={"pet": {}}), f"{LINE}.pet"),
        (
            lambda body, g: body["body"]["carriers"][0]["lines_of_coverage"][g["line"]].pop(
                "open_enrollment_start_date"
            ),
            "{line}.open_enrollment_start_date",
        ),
        (
            lambda body, g: body["body"]["carriers"][0]["lines_of_coverage"][g["line"]].update(
                open_enrollment_end_date="2030-10-01"
            ),
            "{line}.open_enrollment_end_date",
        ),
        (
            lambda body, g: body["body"]["carriers"][0]["lines_of_coverage"][g["line"]].update(
                plans=[{"plan_id": "0" * 36}]
            ),
            "{line}.plans[0].plan_id",
        ),
        (
            lambda body, g: body["body"]["carriers"][0]["lines_of_coverage"][g["line"]].update(
                plans=[{"plan_type": "ppo"}]
            ),
            "{line}.plans[0]",
        ),
    ],
)
def test_a_bad_value_answers_422_beside_its_field_and_makes_nothing(sandbox_api, sandbox, group, change, field):
    body = decision(group)
    change(body, group)
    answer = create(sandbox_api, group, body)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == [field.format(line=f"{LINE}.{group['line']}")]
    assert not [r for r in all_records(sandbox_api, "/renewal_decisions") if r["created"] >= int(sandbox.now())]


def test_a_body_that_is_not_an_object_answers_422(sandbox_api, group):
    assert create(sandbox_api, group, ["not", "an", "object"]).status_code == 422


def test_an_unknown_group_answers_404(sandbox_api, group):
    assert (
        sandbox_api.post(
            "/groups/00000000-0000-4000-8000-000000000000/renewal_decisions", json=decision(group)
        ).status_code
        == 404
    )


def test_reset_forgets_created_decisions(sandbox_api, sandbox, group):
    made = create(sandbox_api, group, decision(group)).json()
    sandbox.reset()
    assert made["id"] not in {r["id"] for r in all_records(sandbox_api, "/renewal_decisions")}


@pytest.mark.parametrize(
    "plans", [[{"plan_id": ["a list"]}], [{"name": 7}], [{"name": "Gold", "metal_tier": 3}], "all of them"]
)
def test_values_of_the_wrong_type_answer_422_not_a_crash(sandbox_api, group, plans):
    assert create(sandbox_api, group, decision(group, plans=plans)).status_code == 422
