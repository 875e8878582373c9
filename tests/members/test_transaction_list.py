"""The member transactions list: what each row says, filters, sorts, bad values, and queries that do not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_carrier, make_group
from tests.members.factories import FULL_SSN, make_employee, make_member_request, make_transaction

URL = reverse("members:transaction_list")
NOW = timezone.now()


def ids(response):
    return [row.pk for row in response.context["rows"]]


def ago(**delta):
    return NOW - dt.timedelta(**delta)


def test_each_row_has_type_carrier_lines_status_details_verified_request_and_employee(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    request = make_member_request(maria, request_type="new_hire", status="completed")
    make_transaction(
        request,
        carrier=make_carrier(name="Kaiser Permanente"),
        transaction_type="carrier_new_hire",
        status="completed",
        lines_of_coverage="dental,medical",
        verified=timezone.make_aware(dt.datetime(2026, 2, 3, 10, 0)),
    )
    html = viewer_client.get(URL).content.decode()
    for text in [
        "Carrier new hire",
        "Kaiser Permanente",
        "Dental",
        "Medical",
        "Completed",
        "Completed and verified at the carrier on Feb 3, 2026.",
        "Feb 3, 2026",
        "New hire",
        "Maria Gonzalez",
    ]:
        assert text in html, text
    assert reverse("members:memberrequest_detail", args=[request.pk]) in html
    assert reverse("members:employee_detail", args=[maria.pk]) in html


def test_a_failed_transaction_says_why_with_any_ssn_masked(viewer_client):
    make_transaction(
        make_member_request(),
        status="failed",
        raw={"result": {"errors": [{"message": f"Member {FULL_SSN} is not on the carrier's roster."}]}},
    )
    make_transaction(make_member_request(), status="failed", raw={"result": {}})
    html = viewer_client.get(URL).content.decode()
    assert "Member •••-••-6789 is not on the carrier&#x27;s roster." in html and FULL_SSN not in html
    assert "Noyo could not make the change at the carrier." in html


def test_a_transaction_with_no_carrier_is_noyos_own(viewer_client):
    make_transaction(
        make_member_request(request_type="termination"),
        carrier=None,
        carrier_id=None,
        transaction_type="noyo_termination",
    )
    assert ">Noyo<" in viewer_client.get(URL).content.decode()


def test_newest_first_and_sortable_by_created_and_verified(viewer_client):
    old = make_transaction(make_member_request(), created=ago(days=3), verified=ago(days=1))
    new = make_transaction(make_member_request(), created=ago(hours=1), verified=None)
    middle = make_transaction(make_member_request(), created=ago(days=1), verified=ago(days=2))
    assert ids(viewer_client.get(URL)) == [new.pk, middle.pk, old.pk]
    assert ids(viewer_client.get(URL, {"sort": "created"})) == [old.pk, middle.pk, new.pk]
    assert ids(viewer_client.get(URL, {"sort": "verified"})) == [middle.pk, old.pk, new.pk]
    assert ids(viewer_client.get(URL, {"sort": "-verified"})) == [new.pk, old.pk, middle.pk]


def test_it_filters_by_status_type_carrier_and_verified(viewer_client):
    kaiser = make_carrier(name="Kaiser")
    failed = make_transaction(
        make_member_request(), status="failed", transaction_type="carrier_termination", carrier=kaiser
    )
    verified = make_transaction(make_member_request(), status="completed", verified=NOW)
    processing = make_transaction(make_member_request(), status="processing")
    assert ids(viewer_client.get(URL, {"status": "failed"})) == [failed.pk]
    assert ids(viewer_client.get(URL, {"transaction_type": "carrier_termination"})) == [failed.pk]
    assert ids(viewer_client.get(URL, {"carrier": kaiser.pk})) == [failed.pk]
    assert ids(viewer_client.get(URL, {"verified": "yes"})) == [verified.pk]
    assert set(ids(viewer_client.get(URL, {"verified": "no"}))) == {failed.pk, processing.pk}
    assert ids(viewer_client.get(URL, {"status": "failed", "verified": "yes"})) == []


def test_it_filters_by_the_requests_status_type_and_group(viewer_client):
    group = make_group(name="Blue Harbor")
    wanted = make_transaction(
        make_member_request(make_employee(group=group), status="failed", request_type="demographic")
    )
    make_transaction(make_member_request(make_employee(group=group), status="completed", request_type="demographic"))
    make_transaction(make_member_request(status="failed", request_type="demographic"))
    response = viewer_client.get(URL, {"request_status": "failed", "request_type": "demographic", "group": "harbor"})
    assert ids(response) == [wanted.pk]
    assert "Transactions of the member requests of type Demographic that are failed" in response.content.decode()


def test_search_takes_a_transaction_request_or_employee_id_or_an_employee_name(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    request = make_member_request(maria)
    hers = make_transaction(request)
    other = make_transaction(make_member_request())
    assert ids(viewer_client.get(URL, {"q": "gonz"})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": maria.pk})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": request.pk})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": other.pk.upper()})) == [other.pk]
    assert ids(viewer_client.get(URL, {"q": "nobody-by-that-name"})) == []


def test_one_requests_transactions_say_so_and_link_back(viewer_client):
    request = make_member_request()
    mine = make_transaction(request)
    make_transaction(make_member_request())
    response = viewer_client.get(URL, {"member_request": request.pk})
    assert ids(response) == [mine.pk]
    assert "Transactions of one member request" in response.content.decode()


def test_it_filters_by_created_date_range(viewer_client):
    day = timezone.make_aware(dt.datetime(2026, 1, 20, 9, 0))
    inside = make_transaction(make_member_request(), created=day)
    make_transaction(make_member_request(), created=day - dt.timedelta(days=30))
    assert ids(viewer_client.get(URL, {"created_from": "2026-01-01", "created_to": "2026-01-31"})) == [inside.pk]


def test_transactions_removed_at_noyo_are_not_listed(viewer_client):
    make_transaction(make_member_request(), removed_upstream_at=NOW)
    kept = make_transaction(make_member_request())
    assert ids(viewer_client.get(URL)) == [kept.pk]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"status": "exploded"}, "status", "Select a valid choice."),
        ({"transaction_type": "new_hire"}, "transaction_type", "Select a valid choice."),
        ({"verified": "maybe"}, "verified", "Select a valid choice."),
        ({"request_status": "lost"}, "request_status", "Select a valid choice."),
        (
            {"created_from": "2026-02-01", "created_to": "2026-01-01"},
            "created_to",
            "The end date is before the start date.",
        ),
        ({"member_request": "a\x00b"}, "member_request", "Null characters are not allowed."),
    ],
)
def test_a_bad_value_is_a_message_not_a_500(viewer_client, params, field, message):
    make_transaction(make_member_request())
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert any(message in error for error in response.context["filter_form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()


def test_htmx_gets_only_the_results(viewer_client):
    make_transaction(make_member_request())
    html = viewer_client.get(URL, {"status": "processing"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in html and "<html" not in html


def test_counts_agree_with_few_and_many_rows(viewer_client):
    for n in range(7):
        make_transaction(make_member_request(), status="failed" if n % 2 else "completed")
    assert viewer_client.get(URL).context["paginator"].count == 7
    assert viewer_client.get(URL, {"status": "failed"}).context["paginator"].count == 3
    first, second = viewer_client.get(URL, {"per_page": 5}), viewer_client.get(URL, {"per_page": 5, "page": 2})
    assert len(ids(first)) == 5 and len(ids(second)) == 2 and not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize("rows", [3, 120])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    carrier = make_carrier()
    for n in range(rows):
        request = make_member_request(make_employee())
        make_transaction(
            request,
            carrier=carrier,
            status=["failed", "completed", "processing"][n % 3],
            raw={"result": {"errors": [{"message": "No"}]}} if n % 3 == 0 else {},
        )
    with django_assert_max_num_queries(26):
        response = viewer_client.get(URL, {"per_page": 200})
    assert len(ids(response)) == min(rows, 200)
    # session, user, role and permissions (3), freshness, carrier choices, employee names matched, bounded count,
    # page, its requests, employees, carriers: 13, whatever the rows
    with django_assert_max_num_queries(15):  # + the open attention items in the navigation
        viewer_client.get(URL, {"q": "first", "status": "failed"})
