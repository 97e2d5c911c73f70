"""What members and staff change in the community: each write is one function.

Services take keyword-only arguments, re-check permissions, run in a transaction,
keep counters in step with the rows they count (promise 4), and send
notifications after commit. One module per subject; this package names them all,
so callers write `services.reply_create(...)`.
"""

from community.services.conversation import (
    follow_up_due_at,
    resolution_check_ask,
    thread_refresh_conversation,
    threads_refresh_conversation,
)
from community.services.counters import thread_recount, thread_refresh_replies
from community.services.editing import edit_apply, reply_edit, thread_edit
from community.services.embed import widget_question_record, widget_search_record
from community.services.follows import category_set_follow, tag_set_follow
from community.services.help import deflection_record, help_article_record_feedback
from community.services.inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_mark_thread_read,
)
from community.services.marks import (
    reply_set_helpful,
    thread_set_follow,
    thread_set_me_too,
)
from community.services.pages import page_translation_publish
from community.services.posting import (
    MAX_TAGS,
    TAG_MAX_LENGTH,
    normalize_tags,
    reply_create,
    reply_publish,
    response_due_at,
    thread_create,
    thread_publish,
)
from community.services.resolution import resolution_check_answer, resolution_checks_remind
from community.services.satisfaction import (
    satisfaction_answer,
    satisfaction_ask,
    satisfaction_ask_closed,
)
from community.services.solutions import reply_set_recommended, thread_accept_reply
from community.services.translations import translation_ensure
from community.services.visibility import post_hide, post_restore
from community.services.webhooks import webhook_delivery_resend, webhook_subscription_resume

__all__ = [
    "MAX_TAGS",
    "TAG_MAX_LENGTH",
    "category_set_follow",
    "deflection_record",
    "edit_apply",
    "follow_up_due_at",
    "help_article_record_feedback",
    "normalize_tags",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notifications_mark_thread_read",
    "page_translation_publish",
    "post_hide",
    "post_restore",
    "reply_create",
    "reply_edit",
    "reply_publish",
    "reply_set_helpful",
    "reply_set_recommended",
    "resolution_check_answer",
    "resolution_check_ask",
    "resolution_checks_remind",
    "response_due_at",
    "satisfaction_answer",
    "satisfaction_ask",
    "satisfaction_ask_closed",
    "tag_set_follow",
    "thread_accept_reply",
    "thread_create",
    "thread_edit",
    "thread_publish",
    "thread_recount",
    "thread_refresh_conversation",
    "thread_refresh_replies",
    "thread_set_follow",
    "thread_set_me_too",
    "threads_refresh_conversation",
    "translation_ensure",
    "webhook_delivery_resend",
    "webhook_subscription_resume",
    "widget_question_record",
    "widget_search_record",
]
