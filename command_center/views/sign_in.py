"""Sign-in throttling (django-axes): what a locked-out sign-in sees, and whose address an attempt is.

After ``AXES_FAILURE_LIMIT`` wrong passwords for one user name, or from one address, axes refuses
every sign-in for them until ``AXES_COOLOFF_TIME`` has passed since the last try. The refusal is the
sign-in page itself, saying so in plain words and when to try again (429), not a bare error page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.template.response import TemplateResponse


def lockout_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return (
        f"Too many failed sign-ins for this user name or from this address, so signing in is paused. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}; every try before then starts the wait again. "
        f"If you have forgotten your password, ask an administrator to reset it."
    )


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page with the lockout message and an empty password field."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "next": request.POST.get("next", ""), "locked_out": lockout_message()}
    response = TemplateResponse(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response.render()


def client_address(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the peer's address, or, behind ``TRUSTED_PROXY_COUNT`` proxies that
    append to X-Forwarded-For, the address the outermost of them saw (what a client sends itself is
    further left, and ignored)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
