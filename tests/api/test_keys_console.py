"""The API keys page: a person makes a key (shown once, stored hashed), sees their keys, revokes one."""

import io
import re
import uuid

from django.core.management import call_command
from django.urls import reverse

from command_center.models import ApiKey, AuditEntry
from tests.api.keys import make_key

PAGE = reverse("api_key_list")
CREATE = reverse("api_key_create")


def form(name, scope):
    """What the page's form sends: its fields, and the token it was rendered with."""
    return {"name": name, "scope": scope, "token": str(uuid.uuid4())}


def revoke_url(api_key):
    return reverse("api_key_revoke", args=[api_key.prefix])


def shown_key(response) -> str:
    """The key as the page shows it, once, in the read-only box."""
    match = re.search(r'id="new-key" class="mono key-value" value="([^"]+)"', response.content.decode())
    assert match, "the new key is not on the page"
    return match.group(1)


def test_the_header_links_to_the_page(viewer_client):
    assert f'href="{PAGE}"' in viewer_client.get(reverse("dashboard")).content.decode()


def test_a_new_key_is_shown_once_and_then_never_again(operator_client, operator):
    response = operator_client.post(CREATE, form("nightly export", "operator"))
    assert response.status_code == 201
    key = shown_key(response)
    api_key = ApiKey.objects.get(user=operator)
    assert (api_key.name, api_key.scope, api_key.revoked) == ("nightly export", "operator", False)
    assert key.startswith(api_key.prefix + ".")
    assert "no-store" in response["Cache-Control"]
    again = operator_client.get(PAGE).content.decode()
    assert "nightly export" in again and api_key.prefix in again
    assert key not in again


def test_the_database_never_holds_the_key(operator_client):
    key = shown_key(operator_client.post(CREATE, form("grafana", "read_only")))
    api_key = ApiKey.objects.get()
    assert api_key.hashed_key.startswith("sha512$$") and key not in api_key.hashed_key
    assert ApiKey.objects.get_from_key(key) == api_key
    # Every table, sessions and the audit log included.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert key not in dump.getvalue()
    assert key.split(".")[1] not in dump.getvalue()


def test_the_list_shows_name_scope_created_last_used_and_revoked(operator_client, operator):
    used, _ = make_key(operator, "operator", name="used one")
    ApiKey.objects.filter(pk=used.pk).update(last_used_at="2026-03-04T05:06:00Z")
    gone, _ = make_key(operator, name="gone one")
    gone.revoke(gone.created)
    page = operator_client.get(PAGE).content.decode()
    row = re.search(rf'data-prefix="{used.prefix}">(.*?)</tr>', page, re.S).group(1)
    assert "used one" in row and "Operator" in row and "Mar 4, 2026 05:06" in row and "Revoke</button>" in row
    row = re.search(rf'data-prefix="{gone.prefix}">(.*?)</tr>', page, re.S).group(1)
    assert "Read only" in row and "Never" in row and "Revoked" in row and "Revoke</button>" not in row


def test_it_lists_only_your_own_keys(viewer_client, operator):
    make_key(operator, name="someone else's")
    assert "someone else&#x27;s" not in viewer_client.get(PAGE).content.decode()


def test_a_viewer_is_offered_read_only_keys_alone(viewer_client):
    page = viewer_client.get(PAGE).content.decode()
    assert 'value="read_only"' in page and 'value="operator"' not in page


def test_a_viewer_cannot_make_an_operator_key(viewer_client):
    response = viewer_client.post(CREATE, form("sneaky", "operator"))
    assert response.status_code == 422
    assert "Only Operators can make operator keys" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_viewer_makes_a_read_only_key(viewer_client, viewer):
    assert viewer_client.post(CREATE, form("report", "read_only")).status_code == 201
    assert ApiKey.objects.get(user=viewer).scope == "read_only"


def test_sending_the_same_form_again_makes_no_second_key_and_shows_no_key(operator_client):
    sent = form("nightly export", "operator")
    key = shown_key(operator_client.post(CREATE, sent))
    again = operator_client.post(CREATE, sent)
    assert again.status_code == 200
    page = again.content.decode()
    assert "This form was sent already: the key “nightly export” was made then" in page
    assert key not in page and 'id="new-key"' not in page
    assert ApiKey.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE_KEY).count() == 1


def test_a_form_without_its_token_is_refused(operator_client):
    response = operator_client.post(CREATE, {"name": "x", "scope": "read_only", "token": "stale"})
    assert response.status_code == 422
    assert "This form was out of date; send it again." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_key_needs_a_name(operator_client):
    response = operator_client.post(CREATE, form("", "read_only"))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_making_a_key_is_audited_without_the_key(operator_client, operator):
    key = shown_key(operator_client.post(CREATE, form("nightly export", "operator")))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE_KEY)
    assert entry.actor == operator and entry.object_id == ApiKey.objects.get().prefix
    assert entry.summary == "Created the operator API key “nightly export”"
    assert key not in str(entry.details)


def test_revoking_a_key_refuses_it_and_is_audited(operator_client, operator):
    api_key, _ = make_key(operator, name="old script")
    response = operator_client.post(revoke_url(api_key), follow=True)
    assert "Revoked “old script”" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked and api_key.revoked_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVOKE_KEY)
    assert (entry.actor, entry.object_id, entry.summary) == (
        operator,
        api_key.prefix,
        "Revoked the read only API key “old script”",
    )


def test_revoking_twice_changes_nothing_more(operator_client, operator):
    api_key, _ = make_key(operator, name="old script")
    operator_client.post(revoke_url(api_key))
    first = ApiKey.objects.get().revoked_at
    response = operator_client.post(revoke_url(api_key), follow=True)
    assert "was already revoked" in response.content.decode()
    assert ApiKey.objects.get().revoked_at == first
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVOKE_KEY).count() == 1


def test_nobody_revokes_someone_elses_key(viewer_client, operator):
    api_key, _ = make_key(operator)
    assert viewer_client.post(revoke_url(api_key)).status_code == 404
    assert not ApiKey.objects.get().revoked


def test_a_get_of_new_only_goes_back_to_the_page(operator_client):
    response = operator_client.get(CREATE)
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not ApiKey.objects.exists()


def test_a_get_of_revoke_only_goes_back_to_the_page(operator_client, operator):
    api_key, _ = make_key(operator)
    response = operator_client.get(revoke_url(api_key))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not ApiKey.objects.get().revoked
