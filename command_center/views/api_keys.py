"""A person's API keys: make one (shown once), see when each was last used, revoke one.

The key itself is only in the answer to the form that made it: never stored, never in a redirect
or a message (both would keep it in the session). Making and revoking a key are audited.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from command_center import audit
from command_center.models import ApiKey, AuditEntry

OPERATORS_ONLY = "Only Operators can make operator keys: yours can be read-only."


class ApiKeyForm(forms.Form):
    # Made when the form renders: a resend of the same form (a reload, a double click) makes no second key.
    token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": "This form was out of date; send it again."}
    )
    name = forms.CharField(
        max_length=50,
        help_text="What will use it, so you know which to revoke later: “nightly export”, “Grafana”.",
    )
    scope = forms.ChoiceField(choices=ApiKey.Scope.choices, initial=ApiKey.Scope.READ_ONLY, widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.allowed = ApiKey.scopes_for(user)
        # Offer only the scopes the user may give; a forged choice gets the reason below, in plain words.
        self.fields["scope"].widget.choices = [
            (value, label) for value, label in ApiKey.Scope.choices if value in self.allowed
        ]

    def clean_scope(self):
        scope = self.cleaned_data["scope"]
        if scope not in self.allowed:
            raise forms.ValidationError(OPERATORS_ONLY)
        return scope


def _page(request, form, new_key="", created=None, status=200):
    context = {
        "form": form,
        "keys": ApiKey.objects.for_user(request.user),
        "new_key": new_key,
        "created": created,
        "freshness": None,  # the page reads nothing from the mirror: how current it is does not matter here
    }
    return TemplateResponse(request, "account/api_keys.html", context, status=status)


@never_cache
def api_key_list(request):
    return _page(request, ApiKeyForm(user=request.user))


@never_cache
def api_key_create(request):
    if request.method != "POST":
        return redirect("api_key_list")
    form = ApiKeyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=422)
    with transaction.atomic():
        api_key, key = ApiKey.objects.make_once(request.user, **form.cleaned_data)
        if key:
            audit.record_api_key(request.user, api_key, AuditEntry.Action.CREATE_KEY)
    # The key is shown here once (or, for a resent form, only its name); a fresh form below, for the next key.
    return _page(request, ApiKeyForm(user=request.user), new_key=key, created=api_key, status=201 if key else 200)


def api_key_revoke(request, prefix):
    api_key = get_object_or_404(ApiKey.objects.for_user(request.user), prefix=prefix)
    if request.method != "POST":
        return redirect("api_key_list")
    with transaction.atomic():
        if not api_key.revoke(timezone.now()):
            messages.info(request, f"“{api_key.name}” was already revoked.")
            return redirect("api_key_list")
        audit.record_api_key(request.user, api_key, AuditEntry.Action.REVOKE_KEY)
    messages.success(request, f"Revoked “{api_key.name}”: anything still using it is refused from now on.")
    return redirect("api_key_list")
