"""The alerts' forms: a subscription, and a scheduled report."""

from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.conf import settings

from command_center.models import AttentionItem
from command_center.sync.families import FAMILIES

from .models import Channel, ScheduledReport, Subscription

Topic = Subscription.Topic
MAX_STALE_MINUTES = 7 * 24 * 60


def family_choices():
    return [("", "Any family"), *[(key, label.capitalize()) for key, (label, _) in FAMILIES.items()]]


class SubscriptionForm(forms.ModelForm):
    """What to hear about and where. Fields another topic does not use are cleared, so a row says only what it means."""

    topic = forms.ChoiceField(
        label="Tell me about", choices=Topic.choices, widget=forms.RadioSelect, initial=Topic.ATTENTION
    )
    attention_kind = forms.ChoiceField(
        label="Kind of item",
        choices=[("", "Any kind"), *AttentionItem.Kind.choices],
        required=False,
        help_text="New attention items only.",
    )
    carrier = forms.ModelChoiceField(
        label="Carrier",
        queryset=None,
        required=False,
        empty_label="Any carrier",
        help_text="New attention items and failed writes about this carrier only.",
    )
    family = forms.ChoiceField(
        label="Sync family",
        choices=family_choices,
        required=False,
        help_text="Families without a successful sync only.",
    )
    stale_minutes = forms.IntegerField(
        label="Without a successful sync for (minutes)",
        min_value=1,
        max_value=MAX_STALE_MINUTES,
        required=False,
        initial=60,
        help_text="Families without a successful sync only. A partly synced run does not count as a success.",
    )
    channel = forms.ModelChoiceField(label="Send it to", queryset=None, empty_label=None)

    class Meta:
        model = Subscription
        fields = ["topic", "attention_kind", "carrier", "family", "stale_minutes", "channel"]

    def __init__(self, *args, user, **kwargs):
        from connections.models import Carrier

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["carrier"].queryset = Carrier.objects.order_by("name", "pk")
        self.fields["channel"].queryset = Channel.objects.filter(enabled=True).order_by("kind", "name")
        self.fields["channel"].label_from_instance = self.channel_label

    def channel_label(self, channel: Channel) -> str:
        if channel.kind == Channel.Kind.EMAIL:
            return f"{channel.name}: my address ({self.user.email or 'none on record'})"
        return f"{channel.name} (webhook{', failing' if channel.is_failing else ''})"

    def clean(self):
        data = super().clean()
        topic = data.get("topic")
        if topic != Topic.ATTENTION:
            data["attention_kind"] = ""
        if topic == Topic.FAMILY_STALE:
            data["carrier"] = None
            if not data.get("stale_minutes"):
                self.add_error(
                    "stale_minutes", "Say after how many minutes without a successful sync you want to hear."
                )
        else:
            data["family"], data["stale_minutes"] = "", None
        channel = data.get("channel")
        if channel is not None and channel.kind == Channel.Kind.EMAIL and not self.user.email:
            self.add_error(
                "channel",
                "Your account has no e-mail address. Ask an administrator to add one, or pick a webhook channel.",
            )
        if not self.errors and self._duplicate(data):
            raise forms.ValidationError("You already have this subscription.")
        return data

    def _duplicate(self, data) -> bool:
        return Subscription.objects.filter(
            user=self.user,
            topic=data["topic"],
            attention_kind=data["attention_kind"],
            carrier=data["carrier"],
            family=data["family"],
            stale_minutes=data["stale_minutes"],
            channel=data["channel"],
        ).exists()

    def save(self, commit=True):
        self.instance.user = self.user
        for name in ("attention_kind", "carrier", "family", "stale_minutes"):
            setattr(self.instance, name, self.cleaned_data[name])
        return super().save(commit)


class ReportForm(forms.ModelForm):
    """When a saved view's report goes, and where. The time is in the chosen zone, said beside it."""

    frequency = forms.ChoiceField(
        label="How often",
        choices=ScheduledReport.Frequency.choices,
        widget=forms.RadioSelect,
        initial=ScheduledReport.Frequency.DAILY,
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        choices=[("", "—"), *ScheduledReport.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Weekly reports only.",
    )
    at = forms.TimeField(
        label="At",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Give a time of day, e.g. 08:00.", "required": "Give a time of day, e.g. 08:00."},
    )
    time_zone = forms.ChoiceField(label="Time zone", help_text="The time above is in this zone.")
    channel = forms.ModelChoiceField(
        label="Send it to",
        queryset=None,
        empty_label=None,
        help_text="By e-mail the CSV is attached (a link when it is too big); "
        "to a webhook it is a link to the console, which asks for sign-in.",
    )
    enabled = forms.BooleanField(label="Send it", required=False, initial=True)

    class Meta:
        model = ScheduledReport
        fields = ["frequency", "weekday", "at", "time_zone", "channel", "enabled"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["time_zone"].choices = _zone_choices()
        self.fields["time_zone"].initial = settings.TIME_ZONE
        self.fields["channel"].queryset = Channel.objects.filter(enabled=True).order_by("kind", "name")
        self.fields["channel"].label_from_instance = self.channel_label

    channel_label = SubscriptionForm.channel_label  # "E-mail: my address (...)", "Ops chat (webhook, failing)"

    def clean(self):
        data = super().clean()
        if data.get("frequency") == ScheduledReport.Frequency.WEEKLY and data.get("weekday") is None:
            self.add_error("weekday", "A weekly report needs its day of the week.")
        if data.get("frequency") == ScheduledReport.Frequency.DAILY:
            data["weekday"] = None
        return data


@functools.cache
def _zone_choices() -> list[tuple[str, str]]:
    # available_timezones() walks the zone files on disk: once a process, not once a form.
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
