"""Forms for the query parameters of the members pages that are not list filters."""

import datetime as dt

from django import forms
from django.utils import timezone

from command_center.filters import DateField


class AsOfForm(forms.Form):
    """The "as of" date of the employee page: enrollment statuses are recomputed for it."""

    as_of = DateField(
        label="As of",
        required=False,
        help_text="Statuses as Noyo's temporal model gives them on this date.",
    )

    def day(self) -> dt.date:
        """The date asked for; today when none was given or it was not a date."""
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()
