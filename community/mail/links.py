"""What every e-mail the site writes needs: links that work outside the site, and
headers that cannot hold a line break."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def one_line(text: str) -> str:
    # Titles never hold line breaks, but a header must not even be able to.
    return " ".join(str(text).split())
