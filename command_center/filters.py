"""What every list's FilterSet is built on: dates the filters' arithmetic can always take.

A date filter turns a day into a range of times (``created_to`` runs to midnight of the next
day, in the site's time zone), and ``date.max`` has no next day: ``?created_to=9999-12-31`` was
an ``OverflowError``, a 500. Every date filter and date parameter takes ``DateField`` below,
which refuses a date outside ``EARLIEST_DATE``..``LATEST_DATE`` with a message beside the field
(the list answers 400). ``FilterSet`` makes it the default for a model's date fields too;
tests/core/test_filters.py checks every FilterSet in the project is built on it.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

# No record predates 1900, and a year or more of margin at both ends keeps any range,
# moved by a day and into any time zone, inside what Python's dates can hold.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)


class DateInput(forms.DateInput):
    """The browser's date picker, held to the dates a filter accepts."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        bounds = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        super().__init__({**bounds, **(attrs or {})}, format=format)


class DateField(forms.DateField):
    """A date from EARLIEST_DATE to LATEST_DATE: one a day can be added to, or taken from, safely."""

    widget = DateInput
    default_error_messages = {
        "out_of_range": "Enter a date from %(earliest)s to %(latest)s.",
    }

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": date_format(EARLIEST_DATE, "j F Y"), "latest": date_format(LATEST_DATE, "j F Y")},
            )


class DateFilter(django_filters.DateFilter):
    field_class = DateField


class FilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet: a model's date field gets the bounded ``DateFilter``."""

    FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS, models.DateField: {"filter_class": DateFilter}}
