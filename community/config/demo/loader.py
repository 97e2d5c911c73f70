"""Loading the whole demo community, in the order its story needs.

Accounts and categories come first; then the members' threads, played with
pre-moderation paused; then the moderation examples, which need those threads
(a reply to report, an overdue question to claim); then what editors own.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from community.cache import content_changed
from community.config.demo.accounts import backdate_member_since, ensure_accounts
from community.config.demo.content import ACCOUNTS
from community.config.demo.editorial import (
    ensure_announcements,
    ensure_business_hours,
    ensure_community_name,
    ensure_french_pages,
    ensure_legal_pages,
    ensure_pages,
    ensure_site_footer,
    ensure_site_logo,
    ensure_widget_origins,
)
from community.config.demo.moderation import ensure_moderation_demo, ensure_spam_reply
from community.config.demo.threads import ensure_categories, ensure_threads, established_members
from community.models import HomePage

# The demo's story is backdated: its notifications fill the bells, but e-mailing
# them now, one per event, would flood the console (or a mail server) with news
# of a past that never happened. Tasks enqueued while seeding go nowhere.
NO_BACKGROUND_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@dataclass
class DemoLoaded:
    """What one run of the loader did."""

    # What this run created, by kind: accounts, categories, threads, replies, ...
    created: Counter
    # Demo accounts that were there before the run, and were left unchanged.
    existing_accounts: int


def load_demo() -> DemoLoaded:
    """Create whatever of the demo community is missing."""
    # All or nothing: a half-built demo would make the next run skip what is missing.
    # The e-mails are enqueued when the transaction commits, so inside the override.
    with override_settings(TASKS=NO_BACKGROUND_TASKS), transaction.atomic():
        home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if home is None:
            raise CommandError("No home page: run `manage.py migrate` first.")
        accounts, created_usernames = ensure_accounts()
        done = Counter(accounts=len(created_usernames))
        done["categories"] = ensure_categories()
        now = timezone.now()
        # Before the threads: their due times count the team's business hours.
        done["business_hours"] = ensure_business_hours(now=now)
        with established_members():
            done += ensure_threads(accounts, now=now)
            done += ensure_spam_reply(accounts, now=now)
        done += ensure_moderation_demo(accounts, now=now)
        done["announcements"] = ensure_announcements(now=now)
        # Named before the pages are written: their texts speak of the community.
        done["site_name"] = ensure_community_name()
        done["pages"] = ensure_pages(home)
        done["legal_pages"] = ensure_legal_pages(home)
        done["french_pages"] = ensure_french_pages(home)
        done["footer_items"] = ensure_site_footer()
        done["logo"] = ensure_site_logo()
        done["widget_origins"] = ensure_widget_origins()
        # Last: the accounts joined before the first act the story gave them.
        backdate_member_since(accounts)
    # Written outside a request: cached pages must not keep showing the old content.
    content_changed()
    # The index tasks enqueued while seeding went nowhere (see NO_BACKGROUND_TASKS):
    # the search index is rebuilt from the rows instead.
    call_command("update_index", verbosity=0)
    return DemoLoaded(created=done, existing_accounts=len(ACCOUNTS) - len(created_usernames))
