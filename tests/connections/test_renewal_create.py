"""Sending a new renewal decision from the console, against the running sandbox: the form (a group's
carriers and its plans with each, line by line), one POST to Noyo however often it is sent, Noyo's
409 / 422 / 5xx / network errors in plain words with nothing typed lost, the decision in the mirror at
once and on its page, the audit log, and the decision moving on at Noyo as the sandbox clock runs."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry, SyncRun
from command_center.sync import runs
from connections.models import NoyoAction, Plan, RenewalDecision
from tests.connections.renewals import mirror_sandbox_group

CREATE_URL = reverse("connections:renewal_create")
RENEWAL_DATE = "2031-01-01"  # the 1st: the sandbox makes it ready (docs/renewal-readiness)


@pytest.fixture
def group(sandbox, noyo_settings, db):
    """A sandbox group mirrored as a sync leaves it: the group, its connections and its plans."""
    return mirror_sandbox_group(sandbox)


@pytest.fixture
def carrier(group):
    """A carrier the group is connected to and has plans with."""
    connected = set(group.connections.values_list("carrier_id", flat=True))
    plan = (
        Plan.objects.filter(group=group, carrier_id__in=connected)
        .exclude(status="discontinued")
        .order_by("carrier__name", "line_of_coverage")
        .first()
    )
    return plan.carrier


@pytest.fixture
def plan(group, carrier):
    """A plan the form offers (one that may be in force at renewal)."""
    return (
        Plan.objects.filter(group=group, carrier=carrier)
        .exclude(status="discontinued")
        .order_by("line_of_coverage", "name")
        .first()
    )


@pytest.fixture
def posts(sandbox):
    """How many creates reached the sandbox so far."""
    return lambda: len(sandbox.requests(method="POST", path_contains="renewal_decisions"))


def open_form(client, group, carrier=None):
    response = client.get(CREATE_URL, {"group": group.pk, **({"carrier": carrier.pk} if carrier else {})})
    assert response.status_code == 200
    return response


def token_of(response):
    return str(response.context["form"].initial["token"])


def rows_of(response):
    return response.context["entry"].lines.forms


def row_for(response, line):
    return next(
        form
        for form in rows_of(response)
        if (form.data.get(form.add_prefix("line")) if form.is_bound else form.initial.get("line")) == line
    )


def form_data(response, renewal_date=RENEWAL_DATE, **rows):
    """The form as a person fills it: ``rows`` by line, e.g. medical={"plans": [...], "open_enrollment_start_date": ...}.
    A row named ``another`` fills the blank row at the end."""
    entry = response.context["entry"]
    data = {
        "token": token_of(response),
        "group": entry.group.pk,
        "carrier": entry.carrier_id,
        "renewal_date": renewal_date,
        "line-TOTAL_FORMS": str(len(entry.lines.forms)),
        "line-INITIAL_FORMS": "0",
    }
    for n, form in enumerate(entry.lines.forms):
        line = form.initial.get("line") or ""
        filled = rows.get(line or "another", {})
        data[f"line-{n}-line"] = filled.get("line", line)
        for name in ("open_enrollment_start_date", "open_enrollment_end_date", "plan_name", "plan_type", "metal_tier"):
            data[f"line-{n}-{name}"] = filled.get(name, "")
        data[f"line-{n}-plans"] = filled.get("plans", [])
    return data


def window(**more):
    return {"open_enrollment_start_date": "2030-11-01", "open_enrollment_end_date": "2030-11-30", **more}


def send(client, data, **extra):
    return client.post(CREATE_URL, data, **extra)


def text(response):
    return " ".join(response.content.decode().split())


# --- The form -----------------------------------------------------------------------------------------


def test_operators_reach_the_form_from_the_renewals_list_and_from_a_groups_page(operator_client, viewer_client, group):
    assert CREATE_URL in operator_client.get(reverse("connections:renewal_list")).content.decode()
    assert (
        f"{CREATE_URL}?group={group.pk}"
        in operator_client.get(reverse("connections:group_detail", args=[group.pk])).content.decode()
    )
    assert CREATE_URL not in viewer_client.get(reverse("connections:renewal_list")).content.decode()
    assert CREATE_URL not in viewer_client.get(reverse("connections:group_detail", args=[group.pk])).content.decode()


def test_the_form_offers_the_groups_carriers_and_a_row_per_line_with_its_plans(operator_client, group, carrier, plan):
    from tests.factories import make_plan

    ended = make_plan(
        group, carrier=carrier, line_of_coverage=plan.line_of_coverage, name="Last Year's Gold", status="discontinued"
    )
    response = open_form(operator_client, group, carrier)
    form = response.context["form"]
    connected = {c.carrier_id for c in group.connections.all()}
    assert {value for value, _ in form.fields["carrier"].choices} == connected
    assert form.initial["group"] == group.pk and response.context["group"] == group
    rows = rows_of(response)
    in_force = Plan.objects.filter(group=group, carrier=carrier).exclude(status="discontinued")
    lines = sorted(set(in_force.values_list("line_of_coverage", flat=True)))
    assert sorted(row.initial["line"] for row in rows[:-1]) == lines and rows[-1].initial["line"] == ""
    for row in rows[:-1]:
        offered = {value for value, _ in row.fields["plans"].choices}
        assert offered == set(in_force.filter(line_of_coverage=row.initial["line"]).values_list("pk", flat=True))
    assert ended.pk not in {
        value for row in rows for value, _ in row.fields["plans"].choices
    }  # not in force at renewal
    assert NoyoAction.objects.get(token=form.initial["token"]).state == "ready"


def test_without_a_group_it_asks_which_and_finds_groups_as_you_type(operator_client, group):
    response = operator_client.get(CREATE_URL)
    assert response.status_code == 200 and "Which group?" in text(response) and response.context["form"] is None
    found = operator_client.get(
        CREATE_URL, {"find": group.name[:6]}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="group-matches"
    )
    assert f"?group={group.pk}" in found.content.decode() and "<html" not in found.content.decode()
    assert not NoyoAction.objects.exists()
    unknown = operator_client.get(CREATE_URL, {"group": str(uuid.uuid4())})
    assert "is in the mirror" in text(unknown)


def test_choosing_another_carrier_shows_its_lines_without_a_new_form(operator_client, group, carrier):
    open_form(operator_client, group, carrier)
    other = next(c for c in group.connections.exclude(carrier=carrier).select_related("carrier")).carrier
    response = operator_client.get(
        CREATE_URL, {"group": group.pk, "carrier": other.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lines"
    )
    html = response.content.decode()
    assert 'id="lines"' in html and "<html" not in html and f"with {other.name}" in html
    assert NoyoAction.objects.count() == 1  # the form already open keeps its own


def test_add_another_line_adds_a_blank_row_and_keeps_what_was_typed(operator_client, group, carrier, plan, posts):
    response = open_form(operator_client, group, carrier)
    data = form_data(response, renewal_date="", **{plan.line_of_coverage: window(plans=[plan.pk])})
    again = send(operator_client, {**data, "add_line": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lines")
    assert again.status_code == 200 and posts() == 0
    assert len(rows_of(again)) == len(rows_of(response)) + 1
    row = row_for(again, plan.line_of_coverage)
    assert row["plans"].value() == [plan.pk] and row["open_enrollment_start_date"].value() == "2030-11-01"
    assert "errorlist" not in again.content.decode()  # rearranging the form is not sending it: no errors yet
    assert NoyoAction.objects.get(token=data["token"]).state == "ready"


def test_a_group_without_carrier_connections_says_so_plainly(operator_client, db):
    from tests.factories import make_group

    lonely = make_group(name="Lonely Llamas LLC")
    response = operator_client.get(CREATE_URL, {"group": lonely.pk})
    assert "has no carrier connection in the mirror" in text(response)


def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, group, posts):
    response = viewer_client.get(CREATE_URL, {"group": group.pk})
    assert response.status_code == 403 and "Only Operators can send renewal decisions to Noyo." in text(response)
    response = viewer_client.post(
        CREATE_URL, {"group": group.pk, "token": str(uuid.uuid4()), "renewal_date": RENEWAL_DATE}
    )
    assert response.status_code == 403 and "Only Operators can send renewal decisions to Noyo." in text(response)
    assert posts() == 0


# --- Success --------------------------------------------------------------------------------------------


def test_a_decision_is_sent_once_mirrored_at_once_and_lands_on_its_page(
    operator_client, operator, group, carrier, plan, posts, sandbox
):
    response = open_form(operator_client, group, carrier)
    named = {"plan_name": "Select Plus PPO HDHP Bronze", "plan_type": "ppo", "metal_tier": "bronze"}
    data = form_data(response, **{plan.line_of_coverage: window(plans=[plan.pk], **named)})

    sent = send(operator_client, data)

    assert posts() == 1
    (post,) = sandbox.requests(method="POST", path_contains="renewal_decisions")
    assert post["path"] == f"/api/v1/groups/{group.pk}/renewal_decisions" and post["status"] == 201
    action = NoyoAction.objects.get(token=data["token"])
    assert action.values["body"] == {
        "carriers": [
            {
                "carrier_id": carrier.pk,
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
    renewal = RenewalDecision.objects.get(pk=action.result_id)
    assert (renewal.group_id, renewal.renewal_date, renewal.status) == (group.pk, dt.date(2031, 1, 1), "submitted")
    assert renewal.carrier_id_list == [carrier.pk]
    assert sent.status_code == 302 and sent["Location"] == reverse("connections:renewal_detail", args=[renewal.pk])
    page = text(operator_client.get(sent["Location"]))
    assert "Noyo accepted the renewal decision: it is “Submitted”." in page
    assert "Select Plus PPO HDHP Bronze" in page and plan.name in page

    assert (action.state, action.noyo_status_code) == ("succeeded", 201)
    entry = AuditEntry.objects.get(action="renew")
    assert entry.actor == operator and entry.outcome == "succeeded" and entry.object_id == renewal.pk
    assert entry.summary == f"Created renewal decision of {group.name} for Jan 1, 2031 with {carrier.name}"
    assert entry.details["values"]["renewal_date"] == RENEWAL_DATE and entry.details["noyo_answer"]["id"] == renewal.pk


def test_the_outcome_page_of_the_write_links_to_the_decision(operator_client, group, carrier, posts):
    data = form_data(open_form(operator_client, group, carrier))
    send(operator_client, data)
    made = RenewalDecision.objects.get()
    outcome = operator_client.get(reverse("connections:action_outcome", args=[data["token"]]))
    assert (
        "Done." in text(outcome) and reverse("connections:renewal_detail", args=[made.pk]) in outcome.content.decode()
    )


def test_lines_left_blank_are_left_out_and_all_blank_asks_only_for_plans_on_the_date(
    operator_client, group, carrier, posts
):
    response = open_form(operator_client, group, carrier)
    sent = send(operator_client, form_data(response))
    assert sent.status_code == 302 and posts() == 1
    renewal = RenewalDecision.objects.get()
    assert renewal.expected_carriers == [{"carrier_id": carrier.pk, "lines_of_coverage": {}}]
    assert "ready once the carrier has any plans on the renewal date" in text(operator_client.get(sent["Location"]))


def test_a_line_the_group_has_no_plans_for_takes_a_named_plan(operator_client, group, carrier, posts):
    response = open_form(operator_client, group, carrier)
    have = set(
        Plan.objects.filter(group=group, carrier=carrier)
        .exclude(status="discontinued")
        .values_list("line_of_coverage", flat=True)
    )
    other = next(line for line in ("accident", "cancer", "hospital_indemnity", "critical_illness") if line not in have)
    sent = send(operator_client, form_data(response, another=window(line=other, plan_name="Accident Advantage")))
    assert sent.status_code == 302 and posts() == 1
    (expected,) = RenewalDecision.objects.get().expected_carriers
    (plan,) = expected["lines_of_coverage"][other]["plans"]
    assert plan["name"] == "Accident Advantage" and plan["plan_id"]  # Noyo gives the plan to be set up an id


# --- One form, one POST -----------------------------------------------------------------------------------


def test_a_double_click_or_a_browser_resend_posts_once_and_lands_on_the_same_decision(
    operator_client, group, carrier, plan, posts
):
    data = form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: window(plans=[plan.pk])})
    answers = [send(operator_client, data) for _ in range(3)]
    assert posts() == 1
    assert len({answer["Location"] for answer in answers}) == 1
    assert AuditEntry.objects.filter(action="renew").count() == 1


def test_a_second_tab_for_the_same_date_and_carrier_finds_the_decision_made_and_sends_nothing(
    operator_client, group, carrier, plan, posts
):
    first_tab, second_tab = open_form(operator_client, group, carrier), open_form(operator_client, group, carrier)
    send(operator_client, form_data(first_tab, **{plan.line_of_coverage: window(plans=[plan.pk])}))
    response = send(operator_client, form_data(second_tab, **{plan.line_of_coverage: window(plan_name="Gold")}))
    assert posts() == 1 and response.status_code == 200
    page = text(response)
    assert "Nothing was sent." in page and f"already has a renewal decision for Jan 1, 2031 with {carrier.name}" in page
    made = RenewalDecision.objects.get()
    assert reverse("connections:renewal_detail", args=[made.pk]) in response.content.decode()
    assert NoyoAction.objects.get(token=token_of(second_tab)).state == "skipped"


def test_while_the_same_decision_is_in_flight_from_elsewhere_another_is_not_sent(
    operator_client, operator, group, carrier, posts
):
    from django.utils import timezone

    NoyoAction.objects.create(
        token=uuid.uuid4(),
        kind="create_renewal_decision",
        state="in_flight",
        started_at=timezone.now(),
        lock_key=f"renewal:{group.pk}:{RENEWAL_DATE}:{carrier.pk}",
        requested_by=operator,
    )
    response = send(operator_client, form_data(open_form(operator_client, group, carrier)))
    assert posts() == 0 and "the same request is being sent to Noyo right now" in text(response)


def test_a_resend_while_its_decision_is_in_flight_says_so_and_offers_its_outcome(
    operator_client, group, carrier, posts
):
    data = form_data(open_form(operator_client, group, carrier))
    NoyoAction.objects.filter(token=data["token"]).update(state="in_flight")
    response = send(operator_client, data)
    assert response.status_code == 202 and posts() == 0
    assert "Sending this decision to Noyo" in text(response)
    assert reverse("connections:action_outcome", args=[data["token"]]) in response.content.decode()


def test_an_unknown_token_sends_nothing_and_keeps_what_was_typed(operator_client, group, carrier, plan, posts):
    data = form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: window(plans=[plan.pk])})
    response = send(operator_client, {**data, "token": str(uuid.uuid4())})
    assert response.status_code == 422 and posts() == 0
    assert "out of date, so nothing was sent" in text(response)
    assert row_for(response, plan.line_of_coverage)["plans"].value() == [plan.pk]
    assert response.context["form"]["renewal_date"].value() == RENEWAL_DATE


# --- Checked before sending -------------------------------------------------------------------------------


def test_a_half_filled_line_is_explained_beside_its_fields_before_anything_is_sent(
    operator_client, group, carrier, plan, posts
):
    response = open_form(operator_client, group, carrier)
    data = form_data(
        response,
        renewal_date="",
        **{plan.line_of_coverage: {"plans": [plan.pk], "open_enrollment_end_date": "2030-11-30"}},
    )
    refused = send(operator_client, data)
    assert refused.status_code == 422 and posts() == 0
    row = row_for(refused, plan.line_of_coverage)
    assert row.errors["open_enrollment_start_date"] == ["Give the day open enrollment starts for this line."]
    assert "Nothing was sent: some values need a change" in text(refused)
    assert refused.context["form"].errors["renewal_date"] == ["This field is required."]
    assert row["plans"].value() == [plan.pk] and row["open_enrollment_end_date"].value() == "2030-11-30"
    # The same form, completed, is still good for one decision.
    data[f"line-{rows_of(refused).index(row)}-open_enrollment_start_date"] = "2030-11-01"
    assert send(operator_client, {**data, "renewal_date": RENEWAL_DATE}).status_code == 302 and posts() == 1


@pytest.mark.parametrize(
    "row, field, message",
    [
        (
            window(open_enrollment_end_date="2030-10-01", plan_name="Gold"),
            "open_enrollment_end_date",
            "Open enrollment cannot end before it starts.",
        ),
        (window(plan_type="ppo"), "plan_name", "Give the plan's name too, or clear its type and tier."),
        (window(), "plans", "Choose at least one plan, or name one to be set up."),
        (
            window(open_enrollment_start_date="31/10/2030", plan_name="Gold"),
            "open_enrollment_start_date",
            "Enter a valid date.",
        ),
    ],
)
def test_a_line_that_cannot_be_sent_says_why_beside_the_field(
    operator_client, group, carrier, plan, posts, row, field, message
):
    refused = send(
        operator_client, form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: row})
    )
    assert refused.status_code == 422 and posts() == 0
    assert row_for(refused, plan.line_of_coverage).errors[field] == [message]


def test_the_same_line_twice_is_refused(operator_client, group, carrier, plan, posts):
    response = open_form(operator_client, group, carrier)
    data = form_data(
        response,
        **{
            plan.line_of_coverage: window(plans=[plan.pk]),
            "another": window(line=plan.line_of_coverage, plan_name="Gold"),
        },
    )
    refused = send(operator_client, data)
    assert refused.status_code == 422 and posts() == 0
    assert "is in another row already" in text(refused)


# --- Noyo says no ---------------------------------------------------------------------------------------------


def test_noyo_409_is_a_plain_sentence_with_a_link_to_the_decision_noyo_has(operator_client, group, sandbox_api, posts):
    """The group's own decision at Noyo, not mirrored yet: Noyo refuses a second one for its date and carrier."""
    existing = sandbox_api.get(f"/groups/{group.pk}/renewal_decisions").json()["response"][0]
    carrier_id = existing["body"]["carriers"][0]["carrier_id"]
    from connections.models import Carrier

    response = open_form(operator_client, group, Carrier.objects.get(pk=carrier_id))
    answer = send(operator_client, form_data(response, renewal_date=existing["renewal_date"]))

    assert posts() == 1 and answer.status_code == 422
    page = text(answer)
    assert "No renewal decision was made." in page and "so it made no new one" in page
    assert RenewalDecision.objects.filter(pk=existing["id"]).exists()  # found at Noyo, mirrored, linked
    assert reverse("connections:renewal_detail", args=[existing["id"]]) in answer.content.decode()
    assert answer.context["form"]["renewal_date"].value() == existing["renewal_date"]
    assert AuditEntry.objects.get(action="renew").details["noyo_status_code"] == 409


def test_noyo_422_puts_its_message_beside_the_line_with_everything_kept(operator_client, group, carrier, plan, posts):
    from tests.factories import make_plan

    # A plan our copy still has and Noyo does not: only Noyo can refuse it.
    gone = make_plan(group, carrier=carrier, line_of_coverage=plan.line_of_coverage, name="Retired Plan 2019")
    response = open_form(operator_client, group, carrier)
    answer = send(
        operator_client, form_data(response, **{plan.line_of_coverage: window(plans=[gone.pk], plan_name="Gold")})
    )
    assert posts() == 1 and answer.status_code == 422
    row = row_for(answer, plan.line_of_coverage)
    assert row.errors["plans"] == ["Noyo: No plan with this id for this group, carrier and line of coverage."]
    assert row["plans"].value() == [gone.pk] and row["plan_name"].value() == "Gold"
    assert "Noyo did not accept some of the values" in text(answer)
    assert str(answer.context["form"]["token"].value()) != token_of(response)  # a new form, good for one more try


@pytest.mark.parametrize("code", [500, 503])
def test_noyo_5xx_says_it_may_or_may_not_have_been_recorded_and_keeps_the_values(
    operator_client, group, carrier, plan, sandbox, posts, code
):
    sandbox.set_faults(fail_next=[code], path_contains="renewal_decisions", method="POST")
    data = form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: window(plans=[plan.pk])})
    answer = send(operator_client, data)
    assert posts() == 1 and answer.status_code == 422
    page = text(answer)
    assert f"Noyo had a server error ({code}), so it may or may not have recorded the renewal decision." in page
    assert "Right now Noyo shows no renewal decision of this group for this date and carrier." in page
    assert row_for(answer, plan.line_of_coverage)["plans"].value() == [plan.pk]
    # A resend of that form shows the same failure, without posting again.
    assert "Noyo had a server error" in text(send(operator_client, data)) and posts() == 1


def test_a_dropped_connection_says_it_may_have_reached_noyo(operator_client, group, carrier, plan, sandbox, posts):
    sandbox.set_faults(fail_next=["drop"], path_contains="renewal_decisions", method="POST")
    answer = send(
        operator_client,
        form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: window(plans=[plan.pk])}),
    )
    assert posts() == 1 and answer.status_code == 422
    assert (
        "The connection to Noyo broke before it answered, so it may or may not have recorded the renewal decision."
        in text(answer)
    )
    assert answer.context["form"]["renewal_date"].value() == RENEWAL_DATE


def test_noyo_out_of_reach_says_nothing_was_sent(operator_client, group, carrier, plan, settings, posts):
    import socket

    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    data = form_data(open_form(operator_client, group, carrier), **{plan.line_of_coverage: window(plans=[plan.pk])})
    settings.NOYO_API_URL = f"http://127.0.0.1:{port}"
    settings.NOYO_TOKEN_URL = f"http://127.0.0.1:{port}/auth/public/token"
    answer = send(operator_client, data)
    assert answer.status_code == 422 and posts() == 0
    assert "Could not reach Noyo" in text(answer)
    assert row_for(answer, plan.line_of_coverage)["open_enrollment_start_date"].value() == "2030-11-01"


# --- At Noyo, afterwards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("renewal_date, outcome", [("2031-01-01", "ready"), ("2031-01-15", "not_ready")])
def test_the_decision_shows_after_a_sync_and_moves_on_as_noyo_resolves_it(
    operator_client, viewer_client, group, carrier, plan, sandbox, renewal_date, outcome
):
    data = form_data(
        open_form(operator_client, group, carrier), renewal_date, **{plan.line_of_coverage: window(plans=[plan.pk])}
    )
    send(operator_client, data)
    made = RenewalDecision.objects.get(pk=NoyoAction.objects.get(token=data["token"]).result_id)

    runs.execute(runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False).pk)
    made.refresh_from_db()
    assert made.status == "submitted" and made.removed_upstream_at is None  # still in Noyo's list, not yet compared

    sandbox.advance(15)
    runs.execute(runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False).pk)
    made.refresh_from_db()
    assert made.status == outcome
    listed = viewer_client.get(
        reverse("connections:renewal_list"), {"status": outcome, "group": group.pk, "per_page": 100}
    )
    assert made.pk in {row.pk for row in listed.context["rows"]}
    if outcome == "not_ready":
        assert made.issues and made.issues[0]["carrier_id"] == carrier.pk
        assert made.issues[0]["message"] in text(
            viewer_client.get(reverse("connections:renewal_detail", args=[made.pk]))
        )


# --- Bounds ---------------------------------------------------------------------------------------------------


def test_the_form_stays_within_the_query_bound_whatever_the_number_of_plans_and_decisions(
    operator_client, group, carrier, django_assert_max_num_queries
):
    from tests.connections.renewals import mirror_renewal
    from tests.factories import make_connection, make_plan

    for n in range(40):
        make_plan(
            group, carrier=carrier, line_of_coverage=("medical", "dental", "vision", "life")[n % 4], name=f"Plan {n}"
        )
        make_connection(group=group)
    for n in range(15):
        mirror_renewal(group, renewal_date=dt.date(2020 + n, 1, 1), carriers=[(carrier, {})])
    with django_assert_max_num_queries(25):
        response = operator_client.get(CREATE_URL, {"group": group.pk, "carrier": carrier.pk})
    assert response.status_code == 200 and len(response.context["renewals"]) == 10
    with django_assert_max_num_queries(25):
        assert (
            operator_client.get(
                CREATE_URL, {"group": group.pk, "carrier": carrier.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lines"
            ).status_code
            == 200
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.pop("line-TOTAL_FORMS"),
        lambda data: data.update({"line-TOTAL_FORMS": "99999"}),
        lambda data: data.update({"line-TOTAL_FORMS": "-3", "add_line": "1"}),
        lambda data: data.update({"line-0-plans": ["\x00", "x" * 5000], "line-0-line": "pet"}),
        lambda data: data.update({"carrier": "\x00", "renewal_date": "9999-99-99"}),
        lambda data: data.update({"group": "x" * 5000}),
        lambda data: data.update({"line-0-open_enrollment_start_date": "0001-01-01", "line-0-plan_name": "a\x00b"}),
    ],
)
def test_a_tampered_form_is_refused_in_words_never_a_500_and_nothing_is_sent(
    operator_client, group, carrier, posts, change
):
    data = form_data(open_form(operator_client, group, carrier))
    change(data)
    answer = send(operator_client, data)
    assert answer.status_code in (200, 422) and posts() == 0
