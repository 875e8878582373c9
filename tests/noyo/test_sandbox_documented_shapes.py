"""Endpoint by endpoint, a sandbox record has the fields, types and shapes of the documents' examples.

The field lists are Noyo's (seed 001, 003, 004, and the reference pages ENDPOINTS.md restates), so a
field the sandbox invents fails here; one the documents leave optional may be absent.
"""

import datetime as dt
import re

import pytest

from command_center.noyo import contract
from tests.noyo.test_sandbox import all_records

STAMPS = {"id", "version", "created", "modified"}
GROUP = STAMPS | {"organization_id", "name", "sic_code", "dba_name", "federal_ein"}
CONTACT = STAMPS | {
    "group_id",
    "carrier_id",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone_number",
    "types",
    "primary_contact",
}
LOCATION = STAMPS | {"group_id", "display_name", "address"}
ADDRESS = {"street_one", "city", "state", "zip_code", "county"}  # street_two is UNCONFIRMED (ENDPOINTS.md §5.3)
CONNECTION = STAMPS | {
    "completed",
    "organization_id",
    "group_id",
    "group_audit_request_id",
    "carrier_id",
    "federal_ein",
    "request_type",
    "status",
    "group_data",
    "setup_result",
}
GROUP_DATA = {"carrier_group_id", "group_name", "broker_federal_ein", "broker_tin", "employer_email_address"}
DISCONNECTION = STAMPS | {
    "organization_id",
    "carrier_id",
    "group_id",
    "group_name",
    "source_type",
    "source_id",
    "status",
    "effective_end_date",
    "decided",
    "completed",
}
GROUP_ENROLLMENT = STAMPS | {
    "group_id",
    "carrier_id",
    "line_of_coverage",
    "status",
    "open_enrollment_start_date",
    "open_enrollment_end_date",
    "open_enrollment_renewal_date",
    "effective_start_date",
    "effective_end_date",
}
PLAN = STAMPS | {
    "group_enrollment_id",
    "carrier_id",
    "line_of_coverage",
    "name",
    "code",
    "status",
    "effective_start_date",
    "effective_end_date",
    "eligible_member_types",
    "waiting_periods",
    "termination_policy",
    "plan_type",
    "network",
    "metal_tier",
    "cobra_rules",
    "voluntary",
    "volume_rules",
}
RENEWAL = STAMPS | {"group_id", "renewal_date", "status", "issues", "body"}
EMPLOYEE = STAMPS | {"group_id", "location_id", "person", "employment"}
PERSON = {
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "date_of_birth",
    "ssn",
    "sex",
    "marital_status",
    "home_address",
    "mailing_address",
    "contact",
}
PERSON_CONTACT = {"home_phone", "work_phone", "email_address", "email_address_type", "preferred_method"}
EMPLOYMENT = {"employment_status", "occupation", "hours_worked", "salary", "employment_dates"}
DEPENDENT = STAMPS | {"employee_id", "relationship", "person"}
INDIVIDUAL_ENROLLMENT = STAMPS | {
    "group_enrollment_id",
    "line_of_coverage",
    "status",
    "individual_type",
    "individual_id",
    "plan_id",
    "enroll_data",
    "effective_start_date",
    "effective_end_date",
    "cobra_enrollment",
    "cobra_details",
    "individual_enrollment_configuration",
    "pcp_details",
}
PREMIUM = {
    "carrier_id",
    "amount",
    "period",
    "premium_type",
    "effective_start_date",
    "effective_end_date",
    "billed_members",
    "created",
    "modified",
}
# member_snapshot_id is not in the documented object, though the list filters by it: UNCONFIRMED_CHOICES.
DIFFERENCE = STAMPS | {
    "organization_id",
    "group_id",
    "carrier_id",
    "employee_id",
    "member_snapshot_id",
    "object_type",
    "object_id",
    "difference_classification",
    "difference_type",
    "fields",
    "impact_score",
    "is_dismissed",
    "is_suppressed",
    "resolved",
    "discrepancy_time",
    "sources",
}
MEMBER_REQUEST = STAMPS | {"employee_id", "request_type", "status", "transactions", "body", "result"}
TRANSACTION = STAMPS | {
    "member_request_id",
    "employee_id",
    "carrier_id",
    "lines_of_coverage",
    "transaction_type",
    "status",
    "verified",
    "body",
    "result",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def assert_stamped(record):
    """Ids and versions are UUIDs; created and modified are epoch integers (seed 001)."""
    assert UUID.match(record["id"]) and UUID.match(record["version"])
    assert type(record["created"]) is int and type(record["modified"]) is int


def assert_dates(record, *names):
    for name in names:
        if record.get(name) is not None:
            dt.date.fromisoformat(record[name])


@pytest.fixture
def group(sandbox):
    return sandbox.data.group(0)


def test_groups_have_the_documented_fields_and_a_bare_nine_digit_ein(sandbox_api):
    for group in all_records(sandbox_api, "/groups"):
        assert set(group) <= GROUP
        assert_stamped(group)
        assert re.fullmatch(r"\d{9}", group["federal_ein"])  # "112222222", "123456789" in seed 001


def test_contacts_and_locations_have_the_documented_fields(sandbox_api, sandbox):
    for g in range(sandbox.data.n_groups):
        group_id = sandbox.data.group(g)["id"]
        for contact in all_records(sandbox_api, f"/groups/{group_id}/contacts"):
            assert set(contact) <= CONTACT and contact["types"]
            assert set(contact["types"]) <= set(contract.CONTACT_TYPES)
            assert_stamped(contact)
        for location in all_records(sandbox_api, f"/groups/{group_id}/locations"):
            assert set(location) <= LOCATION and set(location["address"]) <= ADDRESS
            assert_stamped(location)


def test_connections_have_the_documented_fields(sandbox_api):
    for connection in all_records(sandbox_api, "/group_connections"):
        assert set(connection) <= CONNECTION and set(connection["group_data"]) <= GROUP_DATA
        assert set(connection["setup_result"]) <= {"error"}
        assert_stamped(connection)
        assert connection["completed"] is None or type(connection["completed"]) is int
        assert re.fullmatch(r"\d{9}", connection["federal_ein"])


def test_disconnection_requests_have_the_documented_fields_and_no_reason_or_context(sandbox_api, sandbox):
    """The reason and context are sent when creating one; the documented object does not carry them."""
    requests = [
        r
        for g in range(sandbox.data.n_groups)
        for r in all_records(sandbox_api, f"/groups/{sandbox.data.group(g)['id']}/group_disconnection_requests")
    ]
    assert requests
    for request in requests:
        assert set(request) <= DISCONNECTION
        assert_stamped(request)
        assert_dates(request, "effective_end_date")
        assert request["source_id"] is None or UUID.match(request["source_id"])


def test_group_enrollments_plans_and_renewals_have_the_documented_fields(sandbox_api, group):
    for enrollment in all_records(sandbox_api, f"/groups/{group['id']}/group_enrollments"):
        assert set(enrollment) <= GROUP_ENROLLMENT
        assert_dates(enrollment, *(k for k in enrollment if k.endswith("_date")))
    for plan in all_records(sandbox_api, f"/groups/{group['id']}/plans"):
        assert set(plan) <= PLAN
        assert_dates(plan, "effective_start_date", "effective_end_date")
    for renewal in all_records(sandbox_api, "/renewal_decisions"):
        assert set(renewal) <= RENEWAL
        assert_stamped(renewal)
        assert set(renewal["body"]) == {"carriers"}


def test_employees_and_dependents_have_the_documented_fields(sandbox_api):
    for employee in all_records(sandbox_api, "/employees"):
        assert set(employee) <= EMPLOYEE
        assert_stamped(employee)
        person = employee["person"]
        assert set(person) <= PERSON and set(person["contact"]) <= PERSON_CONTACT
        assert set(person["home_address"]) <= ADDRESS and set(person["mailing_address"]) <= ADDRESS
        employment = employee["employment"]
        assert set(employment) <= EMPLOYMENT and type(employment["hours_worked"]) is int
        assert set(employment["salary"]) <= {"amount", "unit", "type", "effective_date"}
        assert type(employment["salary"]["amount"]) is int
    employee = all_records(sandbox_api, "/employees")[0]
    for dependent in all_records(sandbox_api, f"/employees/{employee['id']}/dependents"):
        assert set(dependent) <= DEPENDENT and set(dependent["person"]) <= PERSON
        assert set(dependent["person"]["home_address"]) <= ADDRESS


def test_individual_enrollments_and_premiums_have_the_documented_fields(sandbox_api, sandbox):
    for e in range(sandbox.data.n_employees):
        employee_id = sandbox.data.employee(e)["id"]
        for enrollment in all_records(
            sandbox_api, f"/employees/{employee_id}/individual_enrollments", include_dependents="true"
        ):
            assert set(enrollment) <= INDIVIDUAL_ENROLLMENT
            assert_dates(enrollment, "effective_start_date", "effective_end_date")
            assert set(enrollment["cobra_enrollment"]) <= {"cobra_enrolled", "cobra_type"}
            assert set(enrollment["cobra_details"]) <= {
                "eligibility_start_date",
                "eligibility_end_date",
                "qualifying_event_date",
                "qualifying_event_reason",
            }
            assert enrollment["pcp_details"] == {}  # providers[] is documented, not the shape of one
        for premium in all_records(sandbox_api, f"/employees/{employee_id}/premiums"):
            assert set(premium) <= PREMIUM


def test_differences_have_the_documented_fields_and_scores(sandbox_api):
    differences = all_records(sandbox_api, "/differences")
    for difference in differences:
        assert set(difference) <= DIFFERENCE
        assert_stamped(difference)
        assert all(set(field) == {"key", "platform_value", "carrier_value"} for field in difference["fields"])
        assert difference["sources"] == []  # a documented list whose values no document shows
    assert {d["impact_score"] for d in differences} == {3, 5}  # the scores seen; the scale is unconfirmed


def test_member_requests_and_transactions_have_the_documented_fields(sandbox_api):
    for request in all_records(sandbox_api, "/member_requests"):
        assert set(request) <= MEMBER_REQUEST
        assert_stamped(request)
    for transaction in all_records(sandbox_api, "/member_transactions"):
        assert set(transaction) <= TRANSACTION
        assert_stamped(transaction)
        assert transaction["verified"] is None or type(transaction["verified"]) is int
