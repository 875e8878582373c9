"""Notes on connections, groups, employees and attention items: a short thread on the record's page, added with a
small htmx form by Operators, saved once however often the form is sent, each one in the audit log."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry, Note
from tests.attention.factories import make_item
from tests.factories import make_connection, make_group
from tests.members.factories import make_employee

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(response.content.decode().split())


def record(kind):
    return {
        "connection": lambda: make_connection(status="unable_to_connect"),
        "group": make_group,
        "employee": make_employee,
        "attention": make_item,
    }[kind]()


PAGES = {
    "connection": "connections:connection_detail",
    "group": "connections:group_detail",
    "employee": "members:employee_detail",
    "attention": "attention_detail",
}


def note_url(kind, obj):
    return reverse("note_add", args=[kind, obj.pk])


def form_token(client, kind, obj):
    response = client.get(reverse(PAGES[kind], args=[obj.pk]))
    assert response.status_code == 200
    return str(
        response.context["thread"].form.initial["token"]
        if kind == "attention"
        else response.context["notes"].form.initial["token"]
    )


@pytest.mark.parametrize("kind", list(PAGES))
def test_an_operator_adds_a_note_the_page_shows_it_with_who_and_when_and_the_audit_log_keeps_it(
    operator_client, operator, kind
):
    obj = record(kind)
    token = form_token(operator_client, kind, obj)

    response = operator_client.post(
        note_url(kind, obj),
        {"text": "Called the carrier: they need the BOR letter.", "token": token},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Note saved." in text(response) and "Called the carrier: they need the BOR letter." in text(response)
    assert response.content.decode().lstrip().startswith('<section class="card notes" id="notes">')
    note = Note.objects.get()
    assert (note.resource, note.object_id, note.author) == (obj._meta.label_lower, str(obj.pk), operator)
    page = text(operator_client.get(reverse(PAGES[kind], args=[obj.pk])))
    assert "Called the carrier: they need the BOR letter." in page and operator.username in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.NOTE)
    assert entry.actor == operator and entry.object_id == str(obj.pk)
    assert "Called the carrier" in entry.summary and entry.details["text"] == note.text


def test_the_same_form_sent_twice_saves_one_note(operator_client):
    connection = record("connection")
    token = form_token(operator_client, "connection", connection)
    for _ in range(3):
        response = operator_client.post(
            note_url("connection", connection), {"text": "Once.", "token": token}, HTTP_HX_REQUEST="true"
        )
    assert "This note was saved already." in text(response)
    assert Note.objects.count() == 1 and AuditEntry.objects.filter(action="note").count() == 1
    # The thread comes back with a fresh form, for the next note.
    assert str(response.context["thread"].form.initial["token"]) != token


def test_a_plain_post_goes_back_to_the_page(operator_client):
    group = record("group")
    response = operator_client.post(
        note_url("group", group), {"text": "Renewal call on Monday.", "token": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:group_detail", args=[group.pk]) + "#notes"
    assert Note.objects.get().text == "Renewal call on Monday."


@pytest.mark.parametrize(
    "data,says",
    [
        ({"text": "   "}, "Write the note first."),
        ({"text": "x" * 2001}, "A note holds at most 2,000 characters."),
        ({"text": "Fine", "token": "not-a-token"}, "This form was out of date; send it again."),
    ],
)
def test_a_note_that_cannot_be_saved_answers_422_in_plain_words_keeping_what_was_typed(operator_client, data, says):
    connection = record("connection")
    data = {"token": str(uuid.uuid4()), **data}
    response = operator_client.post(note_url("connection", connection), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert says in text(response)
    assert not Note.objects.exists()
    if data["text"].strip():
        assert data["text"][:50] in response.content.decode()


def test_a_viewer_reads_notes_but_cannot_add_one(viewer_client, operator):
    connection = record("connection")
    Note.objects.create(
        resource="connections.groupconnection",
        object_id=connection.pk,
        author=operator,
        text="Waiting on the broker.",
        token=uuid.uuid4(),
    )
    page = text(viewer_client.get(reverse("connections:connection_detail", args=[connection.pk])))
    assert "Waiting on the broker." in page and "Add a note" not in page

    response = viewer_client.post(note_url("connection", connection), {"text": "Hi", "token": str(uuid.uuid4())})

    assert response.status_code == 403
    assert "Only Operators can add notes." in text(response)
    assert Note.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        ("nothing", "x"),
        ("connection", "no-such-connection"),
        ("attention", "not-a-number"),
        ("attention", "99999999999999999999"),
        ("group", "a\x00b"),
    ],
)
def test_a_note_about_nothing_we_have_is_404(operator_client, path):
    response = operator_client.post(reverse("note_add", args=list(path)), {"text": "Hi", "token": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_asking_for_the_note_form_with_get_goes_to_the_record(operator_client):
    employee = record("employee")
    response = operator_client.get(note_url("employee", employee))
    assert response.status_code == 302 and response["Location"].endswith(f"/members/employees/{employee.pk}/#notes")


def test_a_long_thread_keeps_the_connection_page_bounded(operator_client, operator, django_assert_max_num_queries):
    connection = record("connection")
    Note.objects.bulk_create(
        [
            Note(
                resource="connections.groupconnection",
                object_id=connection.pk,
                author=operator,
                text=f"Note {i}",
                token=uuid.uuid4(),
            )
            for i in range(200)
        ]
    )
    with django_assert_max_num_queries(25):
        response = operator_client.get(reverse("connections:connection_detail", args=[connection.pk]))
    assert "Note 199" in text(response)
