"""What the content editors own in the Wagtail admin: the home page, the
guidelines, the help centre, the legal pages, announcements, the site footer and
the logo.

Each is written only where nobody has yet (a page by its slug, an announcement
by its title, the footer while it is empty), so a second run never overwrites
an editor's work.
"""

from copy import deepcopy
from datetime import date, time, timedelta

from django.conf import settings
from django.core.files.images import ImageFile
from wagtail.images.models import Image
from wagtail.models import Locale
from wagtail.rich_text import RichText

from community import services
from community.config.demo.content import (
    ANNOUNCEMENTS,
    CONTENT_PAGES,
    DATA,
    FRENCH,
    HELP_ARTICLES,
    HELP_INDEX,
    HOME_BODY,
    LEGAL_PAGES,
    SITE_COMMUNITY_NAME,
    SITE_CONTACT_CHANNELS,
    SITE_CONTACT_CHANNELS_FR,
    SITE_FOOTER_LINKS,
    SITE_FOOTER_LINKS_FR,
)
from community.models import (
    Announcement,
    Category,
    CommunitySettings,
    ContentPage,
    EmbedSettings,
    Footer,
    HelpArticlePage,
    HelpIndexPage,
    HomePage,
    LegalPage,
    Thread,
)
from community.services import translation_ensure


def ensure_pages(home: HomePage) -> int:
    """Create the guidelines and the help centre if missing, and fill in the home page
    if no one has yet."""
    site_name = CommunitySettings.load().display_name
    pages, written = {}, 0
    for spec in CONTENT_PAGES:
        page = home.get_children().filter(slug=spec["slug"]).first()
        if page is None:
            page = ContentPage(
                title=spec["title"],
                slug=spec["slug"],
                intro=spec["intro"].format(site_name=site_name),
                body=spec["body"].format(**{f"{s}_id": p.pk for s, p in pages.items()}),
            )
            home.add_child(instance=page)
            page.save_revision().publish()
            written += 1
        pages[spec["slug"]] = page
    help_index, help_written = _ensure_help_centre(
        home, guidelines=pages["guidelines"], site_name=site_name
    )
    written += help_written
    # A revision means an editor (or an earlier run) has written the home page: keep it.
    if home.latest_revision_id is None:
        home.body = _home_body(help_id=help_index.pk)
        home.save_revision().publish()
        written += 1
    return written


def ensure_legal_pages(home: HomePage) -> int:
    """The privacy policy, terms of use and legal notice, each created only if no page
    of its kind exists yet (wherever an editor moved it)."""
    # The brand's name, which ensure_community_name has set by now.
    site_name = CommunitySettings.load().community_name or settings.WAGTAIL_SITE_NAME
    existing = set(LegalPage.objects.values_list("kind", flat=True))
    written = 0
    for spec in LEGAL_PAGES:
        if spec["kind"] in existing or home.get_children().filter(slug=spec["slug"]).exists():
            continue
        page = LegalPage(
            kind=spec["kind"],
            title=spec["title"],
            slug=spec["slug"],
            intro=spec["intro"].format(site_name=site_name),
            body=spec["body"].format(site_name=site_name),
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        written += 1
    return written


def ensure_french_pages(home: HomePage) -> int:
    """The French version of the home page, the guidelines, the help centre and its
    articles and the legal pages, each written as a Wagtail translation of the English
    page, only where that page has none yet (a translator's work is kept)."""
    site_name = CommunitySettings.load().display_name
    written = 0

    def translate(page, fields):
        nonlocal written
        if page is None:
            return None
        existing = page.get_translation_or_none(_french_locale())
        if existing is not None:
            return existing.specific
        written += 1
        return services.page_translation_publish(page=page, language="fr", fields=fields)

    french_home = home.get_translation_or_none(_french_locale())
    if french_home is None:
        # First the home page: the others are created beneath it. Its body is filled
        # in once the French help centre exists (the hero links to it).
        french_home = translate(home, {"title": FRENCH["home"]["title"]})
        home_body_due = True
    else:
        home_body_due = False
    pages = {}
    for slug, spec in FRENCH["content_pages"].items():
        page = home.get_children().filter(slug=slug).specific().first()
        pages[slug] = translate(
            page,
            {
                "title": spec["title"],
                "intro": spec["intro"].format(site_name=site_name),
                "body": spec["body"],
            },
        )
    index = home.get_children().type(HelpIndexPage).specific().first()
    guidelines = pages.get("guidelines")
    french_index = translate(
        index,
        {
            "title": FRENCH["help_index"]["title"],
            "intro": FRENCH["help_index"]["intro"].format(
                site_name=site_name, guidelines_id=guidelines.pk if guidelines else ""
            ),
        },
    )
    if index is not None:
        for slug, spec in FRENCH["help_articles"].items():
            article = index.get_children().filter(slug=slug).specific().first()
            translate(
                article,
                {
                    "title": spec["title"],
                    "summary": spec["summary"],
                    "body": [(block["type"], deepcopy(block["value"])) for block in spec["body"]],
                },
            )
    legal_site_name = CommunitySettings.load().community_name or settings.WAGTAIL_SITE_NAME
    for kind, spec in FRENCH["legal_pages"].items():
        page = LegalPage.objects.filter(kind=kind, locale__language_code="en").first()
        translate(
            page,
            {
                "title": spec["title"],
                "intro": spec["intro"].format(site_name=legal_site_name),
                "body": spec["body"].format(site_name=legal_site_name),
            },
        )
    if home_body_due and french_index is not None:
        # Read again: the copy in hand predates its children (its child count would
        # be saved back as none, and Wagtail would find no page under it).
        french_home = HomePage.objects.get(pk=french_home.pk)
        french_home.body = _french_home_body(home, help_id=french_index.pk)
        french_home.save_revision().publish()
    return written


def _french_locale():
    return Locale.objects.get(language_code="fr")


def _french_home_body(home: HomePage, *, help_id: int) -> list:
    """The English home page's sections, with the French hero and call to action."""
    texts = FRENCH["home"]
    body = []
    for block in home.specific.body:
        value = block.block.get_prep_value(block.value)
        if block.block_type == "hero":
            value["heading"] = texts["hero_heading"]
            value["text"] = texts["hero_text"].format(help_id=help_id)
        elif block.block_type == "call_to_action":
            value["heading"] = texts["cta_heading"]
            value["text"] = texts["cta_text"]
        body.append({"type": block.block_type, "value": value})
    return body


def _home_body(*, help_id: int) -> list:
    """The home page's blocks, with the two values only known now filled in."""
    body = []
    for block in HOME_BODY:
        value = dict(block["value"])
        if block["type"] == "hero":
            value["text"] = RichText(value["text"].format(help_id=help_id))
        elif block["type"] == "featured_threads":
            value["threads"] = _threads_by_title(value["threads"])
        body.append((block["type"], value))
    return body


def _threads_by_title(titles: list[str]) -> list[Thread]:
    """The threads with these titles, in this order; a missing one is left out."""
    by_title = {thread.title: thread for thread in Thread.objects.filter(title__in=titles)}
    return [by_title[title] for title in titles if title in by_title]


def _ensure_help_centre(home: HomePage, *, guidelines, site_name: str) -> tuple[HelpIndexPage, int]:
    """The help index and its articles, each created only if missing."""
    written = 0
    index = None
    for slug in (HELP_INDEX["slug"], HELP_INDEX["fallback_slug"]):
        page = home.get_children().filter(slug=slug).specific().first()
        if page is None or isinstance(page, HelpIndexPage):
            index = page
            break
    if index is None:
        index = HelpIndexPage(
            title=HELP_INDEX["title"],
            slug=slug,
            intro=HELP_INDEX["intro"].format(site_name=site_name, guidelines_id=guidelines.pk),
        )
        home.add_child(instance=index)
        index.save_revision().publish()
        written += 1
    categories = Category.objects.by_slug()
    for spec in HELP_ARTICLES:
        if index.get_children().filter(slug=spec["slug"]).exists():
            continue
        article = HelpArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            # A copy: StreamField writes block ids into the data it is handed, and the
            # content read from data/ must stay as read for the next run in this process.
            body=deepcopy(spec["body"]),
        )
        article.related_categories = [categories[slug] for slug in spec["categories"]]
        article.tags.add(*spec["tags"])
        index.add_child(instance=article)
        article.save_revision().publish()
        written += 1
    return index, written


def ensure_announcements(*, now) -> int:
    """The announcements missing, found by title, and their French translations."""
    written = 0
    for spec in ANNOUNCEMENTS:
        announcement = Announcement.objects.filter(
            title=spec["title"], locale__language_code=settings.LANGUAGE_CODE
        ).first()
        if announcement is None:
            ends_in_days = spec.get("ends_in_days")
            announcement = Announcement.objects.create(
                title=spec["title"],
                body=spec["body"],
                link_url=spec["link_url"],
                starts_at=now + timedelta(days=spec["starts_in_days"]),
                ends_at=now + timedelta(days=ends_in_days) if ends_in_days is not None else None,
            )
            announcement.save_revision()
            written += 1
        _french, translated = translation_ensure(
            original=announcement,
            language="fr",
            values={"title": spec["title_fr"], "body": spec["body_fr"]},
        )
        written += translated
    return written


DEMO_TIME_ZONE = "Europe/Paris"


def ensure_business_hours(*, now) -> int:
    """Maison Brio's customer care hours, where editors have set none: weekdays 9:00
    to 18:00 in Paris, closed over the holidays the announcement tells about (24 to 26
    December and 31 December to 1 January of the season to come or under way).
    Returns 1 when this run set them."""
    rules = CommunitySettings.load()
    if rules.opening_hours or rules.closed_days:
        return 0
    today = now.date()
    year = today.year if (today.month, today.day) >= (1, 3) else today.year - 1
    rules.time_zone = DEMO_TIME_ZONE
    rules.opening_hours = [
        ("period", {"weekday": str(day), "opens": time(9), "closes": time(18)}) for day in range(5)
    ]
    rules.closed_days = [
        (
            "closed",
            {
                "name": "Christmas",
                "first_day": date(year, 12, 24),
                "last_day": date(year, 12, 26),
            },
        ),
        (
            "closed",
            {
                "name": "New Year",
                "first_day": date(year, 12, 31),
                "last_day": date(year + 1, 1, 1),
            },
        ),
    ]
    rules.save(update_fields=["time_zone", "opening_hours", "closed_days"])
    return 1


def ensure_community_name() -> int:
    """Name the community after the brand (Maison Brio) unless an editor has named it:
    customers read the brand's name, not the software's."""
    rules = CommunitySettings.load()
    if rules.community_name:
        return 0
    rules.community_name = SITE_COMMUNITY_NAME
    rules.save(update_fields=["community_name"])
    return 1


# The pretend brand page of the local run (`make run`, community.config.embed_demo).
DEMO_WIDGET_ORIGINS = ("http://127.0.0.1:8001", "http://localhost:8001")


def ensure_widget_origins() -> int:
    """Let the local run's pretend brand page show the help widget, unless editors
    have listed the sites that may."""
    embed = EmbedSettings.load()
    if embed.allowed_origins.strip():
        return 0
    embed.allowed_origins = "\n".join(DEMO_WIDGET_ORIGINS)
    embed.save(update_fields=["allowed_origins"])
    return 1


def ensure_site_footer() -> int:
    """Maison Brio's footer links and contact channels, in English where editors have
    set none, and its French translation where there is none; counts the blocks
    written."""
    footer = Footer.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if footer is None:
        footer = Footer(locale=Locale.get_default())
    written, fields = 0, []
    if not footer.footer_links:
        footer.footer_links = _stream("link", SITE_FOOTER_LINKS)
        written += len(SITE_FOOTER_LINKS)
        fields.append("footer_links")
    if not footer.contact_channels:
        footer.contact_channels = _stream("channel", SITE_CONTACT_CHANNELS)
        written += len(SITE_CONTACT_CHANNELS)
        fields.append("contact_channels")
    if fields:
        footer.save()
    _french, translated = translation_ensure(
        original=footer,
        language="fr",
        values={
            "footer_links": _stream("link", SITE_FOOTER_LINKS_FR),
            "contact_channels": _stream("channel", SITE_CONTACT_CHANNELS_FR),
        },
    )
    if translated:
        written += len(SITE_FOOTER_LINKS_FR) + len(SITE_CONTACT_CHANNELS_FR)
    return written


def _stream(block_type: str, values: list[dict]) -> list[dict]:
    """StreamField data: one block of `block_type` for each value."""
    return [{"type": block_type, "value": value} for value in values]


LOGO_FILE = DATA / "maison-brio-logo.png"
LOGO_TITLE = "Maison Brio logo"


def ensure_site_logo() -> int:
    """Maison Brio's logo in the header: registered once as a Wagtail image (found
    again by its title) and set in the site settings only where editors have set
    none. Returns 1 when this run set it."""
    rules = CommunitySettings.load()
    if rules.logo_id:
        return 0
    logo = Image.objects.filter(title=LOGO_TITLE).first()
    if logo is None:
        with LOGO_FILE.open("rb") as file:
            logo = Image.objects.create(title=LOGO_TITLE, file=ImageFile(file, name=LOGO_FILE.name))
    rules.logo = logo
    rules.save(update_fields=["logo"])
    return 1
