"""In a real browser: a list's form always says what its URL says, through Back, Forward and reload."""

import re

import pytest

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_connection, make_group

pytestmark = pytest.mark.browser


@pytest.fixture
def connections(transactional_db):
    juniper = make_group(name="Juniper Dental")
    make_connection(group=juniper, request_type="initial", status="completed")
    make_connection(group=juniper, request_type="incremental", status="unable_to_connect")
    make_connection(group=make_group(name="Birch Cafe"), request_type="initial", status="completed")


def rows(page):
    return page.locator("#results tbody tr").all_inner_texts()


def settle(page, url_pattern):
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state("networkidle")


def test_back_restores_the_search_and_choices_the_address_shows(live_server, page, viewer, connections):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    page.locator("#id_q").press_sequentially("Juniper")
    settle(page, r"q=Juniper")
    page.select_option("#id_request_type", "initial")
    settle(page, r"request_type=initial")
    assert len(rows(page)) == 1

    page.go_back()
    settle(page, r"^(?!.*request_type=initial).*q=Juniper")
    # Seen before: the rows were the search's but the box was empty and the type forgotten.
    assert page.input_value("#id_q") == "Juniper"
    assert page.input_value("#id_request_type") == ""
    assert len(rows(page)) == 2 and all("Juniper" in row for row in rows(page))

    # The next filter builds on what the form shows, which is what the address says.
    page.click("#id_status_menu summary")
    page.get_by_label("Completed").check()
    settle(page, r"status=completed")
    assert "q=Juniper" in page.url
    assert len(rows(page)) == 1 and "Juniper" in rows(page)[0]

    page.go_forward()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_q") == "Juniper"
    assert page.locator("#id_status_menu input[value=completed]").is_checked()


def test_a_reload_shows_the_form_of_the_address_not_what_was_typed_since(live_server, page, viewer, connections):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/?q=Birch")
    page.wait_for_load_state("networkidle")
    page.locator("#id_q").evaluate("(box) => { box.value = 'typed, never sent'; }")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_q") == "Birch"
    assert len(rows(page)) == 1


def test_the_rows_per_page_choice_shows_the_size_the_page_has(live_server, page, viewer, connections):
    # Seen: a page of 50 rows said 25, the first choice, when the address had no per_page.
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#list-per-page") == "50"
    page.select_option("#list-per-page", "100")
    settle(page, r"per_page=100")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#list-per-page") == "50"
