"""What a member is told in the header bell (and by e-mail)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models.forum import Reply, Thread
from community.querysets import NotificationQuerySet


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("New reply on a thread you follow")
        OFFICIAL_REPLY = "official_reply", _("Official reply on your thread")
        SOLUTION = "solution", _("A solution was accepted")
        ACCEPTED = "accepted", _("Your reply was accepted as the solution")
        RECOMMENDED = "recommended", _("Your reply was recommended")
        MENTION = "mention", _("You were mentioned")
        ASSIGNED = "assigned", _("A thread was assigned to you")
        RESOLUTION_CHECK = "resolution_check", _("Did this solve your problem?")
        NOT_YET = "not_yet", _("The customer says the problem is not solved yet")
        SATISFACTION = "satisfaction", _("How satisfied are you with the help?")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When its e-mail went out: claimed in the transaction that sends it, so a task
    # run twice (a worker killed mid-task, the task run again) sends it once.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for user {self.recipient_id} on thread {self.thread_id}"

    def get_absolute_url(self):
        if self.kind == self.Kind.SATISFACTION:  # straight to the question
            return reverse("community:satisfaction", kwargs={"pk": self.thread_id})
        if self.reply_id:
            return reverse("community:reply_permalink", kwargs={"pk": self.reply_id})
        return reverse("community:thread_detail_short", kwargs={"pk": self.thread_id})
