from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, apps=None, **kwargs):
    from django.apps import apps as global_apps

    from command_center.roles import ensure_roles

    apps = apps or global_apps  # `flush` sends post_migrate without an app registry
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class CommandCenterConfig(AppConfig):
    """Cross-cutting parts: sign-in and roles, sync runs, the audit log, /healthz."""

    name = "command_center"
    verbose_name = "Command Center"

    def ready(self):
        # Permissions are created after migrations run, so the role groups get
        # theirs here; the data migration 0001 creates the groups themselves.
        post_migrate.connect(_ensure_roles, sender=self)
        # Register the sync tasks with the Celery app in every process (web, worker, beat), so a run
        # can be enqueued by task name (command_center.sync.runs) without importing the tasks there.
        from command_center.alerts import tasks as alert_tasks  # noqa: F401
        from command_center.sync import tasks  # noqa: F401
