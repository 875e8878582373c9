"""The connections API's reads: the list page's FilterSet, read-only for everyone signed in."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from connections.filters import ConnectionFilter, connections_for_list

from .serializers import GroupConnectionSerializer


class NewestFirst(CursorPagination):
    """Keyset pages: no COUNT(*) and no deep OFFSET, whatever the size of the mirror."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-modified", "-id")


class GroupConnectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupConnectionSerializer
    filterset_class = ConnectionFilter
    pagination_class = NewestFirst
    queryset = connections_for_list()
