"""Help centre feedback and questions answered before asking."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from community.models import (
    HELP_FEEDBACK_SESSION_KEY,
    Deflection,
    HelpArticlePage,
    Thread,
    Visibility,
)


@transaction.atomic
def help_article_record_feedback(*, article: HelpArticlePage, helpful: bool, session) -> bool:
    """Count a visitor's "was this helpful?" answer once per article and session.

    Answers True when it was counted, False for a second answer (a double submit).
    """
    given = list(session.get(HELP_FEEDBACK_SESSION_KEY, []))
    if article.pk in given:
        return False
    counter = "helpful_yes" if helpful else "helpful_no"
    HelpArticlePage.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    session[HELP_FEEDBACK_SESSION_KEY] = [*given, article.pk]
    return True


@transaction.atomic
def deflection_record(
    *, member, thread: Thread | None = None, help_article: HelpArticlePage | None = None
) -> bool:
    """A member about to ask says a suggested thread or article solved their problem.

    Counted once per member and answer: True when counted now, False when it was
    already (a double submit, or a second click).
    """
    if (thread is None) == (help_article is None):
        raise ValueError("Give a thread or a help article.")
    if thread is not None and thread.visibility != Visibility.VISIBLE:
        raise ValidationError(_("This discussion is not available."), code="not_visible")
    _deflection, created = Deflection.objects.get_or_create(
        member=member, thread=thread, help_article=help_article
    )
    return created
