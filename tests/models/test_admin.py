import pytest
from django.contrib import admin
from django.urls import reverse

from command_center.sync.records import synthetic_id
from connections.models import Carrier, GroupConnection
from members.models import Employee

MIRRORED = [m for m in admin.site._registry if m._meta.app_label in ("connections", "members")]


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MIRRORED, ids=lambda m: m._meta.label)
def test_every_model_has_a_changelist(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
def test_mirrored_records_are_read_only(admin_client):
    connection = GroupConnection.objects.create(id=synthetic_id("gc"), status="odd_new_status")
    url = reverse("admin:connections_groupconnection_change", args=[connection.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": "completed"})
    assert GroupConnection.objects.get().status == "odd_new_status"
    assert admin_client.get(reverse("admin:connections_groupconnection_add")).status_code == 403


@pytest.mark.django_db
def test_staff_name_carriers_in_the_admin(admin_client):
    Carrier.objects.ensure([synthetic_id("c")])
    url = reverse("admin:connections_carrier_change", args=[synthetic_id("c")])
    response = admin_client.post(
        url,
        {
            "name": "Acme",
            "kind": "send",
            "carrier_group_id_format": r"\d+",
            "format_hint": "",
            "file_cadence": "weekly",
        },
    )
    assert response.status_code == 302
    carrier = Carrier.objects.get()
    assert (carrier.name, carrier.kind, carrier.is_placeholder) == ("Acme", "send", False)


@pytest.mark.django_db
def test_the_admin_never_shows_an_ssn(admin_client):
    employee = Employee.objects.create(
        id=synthetic_id("e"), first_name="Ann", ssn="123-45-6789", raw={"person": {"ssn": "123-45-6789"}}
    )
    page = admin_client.get(reverse("admin:members_employee_change", args=[employee.pk])).content.decode()
    assert "6789" in page and "123-45" not in page
