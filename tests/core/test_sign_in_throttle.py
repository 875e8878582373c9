"""Sign-in is throttled: after a few wrong passwords for one user name, or from one address, sign-in is
refused for a while with a plain message, even with the right password; the lockout expires by itself,
and a successful sign-in forgets the earlier failures. API keys are not sign-ins and are not throttled."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from command_center.models import ApiKey
from tests.api.keys import make_key
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOCKED_OUT = "Too many failed sign-ins"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = sign_in(client, username, "not the password", address)
        assert response.status_code in (200, 429), response.status_code


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_few_wrong_passwords_are_answered_with_the_sign_in_form(client, viewer):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client, viewer.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_after_the_limit_the_right_password_is_refused_with_a_plain_message(client, viewer):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, viewer.username, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert LOCKED_OUT in body
    assert f"Try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in body
    # The sign-in page itself, with its form, not a bare error page.
    assert 'name="username"' in body and "Sign in" in body


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(client, viewer):
    fail(client, viewer.username, 30)
    assert sign_in(client, viewer.username, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_a_user_name_is_locked_whatever_address_the_attempts_come_from(client, viewer):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, viewer.username, 1, address=f"198.51.100.{n + 1}")
    response = sign_in(client, viewer.username, PASSWORD, address="192.0.2.200")
    assert response.status_code == 429 and not signed_in(client)


def test_an_address_is_locked_whatever_user_names_it_tries(client, viewer, operator):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"guess{n}", 1, address="198.51.100.9")
    assert sign_in(client, operator.username, PASSWORD, address="198.51.100.9").status_code == 429
    assert not signed_in(client)
    # The same person from another address signs in: only that address was locked.
    assert sign_in(client, operator.username, PASSWORD, address="192.0.2.10").status_code == 302


def test_the_lockout_expires_by_itself(client, viewer):
    with time_machine.travel(dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
        assert sign_in(client, viewer.username, PASSWORD).status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=30))
        assert sign_in(client, viewer.username, PASSWORD).status_code == 429
        # Each refused try while locked starts the wait again, so the clock counts from the last one.
        clock.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1))
        response = sign_in(client, viewer.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_forgets_the_failures_before_it(client, viewer):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, viewer.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, viewer.username, PASSWORD).status_code == 302


def test_an_api_key_still_works_from_a_locked_out_address(client, viewer):
    fail(client, viewer.username, settings.AXES_FAILURE_LIMIT)
    _, key = make_key(viewer, ApiKey.Scope.READ_ONLY)
    response = client.get(reverse("api:connection-list"), HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200


def test_the_admin_sign_in_is_throttled_too(client, django_user_model):
    django_user_model.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "ada.admin", "password": "nope"}, REMOTE_ADDR="203.0.113.8")
    response = client.post(
        reverse("admin:login"), {"username": "ada.admin", "password": PASSWORD}, REMOTE_ADDR="203.0.113.8"
    )
    assert response.status_code == 429 and not signed_in(client)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, viewer, operator, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request comes from the proxy (10.0.0.2); the proxy appends the client's address. What a
    # client writes into X-Forwarded-For itself is further left, and ignored.
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",
        )
    locked = client.post(
        reverse("login"),
        {"username": operator.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out with it.
    other = client.post(
        reverse("login"),
        {"username": operator.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert other.status_code == 302
