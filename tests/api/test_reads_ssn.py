"""No API response carries a full SSN: SSNs are masked exactly as the pages mask them ("•••-••-6789").

Every list and every record's own URL is read back, for records holding SSNs wherever one can
hide: columns, raw payloads, request bodies and results, errors written in text, a tracking
difference's fields, a sync failure's payload, an audit entry's details.
"""

import json

import pytest
from django.http import QueryDict
from django.urls import reverse

from command_center.api.urls import router
from command_center.audit import record_export
from command_center.sync.records import label_for
from tests.attention.factories import make_item
from tests.factories import make_connection, make_renewal_decision, make_sync_run
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
SECRETS = (FULL_SSN, SSN_DIGITS, DEPENDENT_SSN, "987654321")


@pytest.fixture
def records(operator):
    employee = make_employee(ssn=FULL_SSN)
    dependent = make_dependent(employee, ssn=DEPENDENT_SSN)
    make_enrollment(employee)
    snapshot = make_snapshot(employee, status="failed")
    snapshot.submitted = {
        "employee": {"id": employee.pk, "person": {"ssn": FULL_SSN}},
        "dependents": [{"person": {"ssn": DEPENDENT_SSN}}],
    }
    snapshot.errors = [{"message": f"SSN {FULL_SSN} is not valid"}]
    snapshot.save()
    make_fulfillment(
        snapshot, status="invalid", errors=[{"message": f"SSN {FULL_SSN} is not valid", "field": "employee.person.ssn"}]
    )
    make_difference(
        snapshot,
        fields=[
            {"key": "ssn", "platform_value": FULL_SSN, "carrier_value": SSN_DIGITS},
            {"key": "member_ssn", "platform_value": int(SSN_DIGITS), "carrier_value": None},
        ],
    )
    body = {"member_changes": [{"member": {"id": dependent.pk}, "person_change": {"ssn": FULL_SSN}}]}
    request = make_member_request(
        employee, request_type="demographic", body=body, result=[{"id": employee.pk, "ssn": SSN_DIGITS}]
    )
    make_transaction(
        request, status="failed", raw={"body": body, "result": {"errors": [{"message": f"SSN {FULL_SSN} taken"}]}}
    )
    connection = make_connection(raw={"group_data": {"note": f"owner ssn {FULL_SSN}"}, "ssn": SSN_DIGITS})
    make_renewal_decision(connection.group, issues=[{"level": "error", "message": f"Member {FULL_SSN} has no plan"}])
    make_item(record=connection, summary=f"Employee {FULL_SSN} cannot be enrolled")
    run = make_sync_run(status="partial")
    run.failures.create(
        resource="employees", noyo_id=employee.pk, reason=f"Bad SSN {FULL_SSN}", payload={"person": {"ssn": FULL_SSN}}
    )
    record_export(operator, "employees", "employees.csv", QueryDict(f"q={FULL_SSN}"))
    return employee, dependent


def every_response(client):
    """(url, text) of every list, and of the own URL of every row listed."""
    for _prefix, _, basename in router.registry:
        url = reverse(f"api:{basename}-list")
        response = client.get(
            url, {"state": "all", "page_size": 200} if basename == "attention-item" else {"page_size": 200}
        )
        assert response.status_code == 200, url
        yield url, response.content.decode()
        for row in response.json()["results"]:
            detail = reverse(f"api:{basename}-detail", args=[row["id"]])
            response = client.get(detail)
            assert response.status_code == 200, detail
            yield detail, response.content.decode()


def test_no_api_response_holds_a_full_ssn(viewer_client, operator_client, records):
    seen = set()
    for client in (viewer_client, operator_client):
        for url, text in every_response(client):
            seen.add(url.split("/")[2])
            for secret in SECRETS:
                assert secret not in text, (url, secret)
    assert seen == {prefix for prefix, _, _ in router.registry}


def test_a_persons_record_shows_the_ssn_masked_as_the_pages_do(viewer_client, records):
    employee, dependent = records
    body = viewer_client.get(reverse("api:employee-detail", args=[employee.pk])).json()
    assert body["ssn_masked"] == "•••-••-6789"
    assert [d["ssn_masked"] for d in body["dependents"]] == ["•••-••-4321"]
    assert body["raw"]["person"]["ssn"] == "•••-••-6789"
    assert "ssn" not in viewer_client.get(reverse("api:employee-list")).json()["results"][0]


def test_a_differences_ssn_fields_are_masked_on_both_sides(viewer_client, records):
    (row,) = viewer_client.get(reverse("api:tracking-difference-list")).json()["results"]
    assert row["differing_fields"][0] == {
        "key": "ssn",
        "label": label_for("ssn"),
        "platform_value": "•••-••-6789",
        "carrier_value": "•••-••-6789",
    }
    assert row["differing_fields"][1]["platform_value"] == "•••-••-6789"


def test_ssns_written_into_text_are_masked(viewer_client, records):
    (summary,) = viewer_client.get(reverse("api:fulfillment-summary-list")).json()["results"]
    assert json.dumps(summary["errors"], ensure_ascii=False).count("•••-••-6789") == 1
    (transaction,) = viewer_client.get(reverse("api:transaction-list")).json()["results"]
    assert transaction["error"] == "SSN •••-••-6789 taken" == transaction["status_detail"]
