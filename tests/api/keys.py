"""API keys for tests: a real key made the way the console makes one, and a client that sends it."""

from django.test import Client

from command_center.models import ApiKey


def make_key(user, scope=ApiKey.Scope.READ_ONLY, name="script"):
    """``(api_key, key)``: the stored row, and the key itself (which only the caller ever sees)."""
    return ApiKey.objects.create_key(user=user, name=name, scope=scope)


def key_client(key, keyword="Bearer"):
    """A client with no session that sends ``Authorization: <keyword> <key>`` and has CSRF checks on,
    as a script's requests would meet them."""
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"{keyword} {key}"})


# The OpenAPI document and its viewers: refused like every API route, in their own formats (YAML, HTML).
DOCUMENTS = {"api:schema", "api:docs", "api:redoc"}
