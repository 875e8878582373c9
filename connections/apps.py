from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ConnectionsConfig(AppConfig):
    """Groups, carriers and their group connections: the ops team's first stop."""

    name = "connections"

    def ready(self):
        # The Operator role holds connections.retry_groupconnection, which exists
        # only once this app's permissions are created (after command_center's
        # post_migrate has run): apply the roles again after ours.
        from command_center.apps import _ensure_roles

        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="connections_ensure_roles")
        # The kinds of write sent to Noyo once register themselves with connections.actions.
        from . import connect, renew, review  # noqa: F401
