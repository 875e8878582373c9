"""Notes people leave on records for their teammates: a short thread on a connection, a group,
an employee or an attention item, each note in the audit log.

The form carries a token made when it renders (``Thread.token``): saving is
``get_or_create(token=…)``, so a double click, a second tab or a browser resend saves one note.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from command_center.models import Note

PERMISSION = "command_center.add_note"
MAX_LENGTH = 2000

# What a note may be about: the URL's word for it, the model, and how the audit log names it.
TARGETS = {
    "connection": ("connections.GroupConnection", lambda obj: f"connection {obj.group_name or obj.pk}"),
    "group": ("connections.Group", lambda obj: f"group {obj}"),
    "employee": ("members.Employee", lambda obj: f"employee {obj.full_name or obj.pk}"),
    "attention": ("command_center.AttentionItem", lambda obj: f"attention item #{obj.pk} ({obj.get_kind_display()})"),
}
TARGET_OF_MODEL = {path.lower(): target for target, (path, _) in TARGETS.items()}


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "What your teammates should know", "maxlength": MAX_LENGTH}
        ),
        error_messages={
            "required": "Write the note first.",
            "max_length": f"A note holds at most {MAX_LENGTH:,} characters.",
        },
    )
    token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": "This form was out of date; send it again."}
    )


@dataclass
class Thread:
    """A record's notes and the form that adds one, for the ``includes/notes.html`` partial."""

    target: str
    object_id: str
    notes: list = field(default_factory=list)
    form: NoteForm | None = None
    message: str = ""

    @property
    def url(self) -> str:
        return reverse("note_add", args=[self.target, self.object_id])


def model_of(target: str):
    path, _ = TARGETS[target]
    return apps.get_model(path)


def thread_for(obj, form: NoteForm | None = None, message: str = "") -> Thread:
    """The notes of ``obj``, oldest first (one query), with a fresh form unless one is given."""
    target = TARGET_OF_MODEL[obj._meta.label_lower]
    notes = list(Note.objects.about(obj).select_related("author"))
    return Thread(target, str(obj.pk), notes, form or NoteForm(initial={"token": uuid.uuid4()}), message)


def add_note(obj, user, text: str, token: uuid.UUID) -> tuple[Note, bool]:
    """Save the note once per token; audit it when it is new. Returns ``(note, created)``."""
    from command_center.audit import record_note

    target = TARGET_OF_MODEL[obj._meta.label_lower]
    with transaction.atomic():
        # A concurrent save of the same token loses the race on the unique token, and get_or_create reads the winner.
        note, created = Note.objects.get_or_create(
            token=token,
            defaults={"resource": obj._meta.label_lower, "object_id": str(obj.pk), "author": user, "text": text},
        )
        if created:
            record_note(user, note, TARGETS[target][1](obj))
    return note, created
