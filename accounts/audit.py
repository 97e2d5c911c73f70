"""The account actions written to Wagtail's audit log, and how the admin shows them.

A member's own privacy requests (a copy of their data, closing their account) are
logged like moderation actions: who, when, what. The services import the names
from here; accounts/wagtail_hooks.py only registers how they display.
"""

from django.utils.translation import gettext_lazy as _

DATA_EXPORT = "relais.account.data_export"
ACCOUNT_CLOSE = "relais.account.close"
HANDOFF_JOIN = "relais.account.handoff_join"
HANDOFF_LINK = "relais.account.handoff_link"

ACTIONS = (
    (DATA_EXPORT, _("Download own data"), _("Member downloaded a copy of their data")),
    (ACCOUNT_CLOSE, _("Close account"), _("Member closed their account")),
    (HANDOFF_JOIN, _("Join from the brand's site"), _("Member joined from the brand's site")),
    (
        HANDOFF_LINK,
        _("Link to the brand's account"),
        _("Member's account was linked to their account at the brand"),
    ),
)


def register_actions(registry) -> None:
    """Register the account actions with Wagtail's log action registry."""
    for action, label, message in ACTIONS:
        registry.register_action(action, label, message)
