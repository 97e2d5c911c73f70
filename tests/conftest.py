import json
import os
import time
from pathlib import Path

import pytest

from community import services
from tests.factories import CategoryFactory, EditorFactory, ModeratorFactory, UserFactory
from tests.helpers import client_for
from tests.mail_server import smtp_server  # noqa: F401  (a fixture for every test)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from collectstatic's manifest; tests read the
    # files where they are, so no collectstatic step is needed to run them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing is built to be slow; tests sign in members by the hundred. The
    # browser tests' live server runs in this process, so it follows too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from community.cache import forget_process_state

    cache.clear()
    forget_process_state()
    yield
    cache.clear()
    forget_process_state()


@pytest.fixture(autouse=True)
def _writes_move_content_version():
    """Rows written by factories stand for writes through the site, where the
    middleware moves the content version on (or management commands, which call
    content_changed() themselves): so any saved row moves it on here, and pages
    cached for visitors show it. tests/community/test_page_cache.py turns this off
    to test the real path."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from community.cache import content_changed

    def moved_on(**kwargs):
        content_changed()

    signals = (post_save, post_delete, m2m_changed)
    for signal in signals:
        signal.connect(moved_on, dispatch_uid="tests-content-version", weak=False)
    yield
    for signal in signals:
        signal.disconnect(dispatch_uid="tests-content-version")


@pytest.fixture(autouse=True)
def _posting_rules(request, settings):
    """Tests post many times from one member in a second: the posting limits and the
    duplicate-text rule (community/limits.py) are off unless a test is marked
    `posting_limits`. Submission keys always apply."""
    if not request.node.get_closest_marker("posting_limits"):
        from community.limits import NO_RULES

        settings.POSTING_RULES = NO_RULES


def _uses_db(request) -> bool:
    fixtures = set(request.fixturenames)
    if fixtures & {"db", "transactional_db", "live_server"}:
        return True
    return request.node.get_closest_marker("django_db") is not None


@pytest.fixture(autouse=True)
def _community_rules(request):
    """Two rules around every test that uses the database.

    Before: most tests are about what a member does once their posts are public,
    so the site's pre-moderation of first posts is off unless a test is marked
    `premoderation` (the tests of that rule, and journeys that sign up).

    After: the official-reply queue read from the rows is exact (promise 1): what
    `manage.py check_queue` reports is empty, whatever the test did. Tests that
    break the stored state on purpose are marked `breaks_queue`.
    """
    if not _uses_db(request):
        yield
        return
    # Set up the database first, so that it is still there for the check afterwards.
    transactional = set(request.fixturenames) & {"transactional_db", "live_server"}
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not request.node.get_closest_marker("premoderation"):
        from community.models import CommunitySettings

        rules = CommunitySettings.load()
        rules.premoderation_first_posts = 0
        rules.premoderation_max_links = 1000
        rules.save()
    yield
    if not request.node.get_closest_marker("breaks_queue"):
        from moderation.selectors import queue_problems

        assert queue_problems() == []


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def moderator_client(moderator):
    return client_for(moderator)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def superuser_client(superuser):
    return client_for(superuser)


@pytest.fixture
def category(db):
    """The category `thread` is asked in, and where tests ask their own questions."""
    return CategoryFactory(name="Coffee machines", slug="coffee")


@pytest.fixture
def asker(member):
    """Who asks `thread`: `member`, whom member_client signs in. Where the tests need
    the asker to be somebody else, a conftest.py or a module gives its own."""
    return member


@pytest.fixture
def thread_title():
    return "The espresso machine leaks water"


@pytest.fixture
def thread_body():
    return "Water under the machine every morning."


@pytest.fixture
def thread(asker, category, thread_title, thread_body):
    """A question `asker` asked through the services: it waits for an official reply,
    and its asker follows it and counts as its first "me too". A module whose tests
    read the words back may give its own thread_title or thread_body."""
    return services.thread_create(
        author=asker, category=category, title=thread_title, body=thread_body
    )


@pytest.fixture
def clock(monkeypatch):
    """Moves the wall-clock time (time.time) forward by `seconds`: for limits and
    signed tokens that expire. A module may give its own."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds):
        now[0] += seconds

    return advance


def pytest_terminal_summary(terminalreporter):
    from tests.security.figures import summary_lines
    from tests.security.figures_table import figures_as_data

    terminalreporter.section("security figures")
    for line in summary_lines():
        terminalreporter.write_line(line)
    # .ci/run keeps each run's figures for SECURITY.md's table (tests/security/figures_table.py).
    if path := os.environ.get("SECURITY_FIGURES_FILE"):
        Path(path).write_text(json.dumps(figures_as_data(), indent=2))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded avatars and post images go to a directory of the test's own."""
    from django.utils.functional import empty

    from community.models.attachments import attachments_storage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media")},
        },
    }
    attachments_storage._wrapped = empty
    yield
    attachments_storage._wrapped = empty
