"""Fill the database with a small, believable demo community and print its logins.

The demo brand is Maison Brio, a (fictional) maker of coffee machines and small
kitchen appliances, and the community carries its name (the site settings'
"community name").
What the demo says lives in community/config/demo/data/; community.config.demo
plays it through the services.

Running the command again changes nothing: every row is looked up by a stable
natural key (username, category slug, thread title, page slug) and only created
when it is missing. Accounts and pages that already exist are left as they are,
so a second run never resets a password or overwrites an editor's work. What
happens inside a thread (replies, votes, "me too"s, solutions, recommendations,
edits) is played only when the thread itself is created.
"""

from django.core.management.base import BaseCommand

from community.config.demo.content import ACCOUNTS, DEMO_PASSWORD
from community.config.demo.loader import load_demo

# How the summary names each count of the loader, in the order it prints them.
SUMMARY_LABELS = {
    "accounts": "accounts created",
    "categories": "categories created",
    "threads": "threads created",
    "replies": "replies created",
    "solutions": "solutions accepted",
    "recommendations": "replies recommended",
    "helpful_votes": "helpful votes",
    "me_toos": "me toos",
    "not_yet_answers": 'answered "not yet"',
    "satisfaction_answers": "satisfaction answers",
    "edits": "posts edited",
    "canned_responses": "canned responses",
    "pending_posts": "posts awaiting approval",
    "reports": "reports",
    "claims": "threads claimed",
    "announcements": "announcements",
    "site_name": "community named",
    "business_hours": "team hours set",
    "pages": "pages written",
    "legal_pages": "legal pages written",
    "french_pages": "French pages written",
    "footer_items": "footer links and contacts",
    "logo": "logo set",
}


class Command(BaseCommand):
    help = "Create a demo community (accounts, categories, threads, pages). Safe to run twice."

    def handle(self, *args, **options):
        loaded = load_demo()
        # Reported after the commit, so a closed output pipe cannot undo the work.
        if options["verbosity"] >= 1:
            self._report(
                {label: loaded.created[key] for key, label in SUMMARY_LABELS.items()},
                existing_accounts=loaded.existing_accounts,
            )

    def _report(self, created: dict[str, int], *, existing_accounts: int):
        if any(created.values()):
            summary = ", ".join(f"{name}: {n}" for name, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo community ready ({summary})."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo community already in place."))

        rows = [("role", "username", "password", "try")]
        rows += [
            (spec["role"], spec["username"], DEMO_PASSWORD, spec["try"])
            for spec in ACCOUNTS
            if "try" in spec
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[3]]))
        others = sum(1 for spec in ACCOUNTS if "try" not in spec)
        self.stdout.write(f"... and {others} more members with the same password.")
        if existing_accounts:
            # An account made before the demo (say, by createsuperuser) keeps its own password.
            self.stdout.write("Accounts that existed before this run were left unchanged.")
