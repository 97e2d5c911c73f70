"""Environment for the test run, loaded by pytest before Django reads its settings.

Tests run the production code path (DEBUG off), so settings that production must
provide are given here, unless the caller's environment already sets them
(CI sets DATABASE_URL to run the same suite on PostgreSQL).
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.pop("REDIS_URL", None)
os.environ.pop("EMAIL_URL", None)
