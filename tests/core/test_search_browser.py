"""In a real browser: an id pasted into the header's search box opens its record, at laptop and phone width."""

import pytest

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.members.factories import make_employee

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_an_id_pasted_in_the_header_opens_the_record(live_server, page, screenshot, viewer, transactional_db, width):
    employee = make_employee(first_name="Kwame", last_name="Adams")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, viewer.username, PASSWORD)
    box = page.get_by_role("searchbox", name="Search every record")
    assert box.is_visible() and box.bounding_box()["x"] + box.bounding_box()["width"] <= width
    screenshot(f"search-header-{width}")
    box.fill(f" {employee.pk.upper()} ")
    box.press("Enter")
    page.wait_for_url(f"**/members/employees/{employee.pk}/")
    assert "Kwame Adams" in page.locator("h1").inner_text()
