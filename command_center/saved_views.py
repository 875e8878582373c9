"""Saved views: a list's filters and sort kept under a name, shared by link, one of them a person's default.

Every list page takes part (``LIST_PAGES``): the bar above its filters shows the person's views of
it and saves the one on screen; opening a list with no query string opens the person's default view
of it, and ``?view=all`` the whole list.
"""

from __future__ import annotations

from django.http import QueryDict

from command_center.models import SavedView

LIST_PAGES = {
    "attention_list",
    "audit_list",
    "sync_list",
    "connections:connection_list",
    "connections:group_list",
    "connections:carrier_list",
    "connections:disconnection_list",
    "connections:renewal_list",
    "members:employee_list",
    "members:memberrequest_list",
    "members:snapshot_list",
    "members:difference_list",
    "members:transaction_list",
}
# The one parameter that says "the whole list, not my default view".
ALL = "all"
ALL_QUERY = f"view={ALL}"
# What a view does not keep: where a person was in the list and what they had ticked.
NOT_KEPT = ("page", "ids", "view", "csrfmiddlewaretoken")
MAX_PER_PERSON = 100


def query_to_keep(query: str) -> str:
    params = QueryDict(query, mutable=True)
    for key in NOT_KEPT:
        params.pop(key, None)
    # Empty filters say nothing: "?q=&status=" is the same view as "?".
    for key in list(params):
        values = [value for value in params.getlist(key) if value != ""]
        if values:
            params.setlist(key, values)
        else:
            del params[key]
    return params.urlencode()


def views_of(user, list_name: str):
    return SavedView.objects.filter(owner=user, list_name=list_name)


def default_view(user, list_name: str) -> SavedView | None:
    return views_of(user, list_name).filter(is_default=True).first()


def save(user, list_name: str, name: str, query: str, make_default: bool) -> SavedView:
    """Save (or overwrite) the person's view of that name; a new default replaces the old one."""
    view, _ = SavedView.objects.update_or_create(
        owner=user, list_name=list_name, name=name, defaults={"query": query_to_keep(query)}
    )
    if make_default:
        set_default(view)
    return view


def set_default(view: SavedView, on: bool = True) -> None:
    views_of(view.owner, view.list_name).filter(is_default=True).exclude(pk=view.pk).update(is_default=False)
    SavedView.objects.filter(pk=view.pk).update(is_default=on)
    view.is_default = on
