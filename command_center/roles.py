"""The two roles, as Django groups, and the permissions each one holds.

Viewers may look at everything; Operators may also start syncs, retry and create group
connections, confirm or reject disconnection requests, send new renewal decisions, work attention
items (acknowledge, assign, snooze) and leave notes. A signed-in user in neither group can look but not act.
"""

from django.contrib.auth.backends import ModelBackend

VIEWER = "Viewer"
OPERATOR = "Operator"

# "app_label.codename" of every permission a role grants.
ROLE_PERMISSIONS = {
    VIEWER: [],
    OPERATOR: [
        "command_center.start_sync",
        "connections.retry_groupconnection",
        "connections.create_groupconnection",
        "connections.review_groupdisconnectionrequest",
        "connections.create_renewaldecision",
        "command_center.work_attentionitem",
        "command_center.add_note",
    ],
}


def ensure_roles(group_model, permission_model):
    """Create the role groups and give each exactly its permissions (idempotent).

    Permissions that do not exist yet (their app not migrated) are skipped; this
    runs again after every migrate, so they are picked up once they exist.
    """
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(permission_model.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def is_operator(user) -> bool:
    """Whether the user holds the Operator role (superusers hold every role)."""
    return bool(user and user.is_authenticated) and (user.is_superuser or OPERATOR in _roles_and_permissions(user)[0])


def _roles_and_permissions(user) -> tuple[frozenset, frozenset]:
    """The user's group names and their "app_label.codename" permissions (the groups' and the user's own),
    read in one query and kept on the user object for the request, as Django keeps its permission cache.

    Every page asks for both (the header's role, the buttons a role may use): read the way ModelBackend
    and ``user.groups`` read them, that was three queries, a third of a bare page's time."""
    if not hasattr(user, "_roles_cache"):
        from django.contrib.auth.models import Group, Permission
        from django.db.models import CharField, Value

        # No order: Permission's default one is not allowed in a UNION's parts on SQLite.
        own = (
            Permission.objects.filter(user=user)
            .order_by()
            .values_list(Value(None, output_field=CharField()), "content_type__app_label", "codename")
        )
        by_group = (
            Group.objects.filter(user=user)
            .order_by()
            .values_list("name", "permissions__content_type__app_label", "permissions__codename")
        )
        rows = list(own.union(by_group, all=True))
        user._roles_cache = (
            frozenset(name for name, _, _ in rows if name is not None),
            frozenset(f"{app_label}.{codename}" for _, app_label, codename in rows if codename is not None),
        )
    return user._roles_cache


class RoleBackend(ModelBackend):
    """Django's ModelBackend, the user's permissions read with their roles in one query (``_roles_and_permissions``)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(_roles_and_permissions(user_obj)[1])
        return user_obj._perm_cache
