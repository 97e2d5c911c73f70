from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from accounts.signals import account_closed
        from community.privacy import forget_closed_member

        account_closed.connect(forget_closed_member, dispatch_uid="community_forget_closed_member")
