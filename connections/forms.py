"""The forms that send something to Noyo: retry a connection, create one, confirm or reject a disconnection."""

from __future__ import annotations

import re

from django import forms

from command_center.filters import DateField

from .models import Carrier
from .retry import RetryValues

# Noyo takes broker ids in EIN (12-3456789) or, for broker_tin, SSN (123-45-6789) format.
EIN = re.compile(r"\d{2}-?\d{7}")
SSN = re.compile(r"\d{3}-?\d{2}-?\d{4}")


class RetryForm(forms.Form):
    """Prefilled with the connection's current ids; checked against the carrier's format before anything is sent.

    ``token`` is the attempt's idempotency token (see ``connections.retry``).
    Noyo's own 422 messages are added to the matching fields by ``add_noyo_errors``.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    carrier_group_id = forms.CharField(
        label="Carrier group id", max_length=200, help_text="The group's number at the carrier."
    )
    broker_federal_ein = forms.CharField(
        label="Broker federal EIN", max_length=64, required=False, help_text="Optional. Format 12-3456789."
    )
    broker_tin = forms.CharField(
        label="Broker TIN",
        max_length=64,
        required=False,
        help_text="Optional. An EIN (12-3456789) or an SSN (123-45-6789).",
    )
    note = forms.CharField(
        label="Note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why are you retrying? (kept in the audit log)"}),
    )

    def __init__(self, *args, connection, **kwargs):
        self.connection = connection
        super().__init__(*args, **kwargs)
        carrier = connection.carrier
        if carrier is not None:
            # The carrier's own name for the id ("Policy number"), where staff gave it.
            self.fields["carrier_group_id"].label = carrier.group_id_label
            if carrier.format_hint:
                self.fields["carrier_group_id"].help_text = f"{carrier.name} expects: {carrier.format_hint}"
            elif not carrier.carrier_group_id_format:
                self.fields["carrier_group_id"].help_text = "Not checked here: this carrier's id format is not known."
        self.fields["carrier_group_id"].widget.attrs.update(autocomplete="off", spellcheck="false")

    @classmethod
    def initial_for(cls, connection, attempt, source=None):
        """Initial values: the connection's current ids, or ``source`` (a failed attempt) when given."""
        source = source or connection
        return {
            "token": attempt.token,
            "carrier_group_id": source.carrier_group_id,
            "broker_federal_ein": source.broker_federal_ein,
            "broker_tin": source.broker_tin,
            "note": getattr(source, "note", ""),
        }

    def clean_carrier_group_id(self):
        value = self.cleaned_data["carrier_group_id"].strip()
        carrier = self.connection.carrier
        if carrier is not None:
            problem = carrier.check_carrier_group_id(value)
            if problem:
                raise forms.ValidationError(problem)
        return value

    def clean_broker_federal_ein(self):
        value = self.cleaned_data["broker_federal_ein"].strip()
        if value and not EIN.fullmatch(value):
            raise forms.ValidationError(f"“{value}” is not an EIN: use 9 digits, as 12-3456789.")
        return value

    def clean_broker_tin(self):
        value = self.cleaned_data["broker_tin"].strip()
        if value and not (EIN.fullmatch(value) or SSN.fullmatch(value)):
            raise forms.ValidationError(f"“{value}” is neither an EIN (12-3456789) nor an SSN (123-45-6789).")
        return value

    def values(self) -> RetryValues:
        data = self.cleaned_data
        return RetryValues(
            carrier_group_id=data["carrier_group_id"],
            broker_federal_ein=data["broker_federal_ein"],
            broker_tin=data["broker_tin"],
            note=data["note"],
        )

    def add_noyo_errors(self, field_errors: dict):
        """Put Noyo's 422 messages beside the fields they name; the rest above the form."""
        for field, messages in (field_errors or {}).items():
            name = field.split(".")[-1] if field else None
            target = name if name in self.fields and name != "token" else None
            for message in messages:
                self.add_error(target, f"Noyo: {message}")


def add_noyo_errors(form, field_errors: dict, aliases: dict | None = None):
    """Put Noyo's 422 messages beside the fields they name (``group_data.carrier_group_id`` ->
    ``carrier_group_id``, or an alias); the rest above the form."""
    aliases = aliases or {}
    for field, messages in (field_errors or {}).items():
        name = field.split(".")[-1] if field else None
        name = aliases.get(name, name)
        target = name if name in form.fields and name != "token" else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(target, f"Noyo: {message}")


def _ein(value: str, label: str) -> str:
    value = (value or "").strip()
    if value and not EIN.fullmatch(value):
        raise forms.ValidationError(f"“{value}” is not {label}: use 9 digits, as 12-3456789.")
    return value


class ConnectForm(forms.Form):
    """A new group connection: an existing group (``group``, chosen before the form) or a new one
    (``group_name``, ``federal_ein``), a carrier and the group's number there.

    ``carrier_group_id`` is checked against the carrier's format before anything is sent;
    ``token`` is the action's idempotency token (``connections.actions``).
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    group = forms.CharField(widget=forms.HiddenInput, required=False)
    group_name = forms.CharField(
        label="New group's name",
        max_length=500,
        required=False,
        help_text="The employer's name, as the carrier knows it.",
    )
    federal_ein = forms.CharField(
        label="Federal EIN", max_length=64, required=False, help_text="Optional. The new group's EIN, as 12-3456789."
    )
    carrier = forms.ModelChoiceField(label="Carrier", queryset=Carrier.objects.none(), empty_label="Choose a carrier")
    carrier_group_id = forms.CharField(
        label="Carrier group id", max_length=200, help_text="The group's number at the carrier."
    )
    broker_federal_ein = forms.CharField(
        label="Broker federal EIN", max_length=64, required=False, help_text="Optional. Format 12-3456789."
    )
    broker_tin = forms.CharField(
        label="Broker TIN",
        max_length=64,
        required=False,
        help_text="Optional. An EIN (12-3456789) or an SSN (123-45-6789).",
    )

    NOYO_ALIASES = {"carrier_id": "carrier"}

    def __init__(self, *args, group=None, hint_url="", **kwargs):
        self.group = group
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.order_by("name")
        if group is not None:
            del self.fields["group_name"], self.fields["federal_ein"]  # Noyo keeps the group's own
        else:
            self.fields["group_name"].required = True
            self.fields["group_name"].error_messages["required"] = (
                "Enter the new group's name, or find an existing group instead."
            )
        self.fields["carrier_group_id"].widget.attrs.update(autocomplete="off", spellcheck="false")
        if hint_url:
            # Choosing a carrier shows, beside the id, the format that carrier expects.
            self.fields["carrier"].widget.attrs.update(
                {"hx-get": hint_url, "hx-target": "#carrier-hint", "hx-swap": "outerHTML", "hx-trigger": "change"}
            )

    @classmethod
    def initial_for(cls, action, group=None, carrier_id=""):
        """A fresh form's values: the group and carrier asked for, or a failed action's values."""
        values = action.values or {}
        initial = {
            "token": action.token,
            "group": group.pk if group else "",
            "carrier": values.get("carrier_id") or carrier_id,
        }
        for name in ("group_name", "federal_ein", "carrier_group_id", "broker_federal_ein", "broker_tin"):
            initial[name] = values.get(name, "")
        return initial

    def clean_group_name(self):
        return self.cleaned_data["group_name"].strip()

    def clean_federal_ein(self):
        return _ein(self.cleaned_data["federal_ein"], "an EIN")

    def clean_broker_federal_ein(self):
        return _ein(self.cleaned_data["broker_federal_ein"], "an EIN")

    def clean_broker_tin(self):
        value = self.cleaned_data["broker_tin"].strip()
        if value and not (EIN.fullmatch(value) or SSN.fullmatch(value)):
            raise forms.ValidationError(f"“{value}” is neither an EIN (12-3456789) nor an SSN (123-45-6789).")
        return value

    def clean(self):
        data = super().clean()
        carrier, number = data.get("carrier"), (data.get("carrier_group_id") or "").strip()
        if carrier is not None and "carrier_group_id" in data:
            problem = carrier.check_carrier_group_id(number)
            if problem:
                self.add_error("carrier_group_id", problem)
            data["carrier_group_id"] = number
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "group_id": self.group.pk if self.group is not None else "",
            "group_name": self.group.name if self.group is not None else data["group_name"],
            "federal_ein": data.get("federal_ein", ""),
            "carrier_id": data["carrier"].pk,
            "carrier_group_id": data["carrier_group_id"],
            "broker_federal_ein": data["broker_federal_ein"],
            "broker_tin": data["broker_tin"],
        }

    def add_noyo_errors(self, field_errors: dict):
        add_noyo_errors(self, field_errors, self.NOYO_ALIASES)


class DecisionForm(forms.Form):
    """Confirming (with an optional new last day) or rejecting a disconnection request.

    ``note`` stays with us (the audit log): Noyo's confirm and reject take no reason.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    effective_end_date = DateField(
        label="Last day managed through Noyo",
        required=False,
        help_text="Optional. Leave it blank to keep the date the request has.",
    )
    note = forms.CharField(
        label="Note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why? (kept in the audit log, not sent to Noyo)"}),
    )

    def __init__(self, *args, decision="confirm", **kwargs):
        super().__init__(*args, **kwargs)
        if decision != "confirm":
            del self.fields["effective_end_date"]  # Noyo's reject takes no body

    def values(self) -> dict:
        return dict(self.cleaned_data, token=None)

    def add_noyo_errors(self, field_errors: dict):
        add_noyo_errors(self, field_errors)
