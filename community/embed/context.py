"""What every panel page knows about where it is shown: the host page's origin (the
frame's only allowed ancestor), the language, the category, tag or page address
the host gave for suggestions, and the panel's visit key (for the metrics)."""

import re
import secrets
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import QueryDict

from community.models import Category, EmbedSettings

VISIT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
PAGE_ADDRESS_MAX_LENGTH = 500


def new_visit_key() -> str:
    return secrets.token_urlsafe(16)


def _slug(value: str) -> str:
    value = value.strip()[:100]
    return value if re.fullmatch(r"[-\w]+", value) else ""


@dataclass(frozen=True)
class EmbedContext:
    origin: str
    language: str = ""
    category: Category | None = None
    tag: str = ""
    page: str = ""
    visit: str = ""
    # The host page can hand a signed-in customer over (data-handoff-url).
    handoff: bool = False

    @classmethod
    def parse(cls, data: QueryDict, *, embed_settings: EmbedSettings) -> "EmbedContext | None":
        """The context from a panel request's parameters; None when the origin given is
        not one editors listed (the panel is then refused)."""
        # Exactly as browsers write it: "https://shop.example.com/" is not an origin.
        origin = data.get("origin", "")
        if not embed_settings.allows(origin):
            return None
        language = data.get("lang", "").strip().lower()[:8]
        offered = dict(settings.LANGUAGES)
        if language not in offered:
            language = language.split("-")[0]
        category_slug = _slug(data.get("category", ""))
        category = (
            Category.objects.originals().filter(slug=category_slug).first()
            if category_slug
            else None
        )
        page = data.get("page", "").strip()[:PAGE_ADDRESS_MAX_LENGTH]
        visit = data.get("visit", "")
        return cls(
            origin=origin,
            language=language if language in offered else "",
            category=category,
            tag=_slug(data.get("tag", "")).lower(),
            page=page if urlsplit(page).scheme in ("http", "https") else "",
            visit=visit if VISIT_KEY.match(visit) else "",
            handoff=data.get("handoff") == "1",
        )

    def with_visit(self) -> "EmbedContext":
        return self if self.visit else replace(self, visit=new_visit_key())

    @property
    def query(self) -> str:
        """The parameters every link and form of the panel carries on."""
        params = {
            "origin": self.origin,
            "lang": self.language,
            "category": self.category.slug if self.category else "",
            "tag": self.tag,
            "page": self.page,
            "visit": self.visit,
            "handoff": "1" if self.handoff else "",
        }
        return urlencode({name: value for name, value in params.items() if value})

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        """The same parameters as (name, value) pairs, for a form's hidden inputs."""
        return list(QueryDict(self.query).items())

    def page_words(self) -> str:
        """Words of the host page's address, for answers about the screen the customer
        is on: "/settings/bluetooth-pairing" gives "settings bluetooth pairing"."""
        path = urlsplit(self.page).path if self.page else ""
        return " ".join(word for word in re.split(r"[^\w]+|_", path) if len(word) > 2)
