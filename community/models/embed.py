"""The embeddable help widget: which sites may show it, and how it is used.

A brand pastes the widget's script into its own pages (community/embed); the
panel it opens is a page of ours in an iframe, which only the origins listed here
may frame. Each opening of the panel that searched is counted once (WidgetVisit),
with whether it ended in a question: the metrics page's deflection per origin.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

ORIGIN_MAX_LENGTH = 200


def normalize_origin(value: str) -> str:
    """`value` as a browser writes an origin ("https://shop.example.com", with a
    port only when it is not the scheme's default), or "" when it is not one.

    What browsers send in postMessage events and compare in frame-ancestors has no
    path, query, user or trailing slash: an address written with one is not an origin.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return ""
    if parts.username or parts.password or parts.query or parts.fragment:
        return ""
    if parts.path not in ("", "/") or len(value) > ORIGIN_MAX_LENGTH:
        return ""
    host = parts.hostname.lower()
    # A name or an address: never a pattern ("*.example.com" frames nothing).
    if not re.fullmatch(r"[a-z0-9.-]+|[0-9a-f:.]+", host):
        return ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    default_port = {"https": 443, "http": 80}[parts.scheme]
    suffix = f":{port}" if port and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"


def validate_origins(text: str) -> None:
    wrong = [line.strip() for line in text.splitlines() if line.strip()]
    wrong = [line for line in wrong if not normalize_origin(line)]
    if wrong:
        raise ValidationError(
            _(
                "Write one origin per line, such as https://shop.example.com (no path, "
                "no trailing slash). Not an origin: %(lines)s"
            ),
            params={"lines": ", ".join(wrong[:5])},
            code="origin",
        )


@register_setting(icon="globe")
class EmbedSettings(BaseGenericSetting):
    """Where the brand may embed the community's help widget."""

    allowed_origins = models.TextField(
        _("sites that may embed the widget"),
        blank=True,
        validators=[validate_origins],
        help_text=_(
            "One origin per line, such as https://shop.example.com or "
            "https://app.example.com:8443. Only these sites may show the help widget; "
            "every other site is refused, and every other page of the community stays "
            "impossible to frame."
        ),
    )

    panels = [
        HelpPanel(
            content=_(
                "Paste the widget's script tag into the brand's pages (the README shows "
                "it). The panel it opens runs on the community, so members stay signed "
                "in and their questions go through the same rules as on the site."
            )
        ),
        FieldPanel("allowed_origins"),
    ]

    class Meta:
        verbose_name = _("help widget")

    @cached_property
    def origins(self) -> list[str]:
        listed = (normalize_origin(line) for line in self.allowed_origins.splitlines())
        return list(dict.fromkeys(origin for origin in listed if origin))

    def allows(self, origin: str) -> bool:
        return bool(origin) and normalize_origin(origin) == origin and origin in self.origins


class WidgetVisit(models.Model):
    """One opening of the widget's panel on a brand's page that searched.

    Created at the panel's first search (an opening that never searched is not a
    search that ended without asking); `thread` is the question asked from it, if
    one was. The key is the panel's own random one, not tied to a member.
    """

    key = models.CharField(max_length=32, unique=True)
    origin = models.CharField(_("site"), max_length=ORIGIN_MAX_LENGTH)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    search_count = models.PositiveIntegerField(_("searches"), default=0)
    last_query = models.CharField(_("last search"), max_length=200, blank=True)
    thread = models.ForeignKey(
        "community.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question asked"),
    )

    class Meta:
        verbose_name = _("help widget visit")
        verbose_name_plural = _("help widget visits")
        indexes = [models.Index(fields=["started_at", "origin"], name="widget_visit_started")]

    def __str__(self):
        return f"{self.origin} {self.started_at:%Y-%m-%d %H:%M}"
