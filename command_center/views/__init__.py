"""Cross-cutting pages: /healthz (health.py), sync runs (syncs.py), the audit log (audit.py)."""

from django.template.response import TemplateResponse


def placeholder(request, title):
    """A page whose issue has not landed yet: keeps the navigation honest."""
    return TemplateResponse(request, "placeholder.html", {"title": title})
