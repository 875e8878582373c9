"""Serializer fields the API lists share: SSNs masked exactly as the pages mask them, names beside ids.

Pages mask a payload twice (``members.views._json``): every value under an ``ssn`` key
(``mask_ssns``: "•••-••-6789"), then any SSN-shaped number written anywhere in the text
(``mask_ssns_in_text``: an error message, a value under another key). ``masked`` does the same to
the payload itself, so the JSON the API returns is what the page's raw view shows.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from command_center.sync.records import mask_ssns
from members.readable import mask_ssns_in_text


class OpenChoiceField(serializers.CharField):
    """A model field with choices, given as text: Noyo may send a status no document lists, and the
    mirror keeps it as it came (the pages show it too), so no response promises an enum."""

    def __init__(self, *, choices=None, **kwargs):
        super().__init__(**kwargs)


class RecordSerializer(serializers.ModelSerializer):
    """The base of the API's serializers of records (reads, and the records a write answers with)."""

    serializer_choice_field = OpenChoiceField


def masked(payload):
    """A copy of ``payload`` as pages show it: SSNs under ``ssn`` keys masked, and SSNs written into values."""
    return _mask_values(mask_ssns(payload))


def _mask_values(value):
    if isinstance(value, dict):
        return {key: _mask_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_values(item) for item in value]
    if isinstance(value, str):
        return mask_ssns_in_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        # 123456789 under any key: the page's JSON text shows it masked, so the value becomes that text.
        text = str(value)
        return value if mask_ssns_in_text(text) == text else mask_ssns_in_text(text)
    return value


@extend_schema_field(OpenApiTypes.ANY)
class MaskedJSONField(serializers.Field):
    """A JSON payload (raw record, body, result, errors) with every SSN masked."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return masked(value)


class MaskedTextField(serializers.CharField):
    """Free text (an error message, a summary) with any SSN written into it masked; null when there is none."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs.setdefault("allow_null", True)  # DRF writes a missing value as null without asking the field
        super().__init__(**kwargs)

    def to_representation(self, value):
        return mask_ssns_in_text(str(value))


class NameField(serializers.CharField):
    """The readable name of a related record (``source="carrier.name"``): "" when it is not mirrored yet."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default", "")
        kwargs["read_only"] = True
        super().__init__(**kwargs)


def person_name(person) -> str:
    """ "First Last", as the lists show an employee; "" when the employee is not mirrored yet."""
    if person is None:
        return ""
    return " ".join(part for part in (person.first_name, person.last_name) if part)


def lines(value: str) -> list[str]:
    """Lines of coverage kept as comma-joined text (``join_lines``), as a list."""
    return [line for line in (value or "").split(",") if line]
