"""Following a conversation until the customer says it is solved: after the brand
replies officially or recommends an answer on an unsolved thread, the asker is asked
"Did this solve your problem?" once for that reply."""

from django.conf import settings
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
