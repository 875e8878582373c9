import threading
import time

from django.core.management.base import BaseCommand

from command_center.management.commands.create_demo_users import demo_logins
from command_center.models import SyncRun
from command_center.sync import runs

# How often to look whether the first sync has finished.
POLL_SECONDS = 2


def announcement(url: str, run: SyncRun | None, clock_speed: float) -> str:
    outcome = f"The first sync (#{run.pk}) ended {run.status}: {url}syncs/{run.pk}/" if run else "No sync has run yet."
    return "\n".join(
        [
            "",
            f"Command Center is ready at {url}  (Ctrl-C stops everything)",
            outcome,
            "Demo logins:",
            *demo_logins(),
            f"The Noyo sandbox's clock runs {clock_speed:g} times fast: Noyo's times run ahead of yours, and statuses move while you watch.",
            "",
        ]
    )


class Command(BaseCommand):
    help = "Demo only: once the first sync has finished, print the URL and logins again (the logs scrolled them away)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument("--sandbox-clock-speed", type=float, default=1.0)
        parser.add_argument("--exit", action="store_true", help="Exit once printed (under honcho it must stay).")

    def handle(self, *args, url, sandbox_clock_speed, exit, **options):
        # The run that run_demo_setup has just queued: the newest full run.
        run = SyncRun.objects.filter(kind=runs.FULL).order_by("-pk").first()
        while run is not None and run.is_active:
            time.sleep(POLL_SECONDS)
            run.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(announcement(url, run, sandbox_clock_speed)))
        self.stdout.flush()
        if not exit:
            # honcho stops every process when one exits: stay until Ctrl-C stops them all.
            threading.Event().wait()
