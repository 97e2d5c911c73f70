from wagtail import hooks

from accounts import audit
from accounts.api_key_admin import IntegrationKeyViewSet


@hooks.register("register_log_actions")
def register_account_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_admin_viewset")
def register_integration_keys():
    """Settings → API keys."""
    return IntegrationKeyViewSet()
