"""What search engines read: the sitemap (an index of sections, each split into pages
of at most `limit` addresses) and robots.txt.

Sections: "pages" (the editors' live, public Wagtail pages), "lists" (all
discussions and each category) and "threads" (visible threads, newest activity as
lastmod). Hidden and pending threads are never listed.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Q
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import prepare_sitemaps
from wagtail.models import Page

from community.models import Category, Thread

ROBOTS_CACHE_SECONDS = 60 * 60

# Pages that are private, per visitor or endless combinations of a query.
ROBOTS_DISALLOW = [
    "/admin/",
    "/django-admin/",
    "/moderation/",
    "/accounts/",
    "/community/search/",
    "/community/ask/",
    "/community/notifications/",
]


class PageSitemap(WagtailSitemap):
    """Live, public Wagtail pages of the request's site, in every language: the
    default language's tree and its translations (the French pages under /fr/)."""

    def _site_pages(self):
        trees = Q()
        for root in self.get_wagtail_site().root_page.get_translations(inclusive=True):
            trees |= Q(path__startswith=root.path)
        return Page.objects.filter(trees).live().public()

    def items(self):
        return self._site_pages().order_by("path").defer_streamfields().specific()

    def get_latest_lastmod(self):
        # Wagtail's default reads every page; one aggregate does.
        return self._site_pages().aggregate(latest=Max("last_published_at"))["latest"]


class ListSitemap(Sitemap):
    """All discussions and each category's list."""

    def items(self):
        return [None, *Category.objects.originals().order_by("position", "name").only("slug")]

    def location(self, category):
        return category.get_absolute_url() if category else reverse("community:thread_list")


class ThreadSitemap(Sitemap):
    """Visible threads, oldest first so that a thread keeps its sitemap page."""

    # A sitemap file holds at most 50,000 addresses; past that the index lists more pages.
    limit = 50_000

    def items(self):
        return Thread.objects.visible().only("pk", "slug", "last_activity_at").order_by("pk")

    def location(self, thread):
        return thread.get_absolute_url()

    def lastmod(self, thread):
        return thread.last_activity_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_activity_at"))["latest"]


# Not cached: a thread a moderator hides leaves the sitemap at once (each file costs a
# handful of queries whatever its size).
SITEMAPS = {"pages": PageSitemap, "lists": ListSitemap, "threads": ThreadSitemap}


@require_GET
def sitemap_index(request):
    return sitemap_views.index(
        request, prepare_sitemaps(request, SITEMAPS), sitemap_url_name="sitemap_section"
    )


@require_GET
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, prepare_sitemaps(request, SITEMAPS), section=section)


@require_GET
@cache_page(ROBOTS_CACHE_SECONDS)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
