"""Relais settings: one module, configured through environment variables.

Safe defaults give a local run with nothing but Python (SQLite, local memory
cache, e-mail printed to the console). Production sets DEBUG off and must then
provide SECRET_KEY and ALLOWED_HOSTS.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off, Relais refuses to start without a "
            "secret key: set the SECRET_KEY environment variable to a long random string "
            "(or set DEBUG=1 for a local development run)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, Relais refuses to start without it: "
        "set ALLOWED_HOSTS to a comma-separated list of the host names the site answers to."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "community.config.views.csrf_failure"

INSTALLED_APPS = [
    "accounts",
    "community",
    "moderation",
    "community.config",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    # Editors translate pages and snippets side by side (replaces wagtail.locales).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    # Sign in with the brand's own account (OpenID Connect): see "Sign-in with the brand's account".
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # The API (community/api): Wagtail already depends on REST framework.
    "rest_framework",
    "drf_spectacular",
    # Background work
    "django_tasks",
    "django_tasks_db",
    # Django
    "django_htmx",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "community.config.security.SecurityHeadersMiddleware",
    "community.config.middleware.RejectNulCharacterMiddleware",
    # Visitors without a session are answered from the cache from here on.
    "community.config.middleware.VisitorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ResolvedUserMiddleware",
    "community.config.language.ReaderLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "community.cache.ContentVersionMiddleware",
]

# The benchmark's server adds its constant baseline page; every other server runs
# without it.
ROOT_URLCONF = (
    "community.config.benchmark_urls" if env_bool("BENCHMARK_URLS") else "community.config.urls"
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "community.context_processors.community",
                "moderation.context_processors.moderation",
            ],
        },
    },
]

WSGI_APPLICATION = "community.config.wsgi.application"

# Database: SQLite file in the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections bring nothing to SQLite; WAL lets readers and a writer overlap.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, else memory local to the process.
# A Redis outage must not take the site down (community/cache_backend.py): reads
# miss, writes are dropped, the limits fail closed; short socket timeouts keep a
# Redis that no longer answers from holding every request.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "community.cache_backend.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "relais",
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# The profile's fields (accounts) and the consent to the legal pages (community).
ACCOUNT_SIGNUP_FORM_CLASS = "community.forms.ConsentSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Sign-in abuse limits (allauth's rate limits), written out rather than left to
# allauth's defaults. "amount/period/per": per "ip" (the client address), "key"
# (the login or e-mail address typed) or "user" (the signed-in account). They
# count in Django's default cache, so with REDIS_URL set they hold across every
# process and server; the local-memory default counts per process only.
# The Wagtail and Django admin sign-in pages go through the same "login" and
# "login_failed" counters (accounts/limits.py). Over a limit: HTTP 429.
ACCOUNT_RATE_LIMITS = {
    # Every sign-in attempt (the form's POST), right or wrong.
    "login": "30/m/ip",
    # Failed sign-ins: 10 a minute from one address; 5 in 5 minutes for one login
    # from one address (the adapter's "key" names both), after which that address
    # is refused even the right password until the window passes; the owner still
    # signs in from another address, and password reset is never refused for it.
    "login_failed": "10/m/ip,5/5m/key",
    # New accounts from one address.
    "signup": "10/m/ip,30/h/ip",
    # Password reset e-mails: per address, and 3 per 15 minutes for one e-mail.
    "reset_password": "20/m/ip,3/15m/key",
    # The page a reset link opens.
    "reset_password_from_key": "20/m/ip",
    # Confirmation e-mails: one per 3 minutes for one address.
    "confirm_email": "1/3m/key",
    # Signed-in members: password change, e-mail management, re-authentication.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Login codes and phones are not used here; kept strict in case they are enabled.
    "request_login_code": "20/m/ip,3/m/key",
    "change_phone": "1/m/user",
    "verify_phone": "1/30s/key,3/m/ip",
}
# Behind a load balancer REMOTE_ADDR is the proxy's address: set
# TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For, so
# the per-address limits count clients, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Sign-in with the brand's account (OpenID Connect) -------------------------------
# Members may sign in with the brand's own customer account through allauth's
# openid_connect provider. Configured here from the environment when
# OIDC_SERVER_URL is set (the issuer, whose /.well-known/openid-configuration
# describes the rest), or else in Django's admin as a "Social application" of the
# provider "OpenID Connect". Without either, the sign-in pages show no such button.
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "").strip().rstrip("/")
OIDC_PROVIDER_ID = os.environ.get("OIDC_PROVIDER_ID", "brand").strip() or "brand"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # PKCE binds the code the provider returns to this browser's sign-in.
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    # Shown on the button: "Sign in with <name>".
                    "name": os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "OpenID Connect",
                    "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
                    "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
                    "settings": {"server_url": OIDC_SERVER_URL},
                }
            ]
            if OIDC_SERVER_URL
            else []
        ),
    }
}
# Accounts are linked by the provider's subject (its `sub`) alone. An address the
# provider reports is never a way into an existing account: another account's
# owner may not be the person at the provider, so that person is told to sign in
# to that account first and connect the brand account from there.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
# Every new member passes through the sign-up form once, to accept the terms of
# use and the privacy policy (community.forms.ConsentSignupForm).
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "accounts.social.SocialSignupForm"}
# An address is verified only if the provider says so (`email_verified`); an
# unverified one is confirmed by e-mail, as on the password sign-up.
SOCIALACCOUNT_EMAIL_VERIFICATION = ACCOUNT_EMAIL_VERIFICATION
# The connect and sign-in buttons POST (with CSRF), never a link a page could
# make the browser follow.
SOCIALACCOUNT_LOGIN_ON_GET = False
# No provider tokens are kept: the site only needs who the member is.
SOCIALACCOUNT_STORE_TOKENS = False
# Origins of providers configured in the admin only, for the Content-Security-
# Policy's form-action (community/config/security.py): the sign-in button's POST
# redirects the browser to the provider, which the browser allows only to listed
# origins. The provider set from the environment is listed by itself.
OIDC_FORM_ACTION_ORIGINS = env_list("OIDC_FORM_ACTION_ORIGINS")
# ---------------------------------------------------------------------------------

# How many members one post may notify by @mention (community/limits.py); the
# names past the cap are still linked, they are just not notified.
MENTIONS_NOTIFIED_PER_POST = int(os.environ.get("MENTIONS_NOTIFIED_PER_POST", "10"))

# E-mail: printed to the console unless EMAIL_URL names an SMTP server
# (smtp://user:password@host:587 or smtp+ssl://...).
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtp+ssl"
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls" or (_mail.scheme == "smtp" and EMAIL_PORT == 587)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <community@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Reply by e-mail (community/mail): the address each notification is answered at,
# with {key} where the member-and-thread key goes: sub-addressing of one mailbox
# (reply+{key}@community.example.com) or a domain of its own ({key}@reply.example.com).
# Empty: notifications carry no reply address. Keys expire after
# REPLY_EMAIL_KEY_DAYS; messages over REPLY_EMAIL_MAX_BYTES are refused unread;
# a sender gets at most REPLY_EMAIL_ANSWERS_PER_HOUR refusals an hour.
REPLY_EMAIL_ADDRESS = os.environ.get("REPLY_EMAIL_ADDRESS", "")
REPLY_EMAIL_KEY_DAYS = int(os.environ.get("REPLY_EMAIL_KEY_DAYS", "30"))
REPLY_EMAIL_MAX_BYTES = int(os.environ.get("REPLY_EMAIL_MAX_BYTES", str(10 * 1024 * 1024)))
REPLY_EMAIL_ANSWERS_PER_HOUR = int(os.environ.get("REPLY_EMAIL_ANSWERS_PER_HOUR", "3"))

# Background work through Django's task API (django-tasks): a database-backed
# queue in production (worker: `manage.py db_worker`); TASKS_BACKEND=immediate
# runs tasks inside the request, as the tests and a local DEBUG run do.
if os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database") == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Webhook receivers must use https; plain http only with DEBUG or this switch (a
# receiver on the same machine, the tests' local receiver).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)

# The help widget (/embed/, community/embed): the sites that may show it are listed by
# editors (EmbedSettings). The pretend brand page that embeds it (community.config
# .embed_demo) is served only with DEBUG or this switch: by `make run` and the tests.
EMBED_DEMO_HOST = env_bool("EMBED_DEMO_HOST", False)

# The API (/api/v1/, community/api): its views set their credentials, JSON, limits
# and error shape themselves (community/api/base.py), so that the REST framework
# views of Wagtail's admin and of wagtail-localize keep their own defaults.
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Relais community API",
    "DESCRIPTION": (
        "Read the community's public threads, replies, categories, help articles and "
        "profiles; with a token, ask, reply and vote as its member. Errors are "
        '`{"error": {"status", "code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": ["community.api.authentication.CredentialAuthentication"],
    "SECURITY": [{"token": []}, {}],
    "PREPROCESSING_HOOKS": ["community.api.schema.only_the_public_api"],
}

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Pages and snippets exist once per language; a reader gets the version in theirs.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static files and media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Images attached to posts are served by a view that checks who may read the post
# (community:attachment), so they live apart from the public media: no web server
# may publish this directory.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))


def env_storage(prefix: str, default_options: dict) -> dict:
    """A storage from the environment: PREFIX_BACKEND (a dotted class, e.g.
    storages.backends.s3.S3Storage for object storage) and PREFIX_OPTIONS (JSON,
    e.g. {"bucket_name": "relais-media"}); a local directory by default."""
    backend = os.environ.get(f"{prefix}_BACKEND", "")
    if not backend:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": default_options,
        }
    try:
        options = json.loads(os.environ.get(f"{prefix}_OPTIONS", "") or "{}")
    except ValueError as error:
        raise ImproperlyConfigured(f"{prefix}_OPTIONS must be a JSON object.") from error
    if not isinstance(options, dict):
        raise ImproperlyConfigured(f"{prefix}_OPTIONS must be a JSON object.")
    return {"BACKEND": backend, "OPTIONS": options}


# A local run with DEBUG off (`make run`: the site's own error pages) needs no
# collectstatic: whitenoise then serves the static files from where they are,
# and Django serves the uploaded media itself. Production leaves both off.
STATIC_FROM_SOURCES = env_bool("STATIC_FROM_SOURCES", DEBUG)
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Public media on the local disk (avatars, Wagtail's images) is served by the app
# itself in production too (accounts/media.py: images only, safe headers). Turn it
# off where a proxy serves MEDIA_ROOT at /media/; a site on object storage
# (MEDIA_STORAGE_BACKEND) serves media from the storage's own URLs.
MEDIA_SERVE_BY_APP = env_bool("MEDIA_SERVE_BY_APP", not os.environ.get("MEDIA_STORAGE_BACKEND"))
STORAGES = {
    # Public media: avatars (and Wagtail's images and documents).
    "default": env_storage("MEDIA_STORAGE", {}),
    # Private: images attached to posts (see PRIVATE_MEDIA_ROOT).
    "attachments": env_storage("ATTACHMENT_STORAGE", {"location": str(PRIVATE_MEDIA_ROOT)}),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCES
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if STATIC_FROM_SOURCES:
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
# Reject request bodies far larger than any form of ours needs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("COMMUNITY_NAME", "Relais")
# No Gravatar lookups from the admin: they would send a hash of each editor's
# e-mail address to a third party (and show a broken image offline).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "/admin/login/"
# Search (Wagtail's search framework, modelsearch): the database's own full-text
# search by default (SQLite FTS5, PostgreSQL full text search). A large community
# sets SEARCH_BACKEND to elasticsearch8, elasticsearch9, opensearch2 or opensearch3
# and SEARCH_URL to the cluster (installing the matching client package), then runs
# `manage.py update_index`. On PostgreSQL each thread is stemmed in its own
# language (community/search_backend.py).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
if SEARCH_BACKEND == "database":
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "community.search_backend"}}
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"modelsearch.backends.{SEARCH_BACKEND}",
            "URLS": [os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")],
            "INDEX": os.environ.get("SEARCH_INDEX", "relais"),
        }
    }
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
TAGGIT_CASE_INSENSITIVE = True

# Security: production (DEBUG off) gets secure cookies, HSTS and HTTPS redirects.
# The Content-Security-Policy and Permissions-Policy headers: community/security.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every page save at INFO; keep the console for what matters.
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
        "django_tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
    },
}

# --- Embedded help widget: the signed sign-in hand-off (accounts/handoff.py) ---
# The brand's backend signs its signed-in customer in to the community with a
# short-lived JSON Web Token (README, "Signing the hand-off token"). Set the key
# of the algorithm the brand signs with: EMBED_HANDOFF_SECRET, a shared secret of
# at least 32 random bytes, for HS256; or EMBED_HANDOFF_PUBLIC_KEY, the brand's RSA
# public key as PEM text ("\n" written out is accepted), for RS256. Each verifies
# only its own algorithm; with neither set, hand-off is off. When
# EMBED_HANDOFF_ISSUER is set, a token's "iss" must equal it.
EMBED_HANDOFF_SECRET = os.environ.get("EMBED_HANDOFF_SECRET", "")
EMBED_HANDOFF_PUBLIC_KEY = os.environ.get("EMBED_HANDOFF_PUBLIC_KEY", "")
EMBED_HANDOFF_ISSUER = os.environ.get("EMBED_HANDOFF_ISSUER", "")
# --- end of the hand-off settings ---
