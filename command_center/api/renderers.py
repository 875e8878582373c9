"""DRF's browsable API (an /api/ URL opened in a browser), under the site's Content-Security-Policy.

Its templates (rest_framework/base.html) carry style attributes and a <style> element for code
highlighting, so its pages allow inline style; their scripts are all files, so script-src stays 'self'.
"""

from rest_framework import renderers

BROWSABLE_API_PAGES = {"style-src": ["'unsafe-inline'"]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = BROWSABLE_API_PAGES  # read by csp.middleware.CSPMiddleware
        return super().render(data, accepted_media_type, renderer_context)
