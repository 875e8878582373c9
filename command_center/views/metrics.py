"""GET /metrics: the Prometheus text format, for a scraper holding the bearer token."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from command_center import metrics as figures


@login_not_required
@never_cache
@require_safe
def metrics(request):
    """The figures (``command_center.metrics``), when ``Authorization: Bearer <METRICS_TOKEN>`` comes with the request.

    Without METRICS_TOKEN the route does not exist (404): nothing is exposed until someone chooses a token.
    """
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set METRICS_TOKEN to turn them on.")
    if not _bearer_matches(request, token):
        response = HttpResponse(
            "This needs the metrics token: send the header Authorization: Bearer <token>.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(figures.registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)


def _bearer_matches(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken says nothing about how much of the token was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
