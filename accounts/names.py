"""Names members of the public may not take, so that nobody passes for the brand.

A reply is official by a stored fact (the badge), but a reader also reads the
name beside it: "Camille from Maison Brio" or "Official reply · Relais" on a
member's post would borrow the brand's voice. So a member's display name may not
contain the community's or the site's name, nor the words of the brand's voice
(RESERVED_WORDS), nor be the name of one of the brand's staff accounts; a username
may not contain the reserved words or the community's name. Staff accounts may
use all of these (accounts.permissions.is_staff_account).

Names are compared by their skeleton (`skeleton()`): Unicode compatibility forms
folded (NFKC: fullwidth and mathematical letters become plain ones), case folded,
accents stripped, look-alike letters and digits of other scripts mapped to one
Latin letter (Cyrillic small o and the digit "0" to "o"; "1", "l" and "i" to
one), and everything that is not a letter dropped, so that spaces, dots, dashes
or emoji between the letters change nothing ("O.f.f.i.c.i.a.l", fullwidth
"STAFF", "Moderator" with a Cyrillic o).
The price is a few innocent names refused (a "Badminton fan" holds "admin"): the
member is told which word to leave out and picks another name.
"""

import unicodedata

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Words of the brand's voice, in the site's languages; compared by skeleton, so
# "Modérateur" and "ADMIN" are covered by these.
RESERVED_WORDS = (
    "official",
    "officiel",
    "moderator",
    "moderateur",
    "moderatrice",
    "admin",
    "staff",
    "relais",
)

# A staff member's name is refused as a whole; when it is long enough to be
# distinctive (in letters of its skeleton), also inside a longer name.
STAFF_NAME_CONTAINED_MIN = 8
# A community name shorter than this (in letters) is refused as a whole name only.
SITE_NAME_CONTAINED_MIN = 3

# Letters of other scripts, and digits and signs, that read as a Latin letter; each
# maps to one representative of its look-alike class (i, l, 1 and | are one class).
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a",  # cyrillic small letter a
        "\u0432": "b",  # cyrillic small letter ve
        "\u0441": "c",  # cyrillic small letter es
        "\u0501": "d",  # cyrillic small letter komi de
        "\u0435": "e",  # cyrillic small letter ie
        "\u0451": "e",  # cyrillic small letter io
        "\u04bb": "h",  # cyrillic small letter shha
        "\u0456": "l",  # cyrillic small letter byelorussian-ukrainian i
        "\u0457": "l",  # cyrillic small letter yi
        "\u04cf": "l",  # cyrillic small letter palochka
        "\u0458": "j",  # cyrillic small letter je
        "\u043a": "k",  # cyrillic small letter ka
        "\u043c": "m",  # cyrillic small letter em
        "\u043d": "h",  # cyrillic small letter en
        "\u043e": "o",  # cyrillic small letter o
        "\u0440": "p",  # cyrillic small letter er
        "\u051b": "q",  # cyrillic small letter qa
        "\u0455": "s",  # cyrillic small letter dze
        "\u0442": "t",  # cyrillic small letter te
        "\u0443": "y",  # cyrillic small letter u
        "\u051d": "w",  # cyrillic small letter we
        "\u0445": "x",  # cyrillic small letter ha
        # Greek
        "\u03b1": "a",  # greek small letter alpha
        "\u03b2": "b",  # greek small letter beta
        "\u03b5": "e",  # greek small letter epsilon
        "\u03b7": "n",  # greek small letter eta
        "\u03b9": "l",  # greek small letter iota
        "\u03ba": "k",  # greek small letter kappa
        "\u03bd": "v",  # greek small letter nu
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c4": "t",  # greek small letter tau
        "\u03c5": "u",  # greek small letter upsilon
        "\u03c7": "x",  # greek small letter chi
        "\u03f2": "c",  # greek lunate sigma symbol
        # Latin look-alikes, digits and signs
        "\u0131": "l",  # latin small letter dotless i
        "\u0269": "l",  # latin small letter iota
        "i": "l",
        "1": "l",
        "!": "l",
        "|": "l",
        "0": "o",
        "3": "e",
        "4": "a",
        "@": "a",
        "5": "s",
        "$": "s",
        "7": "t",
        "+": "t",
        "8": "b",
        "\u0261": "g",  # latin small letter script g
        "\u00f8": "o",  # latin small letter o with stroke
        "\u00f0": "d",  # latin small letter eth
        "\u0111": "d",  # latin small letter d with stroke
        "\u0127": "h",  # latin small letter h with stroke
        "\u0142": "l",  # latin small letter l with stroke
        "\u0140": "l",  # latin small letter l with middle dot
        "\u00e6": "ae",  # latin small letter ae
        "\u0153": "oe",  # latin small ligature oe
        "\u00fe": "p",  # latin small letter thorn
    }
)
# Pairs of letters that read as one.
_LIGATURES = (("rn", "m"), ("vv", "w"))


def skeleton(text: str) -> str:
    """What `text` looks like, for comparing names (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    stripped = "".join(
        char for char in unicodedata.normalize("NFD", folded) if not unicodedata.combining(char)
    )
    mapped = unicodedata.normalize("NFC", stripped).translate(_CONFUSABLES)
    letters = "".join(char for char in mapped if "a" <= char <= "z")
    for pair, single in _LIGATURES:
        letters = letters.replace(pair, single)
    return letters


def site_names() -> list[str]:
    """The names the brand's community goes by: the site's name and the community
    name editors set (looked up by name: the settings live in a higher app)."""
    names = [settings.WAGTAIL_SITE_NAME]
    try:
        community_settings = apps.get_model("community", "CommunitySettings")
    except LookupError:
        return names
    stored = (
        community_settings.objects.exclude(community_name="")
        .values_list("community_name", flat=True)
        .first()
    )
    if stored:
        names.append(stored)
    return names


def _staff_public_names(*, exclude_pk) -> list[str]:
    from accounts.models import User
    from accounts.roles import MODERATE_PERMISSION, STAFF_GROUPS

    app_label, codename = MODERATE_PERMISSION.split(".")
    staff = (
        User.objects.active()
        .filter(
            Q(is_superuser=True)
            | Q(is_staff=True)
            | Q(groups__name__in=STAFF_GROUPS)
            | Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
        )
        .exclude(pk=exclude_pk)
        .distinct()
        .values_list("display_name", "username")
    )
    return [display_name or username for display_name, username in staff]


def _contains(name_skeleton: str, reserved: str, *, contained_min: int) -> bool:
    reserved_skeleton = skeleton(reserved)
    if not reserved_skeleton:
        return False
    if len(reserved_skeleton) < contained_min:
        return name_skeleton == reserved_skeleton
    return reserved_skeleton in name_skeleton


def _reserved_word_in(name_skeleton: str) -> str | None:
    for word in RESERVED_WORDS:
        if skeleton(word) in name_skeleton:
            return word
    for site_name in site_names():
        if _contains(name_skeleton, site_name, contained_min=SITE_NAME_CONTAINED_MIN):
            return site_name
    return None


def check_display_name(name: str, *, user=None) -> None:
    """Refuse a display name that imitates the brand, unless `user` (None for
    someone signing up) is a staff account."""
    from accounts.permissions import is_staff_account

    if not name or is_staff_account(user):
        return
    name_skeleton = skeleton(name)
    if not name_skeleton:
        return
    reserved = _reserved_word_in(name_skeleton)
    if reserved:
        raise ValidationError(
            _(
                "Display names may not contain “%(word)s”: it is kept for the "
                "brand's staff. Choose another name."
            ),
            code="reserved_display_name",
            params={"word": reserved},
        )
    pk = getattr(user, "pk", None)
    for staff_name in _staff_public_names(exclude_pk=pk):
        if _contains(name_skeleton, staff_name, contained_min=STAFF_NAME_CONTAINED_MIN):
            raise ValidationError(
                _(
                    "This name is too close to the name of one of the brand's staff. "
                    "Choose another name."
                ),
                code="staff_display_name",
            )


def check_username(username: str) -> None:
    """Refuse a username (a public handle, shown on profiles) that holds a reserved
    word or the community's name; usernames are chosen at sign-up, by the public."""
    reserved = _reserved_word_in(skeleton(username))
    if reserved:
        raise ValidationError(
            _("Usernames may not contain “%(word)s”: it is kept for the brand's staff."),
            code="reserved_username",
            params={"word": reserved},
        )
