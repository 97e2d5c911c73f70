"""The community's models, one module per subject, all importable from here.

Code that the CMS pages depend on (querysets, selectors, search, tasks, the admin's
thread chooser) imports from the defining module (`community.models.forum`, ...),
not from this package: the pages import the home page's blocks, which read those
selectors, so importing the whole package there would close an import circle.
"""

from community.models.announcements import Announcement, AnnouncementStatus
from community.models.attachments import ATTACHMENTS_PER_POST, Attachment
from community.models.embed import EmbedSettings, WidgetVisit
from community.models.forum import (
    BODY_MAX_LENGTH,
    HIDDEN_REASON_MAX_LENGTH,
    RESERVED_SLUGS,
    SEARCH_REPLIES_INDEXED,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Category,
    ConversationState,
    ProposedEdit,
    Reply,
    Revision,
    TaggedThread,
    Thread,
    Visibility,
)
from community.models.inbound_mail import InboundEmail
from community.models.marks import (
    CategoryFollow,
    Deflection,
    Follow,
    HelpArticleVote,
    HelpfulVote,
    MemberMark,
    MeToo,
    TagFollow,
)
from community.models.notifications import Notification
from community.models.pages import (
    HELP_FEEDBACK_SESSION_KEY,
    HELP_RICH_TEXT_FEATURES,
    CalloutBlock,
    ContentPage,
    HelpArticlePage,
    HelpArticleTag,
    HelpIndexPage,
    HomePage,
    LegalKind,
    LegalPage,
)
from community.models.resolution import ResolutionCheck, SatisfactionRating
from community.models.search import ThreadSearchDocument
from community.models.site_settings import (
    DEFAULT_BRAND_COLOUR,
    HEX_COLOUR_VALIDATOR,
    CommunitySettings,
    ContactChannelBlock,
    ContactChannelValue,
    Footer,
    FooterLinkBlock,
    contact_href,
)
from community.models.webhooks import (
    ThreadOverdueMark,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "ATTACHMENTS_PER_POST",
    "BODY_MAX_LENGTH",
    "DEFAULT_BRAND_COLOUR",
    "HELP_FEEDBACK_SESSION_KEY",
    "HELP_RICH_TEXT_FEATURES",
    "HEX_COLOUR_VALIDATOR",
    "HIDDEN_REASON_MAX_LENGTH",
    "RESERVED_SLUGS",
    "SEARCH_REPLIES_INDEXED",
    "TITLE_MAX_LENGTH",
    "TITLE_MIN_LENGTH",
    "Announcement",
    "AnnouncementStatus",
    "Attachment",
    "CalloutBlock",
    "Category",
    "CategoryFollow",
    "CommunitySettings",
    "ContactChannelBlock",
    "ContactChannelValue",
    "ContentPage",
    "ConversationState",
    "Deflection",
    "EmbedSettings",
    "Follow",
    "Footer",
    "FooterLinkBlock",
    "HelpArticlePage",
    "HelpArticleTag",
    "HelpArticleVote",
    "HelpIndexPage",
    "HelpfulVote",
    "HomePage",
    "InboundEmail",
    "LegalKind",
    "LegalPage",
    "MeToo",
    "MemberMark",
    "Notification",
    "ProposedEdit",
    "Reply",
    "ResolutionCheck",
    "Revision",
    "SatisfactionRating",
    "TagFollow",
    "TaggedThread",
    "Thread",
    "ThreadOverdueMark",
    "ThreadSearchDocument",
    "Visibility",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "WidgetVisit",
    "contact_href",
]
