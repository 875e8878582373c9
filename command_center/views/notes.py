"""Adding a note to a connection, a group, an employee or an attention item (``command_center.notes``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from command_center import notes

REFUSED = "Only Operators can add notes. Ask an administrator for the Operator role."
PAGES = {
    "connection": "connections:connection_detail",
    "group": "connections:group_detail",
    "employee": "members:employee_detail",
    "attention": "attention_detail",
}


def _get_record(target, object_id):
    """The record a note is about; 404 for an unknown kind of record, an id it cannot have, or no such row."""
    if target not in notes.TARGETS:
        raise Http404("Notes cannot be left there.")
    model = notes.model_of(target)
    pk = model._meta.pk
    try:
        if "\x00" in object_id:
            raise ValidationError("A NUL byte")
        value = pk.to_python(object_id)
        pk.run_validators(value)
    except ValidationError:
        raise Http404("No such record.") from None
    record = model._base_manager.filter(pk=value).first()
    if record is None:
        raise Http404("No such record.")
    return record


def _page_of(target, record) -> str:
    return reverse(PAGES[target], args=[record.pk]) + "#notes"


@vary_on_headers("HX-Request")
def note_add(request, target, object_id):
    """POST: save the note the form carries (once, however often it is sent) and show the thread."""
    record = _get_record(target, object_id)
    if request.method != "POST":
        return redirect(_page_of(target, record))
    if not request.user.has_perm(notes.PERMISSION):
        raise PermissionDenied(REFUSED)
    form = notes.NoteForm(request.POST)
    if not form.is_valid():
        return _thread_response(request, target, record, form=form, status=422)
    _, created = notes.add_note(record, request.user, form.cleaned_data["text"], form.cleaned_data["token"])
    return _thread_response(
        request, target, record, message="Note saved." if created else "This note was saved already."
    )


def _thread_response(request, target, record, *, form=None, message="", status=200):
    if not request.htmx:
        if form is not None:
            for error in form.errors.get("text", []) + form.errors.get("token", []):
                messages.error(request, error)
        else:
            messages.success(request, message)
        return redirect(_page_of(target, record))
    thread = notes.thread_for(record, form=form, message=message)
    return TemplateResponse(request, "includes/notes.html", {"thread": thread}, status=status)
