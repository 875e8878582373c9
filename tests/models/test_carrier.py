import pytest

from connections.management.commands.seed_carriers import seed_carriers
from connections.models import Carrier

A = "1a2b3c4d-0000-4000-8000-000000000001"
B = "5e6f7a8b-0000-4000-8000-000000000002"


@pytest.mark.django_db
def test_ensure_creates_missing_carriers_with_a_placeholder_name():
    Carrier.objects.create(id=A, name="Acme Mutual")

    created = Carrier.objects.ensure([A, B, B, None, ""])

    assert created == 1
    assert Carrier.objects.get(pk=A).name == "Acme Mutual"
    placeholder = Carrier.objects.get(pk=B)
    assert placeholder.name == "Carrier 5e6f7a8b"
    assert placeholder.is_placeholder
    assert placeholder.kind == Carrier.Kind.UNKNOWN


@pytest.mark.django_db
def test_ensure_is_idempotent_and_cheap(django_assert_num_queries):
    Carrier.objects.ensure([A])
    with django_assert_num_queries(1):
        assert Carrier.objects.ensure([A]) == 0
    with django_assert_num_queries(0):
        assert Carrier.objects.ensure([]) == 0


def test_it_accepts_any_carrier_group_id_when_the_format_is_unknown():
    assert Carrier(name="Acme").check_carrier_group_id("anything-goes") is None


def test_it_checks_the_carrier_group_id_against_the_format():
    carrier = Carrier(name="Acme", carrier_group_id_format=r"\d{8}", format_hint="8 digits, e.g. 12345678")
    assert carrier.check_carrier_group_id("12345678") is None
    assert carrier.check_carrier_group_id(" 12345678 ") is None
    message = carrier.check_carrier_group_id("1234567X")
    assert "8 digits, e.g. 12345678" in message
    assert "1234567X" in message
    # The whole value must match, not just a part of it.
    assert carrier.check_carrier_group_id("123456789") is not None


def test_it_asks_for_a_carrier_group_id_when_blank():
    assert Carrier(name="Acme").check_carrier_group_id("  ") == "Enter a carrier group id."


def test_a_mistyped_format_does_not_block_the_user():
    assert Carrier(name="Acme", carrier_group_id_format="([0-9").check_carrier_group_id("123") is None


@pytest.mark.django_db
def test_seed_fills_placeholders_but_keeps_what_staff_edited():
    Carrier.objects.ensure([A])
    Carrier.objects.create(id=B, name="Named by staff")
    rows = [
        {
            "id": A,
            "name": "Acme Mutual",
            "kind": "sync",
            "carrier_group_id_format": r"\d{8}",
            "format_hint": "8 digits",
            "file_cadence": "",
        },
        {
            "id": B,
            "name": "Beta Life",
            "kind": "send",
            "carrier_group_id_format": "",
            "format_hint": "",
            "file_cadence": "weekly",
        },
        {
            "id": "9c9c9c9c-0000-4000-8000-000000000003",
            "name": "Gamma",
            "kind": "fax",
            "carrier_group_id_format": "",
            "format_hint": "",
            "file_cadence": "",
        },
    ]

    assert seed_carriers(rows) == (1, 1)

    acme = Carrier.objects.get(pk=A)
    assert (acme.name, acme.kind, acme.is_placeholder) == ("Acme Mutual", "sync", False)
    assert Carrier.objects.get(pk=B).name == "Named by staff"
    assert Carrier.objects.get(name="Gamma").kind == Carrier.Kind.UNKNOWN
    assert seed_carriers(rows, overwrite=True) == (0, 3)
    assert Carrier.objects.get(pk=B).name == "Beta Life"
