"""Every moderation action is a registered Wagtail log action, so the admin's
history report (Reports → Site history) shows who did what, when and why."""

import ast
from pathlib import Path

from wagtail.log_actions import registry

from moderation import audit, services
from tests.factories import ModeratorFactory, ReplyFactory, ThreadFactory

ACTION_NAMES = [
    value for name, value in vars(audit).items() if name.isupper() and isinstance(value, str)
]
SERVICES = Path(audit.__file__).resolve().parent / "services"


def audit_names_imported_by_the_services() -> dict[str, list[str]]:
    """Each name a moderation service module imports from moderation.audit, with the
    modules that import it: the actions the services write in the log."""
    names: dict[str, list[str]] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "moderation.audit":
                for alias in node.names:
                    names.setdefault(alias.name, []).append(path.name)
    return names


def test_every_moderation_action_is_registered_with_a_label(db):
    assert len(ACTION_NAMES) >= 20
    for action in ACTION_NAMES:
        assert registry.action_exists(action), action
        assert registry.get_action_label(action)


def test_every_action_the_services_log_is_registered_with_its_label(db):
    used = audit_names_imported_by_the_services()
    # Hides, restores, the automatic hide, assignment and suspension all log.
    assert {"REPLY_HIDE", "THREAD_RESTORE", "REPORT_AUTO_HIDE", "THREAD_CLAIM"} <= set(used)
    assert "MEMBER_SUSPEND" in used
    labels = {action: label for action, label, _message in audit.ACTIONS}
    for name in used:
        action = getattr(audit, name)
        assert registry.action_exists(action), name
        assert registry.get_action_label(action) == labels[action], name


def test_services_take_the_action_names_from_the_audit_module_only():
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {"moderation.wagtail_hooks", "moderation.admin_views"}, path.name


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
