"""In a real browser: at phone width the navigation sits behind a Menu button, a list's filters fold behind a
Filters button with the search in sight, and a connection's status is on screen; a keyboard user can skip the
header and always sees where the focus is; the dark scheme follows the system's."""

import pytest

from tests.browser import policed_page, sign_in
from tests.conftest import PASSWORD
from tests.factories import make_carrier, make_connection, make_group

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def connections(transactional_db):
    carrier = make_carrier(name="Northwind Mutual Health Insurance")
    for name in ("Juniper Dental and Orthodontics of the Valley", "Birch Cafe"):
        make_connection(group=make_group(name=name), carrier=carrier, status="unable_to_connect")


def test_at_phone_width_the_navigation_opens_from_a_menu_button(live_server, page, viewer, connections):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not page.get_by_role("navigation", name="Main").is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    nav = page.get_by_role("navigation", name="Main")
    links = nav.get_by_role("link")
    # Every item can be reached, one under another, none cut off at the screen's edge.
    for link in links.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    nav.get_by_role("link", name="Groups").click()
    page.wait_for_url("**/connections/groups/")


def test_at_phone_width_filters_fold_behind_a_button_and_the_status_is_in_sight(live_server, page, viewer, connections):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/?status=unable_to_connect")
    assert page.locator("#id_q").is_visible()
    assert not page.locator("#id_request_type").is_visible()
    toggle = page.get_by_role("button", name="Filters (1 set)")
    toggle.click()
    assert page.locator("#id_request_type").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"

    status = page.locator("#results tbody td.status").first
    box = status.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], "the status column is off the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_at_laptop_width_every_filter_and_the_navigation_are_shown(live_server, page, viewer, connections):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.locator("#id_request_type").is_visible()
    assert page.locator("th", has_text="Carrier group id").is_visible()


def test_the_first_tab_offers_to_skip_the_header_and_focus_is_drawn(live_server, page, viewer, connections):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the page")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the first control on the page itself
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), page.evaluate("document.activeElement.outerHTML")


def test_the_dark_scheme_follows_the_system(live_server, browser, viewer, connections):
    colours = {}
    for scheme in ("light", "dark"):
        with policed_page(browser, color_scheme=scheme) as page:
            sign_in(page, live_server, viewer.username, PASSWORD)
            page.goto(f"{live_server.url}/connections/")
            colours[scheme] = page.evaluate("getComputedStyle(document.querySelector('.filters')).backgroundColor")
    assert colours == {"light": "rgb(255, 255, 255)", "dark": "rgb(23, 29, 43)"}


def test_the_filters_button_counts_the_filters_as_they_change(live_server, page, viewer, connections):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    toggle = page.locator("[data-filters-toggle]")
    assert toggle.inner_text() == "Filters"
    toggle.click()
    page.select_option("#id_request_type", "initial")
    page.wait_for_url("**request_type=initial**")
    assert toggle.inner_text() == "Filters (1 set)"
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert toggle.inner_text() == "Filters"
