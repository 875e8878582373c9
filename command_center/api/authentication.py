"""API keys: ``Authorization: Bearer <key>`` (or ``Api-Key <key>``), made on the console's API keys page.

A request made with a key is its owner's, with the key on ``request.auth`` (``KeyScope`` reads its scope)
and on the user as ``user.api_key``, so the audit log names the key of every write made with it
(``command_center.audit``). A missing key answers 401 with ``WWW-Authenticate: Bearer``, because this
class comes first in ``DEFAULT_AUTHENTICATION_CLASSES``.
"""

from __future__ import annotations

import re

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from command_center.models import ApiKey

KEYWORDS = (b"bearer", b"api-key")
# What rest_framework_api_key makes: an 8-character prefix, a dot, a 32-character secret. Anything
# else is refused before the database is asked.
KEY_FORMAT = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")

MALFORMED = "Send the key as “Authorization: Bearer <key>”, with one space and nothing after the key."
INVALID = "This API key is not valid: it was revoked, or mistyped. Make a new one on the API keys page of the console."
INACTIVE = "The account this API key belongs to is switched off."


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no key: the session may still sign the request in
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED)
        key = parts[1].decode("latin-1")
        if not KEY_FORMAT.fullmatch(key):
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            api_key = ApiKey.objects.get_from_key(key)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(INVALID) from None
        user = api_key.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        api_key.touch(timezone.now())
        user.api_key = api_key
        return user, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI document's security scheme for ApiKeyAuthentication: an HTTP bearer key."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made on the console's API keys page (/account/api-keys/), "
            "sent as `Authorization: Bearer <key>`. A read-only key may only read.",
        }
