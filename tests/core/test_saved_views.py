"""Saved views: a person keeps a list's filters and sort under a name, shares them by link, and picks
the one that opens when they come to the list."""

import pytest
from django.urls import reverse

from command_center.models import SavedView
from tests.factories import make_connection

LIST = reverse("connections:connection_list")
LIST_NAME = "connections:connection_list"


def save(client, name, query, default=False):
    data = {"list_name": LIST_NAME, "query": query, "name": name}
    if default:
        data["make_default"] = "on"
    return client.post(reverse("view_save"), data)


def test_a_view_keeps_the_filters_and_sort_but_not_the_page_or_ticks(viewer_client, viewer):
    response = save(viewer_client, "Failing", "status=unable_to_connect&q=&sort=-modified&page=3&ids=x")
    view = SavedView.objects.get(owner=viewer)
    assert view.query == "status=unable_to_connect&sort=-modified"
    assert response["Location"] == f"{LIST}?status=unable_to_connect&sort=-modified"


def test_the_list_shows_its_saved_views_and_the_page_size_choice(viewer_client):
    save(viewer_client, "Failing", "status=unable_to_connect")
    html = viewer_client.get(LIST, {"status": "unable_to_connect"}).content.decode()
    assert 'aria-current="true" class="current">Failing</a>' in html
    assert 'name="per_page"' in html and '<option value="100">' in html


def test_another_person_opens_a_shared_view_by_its_link(viewer_client, operator_client):
    save(viewer_client, "Failing", "status=unable_to_connect")
    view = SavedView.objects.get()
    response = operator_client.get(reverse("view_open", args=[view.pk]))
    assert response["Location"] == f"{LIST}?status=unable_to_connect"


def test_the_default_view_opens_when_the_list_is_opened_bare_and_view_all_shows_everything(viewer_client):
    make_connection(status="unable_to_connect")
    make_connection(status="completed")
    save(viewer_client, "Failing", "status=unable_to_connect", default=True)
    assert viewer_client.get(LIST)["Location"] == f"{LIST}?status=unable_to_connect"
    assert len(viewer_client.get(LIST, {"view": "all"}).context["rows"]) == 2
    # An htmx request asks for what it names: no redirect.
    assert viewer_client.get(LIST, HTTP_HX_REQUEST="true").status_code == 200


def test_a_person_has_one_default_per_list(viewer_client, viewer):
    save(viewer_client, "Failing", "status=unable_to_connect", default=True)
    save(viewer_client, "Done", "status=completed", default=True)
    assert list(SavedView.objects.filter(owner=viewer, is_default=True).values_list("name", flat=True)) == ["Done"]


def test_saving_under_a_name_already_used_replaces_that_view(viewer_client, viewer):
    save(viewer_client, "Mine", "status=completed")
    save(viewer_client, "Mine", "status=unable_to_connect")
    assert list(SavedView.objects.filter(owner=viewer).values_list("query", flat=True)) == ["status=unable_to_connect"]


def test_a_view_without_a_name_is_not_saved_and_says_why(viewer_client):
    response = save(viewer_client, "  ", "status=completed")
    assert not SavedView.objects.exists()
    messages = [str(m) for m in viewer_client.get(response["Location"]).context["messages"]]
    assert messages == ["The view was not saved: Give the view a name."]


def test_only_its_owner_deletes_or_changes_a_view(viewer_client, operator_client):
    save(viewer_client, "Mine", "status=completed")
    view = SavedView.objects.get()
    assert operator_client.post(reverse("view_delete", args=[view.pk])).status_code == 404
    assert operator_client.post(reverse("view_default", args=[view.pk])).status_code == 404
    viewer_client.post(reverse("view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_a_list_that_is_not_one_cannot_be_saved(viewer_client):
    response = viewer_client.post(reverse("view_save"), {"list_name": "admin:index", "name": "x", "query": ""})
    assert response.status_code == 404


@pytest.mark.parametrize("per_page, shown", [("25", 25), ("200", 200), ("7", 7)])
def test_the_page_size_is_a_choice_kept_in_the_address(viewer_client, per_page, shown):
    for _ in range(3):
        make_connection()
    response = viewer_client.get(LIST, {"per_page": per_page})
    assert response.context["paginator"].per_page == shown
    assert f'<option value="{shown}" selected>' in response.content.decode()
