"""The signed-in shell: sign-in, navigation, roles, sign-out."""

import pytest
from django.contrib.auth.models import Group

from command_center.roles import OPERATOR, VIEWER
from tests.browser import sign_in
from tests.conftest import PASSWORD


def test_the_roles_exist_after_migrate(db):
    operator = Group.objects.get(name=OPERATOR)
    assert Group.objects.filter(name=VIEWER).exists()
    assert "start_sync" in operator.permissions.values_list("codename", flat=True)


def test_the_dashboard_shows_the_navigation_and_the_user(viewer_client):
    html = viewer_client.get("/").content.decode()
    for label in [
        "Dashboard",
        "Connections",
        "Groups",
        "Employees",
        "Member requests",
        "Snapshots",
        "Syncs",
        "Audit log",
    ]:
        assert f">{label}</a>" in html
    assert "vera.viewer" in html
    assert "Sign out" in html


def test_a_viewer_is_labelled_viewer_and_an_operator_operator(viewer_client, operator_client):
    assert '<span class="role">Viewer</span>' in viewer_client.get("/").content.decode()
    assert '<span class="role">Operator</span>' in operator_client.get("/").content.decode()


def test_signing_in_with_a_wrong_password_says_so(client, viewer):
    response = client.post("/login/", {"username": viewer.username, "password": "wrong"})
    assert response.status_code == 200
    assert "match. Please try again" in response.content.decode()


def test_signing_out_takes_you_to_sign_in(viewer_client):
    response = viewer_client.post("/logout/")
    assert response.status_code == 302
    assert viewer_client.get("/").status_code == 302


def test_pages_load_htmx_and_css_from_static_files(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "/static/css/app.css" in html
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]


@pytest.mark.browser
def test_a_user_signs_in_and_sees_the_dashboard(live_server, page, screenshot, viewer):
    sign_in(page, live_server, viewer.username, PASSWORD)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator(".userbox").inner_text().startswith("vera.viewer")
    # The stylesheet was served (no CDN) and applied: the header is dark.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(17, 26, 51)"
    )
    assert page.evaluate("typeof htmx") == "object"
    screenshot("dashboard-signed-in")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot("dashboard-narrow")
