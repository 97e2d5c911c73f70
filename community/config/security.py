"""Response headers that limit what a page may load and run, and the brand stylesheet.

Every response gets a Content-Security-Policy and a Permissions-Policy (Django's
SecurityMiddleware adds nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and,
in production, HSTS). Two policies:

- PUBLIC_POLICY, for every page of ours: scripts and stylesheets only from our own
  static files, nothing inline. No nonce either: visitors' pages are rendered once
  and served to all of them from a shared cache (community.cache), so a nonce
  would be the same for everyone and protect nothing. The brand colours, which
  editors change, come from a stylesheet of their own (`brand_stylesheet`).
  Images may come from any https address: posts may show https images
  (community.markdown), and Wagtail's images are served from our own MEDIA_URL.
- ADMIN_POLICY, for the Wagtail admin and Django's admin: Wagtail 8's admin still
  writes inline scripts and styles and evaluates code (its modal choosers), so it
  needs 'unsafe-inline' and 'unsafe-eval'. It may be framed by our own pages,
  because Wagtail shows page previews in an iframe of /admin/…/preview/ (the page
  rendered there gets this policy, not the public one: see the middleware).

A view that sets its own policy keeps it (Wagtail serves documents and images
with "default-src 'none'"). The help widget's panel (community/embed) is the only
page any other site may frame: its view names the one listed origin that may, on
`response.frame_ancestors`, and gets the public policy with that origin alone.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from community.models import CommunitySettings

PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

ADMIN_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    # blob: for the previews of images chosen for upload; https: for embed thumbnails.
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'", "data:"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# The paths that get ADMIN_POLICY: Wagtail's admin (page previews included) and Django's.
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


PUBLIC_POLICY_HEADER = policy_header(PUBLIC_POLICY)
ADMIN_POLICY_HEADER = policy_header(ADMIN_POLICY)


def sign_in_provider_origins() -> list[str]:
    """The origins the sign-in buttons' POST may redirect the browser to.

    Chrome applies form-action to the redirects after a form's POST, and the
    "Sign in with…" button POSTs to allauth, which redirects to the OpenID
    Connect provider: its origin must be allowed. The provider set from the
    environment is known from its server URL (its authorization endpoint is
    expected on the same origin); one configured in the admin only is listed in
    OIDC_FORM_ACTION_ORIGINS.
    """
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    urls = [app.get("settings", {}).get("server_url", "") for app in apps]
    origins = []
    for url in [*urls, *settings.OIDC_FORM_ACTION_ORIGINS]:
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


@functools.cache
def public_policy_header(sign_in_origins: tuple[str, ...] = ()) -> str:
    """PUBLIC_POLICY's header, its form-action also allowing the sign-in providers
    (`sign_in_provider_origins`); made once per set of origins."""
    form_action = [*PUBLIC_POLICY["form-action"], *sign_in_origins]
    return policy_header({**PUBLIC_POLICY, "form-action": form_action})


def policy_for_path(path: str) -> str:
    if path.startswith(ADMIN_PATH_PREFIXES):
        return ADMIN_POLICY_HEADER
    # Read from the settings on each response, so that a provider's settings
    # changed while the process runs (the tests') are honoured.
    return public_policy_header(tuple(sign_in_provider_origins()))


def policy_for_response(path: str, frame_ancestors: list[str] | None) -> str:
    """The policy for the path; a page that names the origins that may frame it (the
    help widget's panel, community/embed) gets the public policy with those alone."""
    if frame_ancestors and not path.startswith(ADMIN_PATH_PREFIXES):
        return policy_header({**PUBLIC_POLICY, "frame-ancestors": list(frame_ancestors)})
    return policy_for_path(path)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy for the path and the Permissions-Policy.

    It sits outside every cache of ours, so a visitor's cached page gets the same
    headers as a freshly rendered one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "is_dummy", False):
            # Wagtail renders a page preview by running a copy of the request, for the
            # page's public address, through the middleware again. Its response is
            # then served by the admin's preview view: that request's pass through
            # here gives it the admin policy, which lets the editor frame it.
            return response
        response.headers.setdefault(
            "Content-Security-Policy",
            policy_for_response(request.path_info, getattr(response, "frame_ancestors", None)),
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# The brand colours ---------------------------------------------------------------

# The stylesheet's address carries the colours it holds (?v=, templates/base.html), so a
# page always asks for the colours it was rendered with and an editor's change
# shows at once; the short life only bounds what a deploy that changes how the
# variants are computed could leave in browsers.
BRAND_STYLESHEET_SECONDS = 300


@require_safe
def brand_stylesheet(request):
    """The editor's brand colour and its variants as custom properties, for the
    pages' `<link rel="stylesheet">` (an inline <style> would need 'unsafe-inline').

    brand_palette only ever gives plain hex colours, so nothing else reaches the CSS.
    """
    palette = CommunitySettings.load(request).brand_palette
    css = (
        ":root {\n"
        f"  --color-brand: {palette['brand']};\n"
        f"  --color-brand-strong: {palette['strong']};\n"
        f"  --color-brand-soft: {palette['soft']};\n"
        "}\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={BRAND_STYLESHEET_SECONDS}"
    return response
