"""What moderation keeps about a member, for their copy of their data: the
reports they sent (not what staff wrote about them, nor who handled them)."""

from moderation.models import Report


def member_reports_section(user) -> dict:
    """The member's own reports, one query."""
    return {
        "reports": [
            {
                "thread": row["thread_id"],
                "reply": row["reply_id"],
                "reason": row["reason"],
                "note": row["note"],
                "status": row["status"],
                "created_at": row["created_at"].isoformat(),
            }
            for row in Report.objects.filter(reporter=user)
            .order_by("created_at", "pk")
            .values("thread_id", "reply_id", "reason", "note", "status", "created_at")
        ]
    }
