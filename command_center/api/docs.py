"""The OpenAPI document and its two readers, Swagger UI (/api/docs/) and Redoc (/api/redoc/).

Their scripts and styles come from drf-spectacular-sidecar through static files. The pages also
tell the browser to load nothing from anywhere else: Redoc's bundle asks for its logo from
cdn.redoc.ly whatever its settings, and this policy refuses it (Redoc then shows no logo).
"""

from functools import wraps

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

# The pages' own inline script and the styles their bundles inject are allowed; other origins are not.
SAME_ORIGIN_ONLY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
])


def same_origin_only(view):
    @wraps(view)
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response

    return answer


schema = SpectacularAPIView.as_view()
swagger_ui = same_origin_only(SpectacularSwaggerView.as_view(url_name="api:schema"))
redoc = same_origin_only(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))
