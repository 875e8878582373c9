"""How the OpenAPI document describes every operation: drf-spectacular's description, plus the errors.

drf-spectacular documents what a view answers when it works. A client also meets the errors
every view shares: 401 without credentials, 403 on a write its role or key may not make, 404
for an id (or a list's cursor) that is not there, and 400 for a filter or a body that was
refused. Listing them here, once, keeps the document true for every view (Schemathesis checks
that each status code the API answers is documented) without an ``@extend_schema`` per view.
A view that documents one of these codes itself keeps its own description.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

from command_center.api.permissions import KeyScope

# What an error status code means, whatever the operation.
MEANINGS = {
    "400": "Refused: a filter or a field was not valid. Each one is named with what was wrong.",
    "401": "No credentials, or credentials that are not valid (any more).",
    "403": "Signed in, but not allowed to do this: the action needs another role (or key scope), "
    "or a session's request lacks its CSRF token.",
    "404": "Not found: no record with this id, or a page cursor that is not valid.",
}
PLAIN_PERMISSIONS = (permissions.IsAuthenticated, permissions.AllowAny, KeyScope)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain words.")


# A refused filter or form: {"status": ["Select a valid choice. …"]}; a refused write may also
# say it in "detail" or group the fields under "errors".
VALIDATION_ERROR = {
    "type": "object",
    "description": "Each refused parameter or field, with what was wrong in plain words "
    '(`{"status": ["Select a valid choice. bogus is not one of the available choices."]}`).',
    "additionalProperties": {},
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:  # excluded from the document
            return None
        for code, body in self._error_responses(operation).items():
            if code not in operation["responses"]:
                operation["responses"][code] = {
                    **self._get_response_for_code(body, code),
                    "description": MEANINGS[code],
                }
        return operation

    def _error_responses(self, operation) -> dict:
        checks = self.view.get_permissions()
        if all(isinstance(check, permissions.AllowAny) for check in checks):
            return {}
        errors = {"401": ErrorSerializer}
        if self.method not in permissions.SAFE_METHODS or not all(
            isinstance(check, PLAIN_PERMISSIONS) for check in checks
        ):
            errors["403"] = ErrorSerializer
        takes_id = any(p["in"] == "path" for p in operation.get("parameters", []))
        if takes_id or (self._is_list_view() and self._get_paginator()):
            errors["404"] = ErrorSerializer
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            errors["400"] = self._validation_error()
        return dict(sorted(errors.items()))

    def _validation_error(self):
        component = ResolvedComponent(
            name="ValidationError", type=ResolvedComponent.SCHEMA, object="ValidationError", schema=VALIDATION_ERROR
        )
        self.registry.register_on_missing(component)
        return component.ref
