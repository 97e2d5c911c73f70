"""Steps that several browser journeys take: following the e-mail confirmation link
and publishing the legal pages that sign-up asks the customer to accept."""

import re

from community.models import HomePage, LegalPage

CONFIRMATION_LINK = re.compile(r"https?://[^\s/]+/accounts/confirm-email/[^\s/]+/")


def confirmation_link(mailoutbox, address: str) -> str:
    """The link in the one confirmation e-mail sent to `address`."""
    messages = [message for message in mailoutbox if address in message.to]
    assert len(messages) == 1, [message.subject for message in mailoutbox]
    match = CONFIRMATION_LINK.search(messages[0].body)
    assert match, messages[0].body
    return match.group(0)


def publish_legal_pages() -> dict[str, LegalPage]:
    """The terms of use and the privacy policy, published under the home page."""
    home = HomePage.objects.get()
    pages = {}
    for kind, title in [("terms", "Terms of use"), ("privacy", "Privacy policy")]:
        page = LegalPage(kind=kind, title=title, slug=kind, body=f"<p>The {title.lower()}.</p>")
        home.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        pages[kind] = page
    return pages
