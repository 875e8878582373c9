"""The demo's own commands: logins for each kind of user, and the URL and logins again once the first sync ends."""

import io

from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_sync_run


def sign_in(client, username, password):
    """Through the sign-in form, as a person does (sign-in throttling needs the request)."""
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_demo_has_an_administrator_who_can_open_the_admin_site(client, db):
    call_command("create_demo_users", stdout=io.StringIO())
    assert sign_in(client, "admin", "admin-demo").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_demo_operator_and_viewer_cannot_open_the_admin_site(client, db):
    call_command("create_demo_users", stdout=io.StringIO())
    for username in ("operator", "viewer"):
        assert sign_in(client, username, f"{username}-demo").status_code == 302
        assert client.get(reverse("admin:index")).status_code == 302


def test_once_the_first_sync_ends_the_url_and_every_login_are_printed_again(db):
    call_command("create_demo_users", stdout=io.StringIO())
    run = make_sync_run(kind="full", status="partial")
    out = io.StringIO()
    call_command(
        "demo_announce", "--url", "http://127.0.0.1:8100/", "--sandbox-clock-speed", "60", "--exit", stdout=out
    )
    text = out.getvalue()
    assert "Command Center is ready at http://127.0.0.1:8100/" in text
    assert f"The first sync (#{run.pk}) ended partial: http://127.0.0.1:8100/syncs/{run.pk}/" in text
    for login in ("operator-demo", "viewer-demo", "admin-demo"):
        assert login in text
    assert "clock runs 60 times fast" in text
