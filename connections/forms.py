"""The retry form: what an operator may change when asking Noyo to retry a connection."""

from __future__ import annotations

import re

from django import forms

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
        label="Broker TIN", max_length=64, required=False, help_text="Optional. An EIN (12-3456789) or an SSN (123-45-6789)."
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
