"""Fill the database with a large, deterministic community to measure Relais at scale.

    manage.py seed_scale --threads 100000 --replies-per-thread 10 --members 20000 --seed 1

Where seed_demo plays a small story through the services, this command writes
rows in bulk: the services lock, notify and re-index one post at a time, which
would take hours for a million replies. Everything the services would have kept
in step is computed here in Python while the rows are generated (counters,
first official reply, due times, last activity), so that `manage.py recount
--check` and `manage.py check_queue` find nothing to correct. The work is done
by community.config.scale; this command parses the arguments and reports.

Determinism: one random.Random(seed) draws every value, in a fixed order, so the
same arguments give the same titles, bodies, authors, statuses and dates. Dates
are offsets before --until (default: today, 00:00 UTC): pass --until too to get
identical dates on another day. Only ids and `updated_at` (set by the database
layer at insert time) differ between runs.

Running it twice: the command refuses to run when scale accounts exist
(usernames starting with "scale-"), rather than adding a second community on top
of the first; use a fresh database. Categories and tags are shared with the demo
and reused by slug when they exist.

Not generated: notifications, reports, edits and their revisions, claims,
duplicates, help articles.
"""

import argparse
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from community.cache import content_changed
from community.config.scale.generator import MODERATOR_COUNT, generate_threads
from community.config.scale.indexing import INDEX_CHUNK_SIZE, index_threads
from community.config.scale.verification import verify
from community.config.scale.writer import (
    SCALE_PASSWORD,
    USERNAME_PREFIX,
    create_people,
    ensure_categories,
    ensure_tags,
    write_threads,
)

DEFAULT_BATCH_SIZE = 5000
# Verifying reads every counter back with correlated subqueries: cheap for a few
# thousand threads, minutes for a hundred thousand, so it is opt-in above this.
VERIFY_BY_DEFAULT_UP_TO = 20_000
# The options handed to the generator as they are (--until is parsed first).
GENERATOR_OPTIONS = ("seed", "threads", "replies_per_thread", "members", "days")


class Command(BaseCommand):
    help = (
        "Write a large made-up community in bulk (members, moderators, threads, replies, "
        "votes, 'me too's, tags, solutions, every moderation status), deterministically "
        "from --seed, then index the threads for search. Refuses to run when scale accounts "
        "(usernames starting with 'scale-') exist: use a fresh database. --verify (on by "
        f"default up to {VERIFY_BY_DEFAULT_UP_TO} threads) runs `recount --check` and "
        "`check_queue` at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=1000)
        parser.add_argument(
            "--replies-per-thread",
            type=int,
            default=10,
            help="Replies of each thread that has any (unanswered and pending ones have none).",
        )
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Date (YYYY-MM-DD) the generated year ends on; default today (UTC).",
        )
        parser.add_argument("--days", type=int, default=365, help="Days the threads span.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Rows per INSERT; each transaction writes about this many posts.",
        )
        parser.add_argument(
            "--verify",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "Run recount --check and check_queue at the end "
                f"(default: only up to {VERIFY_BY_DEFAULT_UP_TO} threads)."
            ),
        )

    def handle(self, *args, **options):
        self._check_arguments(options)
        threads, replies_per_thread = options["threads"], options["replies_per_thread"]
        members, seed, batch_size = options["members"], options["seed"], options["batch_size"]
        until_day = options["until"] or datetime.now(UTC).date()
        until = datetime(until_day.year, until_day.month, until_day.day, tzinfo=UTC)
        verify_at_the_end = options["verify"]
        if verify_at_the_end is None:
            verify_at_the_end = threads <= VERIFY_BY_DEFAULT_UP_TO

        with self._phase("members"):
            people = create_people(
                members=members,
                seed=seed,
                batch_size=batch_size,
                # Everyone joined a month before the first question.
                joined=until - timedelta(days=options["days"] + 30),
            )
            self.stdout.write(f"  {members} members, {MODERATOR_COUNT} moderators")
        with self._phase("categories and tags"):
            categories = ensure_categories()
            tag_ids = ensure_tags()
        with self._phase("threads and replies"):
            # The generator's arguments are named as the command's options.
            shape = {name: options[name] for name in GENERATOR_OPTIONS}
            threads_per_batch = max(1, batch_size // (replies_per_thread + 1))
            first_id, last_id, totals = write_threads(
                generate_threads(**shape, until=until),
                people=people,
                categories=categories,
                tag_ids=tag_ids,
                batch_size=batch_size,
                threads_per_batch=threads_per_batch,
                progress=self._writing_progress(total=threads, every=threads_per_batch),
            )
        self.stdout.write(f"Wrote {totals.line()}.")
        # Written outside a request: cached counts and pages must not keep the old ones.
        content_changed()
        with self._phase("search index"):
            started = time.monotonic()

            def progress(done: int) -> None:
                if done % (INDEX_CHUNK_SIZE * 10) == 0 or done == totals.threads:
                    elapsed = time.monotonic() - started
                    self.stdout.write(f"  indexed {done}/{totals.threads} ({elapsed:.0f} s)")

            if first_id is not None:
                index_threads(first_id, last_id, progress=progress)
        if connection.vendor == "postgresql":
            # Fresh planner statistics: without them PostgreSQL guesses a handful of
            # rows for tables it has just been handed a million of, and picks nested
            # loops that take seconds. VACUUM sets the visibility map, so counts can
            # read indexes alone, as on a database autovacuum has caught up with.
            # VACUUM cannot run inside a transaction (a test's); ANALYZE alone then.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with self._phase("vacuum and planner statistics"), connection.cursor() as cursor:
                cursor.execute(command)
        self.stdout.write(f"Members and moderators sign in with the password {SCALE_PASSWORD}")
        if verify_at_the_end:
            with self._phase("verify"):
                verify(self.stdout)
        else:
            self.stdout.write(
                "Verification skipped (--verify to run recount --check and check_queue)."
            )

    def _writing_progress(self, *, total: int, every: int):
        """A progress callback for the writer: a line about every twentieth of the
        threads (or every batch, if batches are larger), and one at the end."""
        started = time.monotonic()
        next_report = 0

        def report(totals) -> None:
            nonlocal next_report
            if totals.threads >= next_report or totals.threads == total:
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"  threads {totals.threads}/{total}, "
                    f"replies {totals.replies} ({elapsed:.0f} s)"
                )
                next_report = totals.threads + max(every, total // 20)

        return report

    def _check_arguments(self, options) -> None:
        for name in ("threads", "replies_per_thread", "members", "days"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        if options["threads"] and options["members"] < 2:
            raise CommandError("--members must be at least 2 when there are threads.")
        if get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).exists():
            raise CommandError(
                "This database already holds a scale community (users named scale-…). "
                "seed_scale does not add a second one on top: run it on a fresh database."
            )

    @contextmanager
    def _phase(self, name: str):
        """Announce a phase, then say how long it took."""
        self.stdout.write(f"{name}…")
        started = time.monotonic()
        yield
        self.stdout.write(f"[{name}: {time.monotonic() - started:.1f} s]")
