"""The forum's posts: categories, threads (the questions), replies and the earlier
text of edited posts."""

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from community.cache import content_version
from community.folding import FoldedSearchField
from community.querysets import CategoryQuerySet, ReplyQuerySet, ThreadQuerySet

TITLE_MIN_LENGTH = 10


TITLE_MAX_LENGTH = 150


BODY_MAX_LENGTH = 20_000


RESERVED_SLUGS = {"reply", "edit", "history", "me-too", "follow", "accept", "resolution"}


# How long the categories' translated names stay cached (a write moves the content
# version on before then).
TRANSLATIONS_CACHE_SECONDS = 3600


# How many replies of a thread the search index reads.
SEARCH_REPLIES_INDEXED = 50


# A moderator's reason for hiding a post, which its author reads; the moderation
# forms and services take their limit from here.
HIDDEN_REASON_MAX_LENGTH = 500


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Awaiting approval")
    HIDDEN = "hidden", _("Hidden by a moderator")


class ConversationState(models.TextChoices):
    """Where a visible thread's conversation with the brand stands (promise 1), read
    from the thread's own fields (Thread.conversation_state)."""

    AWAITING_FIRST_REPLY = "awaiting_first_reply", _("Awaiting the brand's first reply")
    AWAITING_FOLLOW_UP = "awaiting_follow_up", _("Awaiting the brand again")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on the customer")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed: the customer did not answer")


class Category(TranslatableMixin, models.Model):
    """A forum section. The default-language row is the category: threads and canned
    responses point to it and its slug is its address. A translation (same
    translation_key, another locale) only supplies the name and description readers
    of its language see (`local_name`, `local_description`)."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), max_length=500, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#2F5D8A",
        validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a hex colour such as #2F5D8A."))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    first_response_hours = models.PositiveSmallIntegerField(
        _("first-response target (hours)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the site's default target."),
    )
    follow_up_hours = models.PositiveSmallIntegerField(
        _("follow-up target (hours)"),
        null=True,
        blank=True,
        help_text=_(
            "How soon the team answers again when the customer writes back after its "
            "reply. Leave empty to use the site's default target."
        ),
    )

    objects = CategoryQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("position"),
        FieldPanel("first_response_hours"),
        FieldPanel("follow_up_hours"),
    ]
    # The slug stays shared, so a category keeps one address in every language.
    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("description"),
        SynchronizedField("slug"),
        SynchronizedField("colour"),
        SynchronizedField("position"),
        SynchronizedField("first_response_hours"),
        SynchronizedField("follow_up_hours"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["locale", "name"], name="category_name_per_locale"),
            models.UniqueConstraint(fields=["locale", "slug"], name="category_slug_per_locale"),
        ]

    def __str__(self):
        return self.local_name

    def get_absolute_url(self):
        return reverse("community:category_detail", kwargs={"slug": self.slug})

    @property
    def local_name(self) -> str:
        """The name in the active language, else the default one."""
        return self._translation()[0] or self.name

    @property
    def local_description(self) -> str:
        return self._translation()[1] or self.description

    def _translation(self) -> tuple[str, str]:
        return Category.translations_in(get_language()).get(self.translation_key, ("", ""))

    @classmethod
    def translations_in(cls, language: str | None) -> dict:
        """{translation_key: (name, description)} of the categories written in
        `language`; empty for the default language, whose rows are the categories.

        Read once for every category on a page, from the cache, keyed by the content
        version (community.cache): fifty names cost what one does, and an editor's
        change shows on the next page.
        """
        if not language or language == settings.LANGUAGE_CODE:
            return {}
        key = f"relais:category-translations:{language}:{content_version()}"
        found = cache.get(key)
        if found is None:
            rows = cls.objects.filter(locale__language_code=language).values_list(
                "translation_key", "name", "description"
            )
            found = {key: (name, description) for key, name, description in rows}
            cache.set(key, found, TRANSLATIONS_CACHE_SECONDS)
        return found

    def search_names(self) -> str:
        """Its names in every language, for the index of its threads: "machines à café"
        finds the threads of "Coffee machines"."""
        names = [self.name]
        for code, _label in settings.LANGUAGES:
            name = Category.translations_in(code).get(self.translation_key, ("", ""))[0]
            if name and name not in names:
                names.append(name)
        return " ".join(names)

    def response_hours(self, rules) -> int:
        """The hours the brand gives itself for a first official reply here: the
        category's own target, else the site's (`rules`: CommunitySettings)."""
        return self.first_response_hours or rules.first_response_hours

    def follow_up_target_hours(self, rules) -> int:
        """The hours the brand gives itself to answer a customer who wrote back after
        its reply: the category's own target, else the site's."""
        return self.follow_up_hours or rules.follow_up_hours


def optional_link(to, verbose_name, *, related_name: str = "+") -> models.ForeignKey:
    """A link the services set (never a form): emptied, not cascaded, when the row it
    points to goes."""
    return models.ForeignKey(
        to,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def staff_member_field(verbose_name) -> models.ForeignKey:
    """The staff member who did something to a post (assigned, marked, recommended)."""
    return optional_link(settings.AUTH_USER_MODEL, verbose_name)


def exactly_one_of(first: str, second: str, *, name: str) -> models.CheckConstraint:
    """A row about one of two things: exactly one of the two links is set."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{first}__isnull": False, f"{second}__isnull": True})
        | models.Q(**{f"{first}__isnull": True, f"{second}__isnull": False}),
        name=name,
    )


def author_field(*, related_name: str) -> models.ForeignKey:
    """Who wrote a post: a member with posts is deactivated, never deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=_("author"),
    )


class Post(models.Model):
    """What a question and a reply both are: Markdown text rendered once, a
    visibility moderators change (never a deletion), and an edit time."""

    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.VISIBLE
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    # The ask/reply form's key, hashed with the author (community/limits.py): the same
    # form sent twice makes one row. Unique, so two requests at once cannot both insert.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Why a moderator hid the post: shown to its author (and staff), never to others.
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=HIDDEN_REASON_MAX_LENGTH, blank=True
    )

    class Meta:
        abstract = True

    @property
    def is_visible(self) -> bool:
        return self.visibility == Visibility.VISIBLE


def visible_threads_index(order: str, *, name: str, **condition) -> models.Index:
    """An index for one order of a list of visible threads, partial when the list
    keeps only one state (the status filters, the queue)."""
    return models.Index(
        fields=["visibility", order],
        condition=models.Q(**condition) if condition else None,
        name=name,
    )


class Thread(index.Indexed, Post):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="threads", verbose_name=_("category")
    )
    author = author_field(related_name="threads")
    title = models.CharField(
        _("title"),
        max_length=TITLE_MAX_LENGTH,
        validators=[MinLengthValidator(TITLE_MIN_LENGTH)],
    )
    slug = models.SlugField(_("slug"), max_length=160, allow_unicode=False)
    # The language the question is written in: the page and its posts say it, lists
    # and search put the reader's language first, staff filter by it.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_index=True,
    )
    # The brand's site the question was asked from, through the help widget
    # (community/embed): shown in the queue and counted per site on the metrics page.
    asked_from = models.CharField(_("asked from"), max_length=200, blank=True, editable=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0, editable=False)
    me_too_count = models.PositiveIntegerField(
        _("members with this problem"), default=0, editable=False
    )
    first_official_reply_at = models.DateTimeField(
        _("first official reply at"), null=True, blank=True, editable=False
    )
    # When the brand promised its first official reply: fixed when the question is
    # asked (the clock runs while a new member's question awaits approval too), so
    # hiding an official reply later brings back the same due time.
    response_due_at = models.DateTimeField(
        _("official reply due at"), null=True, blank=True, editable=False
    )
    # The brand's latest visible official reply; and when the customer (the asker or
    # a "me too" member) came back after it, by replying or by answering "not yet",
    # on an unsolved thread: from then the thread awaits the brand again, due at
    # follow_up_due_at (promise 1). Both None while the brand spoke last.
    last_official_reply_at = models.DateTimeField(
        _("last official reply at"), null=True, blank=True, editable=False
    )
    follow_up_since = models.DateTimeField(
        _("customer wrote back at"), null=True, blank=True, editable=False
    )
    follow_up_due_at = models.DateTimeField(
        _("follow-up due at"), null=True, blank=True, editable=False
    )
    # When the question became public: when asked, or when a moderator approved it.
    # None while it has never been public. The official-reply clock does not start
    # here but when the question was asked (created_at).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    # Which moderator is answering: shown to staff so two do not answer the same
    # thread. A claim lapses at claim_expires_at; an expired claim means nobody.
    assigned_to = staff_member_field(_("assigned to"))
    claim_expires_at = models.DateTimeField(
        _("claim expires at"), null=True, blank=True, editable=False
    )
    duplicate_of = optional_link("self", _("duplicate of"), related_name="duplicates")
    solution = optional_link("Reply", _("accepted solution"))
    solution_marked_by = staff_member_field(_("solution marked by"))
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True, editable=False)

    tags = TaggableManager(_("tags"), blank=True, through="community.TaggedThread")

    objects = ThreadQuerySet.as_manager()

    # The services re-index a thread after commit whenever its words or its visibility
    # change (community.search); saving a row is not enough, since replies and
    # counters change it through updates.
    search_auto_update = False
    # Indexed without accents, as the queries are searched (community.search.fold).
    # The category's name is indexed with each thread: "coffee" finds every thread of
    # "Coffee machines"; a rename re-indexes them (community.wagtail_hooks).
    search_fields = [
        FoldedSearchField("title", boost=3),
        index.AutocompleteField("title"),
        FoldedSearchField("body"),
        FoldedSearchField("search_replies_text"),
        index.RelatedFields(
            "tags", [FoldedSearchField("name", boost=2), index.FilterField("slug")]
        ),
        index.RelatedFields("category", [FoldedSearchField("search_names")]),
        index.FilterField("visibility"),
        index.FilterField("category_id"),
        index.FilterField("last_activity_at"),
        index.FilterField("solution"),
        index.FilterField("reply_count"),
        index.FilterField("first_official_reply_at"),
        # Each language is searched on its own (community.search_backend).
        index.FilterField("language"),
    ]

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            visible_threads_index("-last_activity_at", name="thread_visible_activity"),
            visible_threads_index("-created_at", name="thread_visible_newest"),
            models.Index(
                fields=["category", "visibility", "-last_activity_at"],
                name="thread_category_activity",
            ),
            visible_threads_index("-me_too_count", name="thread_visible_votes"),
            visible_threads_index(
                "-last_activity_at", name="thread_unanswered_activity", reply_count=0
            ),
            visible_threads_index(
                "-last_activity_at",
                name="thread_awaiting_activity",
                first_official_reply_at__isnull=True,
            ),
            visible_threads_index(
                "response_due_at", name="thread_awaiting_due", first_official_reply_at__isnull=True
            ),
            visible_threads_index(
                "follow_up_due_at",
                name="thread_follow_up_due",
                follow_up_since__isnull=False,
                solution__isnull=True,
            ),
            visible_threads_index(
                "-last_activity_at", name="thread_solved_activity", solution__isnull=False
            ),
            # The home page's "recently solved" section.
            visible_threads_index(
                "-solved_at", name="thread_solved_newest", solution__isnull=False
            ),
            # An author's public posts (see Reply's index of the same fields).
            models.Index(fields=["author", "visibility"], name="thread_author_visibility"),
            # The few pinned threads above the lists, found without reading the others.
            visible_threads_index(
                "-last_activity_at", name="thread_pinned_activity", is_pinned=True
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(visibility="pending"),
                name="thread_pending",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:160] or "thread"
            # /t/<id>/edit/ and friends are actions: a slug must never read as one.
            if self.slug in RESERVED_SLUGS:
                self.slug = f"{self.slug}-thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("community:thread_detail", kwargs={"pk": self.pk, "slug": self.slug})

    def search_replies_text(self) -> str:
        """What the visible replies say, for the search index (bounded: a long
        thread's first answers carry its vocabulary)."""
        bodies = self.replies.filter(visibility=Visibility.VISIBLE).order_by("pk")
        return " ".join(bodies.values_list("body", flat=True)[:SEARCH_REPLIES_INDEXED])

    @property
    def official_response_time(self):
        """How long the brand took to answer officially, from the asking (None before
        it has): the time a question waits for approval counts too."""
        if self.first_official_reply_at is None:
            return None
        return self.first_official_reply_at - self.created_at

    @property
    def is_solved(self) -> bool:
        return self.solution_id is not None

    def conversation_state(self, *, close_after, at) -> ConversationState | None:
        """The conversation's state at `at` (None for a thread nobody may read):
        waiting on the customer for longer than `close_after` since the brand's last
        reply counts as closed, until the customer writes again (which makes it
        await a follow-up)."""
        if self.visibility != Visibility.VISIBLE:
            return None
        if self.solution_id is not None:
            return ConversationState.SOLVED
        if self.first_official_reply_at is None:
            return ConversationState.AWAITING_FIRST_REPLY
        if self.follow_up_since is not None:
            return ConversationState.AWAITING_FOLLOW_UP
        last_reply = self.last_official_reply_at or self.first_official_reply_at
        if at - last_reply >= close_after:
            return ConversationState.CLOSED
        return ConversationState.WAITING_ON_CUSTOMER

    @property
    def is_closed(self) -> bool:
        """Locked or closed as a duplicate: members cannot reply any more."""
        return self.is_locked or self.duplicate_of_id is not None

    def assignee_at(self, moment):
        """Who holds the thread at `moment`, or None once the claim has lapsed."""
        if self.assigned_to_id and self.claim_expires_at and self.claim_expires_at > moment:
            return self.assigned_to
        return None


class Reply(Post):
    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="replies", verbose_name=_("thread")
    )
    author = author_field(related_name="replies")
    # Decided from the author's permission when the reply is posted, never recomputed.
    is_official = models.BooleanField(_("official reply"), default=False, editable=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    recommended_by = staff_member_field(_("recommended by"))
    recommended_at = models.DateTimeField(
        _("recommended at"), null=True, blank=True, editable=False
    )
    # Sent as an answer to a notification e-mail (community/mail), not from the site.
    via_email = models.BooleanField(_("sent by e-mail"), default=False, editable=False)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "visibility", "created_at"], name="reply_thread_order"),
            # "Has a recommended reply" on each row of the moderation queue: a probe per
            # row instead of a scan of every reply.
            models.Index(
                fields=["thread"],
                condition=models.Q(recommended_at__isnull=False, visibility="visible"),
                name="reply_recommended",
            ),
            # The approvals page and the moderators' header count read pending replies.
            models.Index(
                fields=["created_at"],
                condition=models.Q(visibility="pending"),
                name="reply_pending",
            ),
            # An author's public posts, counted on the approvals page and when a new
            # member posts: read from the index alone, not from every reply's row.
            models.Index(fields=["author", "visibility"], name="reply_author_visibility"),
        ]

    def __str__(self):
        return _("Reply #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("community:reply_permalink", kwargs={"pk": self.pk})

    @property
    def is_recommended(self) -> bool:
        return self.recommended_at is not None


class TaggedThread(TaggedItemBase):
    content_object = models.ForeignKey(Thread, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("thread tag")
        verbose_name_plural = _("thread tags")


class Revision(models.Model):
    """What a thread or reply said before an edit: edits never lose the earlier text."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField()
    created_at = models.DateTimeField(
        _("replaced at"), default=timezone.now, help_text=_("When an edit replaced this text.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [exactly_one_of("thread", "reply", name="revision_of_one_post")]

    def __str__(self):
        post = f"thread {self.thread_id}" if self.thread_id else f"reply {self.reply_id}"
        return f"revision of {post} replaced at {self.created_at:%Y-%m-%d %H:%M}"


class ProposedEdit(models.Model):
    """A change to a public post that waits for a moderator (pre-moderation of
    edits): the post keeps its old text until the change is approved. One change
    waits per post at a time; a newer one replaces it (superseded), and every
    decision is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        SUPERSEDED = "superseded", _("Replaced by a later change")

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="proposed_edits"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="proposed_edits"
    )
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField()
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(
        blank=True, help_text=_("Why a moderator did not approve it; its author reads this.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            exactly_one_of("thread", "reply", name="proposed_edit_of_one_post"),
            models.UniqueConstraint(
                fields=["thread"],
                condition=models.Q(status="pending", thread__isnull=False),
                name="one_pending_edit_per_thread",
            ),
            models.UniqueConstraint(
                fields=["reply"],
                condition=models.Q(status="pending", reply__isnull=False),
                name="one_pending_edit_per_reply",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="proposed_edit_waiting")]

    def __str__(self):
        post = f"thread {self.thread_id}" if self.thread_id else f"reply {self.reply_id}"
        return f"proposed edit of {post} ({self.status})"

    @property
    def post(self) -> Thread | Reply:
        return self.thread if self.thread_id else self.reply
