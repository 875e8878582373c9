"""A list's columns, chosen in the address (?cols=...): the page shows them, the CSV follows them."""

import csv
import io

import pytest
from django.http import QueryDict
from django.urls import reverse

from command_center import saved_views
from command_center.column_choice import Choice, Columns
from connections.views import CONNECTION_COLUMNS, CONNECTION_TABLE
from tests.factories import make_carrier, make_connection
from tests.routes import named_routes

TABLE = Columns(
    Choice("a", "A", ("A",), required=True), Choice("b", "B", ("B",)), Choice("c", "C", ("C",), default=False)
)


def test_no_columns_in_the_address_shows_the_list_s_own():
    chosen = TABLE.read(QueryDict(""))
    assert (chosen.keys, chosen.explicit, chosen.errors) == (["a", "b"], False, [])


def test_columns_come_comma_separated_or_repeated_and_keep_the_list_s_order_and_its_required_ones():
    assert TABLE.read(QueryDict("cols=c,b")).keys == ["a", "b", "c"]
    assert TABLE.read(QueryDict("cols=c&cols=b")).keys == ["a", "b", "c"]
    assert TABLE.read(QueryDict("cols=c")).keys == ["a", "c"]


def test_a_name_that_is_no_column_is_said_and_the_others_are_shown():
    chosen = TABLE.read(QueryDict("cols=c,nope"))
    assert chosen.keys == ["a", "c"]
    assert chosen.errors == ["“nope” is not a column of this list."]
    only_bad = TABLE.read(QueryDict("cols=x" * 30 + "\x00"))
    assert only_bad.keys == ["a", "b"] and not only_bad.explicit
    assert only_bad.errors[0].endswith("…” is not a column of this list.") and len(only_bad.errors[0]) < 80


def test_the_csv_keeps_the_columns_no_choice_names_and_those_of_the_chosen_ones():
    all_columns = [type("C", (), {"header": h})() for h in ("id", "A", "B", "C")]
    headers = [c.header for c in TABLE.csv_columns(all_columns, TABLE.read(QueryDict("cols=c")))]
    assert headers == ["id", "A", "C"]
    assert TABLE.csv_columns(all_columns, TABLE.read(QueryDict(""))) == all_columns


def test_every_header_a_list_s_column_names_is_in_its_export():
    from members import columns as member_columns

    pairs = [
        (CONNECTION_TABLE, CONNECTION_COLUMNS),
        (member_columns.EMPLOYEE_TABLE, member_columns.EMPLOYEES.columns),
        (member_columns.MEMBER_REQUEST_TABLE, member_columns.MEMBER_REQUESTS.columns),
        (member_columns.TRANSACTION_TABLE, member_columns.TRANSACTIONS.columns),
        (member_columns.DIFFERENCE_TABLE, member_columns.DIFFERENCES.columns),
    ]
    from command_center.views.attention import ATTENTION_COLUMNS, ATTENTION_TABLE
    from command_center.views.audit import AUDIT_COLUMNS, AUDIT_TABLE
    from connections.disconnection_views import DISCONNECTION_COLUMNS, DISCONNECTION_TABLE
    from connections.views import CARRIER_COLUMNS, CARRIER_TABLE, GROUP_COLUMNS, GROUP_TABLE

    pairs += [
        (ATTENTION_TABLE, ATTENTION_COLUMNS),
        (AUDIT_TABLE, AUDIT_COLUMNS),
        (DISCONNECTION_TABLE, DISCONNECTION_COLUMNS),
        (CARRIER_TABLE, CARRIER_COLUMNS),
        (GROUP_TABLE, GROUP_COLUMNS),
    ]
    for table, columns in pairs:
        headers = {column.header for column in columns}
        assert {h for choice in table.choices for h in choice.csv} <= headers, table.choices
    snapshot_headers = {c.header for c in member_columns.SNAPSHOTS.columns + member_columns.FULFILLMENTS.columns}
    assert {h for choice in member_columns.SNAPSHOT_TABLE.choices for h in choice.csv} <= snapshot_headers


@pytest.mark.django_db
def test_the_page_shows_the_chosen_columns_only(viewer_client):
    make_connection(carrier=make_carrier(name="Zebra Mutual"), carrier_group_id="CG-777")
    url = reverse("connections:connection_list")
    whole = viewer_client.get(url).content.decode()
    assert ">Zebra Mutual</a>" in whole and "CG-777" in whole
    page = viewer_client.get(url, {"cols": "carrier_group_id"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "CG-777" in body and ">Zebra Mutual</a>" not in body
    assert "sort=since" not in body and "sort=since" in whole  # its sortable header is gone too
    assert "Status" in body  # required: the status and its Retry link stay


@pytest.mark.django_db
def test_the_picker_ticks_what_the_address_chose(viewer_client):
    body = viewer_client.get(reverse("connections:connection_list"), {"cols": "carrier"}).content.decode()
    assert 'name="cols" value="carrier" checked' in body
    assert 'name="cols" value="error" data-default="on"' in body  # shown by default, not chosen here
    assert '<input type="hidden" name="cols" value="group" data-keep>' in body


@pytest.mark.django_db
def test_a_bad_column_is_said_beside_the_picker_not_a_500(viewer_client):
    page = viewer_client.get(reverse("connections:connection_list"), {"cols": "carrier,<b>ssn</b>"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "“&lt;b&gt;ssn&lt;/b&gt;” is not a column of this list. The others are shown." in body


@pytest.mark.django_db
def test_the_csv_follows_the_chosen_columns(viewer_client):
    make_connection(carrier=make_carrier(name="Zebra Mutual"), carrier_group_id="CG-777")
    response = viewer_client.get(reverse("connections:connection_export"), {"cols": "carrier_group_id"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    # The ids and what only the CSV has stay; group and status are required; carrier, type... are gone.
    assert rows[0] == [
        "Connection id",
        "Group name",
        "Group id",
        "Carrier group id",
        "Status",
        "Created",
        "Organization id",
        "Federal EIN",
    ]
    assert "CG-777" in rows[1]


@pytest.mark.django_db
def test_an_export_asked_for_a_column_the_list_has_not_is_refused_in_plain_words(viewer_client):
    response = viewer_client.get(reverse("connections:connection_export"), {"cols": "carrier,ssn"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“ssn” is not a column of this list." in text and "Its columns: group, carrier" in text


def test_a_saved_view_keeps_the_columns():
    assert saved_views.query_to_keep("status=x&cols=carrier&cols=status&page=3") == "status=x&cols=carrier&cols=status"


@pytest.mark.django_db
def test_every_list_page_offers_columns(viewer_client, django_user_model):
    viewer_client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x"))
    for name in sorted(saved_views.LIST_PAGES | {"alerts:delivery_list"}):
        body = viewer_client.get(reverse(name)).content.decode()
        assert 'id="list-columns"' in body, name
    assert saved_views.LIST_PAGES <= {name for name, _ in named_routes()}
