"""The employees list: search, filters, sort, pagination, masking and a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_group
from tests.members.factories import FULL_SSN, SSN_DIGITS, make_employee

URL = reverse("members:employee_list")


def names(response):
    return [f"{e.first_name} {e.last_name}" for e in response.context["rows"]]


def test_it_lists_name_group_employment_hire_date_and_lines(viewer_client):
    group = make_group(name="Blue Harbor Bakery LLC")
    make_employee(
        first_name="Maria",
        last_name="Gonzalez",
        group=group,
        employment_status="part-time",
        hire_date=dt.date(2021, 3, 1),
        lines_of_coverage="dental,medical,vision",
    )
    html = viewer_client.get(URL).content.decode()
    for text in [
        "Gonzalez, Maria",
        "Blue Harbor Bakery LLC",
        "Part time",
        "Mar 1, 2021",
        "Dental",
        "Medical",
        "Vision",
    ]:
        assert text in html


@pytest.mark.parametrize("query", ["mar", "MARIA", "aRi", "gonz", "ZALEZ"])
def test_search_matches_first_or_last_name_partially_in_any_case(viewer_client, query):
    make_employee(first_name="Maria", last_name="Gonzalez")
    make_employee(first_name="Tom", last_name="Wu")
    assert names(viewer_client.get(URL, {"q": query})) == ["Maria Gonzalez"]


def test_search_by_employee_id_finds_that_employee(viewer_client):
    wanted = make_employee(first_name="Maria")
    make_employee(first_name="Tom")
    assert names(viewer_client.get(URL, {"q": wanted.pk.upper()})) == [f"Maria {wanted.last_name}"]


@pytest.fixture
def adamses():
    make_employee(first_name="Kwame", last_name="Adams", email="Kwame.Adams@Example.com")
    make_employee(first_name="Grace", last_name="Adams")
    make_employee(first_name="Kwame", last_name="Mensah")
    make_employee(first_name="Mary Ann", last_name="Adams-Cole")


@pytest.mark.parametrize(
    "query", ["Kwame Adams", "kwame  adams", "adams, kwame", "Adams Kwame", "kwame.adams@example.com"]
)
def test_search_finds_a_person_by_first_and_last_name_either_way_round_or_by_email(viewer_client, adamses, query):
    # Seen: "Kwame Adams", "adams, kwame" and the e-mail found nobody; "adams" found every Adams.
    assert names(viewer_client.get(URL, {"q": query})) == ["Kwame Adams"]


def test_search_takes_a_first_name_of_two_words(viewer_client, adamses):
    assert names(viewer_client.get(URL, {"q": "Mary Ann Adams"})) == ["Mary Ann Adams-Cole"]
    assert names(viewer_client.get(URL, {"q": "Adams-Cole, Mary"})) == ["Mary Ann Adams-Cole"]


@pytest.mark.parametrize("pasted", ['"{id}"', "{{{id}}}", "{nodash}", " {id}. "])
def test_an_id_pasted_from_a_ticket_finds_the_employee(viewer_client, pasted):
    wanted = make_employee(first_name="Maria")
    make_employee(first_name="Tom")
    query = pasted.format(id=wanted.pk, nodash=wanted.pk.replace("-", "").upper())
    assert names(viewer_client.get(URL, {"q": query})) == [f"Maria {wanted.last_name}"]


def test_it_filters_by_date_of_birth(viewer_client):
    make_employee(first_name="Ann", date_of_birth=dt.date(1990, 5, 5))
    make_employee(first_name="Bob", date_of_birth=dt.date(1991, 5, 5))
    assert [e.first_name for e in viewer_client.get(URL, {"date_of_birth": "1990-05-05"}).context["rows"]] == ["Ann"]


def test_it_filters_by_group_name_or_id(viewer_client):
    harbor, summit = make_group(name="Blue Harbor Bakery"), make_group(name="Summit Analytics")
    make_employee(first_name="Ann", group=harbor)
    make_employee(first_name="Bob", group=summit)
    assert [e.first_name for e in viewer_client.get(URL, {"group": harbor.pk}).context["rows"]] == ["Ann"]
    assert [e.first_name for e in viewer_client.get(URL, {"group": "summit"}).context["rows"]] == ["Bob"]


def test_it_sorts_by_name_by_default_and_by_hire_date_on_request(viewer_client):
    make_employee(first_name="A", last_name="Young", hire_date=dt.date(2019, 1, 1))
    make_employee(first_name="B", last_name="Adams", hire_date=dt.date(2022, 1, 1))
    assert names(viewer_client.get(URL)) == ["B Adams", "A Young"]
    assert names(viewer_client.get(URL, {"sort": "-hire_date"})) == ["B Adams", "A Young"]
    assert names(viewer_client.get(URL, {"sort": "hire_date"})) == ["A Young", "B Adams"]


def test_a_name_search_still_sorts_by_last_name(viewer_client):
    make_employee(first_name="Mary", last_name="Young")
    make_employee(first_name="Mark", last_name="adams")
    assert names(viewer_client.get(URL, {"q": "mar"})) == ["Mark adams", "Mary Young"]
    assert names(viewer_client.get(URL, {"q": "mar", "sort": "-name"})) == ["Mary Young", "Mark adams"]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"date_of_birth": "31/02/1990"}, "date_of_birth", "Enter a valid date."),
        ({"date_of_birth": "1990-02-31"}, "date_of_birth", "Enter a valid date."),
    ],
)
def test_a_bad_value_is_a_message_beside_the_field_not_a_500(viewer_client, params, field, message):
    make_employee()
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert message in response.context["filter_form"].errors[field]
    assert message in response.content.decode()
    assert list(response.context["rows"]) == []


def test_a_group_name_that_matches_no_group_finds_no_one(viewer_client):
    make_employee()
    response = viewer_client.get(URL, {"group": "no such group"})
    assert response.status_code == 200
    assert list(response.context["rows"]) == []


def test_a_group_name_matching_too_many_groups_asks_for_more(viewer_client, monkeypatch):
    monkeypatch.setattr("members.filters.MATCH_LIMIT", 2)
    for n in range(3):
        make_group(name=f"Summit {n}")
    response = viewer_client.get(URL, {"group": "summit"})
    assert response.status_code == 400
    assert "More than 2 groups match" in response.content.decode()


def test_an_htmx_request_gets_only_the_results(viewer_client):
    make_employee(first_name="Maria")
    response = viewer_client.get(URL, {"q": "maria"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table" in html and "Maria" in html
    assert "<html" not in html and 'class="filters"' not in html


def test_an_htmx_request_with_a_bad_value_shows_the_message_in_the_results(viewer_client):
    response = viewer_client.get(URL, {"date_of_birth": "soon"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Date of birth: Enter a valid date." in response.content.decode()


def test_no_ssn_appears_on_the_list(viewer_client):
    make_employee(ssn=FULL_SSN)
    html = viewer_client.get(URL).content.decode()
    assert FULL_SSN not in html and SSN_DIGITS not in html


@pytest.mark.parametrize("rows", [2, 60])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    groups = [make_group() for _ in range(3)]
    for n in range(rows):
        make_employee(group=groups[n % 3])
    # session, user, the role's groups and permissions (3), bounded count, page, the page's groups
    with django_assert_max_num_queries(11):  # + the nav's open attention items
        response = viewer_client.get(URL, {"q": "first"})
    assert len(response.context["rows"]) == min(rows, 50)
