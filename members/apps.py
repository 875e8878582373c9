from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Employees, dependents, enrollments, snapshots and legacy member requests."""

    name = "members"
