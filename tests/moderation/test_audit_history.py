"""Every moderation action is a registered Wagtail log action, so the admin's
history report (Reports → Site history) shows who did what, when and why."""

from wagtail.log_actions import registry

from moderation import services
from moderation import wagtail_hooks as actions
from tests.factories import ModeratorFactory, ReplyFactory, ThreadFactory

ACTION_NAMES = [value for name, value in vars(actions).items() if name.isupper()]


def test_every_moderation_action_is_registered_with_a_label(db):
    assert len(ACTION_NAMES) >= 20
    for action in ACTION_NAMES:
        assert registry.action_exists(action), action
        assert registry.get_action_label(action)


def test_moderation_actions_show_in_the_admins_site_history(superuser_client):
    moderator = ModeratorFactory(display_name="Camille")
    thread = ThreadFactory(title="Grinder jams")
    reply = ReplyFactory(thread=thread)
    services.thread_claim(moderator=moderator, thread=thread)
    services.reply_hide(moderator=moderator, reply=reply, reason="Advertising")
    services.reply_restore(moderator=moderator, reply=reply, reason="Was fine after all")
    services.thread_set_locked(moderator=moderator, thread=thread, locked=True, reason="Heated")

    page = superuser_client.get("/admin/reports/site-history/").content.decode()

    for label in ("Claim thread", "Hide reply", "Restore reply", "Lock thread"):
        assert label in page, label
    assert "Camille" in page
