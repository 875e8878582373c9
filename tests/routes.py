"""The project's named routes, read from the URL configuration, so tests cover a page added later too."""

import uuid

from django.urls import URLPattern, URLResolver, get_resolver, reverse

SAMPLE_ARGS = {"int": 1, "str": "x", "slug": "x", "uuid": uuid.UUID(int=1), "path": "x"}


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin site guards itself with its own sign-in
            ns = entry.namespace
            yield from _walk(entry.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def named_routes():
    """``[(name, pattern)]`` for every named route outside the admin site, sorted by name."""
    return sorted(_walk(get_resolver().url_patterns), key=lambda route: route[0])


def sample_url(name, pattern):
    """The route's URL with placeholder arguments (``x``, ``1``, a nil-ish UUID)."""
    converters = pattern.pattern.converters
    kwargs = {
        key: SAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
        for key, conv in converters.items()
    }
    # A router's routes are regular expressions: their groups take the placeholder too.
    kwargs.update({key: "x" for key in pattern.pattern.regex.groupindex if key not in kwargs})
    return reverse(name, kwargs=kwargs)
