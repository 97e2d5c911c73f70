from wagtail import hooks

from accounts import audit


@hooks.register("register_log_actions")
def register_account_actions(actions):
    audit.register_actions(actions)
