"""The JSON API: every list and record the pages show, and the writes their buttons make.

Each app keeps its own serializers and viewsets (``connections.api``, ``members.api``, and the
console's own in ``command_center.api.views``); this package holds what they share (pagination,
authentication, idempotency) and the one router that puts them under ``/api/``.
"""
