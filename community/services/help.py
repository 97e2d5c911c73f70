"""Help centre feedback and questions answered before asking."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from community import permissions
from community.models import (
    Deflection,
    HelpArticlePage,
    HelpArticleVote,
    Thread,
    Visibility,
)


def _counter(helpful: bool) -> str:
    return "helpful_yes" if helpful else "helpful_no"


@transaction.atomic
def help_article_record_feedback(
    *, article: HelpArticlePage, helpful: bool, member=None, visitor: str | None = None
) -> bool:
    """Record a "was this helpful?" answer: one per article and voter, a signed-in
    `member` or a `visitor` (the id in the help centre's signed cookie).

    A voter who answers again changes their answer; the article's counts move with
    the row, so they always equal the rows. Answers True when the counts moved,
    False when the answer was already the one recorded (a double submit).
    """
    permissions.check_rate_help_article(member)
    if (member is None) == (not visitor):
        raise ValueError("Give a member or a visitor.")
    voter = {"member": member} if member is not None else {"visitor": visitor}
    articles = HelpArticlePage.objects.filter(pk=article.pk)
    try:
        with transaction.atomic():
            HelpArticleVote.objects.create(article=article, helpful=helpful, **voter)
    except IntegrityError:
        vote = HelpArticleVote.objects.select_for_update().get(article=article, **voter)
        if vote.helpful == helpful:
            return False
        vote.helpful = helpful
        vote.save(update_fields=["helpful"])
        new, old = _counter(helpful), _counter(not helpful)
        articles.update(**{new: F(new) + 1, old: Greatest(F(old) - 1, 0)})
        return True
    articles.update(**{_counter(helpful): F(_counter(helpful)) + 1})
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
