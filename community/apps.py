from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from accounts.signals import account_closed
        from community.privacy import forget_closed_member

        account_closed.connect(forget_closed_member, dispatch_uid="community_forget_closed_member")

        from django.db.models.signals import post_save
        from wagtail.images import get_image_model
        from wagtail.signals import copy_for_translation_done

        from community.models.forum import Category
        from community.models.site_settings import CommunitySettings, Footer
        from community.receivers import (
            content_changed_after_saving_the_frame,
            grant_home_permissions_to_translation,
            reindex_threads_of_a_saved_category,
        )

        for model in (CommunitySettings, Footer, get_image_model()):
            post_save.connect(
                content_changed_after_saving_the_frame,
                sender=model,
                dispatch_uid=f"community_frame_{model._meta.label_lower}",
            )

        post_save.connect(
            reindex_threads_of_a_saved_category,
            sender=Category,
            dispatch_uid="community_category_reindex",
        )

        copy_for_translation_done.connect(
            grant_home_permissions_to_translation, dispatch_uid="community_home_translation"
        )

        from community.cache import content_changed_on_recovery
        from community.cache_backend import cache_recovered

        cache_recovered.connect(
            content_changed_on_recovery, dispatch_uid="community_content_version_recovery"
        )

        # Pages published or unpublished outside a request (publish_scheduled, a
        # script) move the content version too: visitors' cached answers are served
        # before routing, so nothing else would notice.
        from wagtail.signals import page_published, page_unpublished

        from community.receivers import content_changed_after_publishing

        for signal, name in ((page_published, "published"), (page_unpublished, "unpublished")):
            signal.connect(
                content_changed_after_publishing, dispatch_uid=f"community_page_{name}_version"
            )
