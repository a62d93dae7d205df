"""Settings come from the environment and a bad value stops start-up with a message naming the variable."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIELD_KEY = base64.b64encode(bytes(range(32))).decode()
SM4_KEY = base64.b64encode(bytes(range(16))).decode()


def start_django(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XF_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_SECRET_KEY": "x" * 50})
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_valid_environment_starts():
    result = start_django(DJANGO_DEBUG="false", XF_SESSION_IDLE_MINUTES="20")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "yes", "DJANGO_DEBUG='yes' is not a boolean"),
        ("DJANGO_DEBUG", "Ture", "is not a boolean"),
        (
            "XF_SESSION_IDLE_MINUTES",
            "half an hour",
            "XF_SESSION_IDLE_MINUTES='half an hour' is not a whole number",
        ),
        ("XF_SESSION_IDLE_MINUTES", "0", "XF_SESSION_IDLE_MINUTES=0 is below 1"),
        ("XF_LOGIN_FAILURE_LIMIT", "-3", "below 1"),
        ("DATABASE_URL", "mysql://root@localhost/x", "must point at PostgreSQL"),
        ("XF_DEADLINE_ROLL_FORWARD", "maybe", "XF_DEADLINE_ROLL_FORWARD"),
        ("XF_OTP_REQUIRED_ROLES", "leaders,audit_admin", "XF_OTP_REQUIRED_ROLES: unknown value(s) leaders"),
        ("XF_PASSWORD_MAX_AGE_DAYS", "0", "XF_PASSWORD_MAX_AGE_DAYS=0 is below 1"),
        ("XF_ACCOUNT_INACTIVE_DAYS", "ninety", "XF_ACCOUNT_INACTIVE_DAYS='ninety' is not a whole number"),
        ("XF_FIELD_KEYS", "k1=not base64!", "key 'k1' is not base64"),
        ("XF_FIELD_KEYS", "k1=" + "A" * 24, "key 'k1' is 18 bytes; expected 16 or 32"),
        ("XF_FIELD_KEYS", "bad:id=" + FIELD_KEY, "key id 'bad:id' must be"),
        ("XF_FIELD_CIPHER", "des", "XF_FIELD_CIPHER='des'"),
        ("XF_AUDIT_RETENTION_DAYS", "183", "XF_AUDIT_RETENTION_DAYS=183 is below 184"),
        ("XF_SWEEP_EVERY_MINUTES", "0", "XF_SWEEP_EVERY_MINUTES=0 is below 1"),
        (
            "XF_TRUSTED_PROXIES",
            "10.0.0.2,nginx",
            "XF_TRUSTED_PROXIES: 'nginx' is not an IP address or network",
        ),
        (
            "XF_TRUSTED_PROXIES",
            "10.0.0.1/8",
            "XF_TRUSTED_PROXIES: '10.0.0.1/8' is not an IP address or network",
        ),
        ("XF_PUBLIC_QUERY_ADDRESS_LIMIT", "0", "XF_PUBLIC_QUERY_ADDRESS_LIMIT=0 is below 1"),
        ("XF_PUBLIC_QUERY_NUMBER_LIMIT", "ten", "XF_PUBLIC_QUERY_NUMBER_LIMIT='ten' is not a whole number"),
        ("XF_PUBLIC_QUERY_WINDOW_MINUTES", "0", "XF_PUBLIC_QUERY_WINDOW_MINUTES=0 is below 1"),
    ],
)
def test_a_bad_value_fails_loudly_at_start_up(variable, value, message):
    result = start_django(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_trusted_proxies_are_read_as_networks_and_none_by_default():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print([str(network) for network in settings.XF_TRUSTED_PROXIES], "
        "settings.AXES_CLIENT_IP_CALLABLE)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XF_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_SECRET_KEY": "x" * 50})
    read = {}
    for value in (None, "", " 10.0.0.2 , 172.16.0.0/12,fd00::/8"):
        run_env = env if value is None else {**env, "XF_TRUSTED_PROXIES": value}
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        read[value] = result.stdout.strip()
    assert read == {
        None: "[] core.middleware.client_ip",
        "": "[] core.middleware.client_ip",
        " 10.0.0.2 , 172.16.0.0/12,fd00::/8": "['10.0.0.2/32', '172.16.0.0/12', 'fd00::/8'] core.middleware.client_ip",
    }


def test_beat_starts_the_sweep_every_five_minutes_unless_told_otherwise():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.CELERY_BEAT_SCHEDULE['overdue-sweep']['schedule'].minute))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XF_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_SECRET_KEY": "x" * 50})
    minutes = {}
    for every in ("", "1", "20"):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**env, "XF_SWEEP_EVERY_MINUTES": every} if every else env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        minutes[every] = result.stdout.strip()
    assert minutes[""] == str(list(range(0, 60, 5)))
    assert minutes["1"] == str(list(range(60)))
    assert minutes["20"] == "[0, 20, 40]"


def test_a_missing_secret_key_fails_loudly():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XF_"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XF_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "k3#" + "q" * 60 + "Zx9!vR",
            "XF_LOOKUP_KEY": "lookup-key-for-the-deployment-check",
            "XF_FIELD_KEYS": f"2026a={FIELD_KEY}",
            "DJANGO_ALLOWED_HOSTS": "xinfang.example.gov.cn",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_field_encryption_keys():
    result = start_django(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        XF_LOOKUP_KEY="lookup-key",
        DJANGO_ALLOWED_HOSTS="xinfang.example.gov.cn",
    )
    assert result.returncode != 0
    assert "Environment variable XF_FIELD_KEYS is required" in result.stderr


def test_with_several_field_keys_the_active_one_must_be_named_and_listed():
    keys = f"old={FIELD_KEY},new={FIELD_KEY}"
    unnamed = start_django(XF_FIELD_KEYS=keys)
    assert "XF_FIELD_KEY_ID is required when XF_FIELD_KEYS lists several keys" in unnamed.stderr
    unknown = start_django(XF_FIELD_KEYS=keys, XF_FIELD_KEY_ID="newer")
    assert "XF_FIELD_KEY_ID='newer' must name a key of XF_FIELD_KEYS" in unknown.stderr
    named = start_django(XF_FIELD_KEYS=keys, XF_FIELD_KEY_ID="new")
    assert named.returncode == 0, named.stderr


def test_the_active_key_must_fit_the_chosen_cipher():
    wrong = start_django(XF_FIELD_CIPHER="sm4-gcm", XF_FIELD_KEYS=f"k1={FIELD_KEY}")
    assert "with 16 bytes for sm4-gcm" in wrong.stderr
    right = start_django(XF_FIELD_CIPHER="sm4-gcm", XF_FIELD_KEYS=f"k1={SM4_KEY}")
    assert right.returncode == 0, right.stderr


@pytest.mark.django_db
def test_the_sites_connections_run_without_jit_or_parallel_workers():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == ("off", "0")
