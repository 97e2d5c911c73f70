"""The scale community, drawn as plans before any row exists.

Determinism: one random.Random(seed) draws every value, in a fixed order, so the
same arguments give the same titles, bodies, authors, statuses and dates. Dates
are offsets before `until`. People are indexes: 0 to members - 1 are members,
then the moderators; the writer maps them to user ids.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.text import slugify

from community.config.scale.vocabulary import (
    ACTIONS,
    CATEGORY_SPECS,
    FIRST_NAMES,
    HIDDEN_REASONS,
    LAST_NAMES,
    MEMBER_REPLY_SENTENCES,
    OFFICIAL_REPLY_SENTENCES,
    ORDER_PARTS,
    ORDER_SYMPTOMS,
    PARTS,
    PRODUCTS,
    QUESTION_SENTENCES,
    RARE_WORDS,
    SYMPTOMS,
    TASKS,
    TITLE_TEMPLATES,
)
from community.models import Visibility

MODERATOR_COUNT = 3

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
        days: int = 365,
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


def generate_threads(**shape) -> Iterator[ThreadPlan]:
    """Every thread of the community, oldest first; the same arguments, the same plans.

    The arguments are Generator's (seed, threads, replies_per_thread, members,
    until, days): one signature to keep, for the command and the tests alike.
    """
    generator = Generator(**shape)
    for index in range(generator.threads):
        yield generator.thread(index)


def display_name(seed: int, number: int) -> str:
    # Its own stream, so names do not shift the threads drawn after them.
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
