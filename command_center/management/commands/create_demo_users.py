from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from command_center.roles import OPERATOR, VIEWER

# The administrator has no role: a superuser may do everything, /admin/ included (roles, schedules).
ADMINISTRATOR = "Administrator"
DEMO_USERS = [
    # (username, password, role, full name)
    ("operator", "operator-demo", OPERATOR, "Olivia Operator"),
    ("viewer", "viewer-demo", VIEWER, "Victor Viewer"),
    ("admin", "admin-demo", ADMINISTRATOR, "Ada Admin"),
]


def demo_logins() -> list[str]:
    return [f"  {role:<13} username: {username:<9} password: {password}" for username, password, role, _ in DEMO_USERS]


class Command(BaseCommand):
    help = "Create (or reset) the demo Operator, Viewer and Administrator logins and print them. For demos only."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, role, full_name in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
            user.set_password(password)
            user.is_active = True
            user.is_staff = user.is_superuser = role == ADMINISTRATOR
            # An address, so the demo can subscribe to alerts by e-mail (printed by the worker in the demo).
            user.email = user.email or f"{username}@example.com"
            user.save()
            user.groups.set([] if role == ADMINISTRATOR else [Group.objects.get(name=role)])
        self.stdout.write("\n".join(demo_logins()))
