"""The header's search: whatever is pasted or typed goes straight to the one record it names,
or lists what it matches by kind."""

import pytest
from django.urls import reverse

from tests.factories import make_carrier, make_connection, make_group
from tests.members.factories import make_dependent, make_employee, make_member_request, make_snapshot

URL = reverse("search")


def search(client, q):
    return client.get(URL, {"q": q})


def listed(response):
    return {kind.name: [match.label for match in kind.matches] for kind in response.context["kinds"]}


@pytest.mark.parametrize(
    "record, page",
    [
        (lambda: make_connection(), "connections:connection_detail"),
        (lambda: make_carrier(), "connections:carrier_detail"),
        (lambda: make_employee(), "members:employee_detail"),
        (lambda: make_snapshot(), "members:snapshot_detail"),
        (lambda: make_member_request(), "members:memberrequest_detail"),
    ],
)
def test_an_id_goes_straight_to_its_record_whatever_it_is_an_id_of(viewer_client, record, page):
    row = record()
    response = search(viewer_client, row.pk)
    assert response.status_code == 302 and response["Location"] == reverse(page, args=[row.pk])


def test_an_id_pasted_from_a_ticket_is_read_as_the_id(viewer_client):
    employee = make_employee()
    pasted = f'"{{{employee.pk.replace("-", "").upper()}}}".'
    assert search(viewer_client, pasted)["Location"] == reverse("members:employee_detail", args=[employee.pk])


def test_a_dependents_id_opens_the_family_on_the_employees_page(viewer_client):
    employee = make_employee()
    dependent = make_dependent(employee)
    assert search(viewer_client, dependent.pk)["Location"] == reverse("members:employee_detail", args=[employee.pk])


def test_a_groups_id_lists_the_group_and_its_connections(viewer_client):
    group = make_group(name="Juniper Dental")
    make_connection(group=group)
    make_connection(group=group)
    found = listed(search(viewer_client, group.pk))
    assert found["Groups"] == ["Juniper Dental"]
    assert len(found["Connections of this group or organization"]) == 2


def test_a_name_lists_its_matches_by_kind(viewer_client):
    make_group(name="Adams Family Dental")
    make_employee(first_name="Kwame", last_name="Adams")
    make_carrier(name="Northwind")
    found = listed(search(viewer_client, "adams"))
    assert found == {"Groups": ["Adams Family Dental"], "Employees": ["Kwame Adams"]}


def test_an_email_or_a_carrier_group_id_finds_its_one_record(viewer_client):
    employee = make_employee(email="kwame.adams@example.com")
    connection = make_connection(carrier_group_id="NW204518")
    assert search(viewer_client, "Kwame.Adams@example.com")["Location"] == reverse(
        "members:employee_detail", args=[employee.pk]
    )
    assert search(viewer_client, "nw204518")["Location"] == reverse(
        "connections:connection_detail", args=[connection.pk]
    )


def test_more_matches_than_shown_link_to_the_whole_list(viewer_client):
    for n in range(12):
        make_group(name=f"Birch {n}")
    response = search(viewer_client, "Birch")
    kind = response.context["kinds"][0]
    assert len(kind.matches) == 10 and kind.more
    assert kind.list_url == reverse("connections:group_list") + "?q=Birch"
    assert "see them all on the list" in response.content.decode()


def test_nothing_found_says_so_in_words(viewer_client):
    response = search(viewer_client, "Nobody Here")
    assert response.status_code == 200
    assert "Nothing in the mirror matches “Nobody Here”." in response.content.decode()


def test_a_whole_ticket_pasted_is_refused_beside_the_box_not_searched(viewer_client):
    response = search(viewer_client, "x" * 500)
    assert response.status_code == 400
    assert "A search is at most 200 characters" in response.content.decode()


def test_every_page_has_the_search_box(viewer_client):
    assert f'action="{URL}" role="search"' in viewer_client.get(reverse("dashboard")).content.decode()


def test_a_search_reads_a_few_small_queries_whatever_it_matches(viewer_client, django_assert_max_num_queries):
    for n in range(30):
        make_employee(first_name="Kwame", last_name=f"Adams{n}")
    with django_assert_max_num_queries(12):
        search(viewer_client, "Kwame")
