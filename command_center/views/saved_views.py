"""Saving, opening, making default and deleting saved views of a list (command_center.saved_views)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST, require_safe

from command_center import saved_views
from command_center.models import SavedView


class SaveViewForm(forms.Form):
    list_name = forms.ChoiceField(choices=[(name, name) for name in sorted(saved_views.LIST_PAGES)])
    query = forms.CharField(required=False, max_length=2000)
    name = forms.CharField(
        label="Name",
        max_length=80,
        strip=True,
        error_messages={"required": "Give the view a name.", "max_length": "A name is at most 80 characters."},
    )
    make_default = forms.BooleanField(label="Open this view when I come to the list", required=False)


def _back(list_name: str, query: str = ""):
    try:
        return redirect(reverse(list_name) + (f"?{query}" if query else ""))
    except NoReverseMatch:
        raise Http404 from None


@require_POST
def view_save(request):
    form = SaveViewForm(request.POST)
    list_name = request.POST.get("list_name", "")
    if list_name not in saved_views.LIST_PAGES:
        raise Http404("No such list.")
    query = request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"The view was not saved: {error}")
        return _back(list_name, saved_views.query_to_keep(query))
    data = form.cleaned_data
    exists = saved_views.views_of(request.user, list_name).filter(name=data["name"]).exists()
    if not exists and SavedView.objects.filter(owner=request.user).count() >= saved_views.MAX_PER_PERSON:
        messages.error(
            request, f"The view was not saved: you have {saved_views.MAX_PER_PERSON} saved views. Delete one first."
        )
        return _back(list_name, saved_views.query_to_keep(query))
    view = saved_views.save(request.user, list_name, data["name"], data["query"], data["make_default"])
    messages.success(
        request,
        f"Saved the view “{view.name}”{' (replacing the one of that name)' if exists else ''}."
        + (" It opens when you come to this list." if view.is_default else ""),
    )
    return redirect(view.list_url)


@require_safe
def view_open(request, pk):
    """A view's own link: anyone signed in may open a view someone shared."""
    return redirect(get_object_or_404(SavedView, pk=pk).list_url)


@require_POST
def view_default(request, pk):
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    saved_views.set_default(view, on=not view.is_default)
    messages.success(
        request, f"“{view.name}” {'now opens' if view.is_default else 'no longer opens'} when you come to this list."
    )
    return _back(view.list_name, saved_views.ALL_QUERY if not view.is_default else "")


@require_POST
def view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    messages.success(request, f"Deleted the view “{view.name}”.")
    return _back(view.list_name, saved_views.ALL_QUERY)
