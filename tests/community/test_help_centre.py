"""Help centre: articles and their blocks, the "was this helpful?" counter, related
articles on thread pages, and the demo's help centre (issue 5, point 2)."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import help_selectors, services
from community.help_views import HELP_VOTER_COOKIE, HELP_VOTER_SALT
from community.models import HelpArticlePage, HelpIndexPage, HomePage
from tests.community.test_queries import assert_same_queries, queries
from tests.factories import CategoryFactory, ThreadFactory

pytestmark = pytest.mark.django_db

BODY = [
    {"type": "heading", "value": "Run the cycle"},
    {"type": "paragraph", "value": "<p>Scale builds up <b>fast</b>.</p>"},
    {"type": "steps", "value": ["Empty the tank.", "Add the descaler."]},
    {"type": "callout", "value": {"kind": "warning", "text": "<p>Never use vinegar.</p>"}},
]


@pytest.fixture
def help_index() -> HelpIndexPage:
    index = HelpIndexPage(title="Help centre", slug="help", intro="<p>Answers.</p>")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


def make_article(index, title, *, categories=(), tags=(), live=True, body=None, **fields):
    article = HelpArticlePage(
        title=title, summary=f"About {title.lower()}.", body=body or [], **fields
    )
    article.related_categories = list(categories)
    if tags:
        article.tags.add(*tags)
    index.add_child(instance=article)
    if live:
        article.save_revision().publish()
    else:
        HelpArticlePage.objects.filter(pk=article.pk).update(live=False)
        article.refresh_from_db()
    return article


@pytest.fixture
def article(help_index) -> HelpArticlePage:
    return make_article(help_index, "Descaling your Barista 3", body=BODY)


# Pages -------------------------------------------------------------------------------


def test_help_article_renders_its_blocks(client, article):
    response = client.get(article.url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h2" in content and "Run the cycle" in content
    assert "Scale builds up <b>fast</b>." in content
    assert '<ol class="help-steps"><li>Empty the tank.</li><li>Add the descaler.</li></ol>' in (
        content
    )
    assert "callout--warning" in content and "Never use vinegar." in content
    assert "Was this article helpful?" in content
    assert 'href="/help/"' in content  # breadcrumb to the index


def test_help_index_lists_live_articles_only(client, help_index):
    make_article(help_index, "Error codes")
    make_article(help_index, "Secret draft", live=False)

    content = client.get("/help/").content.decode()

    assert "Error codes" in content
    assert "Secret draft" not in content


def test_home_page_takes_help_index_and_content_pages():
    allowed = HomePage.allowed_subpage_models()

    assert HelpIndexPage in allowed
    assert HelpArticlePage not in allowed
    assert HelpArticlePage.allowed_parent_page_models() == [HelpIndexPage]


# Feedback ------------------------------------------------------------------------------


def feedback_url(article) -> str:
    return reverse("community:help_feedback", kwargs={"page_id": article.pk})


def with_voter_cookie(client, visitor="visitor-1"):
    """A browser that kept the help centre's signed voter cookie."""
    signer = signing.get_cookie_signer(salt=HELP_VOTER_COOKIE + HELP_VOTER_SALT)
    client.cookies[HELP_VOTER_COOKIE] = signer.sign(visitor)
    return client


def counts(article) -> tuple[int, int]:
    article.refresh_from_db()
    assert article.helpful_yes == article.votes.filter(helpful=True).count()
    assert article.helpful_no == article.votes.filter(helpful=False).count()
    return article.helpful_yes, article.helpful_no


def test_help_feedback_counts_once_per_visitor_and_may_change(client, article):
    with_voter_cookie(client)
    client.post(feedback_url(article), {"helpful": "yes"})
    client.post(feedback_url(article), {"helpful": "yes"})
    assert counts(article) == (1, 0)
    client.post(feedback_url(article), {"helpful": "no"})
    assert counts(article) == (0, 1)

    with_voter_cookie(Client(), "visitor-2").post(feedback_url(article), {"helpful": "no"})

    assert counts(article) == (0, 2)


def test_a_visitors_first_vote_counts_when_the_browser_comes_back_with_the_cookie(article):
    browser = Client()

    first = browser.post(feedback_url(article), {"helpful": "yes"})

    assert first.status_code == 307  # sent again, as a POST, with the cookie just set
    assert first["Location"] == feedback_url(article) + "?voter=new"
    assert HELP_VOTER_COOKIE in first.cookies
    assert first.cookies[HELP_VOTER_COOKIE]["httponly"]
    assert counts(article) == (0, 0)

    again = browser.post(first["Location"], {"helpful": "yes"})

    assert again.status_code == 302
    assert counts(article) == (1, 0)


def test_a_browser_votes_in_one_click_following_the_307(article):
    response = Client().post(feedback_url(article), {"helpful": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == article.url
    assert "Thanks for your feedback." in response.content.decode()
    assert counts(article) == (1, 0)


def test_cookieless_visitors_cannot_stuff_votes(article):
    for _ in range(10):
        refused_first = Client().post(feedback_url(article), {"helpful": "yes"})
        assert refused_first.status_code == 307
        # Coming back without the cookie it was given: refused, not counted.
        returned = Client().post(feedback_url(article) + "?voter=new", {"helpful": "yes"})
        assert returned.status_code == 400
    assert counts(article) == (0, 0)


def test_new_visitors_votes_are_limited_per_address_and_say_when_to_come_back(article, monkeypatch):
    """A client that keeps cookies could ask for a new one before every vote: from one
    address, 20 new visitors' votes an hour per article, then 429 with Retry-After."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    for n in range(20):
        browser = with_voter_cookie(Client(REMOTE_ADDR="203.0.113.5"), f"visitor-{n}")
        assert browser.post(feedback_url(article), {"helpful": "yes"}).status_code == 302
        now[0] += 60 if n == 0 else 1

    refused = with_voter_cookie(Client(REMOTE_ADDR="203.0.113.5"), "visitor-20").post(
        feedback_url(article), {"helpful": "yes"}
    )
    # A returning voter may still change their answer, and another address still votes.
    changed = with_voter_cookie(Client(REMOTE_ADDR="203.0.113.5"), "visitor-0").post(
        feedback_url(article), {"helpful": "no"}
    )
    elsewhere = with_voter_cookie(Client(REMOTE_ADDR="198.51.100.5"), "visitor-21").post(
        feedback_url(article), {"helpful": "yes"}
    )

    assert refused.status_code == 429
    # The first vote was cast 60 + 19 seconds ago: it leaves the hour in 3600 - 79 s.
    assert int(refused["Retry-After"]) == 3600 - 79
    assert changed.status_code == 302
    assert elsewhere.status_code == 302
    assert counts(article) == (20, 1)


def test_a_forged_voter_cookie_is_not_a_voter(article):
    browser = Client()
    browser.cookies[HELP_VOTER_COOKIE] = "visitor-1"  # unsigned

    response = browser.post(feedback_url(article), {"helpful": "yes"})

    assert response.status_code == 307
    assert counts(article) == (0, 0)


def test_a_member_votes_once_per_article_from_any_browser_and_may_change(member, article):
    first, second = Client(), Client()
    first.force_login(member)
    second.force_login(member)

    first.post(feedback_url(article), {"helpful": "yes"})
    second.post(feedback_url(article), {"helpful": "yes"})
    assert counts(article) == (1, 0)
    second.post(feedback_url(article), {"helpful": "no"})

    assert counts(article) == (0, 1)
    assert article.votes.get().member == member


def test_a_suspended_member_cannot_rate_an_article(member, member_client, article):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save(update_fields=["suspended_until"])

    response = member_client.post(feedback_url(article), {"helpful": "yes"})

    assert response.status_code == 403
    assert counts(article) == (0, 0)
    with pytest.raises(PermissionDenied):
        services.help_article_record_feedback(article=article, helpful=True, member=member)
    assert counts(article) == (0, 0)


def test_a_member_whose_suspension_ended_may_rate_again(member, member_client, article):
    member.suspended_until = timezone.now() - timedelta(minutes=1)
    member.save(update_fields=["suspended_until"])

    assert member_client.post(feedback_url(article), {"helpful": "yes"}).status_code == 302
    assert counts(article) == (1, 0)


def test_help_feedback_without_js_redirects_back_with_a_message(client, article):
    response = with_voter_cookie(client).post(
        feedback_url(article), {"helpful": "yes"}, follow=True
    )

    content = response.content.decode()
    assert response.redirect_chain[-1][0] == article.url
    assert "Thanks for your feedback." in content
    assert "Was this article helpful?" not in content  # answered: the form is gone


def test_help_feedback_answers_htmx_with_a_fragment(client, article):
    response = with_voter_cookie(client).post(
        feedback_url(article), {"helpful": "no"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Thanks for your feedback." in content
    assert "<html" not in content
    assert counts(article) == (0, 1)


def test_help_feedback_requires_csrf(article):
    client = with_voter_cookie(Client(enforce_csrf_checks=True))

    response = client.post(feedback_url(article), {"helpful": "yes"})

    assert response.status_code == 403
    assert counts(article) == (0, 0)


@pytest.mark.parametrize("data", [{}, {"helpful": "maybe"}])
def test_help_feedback_rejects_other_answers(client, article, data):
    assert with_voter_cookie(client).post(feedback_url(article), data).status_code == 400


def test_help_feedback_404_for_drafts_and_get_is_not_allowed(client, help_index, article):
    draft = make_article(help_index, "Draft", live=False)

    assert client.post(feedback_url(draft), {"helpful": "yes"}).status_code == 404
    assert client.get(feedback_url(article)).status_code == 405


def test_help_feedback_survives_publishing_a_revision(client, article):
    with_voter_cookie(client).post(feedback_url(article), {"helpful": "yes"})

    article.refresh_from_db()
    article.save_revision().publish()  # the revision was taken after the vote …
    stale = article.revisions.order_by("pk").first()  # … but an older one is stale
    stale.publish()

    assert counts(article) == (1, 0)


def test_help_article_record_feedback_service(article, member):
    assert services.help_article_record_feedback(article=article, helpful=True, member=member)
    assert not services.help_article_record_feedback(article=article, helpful=True, member=member)
    assert services.help_article_record_feedback(article=article, helpful=False, visitor="v-1")
    assert not services.help_article_record_feedback(article=article, helpful=False, visitor="v-1")
    assert services.help_article_record_feedback(article=article, helpful=False, member=member)

    assert counts(article) == (0, 2)
    with pytest.raises(ValueError):
        services.help_article_record_feedback(article=article, helpful=True)


# Related articles on thread pages -------------------------------------------------------


def test_related_help_articles_match_category_or_tag_both_first(help_index):
    coffee, blenders = CategoryFactory(), CategoryFactory()
    thread = ThreadFactory(category=coffee)
    thread.tags.add("descaling")
    by_tag = make_article(help_index, "A by tag", categories=[blenders], tags=["descaling"])
    both = make_article(help_index, "Z both", categories=[coffee], tags=["descaling"])
    by_category = make_article(help_index, "B by category", categories=[coffee])
    make_article(help_index, "C unrelated", categories=[blenders], tags=["other"])
    make_article(help_index, "D draft", categories=[coffee], live=False)

    related = help_selectors.related_help_articles(thread=thread)

    assert related == [both, by_tag, by_category]


def test_related_help_articles_are_at_most_three(help_index):
    coffee = CategoryFactory()
    thread = ThreadFactory(category=coffee)
    for number in range(5):
        make_article(help_index, f"Article {number}", categories=[coffee])

    assert len(help_selectors.related_help_articles(thread=thread)) == 3


def test_thread_page_shows_related_help_articles(client, help_index):
    thread = ThreadFactory()
    thread.tags.add("wifi")
    article = make_article(help_index, "Connecting the app", tags=["wifi"])
    make_article(help_index, "Draft about wifi", tags=["wifi"], live=False)

    content = client.get(thread.get_absolute_url()).content.decode()

    assert "Help articles that may answer this" in content
    assert f'href="{article.url}"' in content
    assert "Draft about wifi" not in content


def test_thread_page_without_related_articles_has_no_aside(client):
    thread = ThreadFactory()

    content = client.get(thread.get_absolute_url()).content.decode()

    assert "Help articles that may answer this" not in content


def test_thread_page_queries_stay_constant_with_related_articles(client, help_index):
    coffee = CategoryFactory()
    thread = ThreadFactory(category=coffee)
    thread.tags.add("descaling", "barista-3")
    make_article(help_index, "First", categories=[coffee], tags=["descaling"])
    path = thread.get_absolute_url()
    queries(client, path)  # warm caches
    with_one, _ = queries(client, path)

    for number in range(12):
        make_article(help_index, f"More {number}", categories=[coffee], tags=["barista-3"])
    with_many, content = queries(client, path)

    assert content.count('class="related-help__list"') == 1
    assert_same_queries(with_one, with_many, path)


# Demo -------------------------------------------------------------------------------------


def test_seed_demo_creates_the_help_centre(settings, client):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    index = HelpIndexPage.objects.get(locale__language_code="en")
    assert index.url == "/help/"
    articles = HelpArticlePage.objects.child_of(index).live()
    assert articles.count() == 5
    descaling = articles.get(slug="descaling-barista-3")
    assert set(descaling.tags.names()) >= {"barista-3", "descaling"}
    assert descaling.related_categories.filter(slug="coffee-machines").exists()
    thread = ThreadFactory._meta.model.objects.filter(tags__name="descaling").first()
    assert descaling in help_selectors.related_help_articles(thread=thread)
    assert "Descaling your Barista 3" in client.get("/help/").content.decode()


# Guidelines -------------------------------------------------------------------------------


def test_ask_and_reply_forms_link_the_guidelines(member_client):
    thread = ThreadFactory()

    ask = member_client.get(reverse("community:ask")).content.decode()
    thread_page = member_client.get(thread.get_absolute_url()).content.decode()

    form = ask[ask.index('action="/community/ask/"') :]
    assert 'href="/guidelines/"' in form[: form.index("</form>")]
    reply_form = thread_page[thread_page.index('id="reply-form"') :]
    assert 'href="/guidelines/"' in reply_form[: reply_form.index("</form>")]
