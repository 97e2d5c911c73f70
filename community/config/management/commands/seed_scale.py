"""Fill the database with a large, deterministic community to measure Relais at scale.

    manage.py seed_scale --threads 100000 --replies-per-thread 10 --members 20000 --seed 1

Where seed_demo plays a small story through the services, this command writes
rows in bulk: the services lock, notify and re-index one post at a time, which
would take hours for a million replies. Everything the services would have kept
in step is computed here in Python while the rows are generated (counters,
first official reply, due times, last activity), so that `manage.py recount
--check` and `manage.py check_queue` find nothing to correct.

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
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.search.backends import get_search_backends

from accounts.roles import MODERATORS_GROUP
from community.cache import content_changed
from community.config.demo.content import CATEGORIES as DEMO_CATEGORIES
from community.models import (
    SEARCH_REPLIES_INDEXED,
    Category,
    CommunitySettings,
    Follow,
    HelpfulVote,
    MeToo,
    Reply,
    TaggedThread,
    Thread,
    Visibility,
)

USERNAME_PREFIX = "scale-"
MODERATOR_COUNT = 3
# Public on purpose, like the demo's: the data is made up.
SCALE_PASSWORD = "relais-scale-2026"  # noqa: S105
EMAIL_DOMAIN = "scale.example"
DEFAULT_BATCH_SIZE = 5000
# Verifying reads every counter back with correlated subqueries: cheap for a few
# thousand threads, minutes for a hundred thousand, so it is opt-in above this.
VERIFY_BY_DEFAULT_UP_TO = 20_000
INDEX_CHUNK_SIZE = 1000

# Shares of the threads, drawn as exact counts (at least one each when there are
# enough threads), so that even a small run has every status.
PENDING_SHARE = 0.01  # awaiting a moderator's approval: no replies yet
HIDDEN_SHARE = 0.01  # hidden by a moderator after it had replies
UNANSWERED_SHARE = 0.12  # public, no reply at all
AWAITING_SHARE = 0.25  # replies from members only: still in the official queue
# The rest have at least one official reply.
SOLVED_SHARE = 0.35  # of the threads with replies
LOCKED_SHARE = 0.02  # of the public threads with replies
PINNED_COUNT = 5
HIDDEN_REPLY_SHARE = 0.03  # threads with one hidden member reply
PENDING_REPLY_SHARE = 0.02  # threads whose last member reply awaits approval
RECOMMENDED_REPLY_RATE = 0.05  # of visible member replies
SECOND_OFFICIAL_RATE = 0.3
# One thread in a thousand is a long discussion (the benchmark reads one with 50
# replies, a page's worth).
LONG_THREAD_EVERY = 1000
LONG_THREAD_REPLIES = 50

# The demo's six categories and two more: existing ones are reused by slug.
EXTRA_CATEGORIES = [
    {
        "slug": "kettles-toasters",
        "name": "Kettles & toasters",
        "description": "Kettles, toasters and breakfast appliances.",
        "colour": "#8A6D1D",
        "first_response_hours": 24,
    },
    {
        "slug": "cleaning-care",
        "name": "Cleaning & care",
        "description": "Descaling, filters, spare parts and keeping appliances in shape.",
        "colour": "#3D6B6B",
        "first_response_hours": None,
    },
]
CATEGORY_SPECS = [*DEMO_CATEGORIES, *EXTRA_CATEGORIES]

# Words per category slug: what its threads are about.
PRODUCTS = {
    "coffee-machines": ["Barista 3", "Barista Pro", "Brio Duo", "Grind Master", "Aroma Filter"],
    "blenders-juicers": ["Vortex blender", "Brio Presse", "Vortex Mini", "Slow Juicer S2"],
    "orders-delivery": ["online shop order", "parcel", "gift card", "refund", "store pickup"],
    "warranty-repairs": ["Barista 3", "Vortex blender", "Kettle K2", "repair kit", "Brio Duo"],
    "app-connected-devices": ["Brio Home app", "Brio Duo", "Smart Scale", "Barista Pro"],
    "tips-recipes": ["Mousse milk frother", "Cold Brew Tower", "Vortex blender", "Aroma Filter"],
    "kettles-toasters": ["Kettle K2", "Toaster T4", "Kettle Glass", "Toaster Duo"],
    "cleaning-care": ["Barista 3", "Mousse milk frother", "Slow Juicer S2", "Kettle K2"],
}
PARTS = [
    "water tank", "drip tray", "steam wand", "grinder", "pump", "display", "power cable",
    "filter", "lid", "blade", "jug", "seal", "heating plate", "control knob", "bean hopper",
    "Wi-Fi module", "firmware", "descaling light", "carafe",
]  # fmt: skip
# Orders are not appliances: their threads draw from these instead.
ORDER_PARTS = ["tracking page", "invoice", "checkout", "delivery slot", "confirmation e-mail"]
ORDER_SYMPTOMS = [
    "has not moved in five days", "shows the wrong address", "was charged twice",
    "is stuck", "never arrived", "shows an error", "was cancelled without notice",
]  # fmt: skip
SYMPTOMS = [
    "stops after ten seconds", "keeps blinking", "leaks water", "makes a loud noise",
    "does not heat up", "will not turn on", "smells of burning", "is stuck",
    "shows the wrong time", "loses its settings", "vibrates a lot", "will not pair",
    "freezes on start", "drips all night", "is very slow", "cuts out",
]  # fmt: skip
ACTIONS = [
    "descaling", "a firmware update", "a power cut", "cleaning", "moving house",
    "changing the filter", "a reset", "the first use", "a repair", "a long holiday",
]  # fmt: skip
TASKS = [
    "reset the settings", "change the filter", "descale it", "update the firmware",
    "pair it with my phone", "adjust the grind size", "clean the blade", "change the language",
    "register the warranty", "set the timer",
]  # fmt: skip
# Uncommon words, each in few threads: search then has rare terms to find.
RARE_WORDS = [
    "limescale", "thermoblock", "gasket", "portafilter", "solenoid", "grumbling",
    "whistling", "flickering", "stuttering", "rattling", "condensation", "tripping",
    "crackling", "sputtering", "overflowing", "calcified", "warped", "corroded",
    "buzzing", "squeaking", "clogged", "frayed", "scorched", "wobbly",
]  # fmt: skip
FIRST_NAMES = [
    "Oliver", "Claire", "Sam", "Emma", "Raj", "Hannah", "Daniel", "Grace", "Julien", "Amélie",
    "Thomas", "Nadia", "Lucas", "Chloé", "Yusuf", "Ingrid", "Mateo", "Sofia", "Kenji", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Bennett", "Dubois", "Porter", "Clarke", "Patel", "Moore", "Kim", "Moreau", "Laurent",
    "Girard", "Benali", "Fontaine", "Nakamura", "Garcia", "Larsen", "Okafor", "Rossi", "Weber",
]  # fmt: skip
MODERATOR_NAMES = ["Camille from Maison Brio", "Hugo from Maison Brio", "Lena from Maison Brio"]

# Titles, bodies and replies never hold characters Markdown or HTML give a meaning
# to (* _ ` # < > & quotes, a line starting with a digit or a dash, links, @): the
# cheap HTML below is then exactly what render_markdown would produce.
TITLE_TEMPLATES = [
    "{product} shows error {code} after {action}",
    "{product} {symptom} since {action}",
    "How do I {task} on the {product}?",
    "Is it normal that the {part} of my {product} {symptom}?",
    "{product}: {part} {symptom} after {action}",
    "Error {code} on the {product}, model {model}",
    "{part} of the {product} {symptom}, {rare} or a defect?",
    "{product} {part} {rare} after {action}",
    "Help: {product} {symptom} and shows {code}",
]
QUESTION_SENTENCES = [
    "My {product} {symptom} since {action}.",
    "The display shows {code} as soon as I press the start button.",
    "I bought it in the spring and it worked well until now.",
    "I have tried switching it off at the wall for ten minutes.",
    "The {part} looks fine to me, but I am not sure what to check next.",
    "There is a {rare} sound coming from the {part}.",
    "The model number on the sticker is {model}.",
    "I followed the booklet step by step, twice.",
    "Has anyone seen this before?",
    "It happens every morning, never in the evening.",
    "I would rather not send it for repair if there is something I can do myself.",
    "I also noticed some {rare} near the {part}.",
    "Any idea what {code} means on this model?",
]
MEMBER_REPLY_SENTENCES = [
    "Same here with my {product}, it started after {action}.",
    "Try to {task} first, that fixed it for me.",
    "Check that the {part} sits properly, mine was slightly crooked.",
    "{code} usually means the {part} needs a clean.",
    "I had the {rare} noise too, it went away after a few days.",
    "Thanks, I will try that tonight.",
    "That did it, thank you all!",
    "Mine is model {model} and I never had that problem.",
    "Did you contact customer care about the {part}?",
    "Hold the power button for ten seconds, it resets everything.",
]
OFFICIAL_REPLY_SENTENCES = [
    "Hello, thank you for the clear description and sorry for the trouble.",
    "Error {code} means the {part} cannot work as expected.",
    "Please {task}, then switch the machine off and on again.",
    "If the {part} still {symptom}, we will arrange a repair under warranty.",
    "I have checked our notes for model {model} and this is a known issue.",
    "Let us know here how it goes, we keep an eye on this thread.",
    "A {rare} {part} is covered by the warranty for two years.",
]
HIDDEN_REASONS = [
    "Advertising for another shop.",
    "Personal data posted in public: please use the contact form.",
    "Off-topic and repeated several times.",
    "Rude towards other members.",
]


@dataclass
class ReplyPlan:
    """One reply as generated; `author` is an index into the people list."""

    author: int
    body: str
    created_at: datetime
    is_official: bool = False
    visibility: str = Visibility.VISIBLE
    hidden_reason: str = ""
    voters: list[int] = field(default_factory=list)
    recommended_by: int | None = None
    recommended_at: datetime | None = None


@dataclass
class ThreadPlan:
    """One thread and everything that happened in it, before any row exists.

    People are indexes: 0 to members - 1 are members, then the moderators.
    """

    title: str
    body: str
    author: int
    category: int
    tags: list[str]
    created_at: datetime
    visibility: str = Visibility.VISIBLE
    hidden_reason: str = ""
    is_locked: bool = False
    is_pinned: bool = False
    replies: list[ReplyPlan] = field(default_factory=list)
    me_too: list[int] = field(default_factory=list)
    solution: int | None = None
    solution_marked_by: int | None = None
    solved_at: datetime | None = None

    @property
    def visible_replies(self) -> list[ReplyPlan]:
        return [reply for reply in self.replies if reply.visibility == Visibility.VISIBLE]

    @property
    def first_official_reply_at(self) -> datetime | None:
        # As the services keep it: the first official reply still visible.
        times = [reply.created_at for reply in self.visible_replies if reply.is_official]
        return min(times, default=None)

    @property
    def last_activity_at(self) -> datetime:
        # A reply counts once it was public: hidden ones were, pending ones not yet.
        times = [r.created_at for r in self.replies if r.visibility != Visibility.PENDING]
        return max([self.created_at, *times])


def plain_html(body: str) -> str:
    """The HTML of generated text, without the Markdown renderer.

    render_markdown costs about 0.8 ms a post, over ten minutes for a million
    replies. Generated text is plain paragraphs without Markdown or HTML
    syntax, for which render_markdown gives exactly this: each paragraph escaped
    in <p>…</p> (tests compare the two). escape() keeps it safe whatever the text.
    """
    return "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in body.split("\n\n"))


def _exact_share(rng: random.Random, candidates: list[int], share: float) -> set[int]:
    """A random `share` of `candidates`, at least one when there are any."""
    if not candidates or share <= 0:
        return set()
    count = min(len(candidates), max(1, round(len(candidates) * share)))
    return set(rng.sample(candidates, count))


def _plan_kinds(rng: random.Random, threads: int, replies_per_thread: int) -> list[str]:
    """What kind of thread each index becomes: pending, hidden, unanswered, awaiting
    (member replies only) or answered (an official reply)."""
    kinds = ["answered"] * threads
    free = list(range(threads))
    for kind, share in (
        ("pending", PENDING_SHARE),
        ("hidden", HIDDEN_SHARE),
        ("unanswered", UNANSWERED_SHARE),
        ("awaiting", AWAITING_SHARE),
    ):
        chosen = _exact_share(rng, free, share)
        for index in chosen:
            kinds[index] = kind
        free = [index for index in free if index not in chosen]
    if replies_per_thread == 0:
        # Without replies every public thread is unanswered.
        kinds = [kind if kind in ("pending", "hidden") else "unanswered" for kind in kinds]
    return kinds


class Generator:
    """Draws the community, thread by thread, from one seeded random stream."""

    def __init__(
        self,
        *,
        seed: int,
        threads: int,
        replies_per_thread: int,
        members: int,
        until: datetime,
        days: int,
    ):
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        self.threads = threads
        self.replies_per_thread = replies_per_thread
        self.members = members
        self.until = until
        self.start = until - timedelta(days=days)
        self.kinds = _plan_kinds(self.rng, threads, replies_per_thread)
        with_replies = [i for i, kind in enumerate(self.kinds) if kind in ("awaiting", "answered")]
        with_replies_any = [*with_replies, *(i for i, k in enumerate(self.kinds) if k == "hidden")]
        if replies_per_thread == 0:
            with_replies, with_replies_any = [], []
        self.solved = _exact_share(self.rng, sorted(with_replies_any), SOLVED_SHARE)
        self.locked = _exact_share(self.rng, with_replies, LOCKED_SHARE)
        self.pinned = set(self.rng.sample(with_replies, min(PINNED_COUNT, len(with_replies))))
        self.pending_reply = _exact_share(self.rng, with_replies, PENDING_REPLY_SHARE)
        # Never the same threads: a thread with a single member reply has one to give.
        others = [index for index in with_replies if index not in self.pending_reply]
        self.hidden_reply = _exact_share(self.rng, others, HIDDEN_REPLY_SHARE)

    def moderator(self) -> int:
        return self.members + self.rng.randrange(MODERATOR_COUNT)

    def member(self) -> int:
        # Squaring favours low indexes: a few members write much of the forum.
        return int(self.members * self.rng.random() ** 2)

    def other_members(self, count: int, *, besides: int) -> list[int]:
        count = min(count, self.members - 1)
        if count <= 0:
            return []
        chosen = self.rng.sample(range(self.members), count + 1)
        return [person for person in chosen if person != besides][:count]

    def words(self, category: int) -> dict[str, str]:
        rng = self.rng
        slug = CATEGORY_SPECS[category]["slug"]
        orders = slug == "orders-delivery"
        return {
            "product": rng.choice(PRODUCTS[slug]),
            "part": rng.choice(ORDER_PARTS if orders else PARTS),
            "symptom": rng.choice(ORDER_SYMPTOMS if orders else SYMPTOMS),
            "action": rng.choice(ACTIONS),
            "task": rng.choice(TASKS),
            "rare": rng.choice(RARE_WORDS),
            "code": f"E{rng.randrange(1, 100):02d}"
            if rng.random() < 0.8
            else f"0x{rng.randrange(256):02X}",
            "model": f"BR-{rng.randrange(1000, 10000)}",
        }

    def text(self, sentences: list[str], words: dict[str, str], *, paragraphs: int) -> str:
        rng = self.rng
        return "\n\n".join(
            " ".join(rng.sample(sentences, rng.randint(2, 4))).format_map(words)
            for _ in range(paragraphs)
        )

    def thread(self, index: int) -> ThreadPlan:
        rng = self.rng
        kind = self.kinds[index]
        category = rng.randrange(len(CATEGORY_SPECS))
        words = self.words(category)
        title = rng.choice(TITLE_TEMPLATES).format_map(words)
        title = title[0].upper() + title[1:]
        # Threads are spread evenly over the period, oldest first, so ids follow time.
        span = (self.until - self.start).total_seconds()
        offset = span * (index + rng.random()) / self.threads
        created_at = min(self.start + timedelta(seconds=offset), self.until - timedelta(minutes=1))
        tag_words = [words["product"], words["part"]]
        if rng.random() < 0.5:
            tag_words.append("error-codes")
        plan = ThreadPlan(
            title=title,
            body=self.text(QUESTION_SENTENCES, words, paragraphs=rng.randint(1, 3)),
            author=self.member(),
            category=category,
            tags=sorted({slugify(word) for word in tag_words[: rng.randint(1, 3)]}),
            created_at=created_at,
        )
        extra_me_too = min(50, int(rng.paretovariate(1.5)) - 1)
        plan.me_too = self.other_members(extra_me_too, besides=plan.author)
        if kind == "pending":
            plan.visibility = Visibility.PENDING
            return plan
        if kind == "hidden":
            plan.visibility = Visibility.HIDDEN
            plan.hidden_reason = rng.choice(HIDDEN_REASONS)
        if kind in ("answered", "awaiting", "hidden") and self.replies_per_thread:
            self.add_replies(plan, index, words, official=kind != "awaiting")
        plan.is_locked = index in self.locked
        plan.is_pinned = index in self.pinned
        return plan

    def reply_times(self, created_at: datetime, count: int) -> list[datetime]:
        """Reply times after the question, squeezed to end before `until`."""
        rng = self.rng
        gaps = [rng.expovariate(1 / 4) if i == 0 else rng.expovariate(1 / 10) for i in range(count)]
        window_hours = (self.until - created_at).total_seconds() / 3600 * 0.95
        scale = min(1.0, window_hours / max(sum(gaps), 1e-9))
        times, hours = [], 0.0
        for gap in gaps:
            hours += max(gap * scale, 0.001)
            times.append(created_at + timedelta(hours=hours))
        return times

    def add_replies(self, plan: ThreadPlan, index: int, words: dict, *, official: bool) -> None:
        rng = self.rng
        count = self.replies_per_thread
        if count and index % LONG_THREAD_EVERY == 0:
            count = max(count, LONG_THREAD_REPLIES)
        official_at = set()
        if official:
            official_at.add(rng.randrange(min(count, 3)))
            if count > 1 and rng.random() < SECOND_OFFICIAL_RATE:
                official_at.add(rng.randrange(count))
        for position, at in enumerate(self.reply_times(plan.created_at, count)):
            if position in official_at:
                reply = ReplyPlan(
                    author=self.moderator(),
                    body=self.text(OFFICIAL_REPLY_SENTENCES, words, paragraphs=rng.randint(1, 2)),
                    created_at=at,
                    is_official=True,
                )
                votes = int(rng.expovariate(1 / 2.5))
            else:
                reply = ReplyPlan(
                    author=self.member(),
                    body=self.text(MEMBER_REPLY_SENTENCES, words, paragraphs=rng.randint(1, 2)),
                    created_at=at,
                )
                votes = int(rng.expovariate(1 / 0.6))
                if rng.random() < RECOMMENDED_REPLY_RATE:
                    reply.recommended_by = self.moderator()
                    reply.recommended_at = min(at + timedelta(hours=1), self.until)
            reply.voters = self.other_members(votes, besides=reply.author)
            plan.replies.append(reply)
        member_replies = [r for r in plan.replies if not r.is_official]
        if index in self.pending_reply and member_replies:
            pending = member_replies.pop()
            pending.visibility, pending.voters = Visibility.PENDING, []
            pending.recommended_by = pending.recommended_at = None
        if index in self.hidden_reply and member_replies:
            hidden = rng.choice(member_replies)
            hidden.visibility = Visibility.HIDDEN
            hidden.hidden_reason = rng.choice(HIDDEN_REASONS)
            hidden.recommended_by = hidden.recommended_at = None
        if index in self.solved:
            self.add_solution(plan)

    def add_solution(self, plan: ThreadPlan) -> None:
        rng = self.rng
        visible = [i for i, reply in enumerate(plan.replies) if reply.visibility == "visible"]
        if not visible:
            return
        officials = [i for i in visible if plan.replies[i].is_official]
        plan.solution = rng.choice(officials if officials and rng.random() < 0.5 else visible)
        # The asker accepts most answers; a moderator marks the others.
        plan.solution_marked_by = plan.author if rng.random() < 0.75 else self.moderator()
        accepted_at = plan.replies[plan.solution].created_at + timedelta(hours=rng.uniform(0.5, 48))
        plan.solved_at = min(accepted_at, self.until)


def generate_threads(
    *,
    seed: int,
    threads: int,
    replies_per_thread: int,
    members: int,
    until: datetime,
    days: int = 365,
) -> Iterator[ThreadPlan]:
    """Every thread of the community, oldest first; the same arguments, the same plans."""
    generator = Generator(
        seed=seed,
        threads=threads,
        replies_per_thread=replies_per_thread,
        members=members,
        until=until,
        days=days,
    )
    for index in range(threads):
        yield generator.thread(index)


def display_name(seed: int, number: int) -> str:
    # Its own stream, so names do not shift the threads drawn after them.
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def index_threads(first_id: int, last_id: int, *, progress=None) -> int:
    """Index threads first_id..last_id in chunks, as update_index does for a model.

    Thread.search_replies_text queries each thread's replies; here one query per
    chunk reads them and each thread is handed its text, so indexing costs a few
    queries per thousand threads instead of one per thread. `progress`, if given,
    is called with the running total after each chunk. Returns how many.
    """
    backends = list(get_search_backends(with_auto_update=True))
    queryset = Thread.get_indexed_objects().order_by("pk")
    done = 0
    for start in range(first_id, last_id + 1, INDEX_CHUNK_SIZE):
        end = min(start + INDEX_CHUNK_SIZE - 1, last_id)
        chunk = list(queryset.filter(pk__gte=start, pk__lte=end))
        texts = _replies_text([thread.pk for thread in chunk])
        for thread in chunk:
            text = texts.get(thread.pk, "")
            # An instance attribute hides the method; the indexer calls either.
            thread.search_replies_text = lambda text=text: text
        with transaction.atomic():
            for backend in backends:
                backend.add_bulk(Thread, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def _replies_text(thread_ids: list[int]) -> dict[int, str]:
    """What Thread.search_replies_text returns, for many threads in one query."""
    bodies: dict[int, list[str]] = {}
    rows = (
        Reply.objects.filter(thread_id__in=thread_ids, visibility=Visibility.VISIBLE)
        .order_by("thread_id", "pk")
        .values_list("thread_id", "body")
    )
    for thread_id, body in rows.iterator(chunk_size=10_000):
        kept = bodies.setdefault(thread_id, [])
        if len(kept) < SEARCH_REPLIES_INDEXED:
            kept.append(body)
    return {thread_id: " ".join(kept) for thread_id, kept in bodies.items()}


@dataclass
class Totals:
    threads: int = 0
    replies: int = 0
    helpful_votes: int = 0
    me_toos: int = 0
    follows: int = 0
    tags: int = 0

    def line(self) -> str:
        return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in vars(self).items())


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
        verify = options["verify"]
        if verify is None:
            verify = threads <= VERIFY_BY_DEFAULT_UP_TO

        with self._phase("members"):
            people = self._create_people(
                members=members,
                seed=seed,
                batch_size=batch_size,
                # Everyone joined a month before the first question.
                joined=until - timedelta(days=options["days"] + 30),
            )
        with self._phase("categories and tags"):
            categories = self._ensure_categories()
            tag_ids = self._ensure_tags()
        with self._phase("threads and replies"):
            plans = generate_threads(
                seed=seed,
                threads=threads,
                replies_per_thread=replies_per_thread,
                members=members,
                until=until,
                days=options["days"],
            )
            first_id, last_id, totals = self._write_threads(
                plans,
                total=threads,
                people=people,
                categories=categories,
                tag_ids=tag_ids,
                batch_size=batch_size,
                threads_per_batch=max(1, batch_size // (replies_per_thread + 1)),
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
        if verify:
            with self._phase("verify"):
                self._verify()
        else:
            self.stdout.write(
                "Verification skipped (--verify to run recount --check and check_queue)."
            )

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

    # Members ------------------------------------------------------------------------

    def _create_people(
        self, *, members: int, seed: int, batch_size: int, joined: datetime
    ) -> list[int]:
        """Create the members then the moderators; return their ids in people order."""
        User = get_user_model()
        # One hash for everyone: hashing is slow on purpose, and this password is public.
        password = make_password(SCALE_PASSWORD)
        width = max(5, len(str(members)))
        rows = [
            User(
                username=f"{USERNAME_PREFIX}member-{number:0{width}d}",
                email=f"{USERNAME_PREFIX}member-{number:0{width}d}@{EMAIL_DOMAIN}",
                display_name=display_name(seed, number),
                password=password,
                date_joined=joined,
            )
            for number in range(1, members + 1)
        ]
        rows += [
            User(
                username=f"{USERNAME_PREFIX}moderator-{number}",
                email=f"{USERNAME_PREFIX}moderator-{number}@{EMAIL_DOMAIN}",
                display_name=MODERATOR_NAMES[number - 1],
                password=password,
                date_joined=joined,
            )
            for number in range(1, MODERATOR_COUNT + 1)
        ]
        for start in range(0, len(rows), batch_size):
            with transaction.atomic():
                batch = User.objects.bulk_create(rows[start : start + batch_size])
                # allauth lets only verified addresses sign in.
                EmailAddress.objects.bulk_create(
                    EmailAddress(user=user, email=user.email, verified=True, primary=True)
                    for user in batch
                )
        moderators = rows[members:]
        Group.objects.get(name=MODERATORS_GROUP).user_set.add(*moderators)
        self.stdout.write(f"  {members} members, {MODERATOR_COUNT} moderators")
        return [user.pk for user in rows]

    # Categories and tags ------------------------------------------------------------

    def _ensure_categories(self) -> list[tuple[int, timedelta]]:
        """(id, first-response target) per CATEGORY_SPECS entry, reusing slugs that exist."""
        existing = Category.objects.in_bulk(
            [spec["slug"] for spec in CATEGORY_SPECS], field_name="slug"
        )
        position = len(existing)
        for spec in CATEGORY_SPECS:
            if spec["slug"] not in existing:
                existing[spec["slug"]] = Category.objects.create(position=position, **spec)
                position += 1
        default_hours = CommunitySettings.load().first_response_hours
        return [
            (
                existing[spec["slug"]].pk,
                timedelta(hours=existing[spec["slug"]].first_response_hours or default_hours),
            )
            for spec in CATEGORY_SPECS
        ]

    def _ensure_tags(self) -> dict[str, int]:
        """Every tag slug the generator can draw, with its Tag id."""
        names = {slugify(word) for words in PRODUCTS.values() for word in words}
        names |= {slugify(part) for part in [*PARTS, *ORDER_PARTS]} | {"error-codes"}
        tags = {tag.slug: tag.pk for tag in Tag.objects.filter(slug__in=names)}
        missing = [Tag(name=slug, slug=slug) for slug in sorted(names - tags.keys())]
        for tag in Tag.objects.bulk_create(missing):
            tags[tag.slug] = tag.pk
        return tags

    # Threads and everything in them ------------------------------------------------

    def _write_threads(
        self, plans, *, total, people, categories, tag_ids, batch_size, threads_per_batch
    ):
        totals = Totals()
        first_id = last_id = None
        batch: list[ThreadPlan] = []
        next_report = 0
        started = time.monotonic()

        def flush():
            nonlocal first_id, last_id, next_report
            with transaction.atomic():
                ids = self._write_batch(
                    batch,
                    people=people,
                    categories=categories,
                    tag_ids=tag_ids,
                    batch_size=batch_size,
                    totals=totals,
                )
            first_id = ids[0] if first_id is None else first_id
            last_id = ids[-1]
            batch.clear()
            if totals.threads >= next_report or totals.threads == total:
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"  threads {totals.threads}/{total}, "
                    f"replies {totals.replies} ({elapsed:.0f} s)"
                )
                next_report = totals.threads + max(threads_per_batch, total // 20)

        for plan in plans:
            batch.append(plan)
            if len(batch) >= threads_per_batch:
                flush()
        if batch:
            flush()
        return first_id, last_id, totals

    def _write_batch(self, plans, *, people, categories, tag_ids, batch_size, totals) -> list[int]:
        """Write one batch of threads with their replies, votes, "me too"s, follows and
        tags; every counter is taken from the plans. Returns the thread ids."""
        threads = Thread.objects.bulk_create(
            [self._thread_row(plan, people=people, categories=categories) for plan in plans],
            batch_size=batch_size,
        )
        replies = []
        for plan, thread in zip(plans, threads, strict=True):
            replies += [
                self._reply_row(reply, thread=thread, people=people) for reply in plan.replies
            ]
        Reply.objects.bulk_create(replies, batch_size=batch_size)

        # The solution points at a reply, which needed the thread first.
        solved, votes, me_toos, follows, tagged = [], [], [], [], []
        position = 0
        for plan, thread in zip(plans, threads, strict=True):
            thread_replies = replies[position : position + len(plan.replies)]
            position += len(plan.replies)
            if plan.solution is not None:
                thread.solution_id = thread_replies[plan.solution].pk
                solved.append(thread)
            votes += [
                HelpfulVote(
                    reply_id=row.pk,
                    user_id=people[voter],
                    created_at=min(
                        reply.created_at + timedelta(hours=1 + rank), plan.last_activity_at
                    ),
                )
                for reply, row in zip(plan.replies, thread_replies, strict=True)
                for rank, voter in enumerate(reply.voters)
            ]
            # The asker has the problem first; the others said so later.
            me_toos.append(
                MeToo(thread_id=thread.pk, user_id=people[plan.author], created_at=plan.created_at)
            )
            me_toos += [
                MeToo(
                    thread_id=thread.pk,
                    user_id=people[person],
                    created_at=plan.created_at + timedelta(hours=rank + 1),
                )
                for rank, person in enumerate(plan.me_too)
            ]
            # Posting follows the thread, as reply_create does (pending posts too).
            followers = dict.fromkeys([plan.author, *(reply.author for reply in plan.replies)])
            follows += [
                Follow(thread_id=thread.pk, user_id=people[person], created_at=plan.created_at)
                for person in followers
            ]
            tagged += [
                TaggedThread(content_object_id=thread.pk, tag_id=tag_ids[slug])
                for slug in plan.tags
            ]
        if solved:
            Thread.objects.bulk_update(solved, ["solution"], batch_size=batch_size)
        for model, rows in (
            (HelpfulVote, votes),
            (MeToo, me_toos),
            (Follow, follows),
            (TaggedThread, tagged),
        ):
            model.objects.bulk_create(rows, batch_size=batch_size)

        totals.threads += len(threads)
        totals.replies += len(replies)
        totals.helpful_votes += len(votes)
        totals.me_toos += len(me_toos)
        totals.follows += len(follows)
        totals.tags += len(tagged)
        return [thread.pk for thread in threads]

    def _thread_row(self, plan: ThreadPlan, *, people, categories) -> Thread:
        category_id, target = categories[plan.category]
        # A pending question is not public yet: no published time, no due time.
        published = plan.created_at if plan.visibility != Visibility.PENDING else None
        return Thread(
            category_id=category_id,
            author_id=people[plan.author],
            title=plan.title,
            slug=slugify(plan.title)[:160],
            body=plan.body,
            body_html=plain_html(plan.body),
            visibility=plan.visibility,
            hidden_reason=plan.hidden_reason,
            is_locked=plan.is_locked,
            is_pinned=plan.is_pinned,
            created_at=plan.created_at,
            last_activity_at=plan.last_activity_at,
            reply_count=len(plan.visible_replies),
            me_too_count=1 + len(plan.me_too),
            first_official_reply_at=plan.first_official_reply_at,
            published_at=published,
            response_due_at=published + target if published else None,
            solution_marked_by_id=(
                people[plan.solution_marked_by] if plan.solution_marked_by is not None else None
            ),
            solved_at=plan.solved_at,
        )

    def _reply_row(self, reply: ReplyPlan, *, thread: Thread, people) -> Reply:
        return Reply(
            thread_id=thread.pk,
            author_id=people[reply.author],
            body=reply.body,
            body_html=plain_html(reply.body),
            is_official=reply.is_official,
            visibility=reply.visibility,
            hidden_reason=reply.hidden_reason,
            created_at=reply.created_at,
            helpful_count=len(reply.voters),
            recommended_by_id=(
                people[reply.recommended_by] if reply.recommended_by is not None else None
            ),
            recommended_at=reply.recommended_at,
        )

    # Verification -------------------------------------------------------------------

    def _verify(self) -> None:
        """What `recount --check` and `check_queue` say; an error if either finds a fault."""
        failures = []
        for command, arguments in (("recount", ["--check"]), ("check_queue", [])):
            self.stdout.write(f"  {command} {' '.join(arguments)}".rstrip())
            try:
                call_command(command, *arguments, stdout=self.stdout)
            except CommandError as error:
                failures.append(f"{command}: {error}")
        if failures:
            raise CommandError("Verification failed: " + "; ".join(failures))
