"""In a real browser, at laptop and phone widths: every page this console gained with its API, alerts,
search, trends and saved views reads without sideways scrolling. Screenshots land in
test-artifacts/screenshots/added-*.png, to be looked at."""

import pytest

from command_center import saved_views
from command_center.alerts.models import Channel
from command_center.models import ApiKey
from tests.api.keys import make_key
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_carrier, make_connection, make_group

pytestmark = pytest.mark.browser
WIDTHS = {"laptop": 1366, "phone": 390}
PAGES = {
    "dashboard": "/",
    "connections-with-saved-views": "/connections/?status=unable_to_connect",
    "search-results": "/search/?q=Juniper",
    "trends": "/trends/",
    "api-keys": "/account/api-keys/",
    "alerts": "/alerts/",
    "alert-channels": "/alerts/channels/",
    "alert-deliveries": "/alerts/deliveries/",
    "scheduled-reports": "/alerts/reports/",
    "audit-log": "/audit/",
    "api-docs": "/api/docs/",
}


@pytest.fixture
def admin(django_user_model, transactional_db):
    user = django_user_model.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    carrier = make_carrier(name="Northwind Health")
    for name in ("Juniper Dental", "Juniper Dental West"):
        make_connection(group=make_group(name=name), carrier=carrier, status="unable_to_connect")
    saved_views.save(user, "connections:connection_list", "Failing at Northwind", "status=unable_to_connect", True)
    make_key(user, ApiKey.Scope.OPERATOR, name="nightly retries")
    Channel.objects.get_or_create(name="E-mail", defaults={"kind": Channel.Kind.EMAIL})
    return user


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_added_page_fits_the_screen(live_server, page, screenshot, admin, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server, admin.username, PASSWORD)
    too_wide = {}
    for name, path in PAGES.items():
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, (name, response.status)
        screenshot(f"added-{name}-{width}")
        if sideways(page) > 1:
            too_wide[name] = sideways(page)
    assert too_wide == {}
