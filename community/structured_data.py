"""schema.org data that tells search engines what a thread page holds.

A thread that has an answer (an accepted solution, an official reply or a reply
from anyone but the asker) is a QAPage; one that has none yet is a discussion
(Google's DiscussionForumPosting), the asker's own follow-ups as its comments.
The asker's replies (a "thanks, that worked") are never offered as answers.

Built as a dict from rows the page has already read (no query of its own), then
serialised as JSON with "<", ">" and "&" escaped, so that nothing a member writes
can close the <script> element it stands in. Only visible posts ever appear.
"""

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from community.markdown import plain_text
from community.models import Reply, Thread, Visibility

# suggestedAnswer lists the replies the page shows, the featured ones first; a page
# shows at most thread_selectors.REPLIES_PER_PAGE of them, and this bound holds whatever
# the number of staff recommendations.
SUGGESTED_ANSWERS_LIMIT = 50

# The characters that could end the script element or start markup, as JSON escapes
# (the same ones as django.utils.html.json_script).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _person(user, request) -> dict:
    person = {"@type": "Person", "name": user.public_name}
    if user.is_active:  # inactive members have no public profile
        person["url"] = request.build_absolute_uri(user.get_absolute_url())
    return person


def _answer(reply: Reply, *, url: str, request, language: str) -> dict:
    return {
        "@type": "Answer",
        "text": plain_text(reply.body_html),
        "inLanguage": language,
        "dateCreated": reply.created_at,
        "datePublished": reply.created_at,
        "url": url,
        "upvoteCount": reply.helpful_count,
        "author": _person(reply.author, request),
    }


def _comment(reply: Reply, *, url: str, request, language: str) -> dict:
    return {
        "@type": "Comment",
        "text": plain_text(reply.body_html),
        "inLanguage": language,
        "datePublished": reply.created_at,
        "url": url,
        "author": _person(reply.author, request),
    }


def thread_structured_data(
    *,
    thread: Thread,
    replies: Iterable[Reply],
    featured: Iterable[Reply],
    page_url: str,
    request,
    language: str,
) -> dict | None:
    """The thread page's schema.org data, or None for a thread that is not public.

    `replies` are the replies this page shows and `featured` the solution and staff
    recommendations shown under the question (both with their authors loaded);
    hidden and pending ones, which moderators and authors also see, are left out.
    A reply on this page is addressed by its anchor, any other by its permalink.
    upvoteCount is the question's "me too" count and each answer's helpful count.
    `language` is the page's language (its <html lang>); the question and its
    answers say the thread's own, which members write in whatever the interface.
    """
    if thread.visibility != Visibility.VISIBLE:
        return None
    on_page = [reply for reply in replies if reply.visibility == Visibility.VISIBLE]
    on_page_ids = {reply.pk for reply in on_page}

    def url_of(reply: Reply) -> str:
        if reply.pk in on_page_ids:
            return f"{page_url}#reply-{reply.pk}"
        return request.build_absolute_uri(reply.get_absolute_url())

    shown: dict[int, Reply] = {}
    for reply in [*featured, *on_page]:
        if reply.visibility == Visibility.VISIBLE:
            shown.setdefault(reply.pk, reply)
    # Answers come from others: the asker's own replies are follow-ups.
    answers = {pk: reply for pk, reply in shown.items() if reply.author_id != thread.author_id}
    if not answers:
        own = [reply for reply in on_page if reply.author_id == thread.author_id]
        return _discussion(
            thread, own, url_of=url_of, page_url=page_url, request=request, language=language
        )
    accepted = answers.pop(thread.solution_id, None) if thread.solution_id else None
    suggested = list(answers.values())[:SUGGESTED_ANSWERS_LIMIT]

    question = {
        "@type": "Question",
        "name": thread.title,
        "text": plain_text(thread.body_html),
        "dateCreated": thread.created_at,
        "datePublished": thread.created_at,
        "inLanguage": thread.language,
        "author": _person(thread.author, request),
        "answerCount": thread.reply_count,
        "upvoteCount": thread.me_too_count,
    }
    if accepted is not None:
        question["acceptedAnswer"] = _answer(
            accepted, url=url_of(accepted), request=request, language=thread.language
        )
    if suggested:
        question["suggestedAnswer"] = [
            _answer(reply, url=url_of(reply), request=request, language=thread.language)
            for reply in suggested
        ]
    return {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "inLanguage": language,
        "mainEntity": question,
    }


def _discussion(
    thread: Thread, own: list[Reply], *, url_of, page_url: str, request, language: str
) -> dict:
    """A question nobody has answered yet, as a forum post with its replies counted
    and the asker's own follow-ups on this page as comments."""
    data = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "mainEntityOfPage": page_url,
        "url": page_url,
        "headline": thread.title,
        "text": plain_text(thread.body_html),
        "datePublished": thread.created_at,
        "inLanguage": thread.language,
        "author": _person(thread.author, request),
        "interactionStatistic": [
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/CommentAction",
                "userInteractionCount": thread.reply_count,
            },
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/LikeAction",
                "userInteractionCount": thread.me_too_count,
            },
        ],
    }
    if thread.edited_at:
        data["dateModified"] = thread.edited_at
    if own:
        data["comment"] = [
            _comment(reply, url=url_of(reply), request=request, language=thread.language)
            for reply in own[:SUGGESTED_ANSWERS_LIMIT]
        ]
    return data


def json_ld_script(data: dict | None) -> SafeString:
    """`data` in a <script type="application/ld+json"> element ("" for None)."""
    if data is None:
        return mark_safe("")
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = text.translate(_JSON_SCRIPT_ESCAPES)
    # Safe: the JSON holds no "<", ">" or "&" any more, so no markup and no end tag.
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
