from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from command_center.roles import is_operator


def _header_figure(key: str, read):
    """A figure the header of every page shows, read at most once per HEADER_CACHE_SECONDS for all
    the pages (and, with CACHE_URL, all the processes) rather than once per page: 0 reads it every time."""
    seconds = settings.HEADER_CACHE_SECONDS
    if seconds <= 0:
        return read()
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, seconds)
    return value


def roles(request):
    """The signed-in user's role and what they may do, for templates to show or hide controls."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "can_retry": False,
            "can_sync": False,
            "can_create_connection": False,
            "can_review_disconnections": False,
            "can_work_items": False,
            "can_note": False,
            "can_create_renewal": False,
            "role": None,
        }
    return {
        "role": "Operator" if is_operator(user) else "Viewer",
        "can_retry": user.has_perm("connections.retry_groupconnection"),
        "can_sync": user.has_perm("command_center.start_sync"),
        "can_create_connection": user.has_perm("connections.create_groupconnection"),
        "can_review_disconnections": user.has_perm("connections.review_groupdisconnectionrequest"),
        "can_work_items": user.has_perm("command_center.work_attentionitem"),
        "can_note": user.has_perm("command_center.add_note"),
        "can_create_renewal": user.has_perm("connections.create_renewaldecision"),
    }


def freshness(request):
    """How current the data of the families this page reads is, for the header (command_center.freshness)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from command_center.freshness import families_read_by, for_page

    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    families = families_read_by(view_name)
    if not families:
        return {}
    # Lazy: an htmx partial, which has no header, costs no query.
    return {
        "freshness": SimpleLazyObject(
            lambda: _header_figure(f"header:freshness:{','.join(families)}", lambda: for_page(view_name))
        )
    }


def attention(request):
    """How many attention items are open and awake, for the nav: a bounded count, lazily (an htmx partial costs nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from command_center.attention import open_count

    # Snoozed items wake by the day: a new day is a new figure.
    key = f"header:attention_open:{timezone.localdate().isoformat()}"
    return {"attention_open": SimpleLazyObject(lambda: _header_figure(key, open_count))}


def saved_views(request):
    """The signed-in person's saved views of the list on screen, for the bar above its filters."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    from command_center import saved_views as views
    from command_center.alerts.reports import REPORTABLE

    if user is None or not user.is_authenticated or match is None or match.view_name not in views.LIST_PAGES:
        return {}
    from django.utils.functional import SimpleLazyObject

    read = getattr(request, "saved_views", None)  # DefaultViewMiddleware read them for a bare list
    return {
        "saved_views": read
        if read is not None
        else SimpleLazyObject(lambda: list(views.views_of(user, match.view_name))),
        "saved_views_list": match.view_name,
        "saved_views_reportable": match.view_name in REPORTABLE,
        "saved_views_query": views.query_to_keep(request.GET.urlencode()),
    }
