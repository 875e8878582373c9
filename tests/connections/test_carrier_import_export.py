"""Staff keep the carriers' reference data as a CSV in the admin: export it, edit it, import it back.

Through the admin's own pages (django-import-export), as a staff user with the Django test client:
the import shows what it will change and asks for confirmation; a bad row is reported beside
its column and nothing is imported; ids must be Noyo carrier ids; a blank name never wipes one.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from connections.admin import CARRIER_CSV_FIELDS
from connections.models import Carrier

PLACEHOLDER = "5e6f7a8b-0000-4000-8000-000000000002"
NAMED = "1a2b3c4d-0000-4000-8000-000000000001"
EXPORT = reverse("admin:connections_carrier_export")
IMPORT = reverse("admin:connections_carrier_import")
PROCESS = reverse("admin:connections_carrier_process_import")


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("sam.staff", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="connections", codename__in=["view_carrier", "change_carrier"]
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def carriers(db):
    Carrier.objects.ensure([PLACEHOLDER])
    Carrier.objects.create(
        id=NAMED,
        name="Acme Mutual",
        kind="sync",
        carrier_group_id_format=r"AC\d{6}",
        format_hint="AC and 6 digits, e.g. AC123456",
    )


def export(client) -> list[dict]:
    data = {"format": "0", "resource": "0", **{f"carrierresource_{name}": "on" for name in CARRIER_CSV_FIELDS}}
    response = client.post(EXPORT, data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_csv(rows: list[dict], header=CARRIER_CSV_FIELDS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, rows, header=CARRIER_CSV_FIELDS):
    """The import's first step: the file, checked (a dry run); the confirmation form if nothing is wrong."""
    file = SimpleUploadedFile("carriers.csv", as_csv(rows, header), content_type="text/csv")
    return client.post(IMPORT, {"format": "0", "resource": "0", "import_file": file})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS, {name: form.initial.get(name, "") for name in form.fields})


def test_a_round_trip_updates_the_fields_and_clears_the_placeholder_flag(staff_client, carriers):
    rows = {row["id"]: row for row in export(staff_client)}
    assert set(rows) == {PLACEHOLDER, NAMED}
    assert list(next(iter(rows.values()))) == list(CARRIER_CSV_FIELDS)
    assert rows[PLACEHOLDER]["name"] == "Carrier 5e6f7a8b" and rows[PLACEHOLDER]["kind"] == "unknown"

    rows[PLACEHOLDER].update(
        name="Evergreen Guardian Life",
        kind="Send",
        carrier_group_id_label="Policy number",
        carrier_group_id_format=r"^\d{10}$",
        format_hint="10-digit policy number, e.g. 0071234455",
        format_example="0071234455",
        file_cadence="Monthly file, first business day",
        authorization_steps="Noyo obtains the group's information before testing.",
        sandbox_test_ids="",
    )
    preview = upload(staff_client, list(rows.values()))
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert Carrier.objects.get(pk=PLACEHOLDER).is_placeholder  # a dry run: nothing written yet

    response = confirm(staff_client, preview)
    assert response.status_code == 302
    carrier = Carrier.objects.get(pk=PLACEHOLDER)
    assert (carrier.name, carrier.kind, carrier.carrier_group_id_label) == (
        "Evergreen Guardian Life",
        "send",
        "Policy number",
    )
    assert (carrier.format_example, carrier.file_cadence) == ("0071234455", "Monthly file, first business day")
    assert carrier.is_placeholder is False and carrier.reference_missing is False
    assert carrier.check_carrier_group_id("12345") is not None  # the id is checked now
    assert Carrier.objects.get(pk=NAMED).name == "Acme Mutual"  # unchanged rows are skipped


def test_a_blank_name_never_wipes_one_and_ids_are_matched_whatever_their_case(staff_client, carriers):
    preview = upload(
        staff_client, [{"id": f"  {NAMED.upper()} ", "name": "", "kind": "send"}], header=("id", "name", "kind")
    )
    assert preview.context["confirm_form"] is not None
    confirm(staff_client, preview)
    carrier = Carrier.objects.get(pk=NAMED)
    assert (carrier.name, carrier.kind) == ("Acme Mutual", "send")
    assert carrier.carrier_group_id_format == r"AC\d{6}"  # a column not in the file is left alone
    assert Carrier.objects.count() == 2


def test_a_new_noyo_carrier_id_with_a_name_adds_the_carrier(staff_client, carriers):
    new = "9c9c9c9c-0000-4000-8000-000000000003"
    confirm(
        staff_client,
        upload(staff_client, [{"id": new, "name": "Gamma Dental", "kind": "sync"}], header=("id", "name", "kind")),
    )
    assert Carrier.objects.get(pk=new).name == "Gamma Dental"


@pytest.mark.parametrize(
    "row, column, words",
    [
        ({"id": "not-an-id", "name": "X"}, "id", "is not a Noyo carrier id"),
        ({"id": "", "name": "X"}, "id", "is not a Noyo carrier id"),
        ({"id": NAMED, "name": "Acme", "kind": "fax"}, "kind", "use Sync, Send or Unknown"),
        (
            {"id": NAMED, "name": "Acme", "carrier_group_id_format": "([0-9"},
            "carrier_group_id_format",
            "not a regular expression",
        ),
        (
            {"id": NAMED, "name": "Acme", "carrier_group_id_format": r"\d{4}", "format_example": "12AB"},
            "format_example",
            "does not match",
        ),
        ({"id": "9c9c9c9c-0000-4000-8000-000000000003", "name": ""}, "name", "needs a name"),
        ({"id": NAMED, "name": "A" * 300}, "name", "at most 200 characters"),
    ],
)
def test_a_bad_row_is_reported_beside_its_column_and_nothing_is_imported(staff_client, carriers, row, column, words):
    good = {"id": PLACEHOLDER, "name": "Would Be Renamed"}
    response = upload(staff_client, [good, row])
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors() and response.context.get("confirm_form") is None
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert words in " ".join(invalid.error_dict.get(column, [])), invalid.error_dict
    assert words in response.content.decode()
    assert Carrier.objects.get(pk=PLACEHOLDER).name == "Carrier 5e6f7a8b"


def test_a_file_that_is_not_a_csv_is_refused_in_words(staff_client, carriers):
    file = SimpleUploadedFile("carriers.csv", b"\x00\xff\xfe garbage", content_type="text/csv")
    response = staff_client.post(IMPORT, {"format": "0", "resource": "0", "import_file": file})
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["result"].has_errors()
    assert "Traceback" not in response.content.decode()
    assert Carrier.objects.get(pk=PLACEHOLDER).is_placeholder


def test_staff_who_may_only_view_carriers_can_export_but_not_import(client, django_user_model, carriers):
    user = django_user_model.objects.create_user("val.view", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="connections", codename="view_carrier"))
    client.force_login(user)
    assert len(export(client)) == 2
    assert client.get(IMPORT).status_code == 403


def test_people_who_are_not_staff_never_reach_the_admin(viewer_client, carriers):
    assert viewer_client.get(IMPORT).status_code == 302
    assert viewer_client.post(EXPORT, {"format": "0"}).status_code == 302


def test_a_file_without_the_id_column_is_refused_in_words_not_a_500(staff_client, carriers):
    response = upload(staff_client, [{"name": "No Id Co"}], header=("name",))
    assert response.status_code == 200
    page = response.content.decode()
    assert "are not present in the file headers: id" in page and "Traceback" not in page
    assert response.context.get("confirm_form") is None
    assert not Carrier.objects.filter(name="No Id Co").exists()
