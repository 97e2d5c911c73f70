"""Following the conversation until the customer says it is solved: the moderator
replies officially, the member answers "Not yet" from the e-mail's link and the
thread is back in the moderator's queue as a follow-up; the moderator replies
again; the member says "Yes" on the thread page, picks the reply that solved it and
rates the help; the metrics show the reopen and the score. On a desktop in English,
on a phone, and in French."""

import re

import pytest
from playwright.sync_api import Page, expect

from community import services
from community.models import ResolutionCheck, Thread
from tests.factories import CategoryFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORDS = {
    "en-US": {
        "not_yet_confirm": "Not yet: tell the team",
        "looking_again": "the team will look again",
        "asked": "Did this solve your problem?",
        "yes": "Yes, it is solved",
        "which": "Which reply solved it?",
        "solved_it": "Camille\u2019s reply solved it",
        "solved": "Solved",
        "rate": "How satisfied are you with the help you got?",
        "comment": "Anything you want to tell the team? (optional)",
        "send": "Send",
        "thanks": "Thank you! Your answer goes to the team.",
    },
    "fr-FR": {
        "not_yet_confirm": "Pas encore : prévenir l\u2019équipe",
        "looking_again": "l\u2019équipe va regarder à nouveau",
        "asked": "Cela a-t-il résolu votre problème ?",
        "yes": "Oui, c\u2019est résolu",
        "which": "Quelle réponse l\u2019a résolu ?",
        "solved_it": "La réponse de Camille l\u2019a résolu",
        "solved": "Résolu",
        "rate": "Êtes-vous satisfait de l\u2019aide reçue ?",
        "comment": "Voulez-vous dire quelque chose à l\u2019équipe ? (facultatif)",
        "send": "Envoyer",
        "thanks": "Merci ! Votre réponse est transmise à l\u2019équipe.",
    },
}


def _link(mailoutbox, address: str, answer: str) -> str:
    """The path of the one-click `answer` in the latest e-mail asking `address`."""
    asked = [m for m in mailoutbox if address in m.to and "/community/resolution/" in m.body]
    assert asked, [message.subject for message in mailoutbox]
    label = "Not yet:" if answer == "not_yet" else "Yes, it is solved:"
    body = asked[-1].body
    if label not in body:  # the member reads in French
        label = "Pas encore :" if answer == "not_yet" else "Oui, c\u2019est résolu :"
    url = re.search(rf"{re.escape(label)} (\S+)", body).group(1)
    return "/" + url.split("/", 3)[3]


def _reply_officially(staff: Page, thread: Thread, text: str) -> None:
    staff.goto(thread.get_absolute_url())
    staff.get_by_role("textbox", name="Your reply").fill(text)
    staff.get_by_role("button", name="Post official reply").click()
    expect(staff.locator(".post--official").last).to_contain_text(text)


@pytest.mark.parametrize(
    ("mobile", "locale"),
    [(False, "en-US"), (True, "en-US"), (False, "fr-FR")],
    ids=["desktop", "phone", "french"],
)
def test_not_yet_from_the_email_then_solved_on_the_thread(
    browser_page, sign_in, mailoutbox, mobile, locale
):
    words = WORDS[locale]
    asker = UserFactory(
        username="oliver", display_name="Oliver Bennett", language=locale.split("-")[0]
    )
    thread = services.thread_create(
        author=asker,
        category=CategoryFactory(name="Coffee machines", slug="coffee-machines"),
        title="The grinder jams after cleaning",
        body="It stops after two seconds.",
    )
    moderator = ModeratorFactory(username="camille", display_name="Camille")
    staff = browser_page()
    sign_in(staff, moderator)
    _reply_officially(staff, thread, "Please run the cleaning cycle twice.")

    # The member answers from the e-mail, without signing in.
    member = browser_page(mobile=mobile, locale=locale)
    member.goto(_link(mailoutbox, asker.email, "not_yet"))
    member.get_by_role("button", name=words["not_yet_confirm"]).click()
    expect(member.get_by_test_id("resolution-link")).to_contain_text(words["looking_again"])

    staff.goto("/moderation/?stage=follow-up")
    row = staff.locator("tr", has=staff.get_by_role("link", name=thread.title))
    expect(row.get_by_test_id("queue-follow-up")).to_be_visible()
    _reply_officially(staff, thread, "Then the blade needs replacing: here is how.")
    staff.goto("/moderation/?stage=follow-up")
    expect(staff.get_by_role("link", name=thread.title)).to_have_count(0)

    sign_in(member, asker)
    member.goto(thread.get_absolute_url())
    panel = member.get_by_test_id("resolution-check")
    expect(panel).to_contain_text(words["asked"])
    panel.get_by_role("button", name=words["yes"]).click()
    panel = member.get_by_test_id("resolution-check")
    expect(panel).to_contain_text(words["which"])
    panel.get_by_role("button", name=words["solved_it"]).click()
    expect(member.locator("header.page-header .badge--solved")).to_contain_text(words["solved"])

    # Solved: the member is asked how satisfied they are, on the thread page.
    rating = member.get_by_test_id("satisfaction")
    expect(rating).to_contain_text(words["rate"])
    rating.get_by_label("4", exact=True).check()
    rating.get_by_label(words["comment"]).fill("The second answer did it.")
    rating.get_by_role("button", name=words["send"]).click()
    expect(member.locator(".message--success")).to_contain_text(words["thanks"])
    expect(member.get_by_test_id("satisfaction")).to_have_count(0)

    # The moderator reads the score on the thread, and the metrics count both.
    staff.goto(thread.get_absolute_url())
    expect(staff.get_by_test_id("satisfaction-answers")).to_contain_text(
        "The second answer did it."
    )
    staff.goto("/moderation/metrics/")
    section = staff.locator(
        "section", has=staff.get_by_role("heading", name="Following the conversation")
    )
    expect(section).to_contain_text("Reopened by the customer")
    expect(section).to_contain_text("1 of 1 thread")
    expect(section).to_contain_text("1 of 1 answer")

    thread.refresh_from_db()
    latest = ResolutionCheck.objects.filter(thread=thread).order_by("-asked_at").first()
    assert thread.solution_id == latest.reply_id
    assert list(
        ResolutionCheck.objects.filter(thread=thread)
        .order_by("asked_at")
        .values_list("answer", flat=True)
    ) == ["not_yet", "solved"]
    assert not Thread.objects.awaiting_brand().filter(pk=thread.pk).exists()
