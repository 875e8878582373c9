"""The deliveries page's filters: one FilterSet for the page (command_center.lists), as every list has."""

from __future__ import annotations

import django_filters

from command_center.filters import FilterSet

from .models import Channel, Delivery


def _channels(request=None):
    return Channel.objects.order_by("name")


class DeliveryFilter(FilterSet):
    state = django_filters.ChoiceFilter(label="State", choices=Delivery.State.choices, empty_label="Any state")
    channel = django_filters.ModelChoiceFilter(label="Channel", queryset=_channels, empty_label="Any channel")

    class Meta:
        model = Delivery
        fields = []


def deliveries_for_list():
    return Delivery.objects.select_related("channel", "user")


# Newest first; the id breaks ties (command_center.lists.order_by_sort adds it).
DELIVERY_SORTS = {"made": "created_at"}
