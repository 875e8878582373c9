"""No members page or export ever shows a full SSN: only the last four digits, for everyone."""

import pytest
from django.urls import reverse

from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_dependent,
    make_difference,
    make_employee,
    make_enrollment,
    make_fulfillment,
    make_member_request,
    make_snapshot,
    make_transaction,
)

DEPENDENT_SSN = "987-65-4321"


@pytest.fixture
def urls(db):
    employee = make_employee(ssn=FULL_SSN)
    make_dependent(employee, ssn=DEPENDENT_SSN)
    make_enrollment(employee)
    snapshot = make_snapshot(employee)
    make_fulfillment(
        snapshot, status="invalid", errors=[{"message": f"SSN {FULL_SSN} is not valid", "field": "employee.person.ssn"}]
    )
    make_difference(snapshot, fields=[{"key": "ssn", "platform_value": FULL_SSN, "carrier_value": SSN_DIGITS}])
    body = {
        "member_changes": [
            {"member": {"id": employee.pk, "member_type": "employee"}, "person_change": {"ssn": FULL_SSN}}
        ]
    }
    request = make_member_request(
        employee, request_type="demographic", body=body, result=[{"id": employee.pk, "ssn": SSN_DIGITS}]
    )
    transaction = make_transaction(
        request, status="failed", raw={"body": body, "result": {"errors": [{"message": f"SSN {FULL_SSN} taken"}]}}
    )
    snapshot.submitted = {
        "employee": {"id": employee.pk, "person": {"ssn": FULL_SSN}},
        "dependents": [{"person": {"ssn": DEPENDENT_SSN}}],
    }
    snapshot.save()
    names = [
        "employee_list",
        "employee_export",
        "enrollment_export",
        "snapshot_list",
        "snapshot_summary",
        "snapshot_export",
        "fulfillment_export",
        "memberrequest_list",
        "memberrequest_export",
        "transaction_list",
        "transaction_export",
        "difference_list",
        "difference_export",
    ]
    return [
        reverse("members:transaction_detail", args=[transaction.pk]),
        *(reverse(f"members:{name}") for name in names),
        reverse("members:employee_detail", args=[employee.pk]),
        reverse("members:snapshot_detail", args=[snapshot.pk]),
        reverse("members:memberrequest_detail", args=[request.pk]),
        f"{reverse('members:snapshot_list')}?fulfillment_status=invalid",
    ]


def content(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8")


def test_no_page_or_export_shows_a_full_ssn(viewer_client, operator_client, urls):
    for client in (viewer_client, operator_client):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = content(response)
            for secret in (FULL_SSN, SSN_DIGITS, DEPENDENT_SSN, "987654321"):
                assert secret not in text, (url, secret)


def test_the_masked_form_is_what_pages_show(viewer_client, urls):
    detail = next(
        url for url in urls if "/employees/" in url and "export" not in url and url != reverse("members:employee_list")
    )
    html = content(viewer_client.get(detail))
    assert "•••-••-6789" in html and "•••-••-4321" in html
