"""Settings for the test suite: the real settings, with test-only defaults.

Environment defaults are set *before* importing the real settings, so the suite
runs with nothing configured (SQLite, eager Celery), while CI's DATABASE_URL and
CELERY_BROKER_URL still point it at Postgres and Redis.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

# Under pytest-xdist (`make test` runs one process per core) each process is given a place of its own
# wherever two would otherwise meet: pytest-django gives each its own test database; here each gets its own
# var directory (the file broker, the SQLite file) and its own Redis database, so that one process's
# real Celery worker never takes another's tasks.
_process = os.environ.get("PYTEST_XDIST_WORKER", "")
_index = int(_process.removeprefix("gw")) if _process.startswith("gw") else 0
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test", _process))
if _index and os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
    _broker = urlsplit(os.environ["CELERY_BROKER_URL"])
    _database = int(_broker.path.strip("/") or 0) + _index
    os.environ["CELERY_BROKER_URL"] = urlunsplit(_broker._replace(path=f"/{_database}"))

from command_center.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, not SQLite's shared-cache memory: there a second thread (the
    # real worker, the live server) meets "database table is locked" at once instead of waiting
    # for the lock as the settings' timeout asks.
    # One file per process, so two test runs in one checkout never share (and destroy) a database.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["VAR_DIR"], f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
