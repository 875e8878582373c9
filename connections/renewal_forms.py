"""The form that sends a new renewal decision to Noyo: one group, one of its carriers, a few lines.

``RenewalDecisionForm`` holds the renewal date and carrier; ``LineForm`` is one line of coverage of
that carrier: the open enrollment window and the plans expected at renewal, chosen from the group's
mirrored plans of that carrier and line, or named (a plan to be set up). ``RenewalEntry`` puts the
two together, builds the documented body (seed 003) and puts Noyo's 422 messages beside the fields.

A row left blank is left out. Lines the group has mirrored plans for with the carrier each get a
row; "Add another line" adds a row for any other line.
"""

from __future__ import annotations

import re

from django import forms
from django.forms import formset_factory
from django.http import QueryDict

from command_center.filters import DateField
from command_center.noyo.contract import LINES_OF_COVERAGE
from command_center.sync.records import label_for

from .forms import add_noyo_errors
from .models import Carrier, GroupConnection, Plan, PlanStatus

LINE_CHOICES = [(line, label_for(line)) for line in LINES_OF_COVERAGE]
_LINE_ORDER = {line: n for n, line in enumerate(LINES_OF_COVERAGE)}
# Rows a form may have: one per line of coverage.
MAX_ROWS = len(LINES_OF_COVERAGE)
PREFIX = "line"
# Plans offered first: the new year's (pending), then this year's.
_STATUS_ORDER = {"pending": 0, "active": 1}


def connected_carriers(group) -> list[Carrier]:
    """The carriers the group has a connection with, in the mirror, by name."""
    carrier_ids = GroupConnection.objects.present().filter(group=group).values("carrier_id")
    return list(Carrier.objects.filter(pk__in=carrier_ids).order_by("name", "pk"))


def plans_by_line(group, carrier_id) -> dict[str, list[Plan]]:
    """The group's mirrored plans with this carrier that may be in force at renewal (not discontinued),
    by line of coverage, lines in the contract's order (one query)."""
    found: dict[str, list[Plan]] = {}
    if not carrier_id:
        return found
    plans = (
        Plan.objects.present()
        .filter(group=group, carrier_id=carrier_id)
        .exclude(status=PlanStatus.DISCONTINUED)
        .order_by("line_of_coverage", "name", "pk")
    )
    for plan in plans:
        found.setdefault(plan.line_of_coverage, []).append(plan)
    for line_plans in found.values():
        line_plans.sort(key=lambda p: (_STATUS_ORDER.get(p.status, 3), p.name, p.pk))
    return dict(sorted(found.items(), key=lambda item: _LINE_ORDER.get(item[0], len(_LINE_ORDER))))


def plan_label(plan: Plan) -> str:
    """ "Gold PPO 500 · Ppo · Gold · pending, from Jan 1, 2027": what tells a plan from its neighbours."""
    details = [label_for(v) for v in (plan.plan_type, plan.metal_tier) if v]
    when = ""
    if plan.status == PlanStatus.PENDING and plan.effective_start_date:
        when = f"pending, from {_day(plan.effective_start_date)}"
    elif plan.status == PlanStatus.ACTIVE and plan.effective_start_date:
        when = f"active since {_day(plan.effective_start_date)}"
    elif plan.status:
        when = label_for(plan.status).lower()
    return " · ".join([plan.name or f"Plan {plan.pk[:8]}", *details, *([when] if when else [])])


def _day(day) -> str:
    return f"{day:%b} {day.day}, {day.year}"


class RenewalDecisionForm(forms.Form):
    """The decision's own fields; ``token`` is the action's idempotency token (``connections.actions``)."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    group = forms.CharField(widget=forms.HiddenInput)
    carrier = forms.ChoiceField(
        label="Carrier",
        help_text="One of the carriers the group is connected to. Choosing another shows its lines and clears the rows below.",
    )
    renewal_date = DateField(
        label="Renewal date", help_text="The first day of the new plan year, when every coverage should be active."
    )

    def __init__(self, *args, carriers=(), lines_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [(c.pk, c.name) for c in carriers]
        self.fields["carrier"].error_messages["invalid_choice"] = (
            "Choose one of the carriers the group is connected to."
        )
        if lines_url:
            # Choosing another carrier shows that carrier's lines and plans (the rows typed so far start again).
            self.fields["carrier"].widget.attrs.update(
                {"hx-get": lines_url, "hx-target": "#lines", "hx-swap": "outerHTML", "hx-include": "[name=group]"}
            )


class LineForm(forms.Form):
    """One line of coverage of the carrier. Blank: left out. Otherwise both dates and a plan are needed."""

    line = forms.ChoiceField(
        label="Line of coverage",
        choices=[("", "Choose a line")] + LINE_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose one of the lines of coverage."},
    )
    open_enrollment_start_date = DateField(label="Open enrollment starts", required=False)
    open_enrollment_end_date = DateField(label="Open enrollment ends", required=False)
    plans = forms.MultipleChoiceField(label="Plans at renewal", required=False, widget=forms.CheckboxSelectMultiple)
    plan_name = forms.CharField(label="Name", max_length=500, required=False)
    plan_type = forms.CharField(label="Plan type", max_length=64, required=False)
    metal_tier = forms.CharField(label="Metal tier", max_length=32, required=False)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans_by_line = plans or {}
        line = self._line()
        self.known_plans = self.plans_by_line.get(line, [])
        self.fixed = bool(self.known_plans)  # a line the group has plans for: shown as a heading
        self.fields["plans"].choices = [(p.pk, plan_label(p)) for p in self.known_plans]
        self.fields["plans"].error_messages["invalid_choice"] = (
            "That plan is not one of the group's plans for this line any more."
        )
        # Only lines with no row of their own are offered where a line is chosen.
        self.fields["line"].choices = [("", "Choose a line")] + [
            (value, text) for value, text in LINE_CHOICES if value == line or value not in self.plans_by_line
        ]
        for name in ("plan_name", "plan_type", "metal_tier"):
            self.fields[name].widget.attrs.update(autocomplete="off")

    def _line(self) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix("line")) or "")
        return str(self.initial.get("line") or "")

    @property
    def line_label(self) -> str:
        line = self._line()
        return label_for(line) if line else "Another line"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(name) for name in ("open_enrollment_start_date", "open_enrollment_end_date", "plans", "plan_name")
        )

    def clean(self):
        data = super().clean()
        if self.is_blank():
            if data.get("plan_type") or data.get("metal_tier"):
                self.add_error("plan_name", "Give the plan's name too, or clear its type and tier.")
            return data
        if not data.get("line") and "line" not in self.errors:
            self.add_error("line", "Choose the line of coverage, or clear this row.")
        start, end = data.get("open_enrollment_start_date"), data.get("open_enrollment_end_date")
        if not start and "open_enrollment_start_date" not in self.errors:
            self.add_error("open_enrollment_start_date", "Give the day open enrollment starts for this line.")
        if not end and "open_enrollment_end_date" not in self.errors:
            self.add_error("open_enrollment_end_date", "Give the day open enrollment ends for this line.")
        if start and end and end < start:
            self.add_error("open_enrollment_end_date", "Open enrollment cannot end before it starts.")
        if not data.get("plans") and not data.get("plan_name") and "plans" not in self.errors:
            self.add_error(
                "plans" if self.known_plans else "plan_name", "Choose at least one plan, or name one to be set up."
            )
        if (data.get("plan_type") or data.get("metal_tier")) and not data.get("plan_name"):
            self.add_error("plan_name", "Give the plan's name too, or clear its type and tier.")
        return data

    def expected(self) -> dict:
        """This line as the documented body has it."""
        data = self.cleaned_data
        plans = [{"plan_id": plan_id} for plan_id in data["plans"]]
        if data.get("plan_name"):
            named = {"name": data["plan_name"].strip()}
            for name in ("plan_type", "metal_tier"):
                if data.get(name):
                    named[name] = data[name].strip()
            plans.append(named)
        return {
            "open_enrollment_start_date": data["open_enrollment_start_date"].isoformat(),
            "open_enrollment_end_date": data["open_enrollment_end_date"].isoformat(),
            "plans": plans,
        }


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, plans=None, **kwargs):
        self.plans_by_line = plans or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "plans": self.plans_by_line}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            line = form.cleaned_data.get("line")
            if form.is_blank() or not line:
                continue
            if line in seen:
                form.add_error("line", f"{label_for(line)} is in another row already: give each line once.")
            seen.add(line)


LineFormSet = formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
)

# Noyo's field paths for a line: body.carriers[0].lines_of_coverage.<line>.<field>[...]
_NOYO_LINE_FIELD = re.compile(r"^body\.carriers\[\d+\]\.lines_of_coverage\.(?P<line>\w+)(?:\.(?P<field>\w+))?")
_ROW_FIELDS = ("line", "open_enrollment_start_date", "open_enrollment_end_date", "plan_name", "plan_type", "metal_tier")


class RenewalEntry:
    """The decision form and its line rows, read and checked together.

    Unbound (``initial``): a row per line the group has plans for with the carrier, and one more.
    Bound (``data``): as posted, ``add_row`` adding a blank row. ``sent``: a sent action's values,
    shown again bound (a failure keeps everything that was typed, beside Noyo's messages).
    """

    def __init__(self, group, carriers, *, data=None, initial=None, sent=None, token=None, lines_url="", add_row=False):
        self.group, self.carriers = group, carriers
        initial = dict(initial or {})
        if sent is not None:
            initial["carrier"] = sent.get("carrier_id", "")
        self.carrier_id = self._carrier_id(data, initial)
        self.carrier = next((c for c in carriers if c.pk == self.carrier_id), None)
        self.plans = plans_by_line(group, self.carrier_id) if self.carrier else {}
        if sent is not None:
            data = self._data_from(sent, token)
        elif data is not None and add_row:
            data = _with_one_more_row(data)
        initial.update(group=group.pk, carrier=self.carrier_id)
        self.form = RenewalDecisionForm(data, initial=initial, carriers=carriers, lines_url=lines_url)
        if data is not None:
            self.lines = LineFormSet(data, prefix=PREFIX, plans=self.plans)
        else:
            self.lines = LineFormSet(initial=self._rows([]), prefix=PREFIX, plans=self.plans)
        if sent is not None:
            self.is_valid()

    def _carrier_id(self, data, initial) -> str:
        chosen = str((data.get("carrier") if data is not None else initial.get("carrier")) or "")
        ids = [c.pk for c in self.carriers]
        if data is None and chosen not in ids:
            return ids[0] if ids else ""  # a fresh form starts with the first carrier
        return chosen

    def _rows(self, sent_rows: list[dict]) -> list[dict]:
        """The lines the group has plans for (each as sent, if it was), the other lines sent, and a blank one."""
        by_line = {row["line"]: row for row in sent_rows}
        rows = [by_line.pop(line, {"line": line}) for line in self.plans]
        rows += list(by_line.values())
        return rows + [{"line": ""}] if len(rows) < MAX_ROWS else rows[:MAX_ROWS]

    def _data_from(self, sent: dict, token) -> QueryDict:
        return form_data(
            token, self.group.pk, self.carrier_id, sent.get("renewal_date", ""), self._rows(rows_sent(sent))
        )

    @property
    def can_add_row(self) -> bool:
        return self.lines.total_form_count() < MAX_ROWS

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        lines_valid = self.lines.is_valid()
        return valid and lines_valid

    def values(self) -> dict:
        """What is sent and kept on the action: the documented body, and the names to tell it by."""
        data = self.form.cleaned_data
        lines = {form.cleaned_data["line"]: form.expected() for form in self.lines.forms if not form.is_blank()}
        return {
            "group_id": self.group.pk,
            "group_name": self.group.name,
            "carrier_id": data["carrier"],
            "carrier_name": self.carrier.name if self.carrier else "",
            "renewal_date": data["renewal_date"].isoformat(),
            "body": {"carriers": [{"carrier_id": data["carrier"], "lines_of_coverage": lines}]},
        }

    def add_noyo_errors(self, field_errors: dict):
        """Noyo's 422 messages: a line's beside that line's field, the rest beside the decision's fields or above."""
        rest = {}
        by_line = {form.data.get(form.add_prefix("line")): form for form in self.lines.forms}
        for field, messages in (field_errors or {}).items():
            match = _NOYO_LINE_FIELD.match(field or "")
            form = by_line.get(match["line"]) if match else None
            if form is None:
                rest[field] = messages
                continue
            name = match["field"] if match["field"] in form.fields else None
            if name == "plans" and not form.known_plans:
                name = "plan_name"
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(name, f"Noyo: {message}")
        add_noyo_errors(self.form, rest, {"carrier_id": "carrier"})


def form_data(token, group_id, carrier_id, renewal_date, rows: list[dict]) -> QueryDict:
    """The form's POST data for these line rows (each as ``rows_sent`` gives them), as the page would send it."""
    data = QueryDict(mutable=True)
    data.update(
        {"token": str(token or ""), "group": group_id, "carrier": carrier_id, "renewal_date": renewal_date or ""}
    )
    data.update({f"{PREFIX}-TOTAL_FORMS": str(len(rows)), f"{PREFIX}-INITIAL_FORMS": "0"})
    for n, row in enumerate(rows):
        for name in _ROW_FIELDS:
            data[f"{PREFIX}-{n}-{name}"] = row.get(name) or ""
        data.setlist(f"{PREFIX}-{n}-plans", row.get("plans") or [])
    return data


def rows_sent(values: dict) -> list[dict]:
    """The line rows of a sent action's body."""
    body = values.get("body") if isinstance(values.get("body"), dict) else {}
    carriers = body.get("carriers") or [{}]
    lines = (carriers[0] or {}).get("lines_of_coverage") or {}
    rows = []
    for line, expected in lines.items():
        plans = [p for p in expected.get("plans") or [] if isinstance(p, dict)]
        named = next((p for p in plans if not p.get("plan_id")), {})
        rows.append(
            {
                "line": line,
                "open_enrollment_start_date": expected.get("open_enrollment_start_date"),
                "open_enrollment_end_date": expected.get("open_enrollment_end_date"),
                "plans": [p["plan_id"] for p in plans if p.get("plan_id")],
                "plan_name": named.get("name", ""),
                "plan_type": named.get("plan_type", ""),
                "metal_tier": named.get("metal_tier", ""),
            }
        )
    return rows


def _with_one_more_row(data):
    data = data.copy()
    key = f"{PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(max(0, min(total + 1, MAX_ROWS)))
    return data
