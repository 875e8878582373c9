"""No body makes a write fail with a 500: every field of every write is sent values of the wrong kind
(numbers, lists, objects, null, NUL bytes, very long text), and each answer says in plain words what
became of it (a refusal, mostly; a value that happens to be valid goes to the sandbox, which answers)."""

import uuid

import pytest
from django.urls import reverse

from command_center.api import writes as console_writes
from connections.api import writes as connection_writes
from tests.attention.factories import make_item
from tests.factories import make_connection, make_disconnection, make_group

ODD_VALUES = [5, 1.5, True, None, [], ["x", 1], {}, {"a": [1]}, "", "x" * 5000, "\x00", "a\x00b", "😀", "9999-99-99"]
# Sent as they are: JSON that is not an object, and text that is not JSON.
ODD_BODIES = ["[]", '["x"]', '"text"', "5", "null", "not json", "{"]


@pytest.fixture
def records(sandbox, noyo_settings, db):
    group = make_group()
    return {
        "connection": make_connection(group=group, status="unable_to_connect"),
        "disconnection": make_disconnection(group, status="needs_review"),
        "item": make_item(),
        "group": group,
    }


# (route, the record its path names, the serializer that reads its body)
WRITES = [
    ("api:connection-retry", "connection", connection_writes.RetryRequestSerializer),
    ("api:connection-bulk-retry", None, connection_writes.BulkRetryRequestSerializer),
    ("api:connection-create", None, connection_writes.ConnectRequestSerializer),
    ("api:disconnection-confirm", "disconnection", connection_writes.ConfirmRequestSerializer),
    ("api:disconnection-reject", "disconnection", connection_writes.RejectRequestSerializer),
    ("api:renewal-create", None, connection_writes.RenewalRequestSerializer),
    ("api:sync-start", None, console_writes.SyncStartRequestSerializer),
    ("api:attention-acknowledge", "item", None),
    ("api:attention-assign", "item", console_writes.AssignRequestSerializer),
    ("api:attention-snooze", "item", console_writes.SnoozeRequestSerializer),
]


def test_every_write_route_is_here():
    from tests.routes import named_routes

    writes = {
        name for name, pattern in named_routes() if name.startswith("api:") and hasattr(_view_class(pattern), "post")
    }
    assert writes == {name for name, _, _ in WRITES}


def _view_class(pattern):
    return getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)


@pytest.mark.parametrize("name,record,serializer", WRITES, ids=[name for name, _, _ in WRITES])
def test_odd_values_in_any_field_are_answered_in_plain_words(
    operator_client, records, monkeypatch, name, record, serializer
):
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: None)
    url = reverse(name, args=[records[record].pk] if record else [])
    fields = list(serializer().fields) if serializer else ["anything"]
    bodies = [{field: value} for field in fields for value in ODD_VALUES]
    bodies += [dict.fromkeys(fields, value) for value in ODD_VALUES]
    for body in bodies:
        response = operator_client.post(
            url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert response.status_code != 500, (body, response.content[:300])
        assert isinstance(response.json().get("detail"), str), body
    for body in ODD_BODIES:
        response = operator_client.post(
            url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert response.status_code == 400, body


# Text a form post can carry: what an HTML form, curl -F or a fuzzer may send instead of JSON.
FORM_VALUES = ["", "x" * 5000, "😀", "9999-99-99", "5", "null", "[]"]


@pytest.mark.parametrize("name,record,serializer", WRITES, ids=[name for name, _, _ in WRITES])
def test_a_form_post_is_read_like_json_and_never_fails(operator_client, records, monkeypatch, name, record, serializer):
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: None)
    url = reverse(name, args=[records[record].pk] if record else [])
    fields = list(serializer().fields) if serializer else ["anything"]
    for value in FORM_VALUES:
        for body in (dict.fromkeys(fields, value), {field: [value, value] for field in fields}):
            response = operator_client.post(
                url, body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
            )  # multipart, as a browser sends it
            assert response.status_code != 500, (body, response.content[:300])
            assert isinstance(response.json().get("detail"), str), body
