"""The OpenAPI document and its two readers, Swagger UI (/api/docs/) and Redoc (/api/redoc/).

Their scripts and styles come from drf-spectacular-sidecar through static files, under the site's
Content-Security-Policy (settings.CONTENT_SECURITY_POLICY): no inline script, nothing from another
origin. Swagger UI's start-up script is served from its page's own URL (``?script``, drf-spectacular's
split view) rather than inline. Redoc's bundle asks for its logo from cdn.redoc.ly whatever its
settings, and the policy refuses it (Redoc then shows no logo).
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# Redoc's bundle builds its styles at run time (styled-components: <style> elements and style
# attributes) and runs its search in a worker started from a blob: URL. Its scripts stay 'self' only.
# Swagger UI needs nothing beyond the site's policy.
REDOC_PAGE = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

schema = SpectacularAPIView.as_view()
swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")
redoc = csp_update(REDOC_PAGE)(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))
