from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare a demo run: demo logins, then print where to sign in. Used by `make run`."

    def handle(self, *args, **options):
        self.stdout.write("\nDemo logins:")
        call_command("create_demo_users", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("\nCommand Center is starting at http://127.0.0.1:8000/  (Ctrl-C stops everything)\n")
        )
