"""The demo's content, read once from the TOML files in data/.

The names here are what the rest of the demo (and its tests) read; the files
say what each entry means. Every string is stripped: TOML's multi-line strings
open and close with line breaks that belong to the file's layout, not to the
text a member would have typed.
"""

import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> dict:
    """The content of data/<name>.toml, its strings stripped."""
    with (DATA / f"{name}.toml").open("rb") as file:
        return _stripped(tomllib.load(file))


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_stripped(item) for item in value]
    if isinstance(value, dict):
        return {key: _stripped(item) for key, item in value.items()}
    return value


_accounts = read("accounts")
DEMO_PASSWORD: str = _accounts["password"]
EMAIL_DOMAIN: str = _accounts["email_domain"]
ACCOUNTS: list[dict] = _accounts["accounts"]
# The account that speaks for the brand in every story: its replies are the
# official ones, and it recommends replies, marks solutions and claims threads.
MODERATOR = "moderator"

CATEGORIES: list[dict] = read("categories")["categories"]
THREADS: list[dict] = read("threads")["threads"]

_pages = read("pages")
CONTENT_PAGES: list[dict] = _pages["content_pages"]
HOME_BODY: list[dict] = _pages["home"]["body"]

_help = read("help")
HELP_INDEX: dict = _help["help_index"]
HELP_ARTICLES: list[dict] = _help["help_articles"]

LEGAL_PAGES: list[dict] = read("legal")["legal_pages"]

# The French version of each page above, by the English page's slug.
FRENCH: dict = read("french")

ANNOUNCEMENTS: list[dict] = read("announcements")["announcements"]

_moderation = read("moderation")
CANNED_RESPONSES: list[dict] = _moderation["canned_responses"]
NEWCOMER: dict = _moderation["newcomer"]
SPAM_REPLY: dict = _moderation["spam_reply"]

_site = read("site")
SITE_COMMUNITY_NAME: str = _site["community_name"]
SITE_FOOTER_LINKS: list[dict] = _site["footer_links"]
SITE_CONTACT_CHANNELS: list[dict] = _site["contact_channels"]
SITE_FOOTER_LINKS_FR: list[dict] = _site["footer_links_fr"]
SITE_CONTACT_CHANNELS_FR: list[dict] = _site["contact_channels_fr"]
