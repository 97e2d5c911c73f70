"""The quick start (`make run`) serves the site as visitors see it: DEBUG off, the
site's own 404 and 500 pages, static files and media without collectstatic."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

SETTINGS_AS_JSON = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "STATIC_BACKEND": settings.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": getattr(settings, "WHITENOISE_USE_FINDERS", False),
    "SERVE_MEDIA": settings.SERVE_MEDIA,
    "TASKS_BACKEND": settings.TASKS["default"]["BACKEND"],
}))
"""


def make_run_environment() -> dict[str, str]:
    """The variables the Makefile's `run` target serves the site with (RUN_ENV)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    definition = re.search(r"^RUN_ENV :=((?:.*\\\n)*.*)$", makefile, re.MULTILINE).group(1)
    words = shlex.split(definition.replace("\\\n", " "))
    return dict(word.split("=", 1) for word in words)


@pytest.fixture(scope="module")
def quick_start_settings() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    for key in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"):
        env.pop(key, None)
    env.update(make_run_environment())
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "shell", "-c", SETTINGS_AS_JSON],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_serves_with_debug_off_over_plain_http_on_this_machine(quick_start_settings):
    assert quick_start_settings["DEBUG"] is False
    assert set(quick_start_settings["ALLOWED_HOSTS"]) <= {"127.0.0.1", "localhost", "[::1]"}
    assert quick_start_settings["SECURE_SSL_REDIRECT"] is False
    assert quick_start_settings["SESSION_COOKIE_SECURE"] is False
    assert quick_start_settings["CSRF_COOKIE_SECURE"] is False
    assert quick_start_settings["SECURE_HSTS_SECONDS"] == 0
    # Nothing to collect and no worker to start: static files from the sources,
    # tasks inside the request.
    assert quick_start_settings["STATIC_BACKEND"].endswith(".StaticFilesStorage")
    assert quick_start_settings["WHITENOISE_USE_FINDERS"] is True
    assert quick_start_settings["SERVE_MEDIA"] is True
    assert quick_start_settings["TASKS_BACKEND"].endswith("ImmediateBackend")


@pytest.fixture
def quick_start(settings, quick_start_settings):
    """This process's settings made those of `make run` (a new Client builds its
    middleware, whitenoise's included, from them)."""
    settings.DEBUG = quick_start_settings["DEBUG"]
    settings.ALLOWED_HOSTS = [*quick_start_settings["ALLOWED_HOSTS"], "testserver"]
    settings.SECURE_SSL_REDIRECT = quick_start_settings["SECURE_SSL_REDIRECT"]
    settings.WHITENOISE_USE_FINDERS = quick_start_settings["WHITENOISE_USE_FINDERS"]
    settings.WHITENOISE_AUTOREFRESH = True
    return Client()


def test_make_run_answers_a_mistyped_address_with_the_sites_404(db, quick_start):
    response = quick_start.get("/community/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Browse the community" in html  # the site's own page
    assert "Django tried these URL patterns" not in html
    assert "technical_404" not in html


def test_make_run_serves_the_static_files_without_collectstatic(db, quick_start):
    response = quick_start.get("/static/css/relais.css")

    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])
