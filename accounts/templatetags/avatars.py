"""{% avatar member size %}: a member's picture, or their initial on a colour of
their own. Reads only fields of the user row already loaded: it never queries and
never draws an image per request (the initial is text, its colour a CSS class)."""

import zlib

from django import template

register = template.Library()

# Pixel sides of the sizes pages use: lists, posts, the profile.
SIZES = {"small": 24, "medium": 40, "large": 64}
# The number of background tones in the style sheet (.avatar--tone-0 to -7), each
# dark enough for white text (WCAG AA).
TONES = 8


def avatar_tone(username: str) -> int:
    """The same tone for a username on every page, every process and every run."""
    return zlib.crc32(username.casefold().encode("utf-8")) % TONES


def avatar_initial(person) -> str:
    name = (person.public_name or person.username or "?").strip()
    for character in name:
        if character.isalnum():
            return character.upper()
    return name[:1].upper() or "?"


@register.inclusion_tag("components/avatar.html")
def avatar(person, size: str = "medium"):
    """Context for components/avatar.html: `person` is a user whose row is loaded
    (the selectors load authors with select_related); `size` small, medium or large."""
    size = size if size in SIZES else "medium"
    picture = person.avatar.url if getattr(person, "avatar", None) else ""
    return {
        "size": size,
        "pixels": SIZES[size],
        "picture": picture,
        "initial": "" if picture else avatar_initial(person),
        "tone": avatar_tone(person.username),
    }
