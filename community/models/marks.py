"""What members mark on posts: helpful votes, "me too", follows, and questions
answered before asking. One row per member and post; the posts' counters count
these rows (promise 4). Also the categories and tags a member follows, which
their digest (community/digests.py) reports on."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from community.models.forum import Category, Reply, Thread, exactly_one_of


class MemberMark(models.Model):
    """One member's mark on one post, at most once (each subclass's constraint)."""

    created_at = models.DateTimeField(default=timezone.now)
    # How the mark reads in the admin and in logs.
    label = ""

    class Meta:
        abstract = True

    def __str__(self):
        post = f"reply {self.reply_id}" if hasattr(self, "reply_id") else f"thread {self.thread_id}"
        return f"{self.label}: {post} by user {self.user_id}"


def mark_between(post_model, related_name: str):
    """The post a mark is on and the member who made it; both name their marks
    `related_name` (thread.me_toos, member.me_toos)."""
    return (
        models.ForeignKey(post_model, on_delete=models.CASCADE, related_name=related_name),
        models.ForeignKey(
            settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=related_name
        ),
    )


# A member found a reply helpful (one per member and reply).
class HelpfulVote(MemberMark):
    reply, user = mark_between(Reply, "helpful_votes")
    label = "helpful"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="helpful_once_per_member")
        ]


# A member has this problem too (one per member and thread; the asker counts first).
class MeToo(MemberMark):
    thread, user = mark_between(Thread, "me_toos")
    label = "me too"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="me_too_once")]


# A member is told about new replies on a thread.
class Follow(MemberMark):
    thread, user = mark_between(Thread, "follows")
    label = "follow"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="follow_once")]


class CategoryFollow(models.Model):
    """A member follows a category: its new questions and solutions are in their digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="category_follows",
        verbose_name=_("member"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="follows", verbose_name=_("category")
    )
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)

    class Meta:
        verbose_name = _("followed category")
        verbose_name_plural = _("followed categories")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="category_follow_once")
        ]

    def __str__(self):
        return f"follow: category {self.category_id} by user {self.user_id}"


class TagFollow(models.Model):
    """A member follows a tag: its new questions and solutions are in their digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tag_follows",
        verbose_name=_("member"),
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="member_follows", verbose_name=_("tag")
    )
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)

    class Meta:
        verbose_name = _("followed tag")
        verbose_name_plural = _("followed tags")
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="tag_follow_once")]

    def __str__(self):
        return f"follow: tag {self.tag_id} by user {self.user_id}"


class Deflection(models.Model):
    """A member about to ask who found their answer in a suggestion instead: counted
    once per member and thread or help article, shown in the moderation metrics."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deflections",
        verbose_name=_("member"),
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("thread"),
    )
    help_article = models.ForeignKey(
        "community.HelpArticlePage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("help article"),
    )
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("question answered before asking")
        verbose_name_plural = _("questions answered before asking")
        constraints = [
            exactly_one_of("thread", "help_article", name="deflection_one_answer"),
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=models.Q(thread__isnull=False),
                name="deflection_once_per_thread",
            ),
            models.UniqueConstraint(
                fields=["member", "help_article"],
                condition=models.Q(help_article__isnull=False),
                name="deflection_once_per_article",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="deflection_created")]

    def __str__(self):
        return str(self.thread or self.help_article)


class HelpArticleVote(models.Model):
    """One answer to "was this article helpful?": a signed-in member's, or a visitor's
    named by the signed cookie the help centre gave their browser (never both).
    One per article and voter, changeable; the article's helpful_yes and
    helpful_no count these rows, from the day the rows were kept."""

    article = models.ForeignKey(
        "community.HelpArticlePage",
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("help article"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="help_article_votes",
        verbose_name=_("member"),
    )
    # The random id in a visitor's signed cookie (community.help_feedback).
    visitor = models.CharField(_("visitor"), max_length=32, blank=True, default="")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("help article vote")
        verbose_name_plural = _("help article votes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, visitor="")
                | (models.Q(member__isnull=True) & ~models.Q(visitor="")),
                name="help_vote_one_voter",
            ),
            models.UniqueConstraint(
                fields=["article", "member"],
                condition=models.Q(member__isnull=False),
                name="help_vote_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["article", "visitor"],
                condition=~models.Q(visitor=""),
                name="help_vote_once_per_visitor",
            ),
        ]

    def __str__(self):
        return f"{'yes' if self.helpful else 'no'}: article {self.article_id}"
