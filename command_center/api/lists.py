"""What every API list shares: its page's FilterSet, base queryset and sorts, and keyset pages.

A list viewset names what its page uses, and nothing else::

    class GroupConnectionViewSet(ListViewSet):
        serializer_class = GroupConnectionSerializer
        filterset_class = ConnectionFilter        # the page's and the CSV's FilterSet
        sorts, default_sort = CONNECTION_SORTS, "-modified"

        def list_queryset(self):
            return connections_for_list()         # the page's base queryset

so ``/api/connections/?status=unable_to_connect&sort=carrier`` holds the rows the page shows for
the same query string, in the same order. A bad filter value or sort key answers 400 with the
reason; a record's own URL (``/api/connections/<id>/``) finds it whatever the filters would say.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from command_center import lists

from .pagination import KeysetPagination


class PageSort(BaseFilterBackend):
    """``?sort=key`` or ``?sort=-key``, among the page's sort keys; the page's default without one."""

    def filter_queryset(self, request, queryset, view):
        return view.sort_queryset(queryset, view.requested_sort())

    def get_schema_operation_parameters(self, view):
        keys = sorted(view.sorts)
        return [
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "description": f"The order, as on the list's page: a key, or the key after a minus for the reverse. "
                f"Default: `{view.default_sort}`.",
                "schema": {"type": "string", "enum": [*keys, *(f"-{key}" for key in keys)]},
            }
        ]


class ListViewSet(viewsets.ReadOnlyModelViewSet):
    """A list page's rows (list) and one record (retrieve), read-only."""

    filter_backends = [DjangoFilterBackend, PageSort]
    pagination_class = KeysetPagination
    # A record's own URL may say more than its row in the list (its raw payload, its dependents).
    detail_serializer_class = None
    # The page's sort keys → fields (``command_center.lists.order_by_sort``) and its default sort.
    sorts: dict = {}
    default_sort = ""

    def list_queryset(self):
        """The page's base queryset (its FilterSet narrows it)."""
        raise NotImplementedError

    def detail_queryset(self):
        """What a record's URL finds: as the record's page does, removed-upstream rows too."""
        return self.list_queryset()

    def get_queryset(self):
        return self.list_queryset() if self.action == "list" else self.detail_queryset()

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def get_object(self):
        record = super().get_object()
        self.decorate([record])
        return record

    def filter_queryset(self, queryset):
        # Filters are the list's: the attention list hides closed items unless asked, their pages do not.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def sorts_for(self, params) -> dict:
        """The sort keys for these parameters (a page may sort a key by another field while searching)."""
        return self.sorts

    def requested_sort(self) -> str:
        requested = self.request.query_params.get("sort", "")
        sort = lists.valid_sort(self.request, self.sorts_for(self.request.query_params), self.default_sort)
        if requested and requested != sort:
            keys = ", ".join(sorted(self.sorts))
            raise ValidationError(
                {
                    "sort": [
                        f"“{requested}” is not a sort of this list. Sort by one of {keys} (a minus first reverses it)."
                    ]
                }
            )
        return sort

    def sort_queryset(self, queryset, sort: str):
        return lists.order_by_sort(queryset, sort, self.sorts_for(self.request.query_params))

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        if rows is not None:
            self.decorate(rows)
        return rows

    def decorate(self, rows) -> None:
        """Give the page's rows what the list page attaches beside their columns (a query or two for all of them)."""
