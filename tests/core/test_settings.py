"""Settings come from the environment, and bad values stop the process with a message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from command_center.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env_bool("FLAG", default=False)


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("COUNT", "seven")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 3)
    monkeypatch.setenv("COUNT", "7")
    assert env_int("COUNT", 3) == 7


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.com, ,b.example.com ")
    assert env_list("HOSTS", []) == ["a.example.com", "b.example.com"]


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_str("TOKEN") == "s3cret"


def _clean_env(**env):
    """Only what a fresh shell would have, plus the given variables."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "VAR_DIR": "/tmp/cc-var", **env}


def _settings_in_subprocess(env, expression):
    code = f"import command_center.settings as s; print(repr(({expression})))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_clean_env(**env), capture_output=True, text=True)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _settings_in_subprocess({"DEBUG": "false", "VAR_DIR": "/tmp/cc-var"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_runs_without_a_secret_key():
    result = _settings_in_subprocess({"DEBUG": "true", "VAR_DIR": "/tmp/cc-var"}, "s.DEBUG")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_selects_postgres_through_psycopg():
    result = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var", "DATABASE_URL": "postgres://app:pw@db.internal:5433/cc"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.DATABASES['default']['PORT']",
    )
    assert result.stdout.strip() == "('django.db.backends.postgresql', 'db.internal', 5433)"


def test_postgres_runs_without_jit_compiling_beside_options_given_in_the_url():
    url = "postgres://app@db.internal/cc?options=-c%20statement_timeout%3D5000"
    result = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var", "DATABASE_URL": url}, "s.DATABASES['default']['OPTIONS']['options']"
    )
    assert result.stdout.strip() == "'-c statement_timeout=5000 -c jit=off'", result.stderr


@pytest.mark.django_db
def test_the_console_s_own_postgres_connection_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_the_defaults_need_nothing_installed():
    result = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var"},
        "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER",
    )
    assert result.stdout.strip() == "('django.db.backends.sqlite3', 'filesystem://', False)"


def test_noyo_settings_come_from_the_environment():
    result = _settings_in_subprocess(
        {
            "DEBUG": "true",
            "VAR_DIR": "/tmp/cc-var",
            "NOYO_API_URL": "https://fulfillment.noyo.com",
            "NOYO_TOKEN_URL": "https://accounts.noyo.com/auth/public/token",
            "NOYO_CLIENT_ID": "id-1",
            "NOYO_CLIENT_SECRET": "secret-1",
            "ALLOWED_HOSTS": "cc.example.com",
        },
        "s.NOYO_API_URL, s.NOYO_TOKEN_URL, s.NOYO_CLIENT_ID, s.NOYO_CLIENT_SECRET, s.ALLOWED_HOSTS",
    )
    assert result.stdout.strip() == (
        "('https://fulfillment.noyo.com', 'https://accounts.noyo.com/auth/public/token', 'id-1', 'secret-1', ['cc.example.com'])"
    )


def test_production_values_pass_the_deploy_checklist():
    env = _clean_env(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="cc.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sign_in_throttling_and_webhook_receipts_come_from_the_environment():
    result = _settings_in_subprocess(
        {
            "DEBUG": "true",
            "LOGIN_FAILURE_LIMIT": "8",
            "LOGIN_LOCKOUT_MINUTES": "30",
            "TRUSTED_PROXY_COUNT": "1",
            "NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS": "48",
        },
        "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.TRUSTED_PROXY_COUNT, s.NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS",
    )
    assert result.stdout.strip() == "(8, 1800.0, 1, 48)", result.stderr


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1"),
        ("LOGIN_LOCKOUT_MINUTES", "0", "LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1"),
        ("NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS", "0", "NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS must be at least 1"),
    ],
)
def test_a_limit_that_would_switch_a_protection_off_stops_the_process(name, value, message):
    result = _settings_in_subprocess({"DEBUG": "true", name: value}, "s.DEBUG")
    assert result.returncode != 0 and message in result.stderr


def test_a_shared_cache_keeps_the_sessions_and_none_keeps_them_in_the_database():
    shared = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var", "CACHE_URL": "redis://cache.internal:6379/2"},
        "s.CACHES['default']['BACKEND'], s.SESSION_ENGINE",
    )
    assert (
        shared.stdout.strip()
        == "('django.core.cache.backends.redis.RedisCache', 'django.contrib.sessions.backends.cached_db')"
    )
    alone = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var"}, "s.CACHES['default']['BACKEND'], s.SESSION_ENGINE"
    )
    assert (
        alone.stdout.strip()
        == "('django.core.cache.backends.locmem.LocMemCache', 'django.contrib.sessions.backends.db')"
    )


def test_a_cache_url_that_is_not_redis_stops_the_process():
    result = _settings_in_subprocess(
        {"DEBUG": "true", "VAR_DIR": "/tmp/cc-var", "CACHE_URL": "memcached://x"}, "s.CACHES"
    )
    assert result.returncode != 0 and "CACHE_URL" in result.stderr
