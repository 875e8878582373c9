"""Every list's FilterSet is built on command_center.filters, whose dates any range can take."""

import datetime as dt

import django_filters
import pytest
from django.urls import get_resolver

from command_center.filters import EARLIEST_DATE, LATEST_DATE, DateField, FilterSet

PROJECT_APPS = ("command_center", "connections", "members")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_filtersets():
    get_resolver().url_patterns  # noqa: B018 (reading it imports every view, and so every FilterSet)
    return sorted(
        # A FilterSet with a model is a list's; the others (FilterSet, CreatedRangeFilterSet) are bases.
        {
            cls
            for cls in _subclasses(django_filters.FilterSet)
            if cls.__module__.startswith(PROJECT_APPS) and cls._meta.model
        },
        key=lambda cls: f"{cls.__module__}.{cls.__name__}",
    )


def test_the_project_has_filtersets_to_check():
    names = {cls.__name__ for cls in project_filtersets()}
    assert {"ConnectionFilter", "MemberRequestFilter", "AuditFilter", "SyncRunFilter"} <= names


@pytest.mark.parametrize("filterset", project_filtersets(), ids=lambda cls: cls.__name__)
def test_every_filterset_is_built_on_the_shared_one_and_its_dates_are_bounded(filterset):
    assert issubclass(filterset, FilterSet)
    form = filterset().form
    for name, field in form.fields.items():
        if isinstance(field, django_filters.fields.forms.DateField):
            assert isinstance(field, DateField), f"{filterset.__name__}.{name} takes dates no range can be built on"


@pytest.mark.parametrize(
    "value,valid",
    [
        ("1900-01-01", True),
        ("2026-02-28", True),
        ("9998-12-31", True),
        ("1899-12-31", False),
        ("0001-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_a_date_field_takes_only_dates_a_day_can_be_added_to_or_taken_from(value, valid):
    field = DateField(required=False)
    if valid:
        assert field.clean(value) == dt.date.fromisoformat(value)
        assert field.clean(value) + dt.timedelta(days=1) > EARLIEST_DATE
    else:
        with pytest.raises(django_filters.fields.forms.ValidationError) as raised:
            field.clean(value)
        assert raised.value.messages == ["Enter a date from 1 January 1900 to 31 December 9998."]


def test_the_date_picker_offers_only_those_dates():
    html = DateField().widget.render("day", None)
    assert 'type="date"' in html
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html and f'max="{LATEST_DATE.isoformat()}"' in html


def test_a_models_date_field_gets_the_bounded_filter():
    from members.models import Employee

    class ByBirth(FilterSet):
        class Meta:
            model = Employee
            fields = ["date_of_birth"]

    assert isinstance(ByBirth().form.fields["date_of_birth"], DateField)
