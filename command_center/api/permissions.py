"""What a request made with an API key may do: its scope, on top of what its owner may do.

``KeyScope`` is a default permission (REST_FRAMEWORK settings), so a view that names its own
``permission_classes`` must list it too (tests/api/test_keys_scope.py tries a write on every route).
A request signed in by the session is left to the view's own permissions.
"""

from __future__ import annotations

from rest_framework import permissions

from command_center.models import ApiKey

READ_ONLY = "This API key is read-only: it can look at everything but change nothing. Make an operator key on the API keys page to do this."
NOT_AN_OPERATOR = "This API key's owner is no longer an Operator, so the key can only read now."


class KeyScope(permissions.BasePermission):
    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey) or request.method in permissions.SAFE_METHODS:
            return True
        if key.scope != ApiKey.Scope.OPERATOR:
            self.message = READ_ONLY
            return False
        if not key.may_write:
            self.message = NOT_AN_OPERATOR
            return False
        return True
