"""The connections API's reads: each list with its page's FilterSet, base queryset and sorts.

Connections, groups, carriers, disconnection requests and renewal decisions, read-only for
everyone signed in; ``command_center.api.lists`` says how a list and its page stay the same.
"""

from __future__ import annotations

from command_center.api.lists import ListViewSet
from connections import readable_renewals
from connections import views as pages
from connections.disconnection_views import DISCONNECTION_SORTS
from connections.filters import (
    CarrierFilter,
    ConnectionFilter,
    DisconnectionFilter,
    GroupFilter,
    RenewalFilter,
    connections_for_list,
    disconnections_for_list,
    groups_for_list,
)
from connections.models import Carrier, Group, GroupConnection, GroupDisconnectionRequest, RenewalDecision

from . import serializers


class GroupConnectionViewSet(ListViewSet):
    """Group connections, as the connections list shows them (newest change first)."""

    serializer_class = serializers.GroupConnectionSerializer
    filterset_class = ConnectionFilter
    sorts, default_sort = pages.API_CONNECTION_SORTS, "-modified"

    detail_serializer_class = serializers.GroupConnectionDetailSerializer

    def list_queryset(self):
        return connections_for_list()

    def detail_queryset(self):
        return GroupConnection.objects.select_related("carrier")


class GroupViewSet(ListViewSet):
    """Groups, as the groups list shows them, each with its connections by status."""

    serializer_class = serializers.GroupSerializer
    filterset_class = GroupFilter
    sorts, default_sort = pages.GROUP_SORTS, "name"

    detail_serializer_class = serializers.GroupDetailSerializer

    def list_queryset(self):
        return groups_for_list()

    def detail_queryset(self):
        return Group.objects.all()

    def decorate(self, rows):
        pages.attach_connection_counts(rows)


class CarrierViewSet(ListViewSet):
    """Carriers with their reference data and connection counts, as the carriers list shows them."""

    serializer_class = serializers.CarrierSerializer
    filterset_class = CarrierFilter
    sorts, default_sort = pages.CARRIER_SORTS, "name"

    def list_queryset(self):
        return pages.carriers_for_list()

    def decorate(self, rows):
        pages.attach_status_counts(rows)


class DisconnectionRequestViewSet(ListViewSet):
    """Disconnection requests across every group: those waiting for review first."""

    serializer_class = serializers.DisconnectionRequestSerializer
    filterset_class = DisconnectionFilter
    sorts, default_sort = DISCONNECTION_SORTS, "review"

    detail_serializer_class = serializers.DisconnectionRequestDetailSerializer

    def list_queryset(self):
        return disconnections_for_list()

    def detail_queryset(self):
        return GroupDisconnectionRequest.objects.select_related("carrier")


class RenewalDecisionViewSet(ListViewSet):
    """Renewal decisions: those not ready first, then by renewal date."""

    serializer_class = serializers.RenewalDecisionSerializer
    filterset_class = RenewalFilter
    sorts, default_sort = pages.RENEWAL_SORTS, "attention"

    detail_serializer_class = serializers.RenewalDecisionDetailSerializer

    def list_queryset(self):
        return pages.renewals_for_list()

    def detail_queryset(self):
        return RenewalDecision.objects.select_related("group")

    def decorate(self, rows):
        attach_carrier_names(rows)


def attach_carrier_names(renewals) -> None:
    """The carriers' names of these renewal decisions, read once for all of them (as the list reads them)."""
    names = dict(Carrier.objects.filter(pk__in=readable_renewals.carrier_ids_in(renewals)).values_list("pk", "name"))
    for renewal in renewals:
        renewal.carrier_names = names
