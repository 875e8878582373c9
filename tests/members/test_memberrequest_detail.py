"""The member request page: the body and result in plain words beside the raw JSON (SSNs masked),
its transactions, and its status timeline."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import StatusChange
from tests.factories import make_carrier
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_dependent,
    make_employee,
    make_member_request,
    make_plan,
    make_transaction,
)


def url(request):
    return reverse("members:memberrequest_detail", args=[request.pk])


@pytest.fixture
def family(db):
    employee = make_employee(first_name="Maria", last_name="Gonzalez")
    child = make_dependent(employee, first_name="Leo", last_name="Gonzalez")
    carrier = make_carrier(name="Beam Dental")
    plan = make_plan(carrier, name="Dental PPO High", line_of_coverage="dental")
    return employee, child, carrier, plan


def new_hire_body(employee, child, carrier, plan):
    return {
        "coverages": [
            {
                "carrier_id": carrier.pk,
                "carrier_config": {"bill_group": "0100"},
                "signature_date": "2026-01-15",
                "lines_of_coverage": {
                    "dental": {
                        "enrolling_members": [{"id": employee.pk, "member_type": "employee", "plan_id": plan.pk}],
                        "waiving_members": [
                            {"id": child.pk, "member_type": "dependent", "reason": "other-spouse-group"}
                        ],
                    }
                },
            }
        ]
    }


def test_a_new_hire_body_reads_with_names_of_people_plans_and_carriers(viewer_client, family):
    employee, child, carrier, plan = family
    request = make_member_request(employee, body=new_hire_body(*family))
    html = viewer_client.get(url(request)).content.decode()
    for text in [
        "New hire",
        "Beam Dental",
        "signed 2026-01-15",
        "Enrolling",
        "Maria Gonzalez",
        "Dental PPO High",
        "Waiving",
        "Leo Gonzalez",
        "Reason: Other spouse group",
        "Bill group",
    ]:
        assert text in html, text


@pytest.mark.parametrize(
    "request_type, body, texts",
    [
        (
            "termination",
            {"reason": "voluntary", "last_work_date": "2026-01-15", "signature_date": "2026-01-01"},
            ["Reason", "Voluntary", "Last day of work", "2026-01-15"],
        ),
        (
            "cobra_termination",
            {"reason": "expiration", "cobra_termination_date": "2026-03-31"},
            ["COBRA coverage ends", "2026-03-31"],
        ),
        (
            "demographic",
            {
                "change_date": "2026-01-15",
                "member_changes": [
                    {
                        "member": {"id": "m", "member_type": "employee"},
                        "salary_change": {"amount": 55000, "unit": "annual"},
                    }
                ],
            },
            ["Change effective", "Salary", "55000", "annual"],
        ),
        (
            "qualifying_life_event",
            {"event": {"event_type": "marriage", "event_date": "2026-01-02"}, "coverages": []},
            ["Life event", "Marriage", "2026-01-02"],
        ),
        ("enrollment_snapshot", {"enrollment_type": "new_hire", "coverages": []}, ["Enrollment type", "New hire"]),
        (
            "cobra_enrollment",
            {"termination_info": {"reason": "voluntary", "last_work_date": "2026-01-01"}, "coverages": []},
            ["Termination reason", "Voluntary"],
        ),
    ],
)
def test_each_request_type_reads_in_plain_words(viewer_client, request_type, body, texts):
    html = viewer_client.get(url(make_member_request(request_type=request_type, body=body))).content.decode()
    for text in texts:
        assert text in html, text


def test_the_result_shows_the_enrollments_made(viewer_client, family):
    employee, *_ = family
    result = {"dental": [{"member_id": employee.pk, "member_type": "employee", "individual_enrollment_id": "ie-123"}]}
    request = make_member_request(employee, body=new_hire_body(*family), result=result, status="completed")
    html = viewer_client.get(url(request)).content.decode()
    assert "ie-123" in html and "Individual enrollment" in html


def test_a_failed_request_says_why_and_that_it_must_be_sent_again(viewer_client, family):
    employee, _, carrier, _ = family
    result = {"errors": [{"carrier_id": carrier.pk, "message": "The carrier rejected the change: member not found."}]}
    request = make_member_request(employee, result=result, status="failed")
    html = viewer_client.get(url(request)).content.decode()
    assert "Beam Dental:</strong> The carrier rejected the change: member not found." in html
    assert "sent again as a new request" in html


def test_an_unknown_body_shape_falls_back_to_the_raw_json(viewer_client):
    request = make_member_request(body={"coverages": "everything", "mystery": [1, 2]})
    html = viewer_client.get(url(request)).content.decode()
    assert "Also in the body, shown only in the raw JSON: coverages, mystery." in html
    assert "&quot;mystery&quot;" in html


def test_the_raw_json_beside_it_has_ssns_masked(viewer_client):
    body = {"member_changes": [{"member": {"id": "m", "member_type": "employee"}, "person_change": {"ssn": FULL_SSN}}]}
    request = make_member_request(request_type="demographic", body=body)
    html = viewer_client.get(url(request)).content.decode()
    assert "•••-••-6789" in html
    assert FULL_SSN not in html and SSN_DIGITS not in html


def test_transactions_show_type_carrier_lines_status_and_verified_time(viewer_client, family):
    employee, _, carrier, _ = family
    request = make_member_request(employee, transaction_ids=["t-missing"])
    make_transaction(
        request,
        carrier=carrier,
        transaction_type="carrier_new_hire",
        status="completed",
        lines_of_coverage="dental,vision",
        verified=timezone.make_aware(dt.datetime(2026, 2, 1, 10, 30)),
    )
    make_transaction(
        request, carrier=None, transaction_type="noyo_termination", status="processing", lines_of_coverage=""
    )
    response = viewer_client.get(url(request))
    assert [t.transaction_type for t in response.context["transactions"]] == ["carrier_new_hire", "noyo_termination"]
    html = response.content.decode()
    for text in [
        "Carrier new hire",
        "Beam Dental",
        "Dental",
        "Vision",
        "Completed",
        "Feb 1, 2026 10:30",
        "Noyo termination",
        "Not verified",
        "1 transaction listed by the request is not mirrored yet",
    ]:
        assert text in html, text


def test_the_timeline_has_the_requests_and_its_transactions_status_changes(viewer_client, family):
    employee, _, carrier, _ = family
    request = make_member_request(employee, status="completed")
    transaction = make_transaction(request, carrier=carrier, status="completed")
    start = timezone.now() - dt.timedelta(hours=2)
    StatusChange.objects.record(request, "", "processing", observed_at=start)
    StatusChange.objects.record(transaction, "processing", "completed", observed_at=start + dt.timedelta(minutes=30))
    StatusChange.objects.record(request, "processing", "completed", observed_at=start + dt.timedelta(hours=1))
    timeline = viewer_client.get(url(request)).context["timeline"]
    assert [(getattr(c, "subject", ""), c.new_status) for c in timeline] == [
        ("", "processing"),
        ("Carrier new hire at Beam Dental", "completed"),
        ("", "completed"),
    ]


def test_the_transactions_export_and_list_links_are_for_this_request(viewer_client, family):
    request = make_member_request(family[0])
    make_transaction(request)
    html = viewer_client.get(url(request)).content.decode()
    assert f"/members/transactions/export/?member_request={request.pk}" in html
    assert f"/members/transactions/?member_request={request.pk}" in html


def test_each_transaction_links_to_its_own_page(viewer_client, family):
    request = make_member_request(family[0])
    transaction = make_transaction(request)
    assert (
        reverse("members:transaction_detail", args=[transaction.pk]) in viewer_client.get(url(request)).content.decode()
    )


def test_an_unknown_request_is_404(viewer_client):
    assert viewer_client.get(reverse("members:memberrequest_detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_the_number_of_queries_does_not_grow_with_the_transactions(
    viewer_client, django_assert_max_num_queries, family, size
):
    employee, child, carrier, plan = family
    request = make_member_request(employee, body=new_hire_body(*family))
    for _ in range(size):
        make_transaction(request, carrier=carrier)
    # session, user, role (3), request, transactions, employees, dependents, plans, carriers, 2 timelines
    with django_assert_max_num_queries(15):  # + the nav's open attention items
        viewer_client.get(url(request))


def test_a_request_noyo_sent_without_times_says_they_are_unknown(viewer_client, db):
    # The member requests guide's own example records carry no created nor modified.
    request = make_member_request(created=None, modified=None)

    page = " ".join(viewer_client.get(url(request)).content.decode().split())

    assert "Created at Noyo</dt><dd>unknown</dd>" in page
    assert "Modified at Noyo</dt><dd>unknown</dd>" in page
