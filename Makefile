# Relais: the two commands of the README's quick start, and a few helpers.
# Needs only Python >= 3.11 (and make): everything else goes into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test chromium translations lint format clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Relais needs Python 3.11 or newer; set PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	DEBUG=1 $(BIN)/python manage.py compile_translations

# The site as visitors see it (DEBUG off: its own 404 and 500 pages, never
# Django's debug page), over plain HTTP on this machine only; static files from
# the sources (no collectstatic), tasks run inside the request.
RUN_ENV := DEBUG=0 SECRET_KEY=django-insecure-quick-start-only \
	ALLOWED_HOSTS='127.0.0.1,localhost,[::1]' SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	SECURE_HSTS_SECONDS=0 TASKS_BACKEND=immediate STATIC_FROM_SOURCES=1 SERVE_MEDIA=1 \
	WEBHOOKS_ALLOW_HTTP=1

# The pretend brand page that embeds the help widget (another origin: another port),
# and the demo secret its pretend backend signs the customer's hand-off token with.
DEMO_HOST_PORT ?= 8001
DEMO_ENV := EMBED_DEMO_HOST=1 EMBED_HANDOFF_SECRET=demo-only-handoff-secret-not-for-production \
	REPLY_EMAIL_ADDRESS='reply+{key}@localhost'

# Install, migrate, load the demo community and serve it at http://127.0.0.1:8000,
# with the pretend brand page at http://127.0.0.1:8001 (stopped with the site).
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(DEMO_ENV) sh -c '$(BIN)/python manage.py embed_demo_host --port $(DEMO_HOST_PORT) --community http://127.0.0.1:$(PORT) & trap "kill $$! 2>/dev/null" EXIT INT TERM; $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)'

install-test: install
	$(BIN)/python -m pip install --quiet -e ".[test]"

# The browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The whole suite: unit, integration and browser tests.
test: install-test chromium
	$(BIN)/python -m pytest

# Refresh the French catalogue after changing user-facing strings (needs GNU gettext).
translations: $(BIN)/python
	DEBUG=1 $(BIN)/python manage.py makemessages --locale fr --ignore ".venv/*" --ignore "tests/*" --no-obsolete
	DEBUG=1 $(BIN)/python manage.py makemessages --locale fr --domain djangojs --ignore ".venv/*" --ignore "staticfiles/*" --ignore "static/js/htmx.min.js" --no-obsolete
	DEBUG=1 $(BIN)/python manage.py compile_translations

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
