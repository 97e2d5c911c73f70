from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from accounts.roles import roles_changed

        user_model = get_user_model()
        for through in (
            user_model.groups.through,
            user_model.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(roles_changed, sender=through, dispatch_uid=f"roles-{through}")
        for model in (Group, Permission):
            for signal in (post_save, post_delete):
                signal.connect(roles_changed, sender=model, dispatch_uid=f"roles-{model}-{signal}")
        # A data migration may grant a role: its historical models send no signal above.
        post_migrate.connect(roles_changed, dispatch_uid="roles-after-migrate")
