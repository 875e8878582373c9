"""In a real browser: a list's columns are picked from its filter bar, kept in the address (Back puts them
back, form and table alike), and a saved view is scheduled as a report from its menu and then listed."""

import pytest

from command_center import saved_views
from command_center.alerts.models import Channel, ScheduledReport
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_carrier, make_connection, make_group

pytestmark = pytest.mark.browser


@pytest.fixture
def person(django_user_model, transactional_db):
    from django.contrib.auth.models import Group

    from command_center.roles import VIEWER

    user = django_user_model.objects.create_user("vera.viewer", "vera@example.com", PASSWORD)
    user.groups.add(Group.objects.get(name=VIEWER))
    make_connection(
        group=make_group(name="Juniper Dental"),
        carrier=make_carrier(name="Northwind Health"),
        status="unable_to_connect",
    )
    saved_views.save(user, "connections:connection_list", "Failing at Northwind", "status=unable_to_connect", False)
    Channel.objects.get_or_create(name="E-mail", defaults={"kind": Channel.Kind.EMAIL})
    return user


def headers(page):
    return [text.strip() for text in page.locator("#results table thead th").all_text_contents()]


def test_columns_are_chosen_in_the_filter_bar_and_back_puts_form_and_table_back(live_server, page, screenshot, person):
    sign_in(page, live_server, person.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    assert "Carrier" in headers(page)

    page.click("form.filters details[data-count-summary] > summary")
    screenshot("columns-picker")
    with page.expect_response(lambda response: "/connections/" in response.url):
        page.locator("#list-columns label", has_text="In status for").first.locator("input").uncheck()
    page.wait_for_function(
        '() => !document.querySelector(\'#results thead a[href*="sort=since&"], #results thead a[href$="sort=since"]\')'
    )
    assert "In status for" not in headers(page) and "Group" in headers(page)
    assert "cols=" in page.url and "cols=since&" not in page.url + "&"
    assert page.locator("form.filters details[data-count-summary] > summary").inner_text() == "7 of 8 shown"

    page.go_back()
    page.wait_for_function(
        '() => document.querySelector(\'#results thead a[href*="sort=since&"], #results thead a[href$="sort=since"]\')'
    )
    assert page.locator("#list-columns input[value=since]").is_checked()


def test_a_saved_view_is_scheduled_as_a_report_and_listed(live_server, page, screenshot, person):
    sign_in(page, live_server, person.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    page.click("summary[aria-label='More for Failing at Northwind']")
    page.click("text=Schedule a report…")
    page.wait_for_load_state("networkidle")

    page.check("input[name=frequency][value=weekly]")
    page.select_option("#id_weekday", "0")
    page.fill("#id_at", "08:15")
    page.select_option("#id_time_zone", "Asia/Tokyo")
    screenshot("report-form")
    page.click("button:has-text('Schedule')")
    page.wait_for_load_state("networkidle")
    screenshot("report-list")

    assert page.url.endswith("/alerts/reports/")
    row = page.locator("table.reports tbody tr", has_text="Failing at Northwind")
    assert "Weekly on Monday at 08:15 (Asia/Tokyo)" in row.inner_text()
    assert ScheduledReport.objects.get().owner == person
