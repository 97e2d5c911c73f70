"""Notification e-mails are written in their recipient's language (subject, text and
HTML), whoever caused them and in whatever language that person reads."""

import pytest
from django.utils import translation

from community import services
from community.models import Notification
from community.notifications import notify
from tests.factories import ModeratorFactory, ReplyFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind

# What each kind says, in a few words of each language (the French titles sit
# between guillemets with no-break spaces, left out here).
SAYS = {
    Kind.REPLY: {"en": "replied to “", "fr": "a répondu à"},
    Kind.OFFICIAL_REPLY: {
        "en": "posted an official reply to",
        "fr": "a publié une réponse officielle",
    },
    Kind.SOLUTION: {"en": "” has a solution", "fr": "a une solution"},
    Kind.ACCEPTED: {"en": "was accepted as the solution", "fr": "a été acceptée comme solution"},
    Kind.RECOMMENDED: {"en": "was recommended — thank you!", "fr": "a été recommandée — merci"},
    Kind.MENTION: {"en": "mentioned you in", "fr": "vous a mentionné dans"},
    Kind.ASSIGNED: {"en": "asked you to answer", "fr": "vous demande de répondre à"},
    Kind.RESOLUTION_CHECK: {"en": "solve your problem?", "fr": "résolu votre problème"},
    Kind.NOT_YET: {"en": "is not solved yet", "fr": "pas encore résolu"},
}
FOOTER = {
    "en": ("Open it", "Stop these e-mails"),
    "fr": ("L\u2019ouvrir", "Arrêter ces e-mails"),
}
# "Did this solve your problem?" answers with two buttons instead of "Open it".
ANSWER_FOOTER = {
    "en": ("Yes, it is solved", "Not yet", "Read the reply", "Stop these e-mails"),
    "fr": ("Oui, c\u2019est résolu", "Pas encore", "Lire la réponse", "Arrêter ces e-mails"),
}
OTHER = {"en": "fr", "fr": "en"}


def mail_to(mailoutbox, member):
    messages = [message for message in mailoutbox if message.to == [member.email]]
    assert len(messages) == 1, [message.subject for message in mailoutbox]
    return messages[0]


def assert_written_in(message, kind: str, language: str, footer=FOOTER) -> None:
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert SAYS[kind][language] in message.subject
    assert SAYS[kind][OTHER[language]] not in message.subject
    for part in (message.body, html):
        assert SAYS[kind][language] in part
        for words in footer[language]:
            assert words in part
        for words in footer[OTHER[language]]:
            assert words not in part
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("kind", list(SAYS))
@pytest.mark.parametrize("request_language", ["en", "fr"])
def test_each_kind_of_notification_is_in_each_recipients_language(
    thread, mailoutbox, django_capture_on_commit_callbacks, kind, request_language
):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    actor = UserFactory()
    reply = ReplyFactory(thread=thread, author=actor)

    with translation.override(request_language), django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient_ids=[french.pk, english.pk],
            kind=kind,
            actor=actor,
            thread=thread,
            reply=reply,
        )

    assert_written_in(mail_to(mailoutbox, french), kind, "fr")
    assert_written_in(mail_to(mailoutbox, english), kind, "en")


def test_an_english_moderators_official_reply_reaches_a_french_asker_in_french(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    asker.language = "fr"
    asker.save(update_fields=["language"])
    moderator = ModeratorFactory(language="en")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=moderator, thread=thread, body="We are on it.")

    # The asker hears of it as the question whether it solved the problem.
    message = mail_to(mailoutbox, asker)
    assert_written_in(message, Kind.RESOLUTION_CHECK, "fr", footer=ANSWER_FOOTER)
    assert SAYS[Kind.OFFICIAL_REPLY]["fr"] in message.subject


def test_a_french_members_reply_reaches_an_english_asker_in_english(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    peer = UserFactory(language="fr")

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=peer, thread=thread, body="Pareil chez moi.")

    assert_written_in(mail_to(mailoutbox, asker), Kind.REPLY, "en")


def test_after_the_mails_the_callers_language_is_unchanged(
    asker, thread, mailoutbox, django_capture_on_commit_callbacks
):
    asker.language = "fr"
    asker.save(update_fields=["language"])

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.reply_create(author=UserFactory(), thread=thread, body="Same here.")
        assert translation.get_language() == "en"

    assert len(mailoutbox) == 1
