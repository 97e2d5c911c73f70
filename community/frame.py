"""What the frame of every page shows alike, whoever reads it: the site settings,
the logo's image tag, the link-preview image, the footer and the categories.

Each is read once per content version in each process (community.cache.VersionMemo)
and then costs a signed-in page nothing: editors' and members' writes move the
version on, so the next page reads them again.
"""

from community.cache import VersionMemo

_shared = VersionMemo()

LOGO_RENDITION = "height-80"
# A preview image as large as link previews show (1200 by 630), never enlarged.
OG_IMAGE_RENDITION = "max-1200x630"


def shared(key, compute):
    """`compute()`, or what it returned for `key` at this content version."""
    return _shared.get(key, compute)


def logo_img(branding, *, alt: str):
    """The header's <img> of the brand's logo, None when editors set no logo."""
    logo = branding.logo

    def render():
        if logo is None:
            return None
        rendition = logo.get_rendition(LOGO_RENDITION)
        return rendition.img_tag({"alt": alt, "class": "site-header__logo"})

    return shared(("logo", branding.logo_id, str(alt)), render)


def og_image_path(branding) -> str:
    """The link-preview image's address on this site ("" without a logo)."""
    logo = branding.logo
    return shared(
        ("og-image", branding.logo_id),
        lambda: logo.get_rendition(OG_IMAGE_RENDITION).url if logo is not None else "",
    )
