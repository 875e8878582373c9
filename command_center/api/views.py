"""The console's own lists: attention items, sync runs and the audit log, each as its page has it."""

from __future__ import annotations

from command_center import attention
from command_center.api.lists import ListViewSet
from command_center.views.attention import ATTENTION_SORTS, AttentionFilter, items_for_list
from command_center.views.audit import AUDIT_SORTS, AuditFilter, entries_for_list
from command_center.views.syncs import SYNC_SORTS, SyncRunFilter, runs_for_list

from . import serializers


class AttentionItemViewSet(ListViewSet):
    """What needs a person: open items unless ``state`` says otherwise, longest open first."""

    serializer_class = serializers.AttentionItemSerializer
    filterset_class = AttentionFilter
    sorts, default_sort = ATTENTION_SORTS, "opened"

    def list_queryset(self):
        return items_for_list()

    def decorate(self, rows):
        attention.attach_links(rows)


class SyncRunViewSet(ListViewSet):
    """Sync runs, newest first."""

    serializer_class = serializers.SyncRunSerializer
    detail_serializer_class = serializers.SyncRunDetailSerializer
    filterset_class = SyncRunFilter
    sorts, default_sort = SYNC_SORTS, "-created"

    def list_queryset(self):
        return runs_for_list()


class AuditEntryViewSet(ListViewSet):
    """Every retry, manual sync and export, newest first."""

    serializer_class = serializers.AuditEntrySerializer
    filterset_class = AuditFilter
    sorts, default_sort = AUDIT_SORTS, "-created"

    def list_queryset(self):
        return entries_for_list()
