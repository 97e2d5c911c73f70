"""Canned responses: prepared text for standard cases, personalised before posting.

Editors write the bodies in the Wagtail admin, so a body is data, never a
template: only the four documented placeholders are replaced, in one pass, and
nothing else in the text is interpreted (no str.format, no attribute lookups).
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.markdown import escape_markdown
from community.models import Thread
from moderation import permissions
from moderation.models import CANNED_PLACEHOLDERS, CannedResponse

# "{asker}|{thread_title}|…", escaped: a literal match of the placeholders, nothing more.
_PLACEHOLDER = re.compile("|".join(re.escape(placeholder) for placeholder in CANNED_PLACEHOLDERS))


def canned_fill(*, canned: CannedResponse, thread: Thread, staff) -> str:
    """The canned text with {asker}, {thread_title}, {category} and {staff_name} filled.

    Like str.replace for each placeholder, but in a single pass, so a value that
    itself contains a placeholder (an asker named "{staff_name}") stays as typed.
    Each value is inserted as escaped Markdown (community.markdown.escape_markdown):
    the posted reply shows it as typed, and it adds no markup of its own.
    """
    # The category's name in the response's own language: a French response names
    # "Machines à café", its English original "Coffee machines".
    with translation.override(canned.locale.language_code):
        category = thread.category.local_name
    # The values are text, not Markdown: a member named "[Refunds](https://…)"
    # or a title holding an image or an @mention must not put a link, a picture
    # or a notification into the brand's official reply.
    values = {
        "{asker}": escape_markdown(thread.author.public_name),
        "{thread_title}": escape_markdown(thread.title),
        "{category}": escape_markdown(category),
        "{staff_name}": escape_markdown(staff.public_name),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(0)], canned.body)


@transaction.atomic
def canned_use(*, moderator, canned: CannedResponse, thread: Thread) -> str:
    """Count one use of the response and return its text filled for the thread."""
    permissions.check_moderate(moderator)
    if canned.category_id is not None and canned.category_id != thread.category_id:
        raise ValidationError(
            _("This canned response is for another category."), code="wrong_category"
        )
    now = timezone.now()
    CannedResponse.objects.filter(pk=canned.pk).update(
        use_count=F("use_count") + 1, last_used_at=now
    )
    canned.last_used_at = now
    return canned_fill(canned=canned, thread=thread, staff=moderator)
