"""Which language a Wagtail page is written in, and its versions in the others.

Each language has its own page tree: the site's root page (English, the default)
and its translations (the French home page and everything under it). A page's
language is that of the tree it sits in, read from Wagtail's list of site root
paths, which Wagtail keeps in the cache: knowing it costs no query.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from wagtail.models import Page, Site


@dataclass(frozen=True)
class PageVersion:
    language: str
    url: str


def default_language() -> str:
    return settings.LANGUAGE_CODE


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def language_roots(site: Site) -> dict[str, str]:
    """The url_path of the site's root page in each language it has one in."""
    return {
        root.language_code: root.root_path
        for root in Site.get_site_root_paths()
        if root.site_id == site.pk
    }


def page_language(page: Page) -> str | None:
    """The language of the tree the page sits in; None outside every site."""
    for root in Site.get_site_root_paths():
        if page.url_path.startswith(root.root_path):
            return root.language_code
    return None


def live_translations(page: Page):
    """The page's other live versions, as plain pages (one query)."""
    return (
        Page.objects.live()
        .public()
        # An alias (a parent Wagtail copied untranslated) is no translation.
        .filter(translation_key=page.translation_key, alias_of__isnull=True)
        .exclude(pk=page.pk)
        .only("id", "url_path", "translation_key", "locale_id", "depth", "path")
    )


def translation_for_reader(page: Page, language: str) -> Page | None:
    """The page's live version in `language`, unless the page is in it already."""
    if page_language(page) == language:
        return None
    for candidate in live_translations(page):
        if page_language(candidate) == language:
            return candidate
    return None


def page_versions(page: Page, request=None) -> list[PageVersion]:
    """Every live version of the page (itself included) with its absolute address, in
    the order of the site's languages: what hreflang links list. One query."""
    versions = {page_language(page): page}
    for candidate in live_translations(page):
        versions.setdefault(page_language(candidate), candidate)
    return [
        PageVersion(language=language, url=versions[language].get_full_url(request))
        for language in content_languages()
        if language in versions
    ]


def in_language_tree(language: str) -> Q:
    """A filter for pages of the site trees in `language`: the root paths of the
    trees come from Wagtail's cached list, so the filter costs no query."""
    roots = [
        root.root_path for root in Site.get_site_root_paths() if root.language_code == language
    ]
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for root_path in roots:
        condition |= Q(url_path__startswith=root_path)
    return condition & Q(alias_of__isnull=True)


def in_reader_language(pages, language: str):
    """Of a QuerySet of pages, each one in `language` when it has a version there
    among them, else its default-language version: still one query (a subquery
    finds the translated ones)."""
    in_language = in_language_tree(language)
    if language == default_language():
        return pages.filter(in_language)
    translated = pages.filter(in_language).values("translation_key")
    return pages.filter(
        in_language | (in_language_tree(default_language()) & ~Q(translation_key__in=translated))
    )


def pages_for_reader(pages, language: str) -> list:
    """Each of `pages` (a list, in order) as its live version in `language` when it has
    one, else in the default language, else as it is; one page per translation. One
    query, whatever the number of pages: for lists and search results, which cannot
    filter by tree (a search backend filters on indexed fields only)."""
    pages = list(pages)
    if all(page_language(page) == language for page in pages):
        return pages
    wanted = [language, default_language()]
    versions = {}
    for version in (
        type(pages[0])
        ._default_manager.live()
        .filter(translation_key__in={page.translation_key for page in pages})
    ):
        versions.setdefault(version.translation_key, {})[page_language(version)] = version
    shown, seen = [], set()
    for page in pages:
        if page.translation_key in seen:
            continue
        seen.add(page.translation_key)
        by_language = versions.get(page.translation_key, {})
        shown.append(next((by_language[code] for code in wanted if code in by_language), page))
    return shown
