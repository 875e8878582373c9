from django.conf import settings
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as BaseLoginRequiredMiddleware,
)
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
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


class DefaultViewMiddleware:
    """A list opened with no query string opens the person's default saved view of it, if they chose one
    (``?view=all`` is the whole list). Only whole-page GETs: an htmx request asks for what it names."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from command_center import saved_views

        match = request.resolver_match
        if (
            request.method != "GET"
            or request.GET
            or request.headers.get("HX-Request")
            or not request.user.is_authenticated
            or match is None
            or match.view_name not in saved_views.LIST_PAGES
        ):
            return None
        # Read once for both the default and the bar above the filters (context_processors.saved_views).
        request.saved_views = list(saved_views.views_of(request.user, match.view_name))
        view = next((view for view in request.saved_views if view.is_default), None)
        if view is None or not view.query:
            return None
        return redirect(view.list_url)


class RefusalAuditMiddleware:
    """A signed-in person answered 403 leaves one audit entry saying what was refused and why.

    The console refuses by raising ``PermissionDenied`` (its message is the reason); the API answers
    403 itself with the reason as ``detail``. Either way it is the one 403 of the request that is
    written, so a refusal is one entry whatever raised it. Anonymous requests are not written: they
    are sent to sign-in (or get 401) before anything can refuse them, and could flood the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code == 403 and user is not None and user.is_authenticated:
            from command_center import audit

            audit.record_refusal(request, self._reason(request, response))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.refused_because = str(exception) or "Your role does not allow this."
        return None

    @staticmethod
    def _reason(request, response):
        if getattr(request, "refused_because", None):
            return request.refused_because
        data = getattr(response, "data", None)  # a DRF answer
        if isinstance(data, dict) and data.get("detail"):
            return str(data["detail"])
        return "Forbidden (a failed CSRF check, or a page that gave no reason)."
