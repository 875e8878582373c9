from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as BaseLoginRequiredMiddleware,
)
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from rest_framework.views import APIView


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Every view needs a signed-in user unless marked @login_not_required.

    A page request is redirected to sign-in, as Django does. An htmx request
    gets 401 with HX-Redirect, so the browser goes to sign-in instead of pasting
    the sign-in page into a table; an API request gets a 401 JSON answer.

    A Django REST framework view signs the request in itself (an API key, or the
    session) and answers 401 with its WWW-Authenticate challenge, so it is let through.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if isinstance(getattr(view_func, "cls", None), type) and issubclass(view_func.cls, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        if request.headers.get("HX-Request"):
            response = HttpResponse("Your session has ended. Please sign in again.", status=401)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={request.get_full_path()}"
            return response
        return super().handle_no_permission(request, view_func)
