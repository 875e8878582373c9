"""Settings for the test suite: the real settings, with test-only defaults.

Environment defaults are set *before* importing the real settings, so the suite
runs with nothing configured (SQLite, eager Celery), while CI's DATABASE_URL and
CELERY_BROKER_URL still point it at Postgres and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from command_center.settings import *  # noqa: F403

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
