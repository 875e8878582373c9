from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as BaseLoginRequiredMiddleware,
)
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Every view needs a signed-in user unless marked @login_not_required.

    A page request is redirected to sign-in, as Django does. An htmx request
    gets 401 with HX-Redirect, so the browser goes to sign-in instead of pasting
    the sign-in page into a table; an API request gets a 401 JSON answer.
    """

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
        if request.headers.get("HX-Request"):
            response = HttpResponse("Your session has ended. Please sign in again.", status=401)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={request.get_full_path()}"
            return response
        return super().handle_no_permission(request, view_func)
