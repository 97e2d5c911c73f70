"""Following a conversation until the customer says it is solved: after the brand
replies officially or recommends an answer on an unsolved thread, the asker is asked
"Did this solve your problem?" once for that reply."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models.forum import Reply, Thread


class ResolutionCheck(models.Model):
    class Answer(models.TextChoices):
        SOLVED = "solved", _("Yes, it is solved")
        NOT_YET = "not_yet", _("Not yet")

    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="resolution_checks", verbose_name=_("thread")
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked"),
    )
    # The official reply or the recommended answer the question is about.
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, related_name="+", verbose_name=_("about the reply")
    )
    # The staff member who replied or recommended: told when the answer is "not yet".
    asked_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Set in the transaction that sends the one reminder (follow_conversations).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("resolution check")
        verbose_name_plural = _("resolution checks")
        constraints = [
            models.UniqueConstraint(fields=["thread", "reply"], name="resolution_check_once"),
        ]
        indexes = [
            models.Index(fields=["thread", "-asked_at"], name="resolution_check_thread"),
        ]

    def __str__(self):
        return f"resolution check on thread {self.thread_id} about reply {self.reply_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)


class SatisfactionRating(models.Model):
    """How satisfied a member was with the help, asked once per thread when it is
    solved: a score from 1 to 5 and an optional comment. Only staff read them."""

    COMMENT_MAX_LENGTH = 2000

    thread = models.ForeignKey(
        Thread,
        on_delete=models.PROTECT,
        related_name="satisfaction_ratings",
        verbose_name=_("thread"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    # Empty until the member answers.
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="satisfaction_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__range=(1, 5)),
                name="satisfaction_score_1_to_5",
            ),
        ]

    def __str__(self):
        return f"satisfaction on thread {self.thread_id} by member {self.member_id}"

    @property
    def is_answered(self) -> bool:
        return self.score is not None
