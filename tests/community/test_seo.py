"""What search engines and feed readers see: titles, descriptions, canonical and
OpenGraph tags (og:image included), the thread page's JSON-LD (QAPage or
DiscussionForumPosting), the sitemap, robots.txt and the
Atom feeds. Hidden and pending posts never reach any of them."""

import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from wagtail.images.models import Image as WagtailImage
from wagtail.images.tests.utils import get_test_image_file

from community import services
from community.models import CommunitySettings, Reply, Thread, Visibility
from community.sitemaps import ThreadSitemap
from tests.community.test_queries import assert_same_queries, queries
from tests.factories import (
    CategoryFactory,
    ModeratorFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def head_tag(content: str, pattern: str) -> str | None:
    """The content="…"/href="…" of the first <meta>/<link> in <head> matching `pattern`."""
    head = content.split("</head>", 1)[0]
    match = re.search(pattern + r'[^>]*?(?:content|href)="([^"]*)"', head)
    return unescape(match.group(1)) if match else None


def title_of(content: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", content, re.S).group(1)).strip()


def json_ld(content: str) -> dict | None:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert len(scripts) <= 1
    return json.loads(scripts[0]) if scripts else None


def get(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# Titles, descriptions, canonical and OpenGraph -------------------------------------------


def test_titles_are_unique_across_the_main_pages(client):
    category = CategoryFactory(slug="coffee", name="Coffee machines")
    thread = ThreadFactory(category=category, title="Grinder makes a loud noise")
    pages = ["/", "/community/", "/community/c/coffee/", thread.get_absolute_url()]
    pages.append(thread.author.get_absolute_url())

    titles = [title_of(get(client, path)) for path in pages]

    assert len(set(titles)) == len(titles), titles
    assert titles[0] == "Relais"
    assert titles[2] == "Coffee machines · Relais"
    assert titles[3] == "Grinder makes a loud noise · Relais"
    assert titles[4] == f"{thread.author.public_name} · Relais"


def test_thread_page_has_canonical_opengraph_twitter_and_a_description_from_its_body(client):
    thread = ThreadFactory(
        title="Kettle & lid",
        body="The **lid** won't close.\n\n" + "Details " * 60,
    )
    # A wrong slug and noise in the query do not change the canonical address.
    content = get(client, thread.get_absolute_url() + "?utm_source=x")
    canonical = f"http://testserver/community/t/{thread.pk}/{thread.slug}/"

    assert head_tag(content, r'<link rel="canonical"') == canonical
    assert head_tag(content, r'<meta property="og:url"') == canonical
    assert head_tag(content, r'<meta property="og:title"') == "Kettle & lid"
    assert head_tag(content, r'<meta property="og:type"') == "article"
    assert head_tag(content, r'<meta property="og:site_name"') == "Relais"
    assert head_tag(content, r'<meta name="twitter:card"') == "summary"
    description = head_tag(content, r'<meta name="description"')
    assert description.startswith("The lid won't close. Details Details")
    assert "**" not in description and "<" not in description
    assert len(description) <= 160
    assert head_tag(content, r'<meta property="og:description"') == description
    assert head_tag(content, r'<meta name="twitter:description"') == description


def test_list_canonical_keeps_page_tag_and_status_and_drops_the_sort(client):
    category = CategoryFactory(slug="coffee")
    for _ in range(31):
        ThreadFactory(category=category).tags.add("espresso")

    content = get(client, "/community/c/coffee/?sort=votes&page=2&tag=espresso&utm=1")
    first = get(client, "/community/?sort=newest&page=1")

    assert head_tag(content, r'<link rel="canonical"') == (
        "http://testserver/community/c/coffee/?tag=espresso&page=2"
    )
    assert head_tag(first, r'<link rel="canonical"') == "http://testserver/community/"
    assert title_of(content) != title_of(get(client, "/community/c/coffee/?tag=espresso"))


def test_list_pages_link_their_atom_feeds(client):
    category = CategoryFactory(slug="coffee")
    ThreadFactory(category=category).tags.add("espresso")

    everything = get(client, "/community/")
    one_category = get(client, "/community/c/coffee/")
    one_tag = get(client, "/community/?tag=espresso")

    feed_link = r'<link rel="alternate" type="application/atom\+xml"'
    assert head_tag(everything, feed_link) == "/community/feed/"
    assert head_tag(one_category, feed_link) == "/community/feed/c/coffee/"
    assert head_tag(one_tag, feed_link) == "/community/feed/tag/espresso/"


def test_wagtail_pages_use_their_search_description(client):
    from community.models import HomePage

    home = HomePage.objects.get()
    home.seo_title = "Relais help and community"
    home.search_description = "Answers from owners and from our team."
    home.save_revision().publish()

    content = get(client, "/")

    assert title_of(content) == "Relais help and community"
    assert (
        head_tag(content, r'<meta name="description"') == "Answers from owners and from our team."
    )
    assert head_tag(content, r'<meta property="og:title"') == "Relais help and community"
    assert head_tag(content, r'<link rel="canonical"') == "http://testserver/"


def test_other_pages_never_describe_themselves_with_hidden_posts(client):
    category = CategoryFactory(slug="coffee", description="")
    ThreadFactory(category=category, body="Secret pending words", visibility=Visibility.PENDING)
    ThreadFactory(category=category, body="Secret hidden words", visibility=Visibility.HIDDEN)

    for path in ("/", "/community/", "/community/c/coffee/"):
        head = get(client, path).split("</head>", 1)[0]
        assert "Secret" not in head, path


# The thread page's QAPage ------------------------------------------------------------------


@pytest.fixture
def answered_thread(member, other_member):
    """A thread with an accepted answer (2 helpful votes), an official reply, a peer
    reply, and a hidden and a pending reply that must never show."""
    thread = services.thread_create(
        author=other_member,
        category=CategoryFactory(),
        title="The coffee machine shows error E42",
        body="Since the *last* update.",
    )
    services.thread_set_me_too(user=member, thread=thread, me_too=True)
    accepted = services.reply_create(author=UserFactory(), thread=thread, body="Reset it.")
    for voter in (member, UserFactory()):
        services.reply_set_helpful(user=voter, reply=accepted, helpful=True)
    services.thread_accept_reply(user=other_member, thread=thread, reply=accepted)
    official = services.reply_create(author=ModeratorFactory(), thread=thread, body="We know.")
    peer = services.reply_create(author=member, thread=thread, body="Same here.")
    ReplyFactory(thread=thread, body="Hidden words", visibility=Visibility.HIDDEN)
    ReplyFactory(thread=thread, body="Pending words", visibility=Visibility.PENDING)
    thread.refresh_from_db()
    return thread, accepted, official, peer


def test_thread_json_ld_is_a_qapage_with_the_question_and_its_answers(client, answered_thread):
    thread, accepted, official, peer = answered_thread
    page = f"http://testserver{thread.get_absolute_url()}"

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "QAPage"
    assert data["inLanguage"] == "en"
    question = data["mainEntity"]
    assert set(question) == {
        "@type",
        "name",
        "text",
        "dateCreated",
        "datePublished",
        "inLanguage",
        "author",
        "answerCount",
        "upvoteCount",
        "acceptedAnswer",
        "suggestedAnswer",
    }
    assert question["@type"] == "Question"
    assert question["name"] == "The coffee machine shows error E42"
    assert question["text"] == "Since the last update."
    assert question["dateCreated"].startswith(thread.created_at.strftime("%Y-%m-%dT%H:%M"))
    assert question["author"] == {
        "@type": "Person",
        "name": thread.author.public_name,
        "url": f"http://testserver/u/{thread.author.username}/",
    }
    assert question["answerCount"] == 3 == thread.reply_count
    assert question["upvoteCount"] == 2 == thread.me_too_count  # the asker and `member`
    assert question["datePublished"] == question["dateCreated"]
    assert question["acceptedAnswer"] == {
        "@type": "Answer",
        "text": "Reset it.",
        "inLanguage": "en",
        "dateCreated": question["acceptedAnswer"]["dateCreated"],
        "datePublished": question["acceptedAnswer"]["dateCreated"],
        "url": f"{page}#reply-{accepted.pk}",
        "upvoteCount": 2,
        "author": {
            "@type": "Person",
            "name": accepted.author.public_name,
            "url": f"http://testserver/u/{accepted.author.username}/",
        },
    }
    suggested = question["suggestedAnswer"]
    assert [answer["text"] for answer in suggested] == ["We know.", "Same here."]
    assert [answer["url"] for answer in suggested] == [
        f"{page}#reply-{official.pk}",
        f"{page}#reply-{peer.pk}",
    ]
    assert all(answer["upvoteCount"] == 0 for answer in suggested)


@pytest.mark.parametrize("viewer", ["anonymous", "moderator"])
def test_thread_json_ld_never_carries_hidden_or_pending_replies(
    request, client, answered_thread, viewer
):
    thread, *_ = answered_thread
    if viewer == "moderator":
        client.force_login(request.getfixturevalue("moderator"))

    content = get(client, thread.get_absolute_url())
    data = json_ld(content)

    if viewer == "moderator":
        assert "Hidden words" in content  # moderators see them on the page…
    assert "Hidden words" not in json.dumps(data)  # …but never in the structured data
    assert "Pending words" not in json.dumps(data)
    assert len(data["mainEntity"]["suggestedAnswer"]) == 2


def test_hidden_accepted_answer_is_not_the_accepted_answer(client, answered_thread):
    thread, accepted, *_ = answered_thread
    Reply.objects.filter(pk=accepted.pk).update(visibility=Visibility.HIDDEN)

    question = json_ld(get(client, thread.get_absolute_url()))["mainEntity"]

    assert "acceptedAnswer" not in question
    assert "Reset it." not in json.dumps(question)


def test_pending_thread_seen_by_its_author_has_no_json_ld_and_is_noindex(member_client, member):
    thread = ThreadFactory(author=member, visibility=Visibility.PENDING)

    content = get(member_client, thread.get_absolute_url())

    assert json_ld(content) is None
    assert '<meta name="robots" content="noindex">' in content


def test_a_post_cannot_break_out_of_the_json_ld_script(client):
    attack = "</script><script>alert(1)</script>"
    thread = ThreadFactory(title=f"Title {attack}", body=f"Body `{attack}` {attack}")
    services.reply_create(author=UserFactory(), thread=thread, body=f"Reply {attack}")

    content = get(client, thread.get_absolute_url())

    assert "<script>alert(1)" not in content
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert "<" not in block.group(1) and ">" not in block.group(1)
    question = json_ld(content)["mainEntity"]
    assert question["name"] == f"Title {attack}"
    assert attack in question["text"]
    assert attack in question["suggestedAnswer"][0]["text"]


def test_featured_reply_on_another_page_is_addressed_by_its_permalink(client):
    moderator = ModeratorFactory()
    thread = ThreadFactory()
    first = services.reply_create(author=UserFactory(), thread=thread, body="First idea.")
    services.reply_set_recommended(moderator=moderator, reply=first, recommended=True)
    for number in range(50):
        ReplyFactory(thread=thread, body=f"Idea {number}")

    data = json_ld(get(client, f"{thread.get_absolute_url()}?page=2"))

    urls = {answer["text"]: answer["url"] for answer in data["mainEntity"]["suggestedAnswer"]}
    assert urls["First idea."] == f"http://testserver/community/r/{first.pk}/"
    assert urls["Idea 49"].endswith(
        f"{thread.get_absolute_url()}?page=2#reply-{thread.replies.last().pk}"
    )
    assert len(urls) == 2


def test_an_unanswered_thread_is_a_discussion_forum_posting_not_a_qapage(client):
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="The kettle whistles too early",
        body="Before the water *boils*.",
    )
    page = f"http://testserver{thread.get_absolute_url()}"

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@type"] == "DiscussionForumPosting"
    assert data["headline"] == "The kettle whistles too early"
    assert data["text"] == "Before the water boils."
    assert data["url"] == data["mainEntityOfPage"] == page
    assert data["inLanguage"] == "en"
    assert data["datePublished"].startswith(thread.created_at.strftime("%Y-%m-%dT%H:%M"))
    assert data["author"]["name"] == thread.author.public_name
    counters = {
        c["interactionType"]: c["userInteractionCount"] for c in data["interactionStatistic"]
    }
    assert counters == {"https://schema.org/CommentAction": 0, "https://schema.org/LikeAction": 1}
    assert "comment" not in data and "mainEntity" not in data


def test_the_askers_own_replies_are_comments_never_answers(client):
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="The toaster burns one side",
        body="Only the left slot.",
    )
    own = services.reply_create(author=thread.author, thread=thread, body="Any idea, anyone?")
    services.thread_accept_reply(user=thread.author, thread=thread, reply=own)

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@type"] == "DiscussionForumPosting"
    assert [comment["text"] for comment in data["comment"]] == ["Any idea, anyone?"]
    assert data["comment"][0]["@type"] == "Comment"
    assert "acceptedAnswer" not in json.dumps(data)


def test_a_thank_you_from_the_asker_is_left_out_of_the_answers(client, answered_thread):
    thread, *_ = answered_thread
    services.reply_create(author=thread.author, thread=thread, body="Thanks, that worked!")

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@type"] == "QAPage"
    question = data["mainEntity"]
    assert question["acceptedAnswer"]["text"] == "Reset it."
    assert [answer["text"] for answer in question["suggestedAnswer"]] == ["We know.", "Same here."]
    assert "Thanks, that worked!" not in json.dumps(data)


@pytest.mark.parametrize("answer", ["official", "peer"])
def test_one_answer_from_someone_else_makes_a_qapage(client, answer):
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="The grinder jams",
        body="With oily beans.",
    )
    author = ModeratorFactory() if answer == "official" else UserFactory()
    services.reply_create(author=author, thread=thread, body="Use dry beans.")

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@type"] == "QAPage"
    assert [a["text"] for a in data["mainEntity"]["suggestedAnswer"]] == ["Use dry beans."]


def test_structured_data_says_the_threads_language_for_its_posts(client, answered_thread):
    thread, *_ = answered_thread

    response = client.get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    french_page = json_ld(response.content.decode())

    # The page around it is French; what the members wrote is in the thread's language.
    assert french_page["inLanguage"] == "fr"
    question = french_page["mainEntity"]
    assert question["inLanguage"] == thread.language == "en"
    answers = [question["acceptedAnswer"], *question.get("suggestedAnswer", [])]
    assert {answer["inLanguage"] for answer in answers} == {"en"}


def test_a_french_discussion_says_french_on_an_english_page(client):
    thread = services.thread_create(
        author=UserFactory(),
        category=CategoryFactory(),
        title="La buse vapeur siffle",
        body="Depuis hier.",
        language="fr",
    )
    services.reply_create(author=thread.author, thread=thread, body="Et elle fuit.")

    data = json_ld(get(client, thread.get_absolute_url()))

    assert data["@type"] == "DiscussionForumPosting"
    assert data["inLanguage"] == "fr"
    assert [comment["inLanguage"] for comment in data["comment"]] == ["fr"]


def test_every_page_has_an_absolute_og_image_the_default_brand_image(client):
    thread = ThreadFactory()
    for path in ("/community/", thread.get_absolute_url()):
        image = head_tag(get(client, path), r'<meta property="og:image"')
        assert image == "http://testserver/static/img/og-default.png", path


def test_the_default_og_image_is_a_1200_by_630_png():
    with Image.open(Path(settings.BASE_DIR) / "static" / "img" / "og-default.png") as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_og_image_is_the_site_logo_when_editors_set_one(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    logo = WagtailImage.objects.create(
        title="Maison Brio", file=get_test_image_file(size=(1600, 900))
    )
    rules = CommunitySettings.load()
    rules.logo = logo
    rules.save(update_fields=["logo"])

    image = head_tag(get(client, "/community/"), r'<meta property="og:image"')

    assert image.startswith("http://testserver/")
    assert image.endswith(".png") and "og-default" not in image
    assert logo.renditions.filter(filter_spec="max-1200x630").exists()


# Sitemap and robots.txt ------------------------------------------------------------------------


def sitemap_locations(client, path) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_index_lists_pages_and_visible_threads_only(client):
    visible = ThreadFactory()
    hidden = ThreadFactory(visibility=Visibility.HIDDEN)
    pending = ThreadFactory(visibility=Visibility.PENDING)

    sections = sitemap_locations(client, "/sitemap.xml")
    threads = sitemap_locations(client, "/sitemap-threads.xml")
    lists = sitemap_locations(client, "/sitemap-lists.xml")

    assert sections == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-lists.xml",
        "http://testserver/sitemap-threads.xml",
    ]
    assert threads == [f"http://testserver{visible.get_absolute_url()}"]
    assert f"/t/{hidden.pk}/" not in str(threads) and f"/t/{pending.pk}/" not in str(threads)
    assert f"http://testserver{visible.category.get_absolute_url()}" in lists
    assert sitemap_locations(client, "/sitemap-pages.xml")  # the home page at least
    lastmod = ET.fromstring(client.get("/sitemap-threads.xml").content).find(
        f"{SITEMAP}url/{SITEMAP}lastmod"
    )
    assert lastmod.text == visible.last_activity_at.date().isoformat()


def test_sitemap_splits_threads_into_pages_past_the_limit(client, monkeypatch):
    monkeypatch.setattr(ThreadSitemap, "limit", 2)
    threads = [ThreadFactory() for _ in range(5)]

    sections = sitemap_locations(client, "/sitemap.xml")
    pages = [loc for loc in sections if "sitemap-threads.xml" in loc]
    listed = [
        loc
        for page in pages
        for loc in sitemap_locations(client, page.removeprefix("http://testserver"))
    ]

    assert pages == [
        "http://testserver/sitemap-threads.xml",
        "http://testserver/sitemap-threads.xml?p=2",
        "http://testserver/sitemap-threads.xml?p=3",
    ]
    assert listed == [f"http://testserver{thread.get_absolute_url()}" for thread in threads]
    assert client.get("/sitemap-threads.xml?p=4").status_code == 404


def test_sitemap_queries_are_constant_for_1_and_50_threads(client):
    category = CategoryFactory()
    ThreadFactory(category=category)
    paths = ["/sitemap.xml", "/sitemap-threads.xml", "/sitemap-lists.xml", "/sitemap-pages.xml"]
    for path in paths:
        queries(client, path)
    with_one = {path: queries(client, path)[0] for path in paths}
    for _ in range(49):
        ThreadFactory(category=category)
    for path in paths:
        with_fifty, content = queries(client, path)
        assert_same_queries(with_one[path], with_fifty, path)
    assert content.count("<url>") >= 1
    assert queries(client, "/sitemap-threads.xml")[1].count("<url>") == 50


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/admin/", "/django-admin/", "/moderation/", "/accounts/", "/community/search/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /community/" not in lines and "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# Atom feeds --------------------------------------------------------------------------------------


def feed_entries(client, path) -> list:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def entry_titles(client, path) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in feed_entries(client, path)]


def test_feed_lists_the_latest_visible_threads_newest_first(client):
    now = timezone.now()
    author = UserFactory(display_name="Ada Owner")
    old = ThreadFactory(title="Older question", created_at=now - timedelta(days=2))
    new = ThreadFactory(title="Newer question", author=author, body="Use **bold**", created_at=now)
    ThreadFactory(title="Hidden question", visibility=Visibility.HIDDEN)
    ThreadFactory(title="Pending question", visibility=Visibility.PENDING)

    entries = feed_entries(client, "/community/feed/")

    assert [entry.find(f"{ATOM}title").text for entry in entries] == [new.title, old.title]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver{new.get_absolute_url()}"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Ada Owner"
    assert "<strong>bold</strong>" in first.find(f"{ATOM}summary").text


def test_feed_keeps_to_thirty_threads(client):
    for _ in range(31):
        ThreadFactory()
    assert len(feed_entries(client, "/community/feed/")) == 30


def test_category_and_tag_feeds_list_only_their_threads(client):
    coffee, orders = CategoryFactory(slug="coffee"), CategoryFactory(slug="orders")
    espresso = ThreadFactory(category=coffee, title="Espresso too weak")
    espresso.tags.add("espresso")
    ThreadFactory(category=orders, title="Where is my parcel").tags.add("parcel")
    hidden = ThreadFactory(category=coffee, title="Hidden espresso", visibility=Visibility.HIDDEN)
    hidden.tags.add("espresso")

    assert entry_titles(client, "/community/feed/c/coffee/") == ["Espresso too weak"]
    assert entry_titles(client, "/community/feed/c/orders/") == ["Where is my parcel"]
    assert entry_titles(client, "/community/feed/tag/espresso/") == ["Espresso too weak"]
    assert entry_titles(client, "/community/feed/tag/parcel/") == ["Where is my parcel"]
    assert client.get("/community/feed/c/nothing/").status_code == 404
    assert client.get("/community/feed/tag/nothing/").status_code == 404


def test_feed_queries_are_constant_for_1_and_50_threads(client):
    category = CategoryFactory(slug="coffee")
    authors = [UserFactory(), ModeratorFactory()]

    def add(number):
        thread = ThreadFactory(category=category, author=authors[number % 2])
        thread.tags.add("espresso", f"tag-{number % 3}")

    add(0)
    paths = ["/community/feed/", "/community/feed/c/coffee/", "/community/feed/tag/espresso/"]
    for path in paths:
        queries(client, path)
    with_one = {path: queries(client, path)[0] for path in paths}
    for number in range(1, 50):
        add(number)
    for path in paths:
        with_fifty, content = queries(client, path)
        assert_same_queries(with_one[path], with_fifty, path)
        assert content.count("<entry>") == 30


# Query counts of the thread page with its structured data ---------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "moderator"])
def test_thread_page_queries_are_constant_with_structured_data(request, viewer):
    client = Client()
    if viewer == "moderator":
        client.force_login(request.getfixturevalue("moderator"))
    thread = ThreadFactory()
    staff = ModeratorFactory()
    first = services.reply_create(author=UserFactory(), thread=thread, body="First")
    services.thread_accept_reply(user=thread.author, thread=thread, reply=first)
    path = thread.get_absolute_url()
    queries(client, path)
    with_one, _ = queries(client, path)
    for number in range(49):
        reply = services.reply_create(
            author=staff if number % 5 == 0 else UserFactory(), thread=thread, body=f"Idea {number}"
        )
        if number % 4 == 0 and not reply.is_official:
            services.reply_set_recommended(moderator=staff, reply=reply, recommended=True)
    ReplyFactory(thread=thread, visibility=Visibility.HIDDEN)
    with_fifty, content = queries(client, path)

    assert_same_queries(with_one, with_fifty, path)
    assert len(json_ld(content)["mainEntity"]["suggestedAnswer"]) == 49
    assert Thread.objects.get(pk=thread.pk).reply_count == 50
