"""Start-up refuses unsafe production configuration; production settings pass --deploy."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start():
    result = run_manage("check", DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_on_starts_with_local_defaults():
    result = run_manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_manage_py_without_any_environment_is_a_local_run():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_web_server_without_any_environment_refuses_to_start():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import community.config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_deploy_checks_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "k7Qz" * 12,
        ALLOWED_HOSTS="community.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


SHOW_SIGN_IN_PROVIDER = """
import json
from django.conf import settings
from community.config.security import policy_for_path
app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
print(json.dumps({"apps": app, "policy": policy_for_path("/accounts/login/")}))
"""


def test_sign_in_provider_comes_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        SHOW_SIGN_IN_PROVIDER,
        DEBUG="1",
        OIDC_SERVER_URL="https://id.brand.example/realms/customers/",
        OIDC_CLIENT_ID="relais",
        OIDC_CLIENT_SECRET="the-secret",
        OIDC_PROVIDER_NAME="Brand",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["apps"] == [
        {
            "provider_id": "brand",
            "name": "Brand",
            "client_id": "relais",
            "secret": "the-secret",
            "settings": {"server_url": "https://id.brand.example/realms/customers"},
        }
    ]
    # The sign-in button's POST is redirected to the provider: form-action allows it.
    assert "form-action 'self' https://id.brand.example;" in shown["policy"]


def test_without_a_provider_in_the_environment_none_is_configured():
    result = run_manage("shell", "-c", SHOW_SIGN_IN_PROVIDER, DEBUG="1", OIDC_SERVER_URL="")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["apps"] == []
    assert "form-action 'self';" in shown["policy"]
