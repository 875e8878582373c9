"""The employees CSV: the list's filters applied, no SSN column at all, formula-safe, audited."""

import datetime as dt

from django.urls import reverse

from command_center.models import AuditEntry
from tests.factories import make_group
from tests.members.factories import FULL_SSN, SSN_DIGITS, make_employee
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:employee_export")


def test_it_exports_the_employees_on_screen_with_their_filters(viewer_client):
    group = make_group(name="Summit Analytics")
    make_employee(
        first_name="Maria",
        last_name="Gonzalez",
        group=group,
        hire_date=dt.date(2021, 3, 1),
        lines_of_coverage="dental,medical",
    )
    make_employee(first_name="Tom", last_name="Wu")
    rows = read_csv(viewer_client.get(URL, {"q": "GONZ"}))
    assert [(r["First name"], r["Last name"], r["Group"], r["Hire date"], r["Lines of coverage"]) for r in rows] == [
        ("Maria", "Gonzalez", "Summit Analytics", "2021-03-01", "dental, medical"),
    ]
    assert [r["First name"] for r in read_csv(viewer_client.get(URL, {"group": group.pk}))] == ["Maria"]


def test_it_has_no_ssn_column_and_no_ssn_anywhere(viewer_client):
    make_employee(ssn=FULL_SSN)
    response = viewer_client.get(URL)
    text = raw_csv(response)
    header = text.lstrip("\ufeff").splitlines()[0].lower()
    assert "ssn" not in header and "social" not in header
    assert FULL_SSN not in text and SSN_DIGITS not in text


def test_it_follows_the_lists_sort(viewer_client):
    make_employee(first_name="A", last_name="Young", hire_date=dt.date(2019, 1, 1))
    make_employee(first_name="B", last_name="Adams", hire_date=dt.date(2022, 1, 1))
    assert [r["Last name"] for r in read_csv(viewer_client.get(URL))] == ["Adams", "Young"]
    assert [r["Last name"] for r in read_csv(viewer_client.get(URL, {"sort": "hire_date"}))] == ["Young", "Adams"]


def test_a_cell_a_spreadsheet_would_run_is_neutralised(viewer_client):
    make_employee(first_name='=HYPERLINK("http://evil")', last_name="+1")
    row = read_csv(viewer_client.get(URL))[0]
    assert row["First name"].startswith("'=") and row["Last name"] == "'+1"


def test_the_export_is_in_the_audit_log_with_its_filters(viewer_client, viewer):
    make_employee()
    response = viewer_client.get(URL, {"q": "first"})
    read_csv(response)
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.object_type, entry.details["filters"]) == (viewer, "employees", {"q": ["first"]})
    assert 'filename="employees_' in response["Content-Disposition"]


def test_a_bad_filter_is_refused_rather_than_exporting_everything(viewer_client):
    make_employee()
    response = viewer_client.get(URL, {"date_of_birth": "never"})
    assert response.status_code == 400 and "Date of birth: Enter a valid date." in response.content.decode()
