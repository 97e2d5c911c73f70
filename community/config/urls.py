import re

from django.conf import settings
from django.contrib import admin
from django.urls import URLResolver, include, path, re_path
from django.urls.resolvers import LocalePrefixPattern
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import limits as account_limits
from accounts import views as account_views
from community import page_views, sitemaps
from community import views as community_views
from community.config import security, views

# allauth answers its rate limits with the root URLconf's handler429: with Retry-After.
handler429 = "accounts.limits.handler429"
# A database or limit store that does not answer: 503 with Retry-After (views.server_error).
handler500 = "community.config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("brand.css", security.brand_stylesheet, name="brand_stylesheet"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    # The switcher also saves a signed-in member's choice on their account.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Every sign-in page draws on allauth's rate limits (accounts/limits.py); these
    # take the paths before the includes below that would otherwise answer them.
    path("accounts/login/", account_views.login),
    path("admin/login/", account_limits.wagtail_admin_login),
    path("admin/password_reset/", account_limits.wagtail_admin_password_reset),
    path("django-admin/login/", account_limits.django_admin_login),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    # The privacy policy, terms and legal notice by kind, wherever editors keep them.
    path("legal/<slug:kind>/", community_views.legal_page, name="legal_page"),
    path("community/", include("community.forum_urls")),
    path("u/", include("community.member_urls")),
    path("moderation/", include("moderation.urls")),
    path("api/v1/", include("community.api.urls")),
    path("embed/", include("community.embed.urls")),
    path("", include("accounts.urls")),
]

if (settings.SERVE_MEDIA or settings.MEDIA_SERVE_BY_APP) and settings.MEDIA_URL.startswith("/"):
    # Public media from the default storage (avatars, Wagtail's images): images
    # only, with safe headers (accounts/media.py). Off where a proxy serves the
    # media folder, or object storage its own URLs (MEDIA_SERVE_BY_APP=0).
    from accounts.media import public_media

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            public_media,
            name="public_media",
        )
    ]


class PageLanguagePrefix(LocalePrefixPattern):
    """Django's language prefix (an unprefixed address for the default language,
    /fr/... for French) that matches whatever language is active.

    Django's own prefix only matches the active language's, which its
    LocaleMiddleware sets from the address; here the reader's language may be French
    on an unprefixed (English) address, which must still reach its page. Reversing
    is Django's: Page.url and translate_url (the language switcher) give /fr/... in
    French and the bare address in English.
    """

    def match(self, path):
        for code, _name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE and path.startswith(f"{code}/"):
                return path.removeprefix(f"{code}/"), (), {}
        return path, (), {}


# Wagtail's page tree last: it answers every path nothing above claimed, in each
# language's tree (community.page_views.serve).
urlpatterns += [
    # Wagtail's own addresses (password-protected pages, the front-end sign-in).
    *(url for url in wagtail_urls.urlpatterns if url.name != "wagtail_serve"),
    URLResolver(
        PageLanguagePrefix(prefix_default_language=False),
        [re_path(wagtail_urls.serve_pattern, page_views.serve, name="wagtail_serve")],
    ),
]
