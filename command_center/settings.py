"""Django settings for Command Center.

Every value that differs between a laptop and production comes from the
environment through ``command_center.env``; README.md lists each variable with
its default. The defaults need nothing installed: SQLite and a filesystem
Celery broker, and the Noyo sandbox on 127.0.0.1:8010.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from command_center.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value; "
            "it is only optional when DEBUG=true."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "import_export",
    "rest_framework",
    # Its abstract key model (hashed keys, looked up by prefix) is what command_center.ApiKey builds on.
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Sign-in throttling (django-axes): its attempts table and its authentication backend.
    "axes",
    "csp",
    "command_center",
    "command_center.noyo",
    "connections",
    "members",
]

MIDDLEWARE = [
    # First, so the latency it records covers every other middleware too.
    "command_center.metrics.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so it knows who was refused; it writes one audit entry per 403.
    "command_center.middleware.RefusalAuditMiddleware",
    "command_center.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "command_center.middleware.DefaultViewMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the sign-in page saying so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "command_center.urls"
WSGI_APPLICATION = "command_center.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} that remembers its answers (a list page writes ~125 links).
            "builtins": ["command_center.templatetags.urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "command_center.context_processors.roles",
                "command_center.context_processors.freshness",
                "command_center.context_processors.attention",
                "command_center.context_processors.saved_views",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks rather than fail, and
    # let readers run beside the one writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: it pays for long analytic queries, not a console's. At 1M connections it spent 340 ms
    # compiling the carriers list's 5 ms query, whose estimate counts a COALESCE branch that never runs.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------
# A cache every web process shares (Redis) lets sessions be read from it instead of the database on
# each request (cached_db: written to both, so nothing is lost when the cache is flushed). Without one,
# each process has its own memory cache, which must not hold sessions: a sign-out in one process
# would leave the session alive in the others.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL is {CACHE_URL!r}: give a redis:// or rediss:// URL, or leave it unset.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# How long the header's freshness line and the navigation's count of open attention items may be
# reused before they are read again (command_center.context_processors): every page shows them.
HEADER_CACHE_SECONDS = env_int("HEADER_CACHE_SECONDS", 10)

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out user name or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "command_center.roles.RoleBackend",
]
# Sign-in throttling: after LOGIN_FAILURE_LIMIT wrong passwords for one user name, or from one address,
# sign-in is refused for LOGIN_LOCKOUT_MINUTES (counted from the last refused try), whatever the password.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= dt.timedelta(0):
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
# Each one alone: a user name under attack from many addresses, and an address trying many user names.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "command_center.views.sign_in.locked_out"
AXES_CLIENT_IP_CALLABLE = "command_center.views.sign_in.client_address"
# Proxies in front of the web processes that append to X-Forwarded-For (0: none, the peer is the client).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Failed attempts are what throttling needs; a row per successful sign-in would only grow.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (production values unless DEBUG) --------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only this site's own scripts, styles, images and fonts; no inline script, style or handler; nothing
# framed, no plugins, no <base>, forms post only here. Enforced, not report-only. The API's documents
# pages (command_center/api/docs.py) and the browsable API add what their bundles need.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by load balancers and orchestrators.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server, for a newcomer's first run: messages are
    # files in var/celery/broker, shared by the web, the worker and beat.
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        # kombu's default is ./control, relative to wherever the process started.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _default_results = f"file://{VAR_DIR / 'celery' / 'results'}"
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _default_results = CELERY_BROKER_URL
else:
    _default_results = ""
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", _default_results) or None
CELERY_RESULT_EXPIRES = 3600
# Eager mode runs tasks inside the caller (the web request): for tests only.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Noyo -------------------------------------------------------------------
# The defaults point at the Noyo sandbox that `make run` starts.
NOYO_API_URL = env_str("NOYO_API_URL", "http://127.0.0.1:8010")
NOYO_TOKEN_URL = env_str("NOYO_TOKEN_URL", f"{NOYO_API_URL}/auth/public/token")
NOYO_TRACKING_URL = env_str("NOYO_TRACKING_URL", NOYO_API_URL)
NOYO_CLIENT_ID = env_str("NOYO_CLIENT_ID", "sandbox-client")
NOYO_CLIENT_SECRET = env_str("NOYO_CLIENT_SECRET", "sandbox-secret")
NOYO_TIMEOUT_SECONDS = env_int("NOYO_TIMEOUT_SECONDS", 30)
NOYO_WEBHOOK_SECRET = env_str("NOYO_WEBHOOK_SECRET", "")
# How long an accepted webhook delivery is remembered, so the same delivery sent again is refused.
# Longer than the 5-minute timestamp window: Noyo does not sign the timestamp, so a replay can carry a fresh one.
NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS = env_int("NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS", 24)
if NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS < 1:
    raise ImproperlyConfigured(
        "NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS must be at least 1: longer than the 5-minute timestamp window."
    )
# Per-parent lists (an employee's dependents, ...) a sync fetches at once: hides Noyo's latency.
NOYO_SYNC_WORKERS = env_int("NOYO_SYNC_WORKERS", 6)
# Per-parent lists are split into Celery tasks of this many parents, which any worker can read
# (0: the run's own task reads them all). Off on SQLite: one writer at a time.
NOYO_SYNC_CHUNK_PARENTS = env_int(
    "NOYO_SYNC_CHUNK_PARENTS", 500 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 0
)
NOYO_CONSOLE_URL = env_str("NOYO_CONSOLE_URL", "https://app.noyo.com")

# --- API writes ---------------------------------------------------------------
# How long an API write's Idempotency-Key is remembered (a repeat within it answers the first outcome).
IDEMPOTENCY_KEYS_KEPT_HOURS = env_int("IDEMPOTENCY_KEYS_KEPT_HOURS", 24)
if IDEMPOTENCY_KEYS_KEPT_HOURS < 1:
    raise ImproperlyConfigured(
        "IDEMPOTENCY_KEYS_KEPT_HOURS must be at least 1: a client resends within hours, not minutes."
    )

# --- Product ----------------------------------------------------------------
# A connection in processing, noyo_review or waiting_on_carrier longer than this is "stuck".
STUCK_AFTER_DAYS = env_int("STUCK_AFTER_DAYS", 7)
# A family whose sync failed this many attempts in a row gets an attention item.
ATTENTION_SYNC_FAILURES = env_int("ATTENTION_SYNC_FAILURES", 3)

# --- Metrics (GET /metrics, command_center.metrics) ---------------------------
# The bearer token Prometheus sends. Unset: /metrics answers 404, so nothing is exposed by accident.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# A directory shared by the web processes (gunicorn workers), emptied at each start: prometheus-client
# reads this variable itself, at import, to keep request latencies in files every process can add up.
# Read with os.environ, as the library reads it (no _FILE variant), so both always agree.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR is {PROMETHEUS_MULTIPROC_DIR!r}, which is not a directory. "
        "Create it (empty) before starting the web processes, or unset it."
    )
# --- Alerts (command_center.alerts) -------------------------------------------
# Links in alerts are absolute: the console's address as its users reach it.
CONSOLE_BASE_URL = env_str("CONSOLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Alerts wait this long after the first of a batch, so one message per channel carries them all.
ALERT_DIGEST_SECONDS = env_int("ALERT_DIGEST_SECONDS", 300)
# Tries per message (the first included); waits double from ALERT_RETRY_SECONDS between them.
ALERT_SEND_ATTEMPTS = env_int("ALERT_SEND_ATTEMPTS", 5)
ALERT_RETRY_SECONDS = env_int("ALERT_RETRY_SECONDS", 30)
ALERT_WEBHOOK_TIMEOUT_SECONDS = env_int("ALERT_WEBHOOK_TIMEOUT_SECONDS", 10)
# A channel whose last this-many messages all failed is shown as failing.
ALERT_CHANNEL_FAILING_AFTER = env_int("ALERT_CHANNEL_FAILING_AFTER", 3)
# A scheduled report's CSV bigger than this goes by e-mail as a link instead of an attachment.
REPORT_ATTACH_MAX_BYTES = env_int("REPORT_ATTACH_MAX_BYTES", 5_000_000)

# E-mail: printed on the console in the demo (DEBUG), SMTP otherwise.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Command Center <command-center@localhost>")

# --- DRF --------------------------------------------------------------------
REST_FRAMEWORK = {
    # An API key first: DRF answers an unauthenticated call with the first class's WWW-Authenticate
    # challenge (401); without one it would be 403. The session stays for the browsable API.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "command_center.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every view reads through these; a view naming its own permission_classes must keep KeyScope.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "command_center.api.permissions.KeyScope",
    ],
    # JSON, and the browsable API for a browser, with the inline style its templates need (renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "command_center.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "command_center.api.schema.AutoSchema",
}

# The OpenAPI document (/api/schema/), generated from the code; openapi.yaml is its checked-in copy
# (`make schema`). It and its pages (/api/docs/, /api/redoc/) are for signed-in users, like every
# /api/ route; their scripts come from drf-spectacular-sidecar through static files, never a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Command Center API",
    "DESCRIPTION": "The mirror of Noyo that the console shows, and the writes its buttons make.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated", "command_center.api.permissions.KeyScope"],
    # Operation ids and tags from the path after /api/: connections_list, not root_list.
    "SCHEMA_PATH_PREFIX": r"/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl: None keeps Swagger UI from sending the document to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# How often the dashboard and the attention queue reload themselves while their tab is in view.
LIVE_REFRESH_SECONDS = env_int("LIVE_REFRESH_SECONDS", 30)

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every failed sign-in at INFO and lockouts at WARNING.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
