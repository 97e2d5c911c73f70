"""The demo's accounts: staff with their roles, and members."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Min

from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP
from community.config.demo.content import ACCOUNTS, DEMO_PASSWORD, EMAIL_DOMAIN
from community.models import Follow, HelpfulVote, MeToo, Reply, Thread
from moderation.models import Report

ROLE_GROUPS = {"moderator": MODERATORS_GROUP, "editor": EDITORS_GROUP}


def ensure_accounts():
    """Return the demo accounts by username, and the usernames created by this run.

    An account that already exists is left as it is, so a second run never
    resets a password (say, one set through createsuperuser).
    """
    User = get_user_model()
    # One hash for all: hashing is slow on purpose, and the password is public anyway.
    password_hash = make_password(DEMO_PASSWORD)
    groups = {role: Group.objects.get(name=name) for role, name in ROLE_GROUPS.items()}
    accounts, created_usernames = {}, []
    for spec in ACCOUNTS:
        email = f"{spec['username']}@{EMAIL_DOMAIN}"
        is_admin = spec["role"] == "admin"
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": email,
                "password": password_hash,
                "display_name": spec["display_name"],
                "bio": spec["bio"],
                "language": spec.get("language", settings.LANGUAGE_CODE),
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created:
            # allauth lets only verified addresses log in (ACCOUNT_EMAIL_VERIFICATION).
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if spec["role"] in groups:
                user.groups.add(groups[spec["role"]])
            created_usernames.append(user.username)
        accounts[user.username] = user
    # Fetched again so that no permission cache from before the group changes
    # decides whether the moderator's replies are official.
    return User.objects.in_bulk(accounts, field_name="username"), created_usernames


# How long before their first act the demo's accounts joined: a few days to a
# few weeks, different for each account, so "member since" reads like a real past.
JOINED_BEFORE_FIRST_ACT_DAYS = (3, 9, 16, 24, 5, 12, 30, 7, 20)


def _first_acts() -> dict[int, datetime]:
    """Each account's first post, vote, "me too", follow or report, by user id."""
    firsts: dict[int, datetime] = {}
    for model, field in (
        (Thread, "author_id"),
        (Reply, "author_id"),
        (HelpfulVote, "user_id"),
        (MeToo, "user_id"),
        (Follow, "user_id"),
        (Report, "reporter_id"),
    ):
        rows = model.objects.filter(**{f"{field}__isnull": False}).values(field)
        for row in rows.annotate(first=Min("created_at")):
            user_id, first = row[field], row["first"]
            if user_id not in firsts or first < firsts[user_id]:
                firsts[user_id] = first
    return firsts


def backdate_member_since(accounts) -> None:
    """Dates each demo account's joining before its first act in the story.

    The story is backdated (its posts are days or weeks old) but accounts are
    created now: a profile would say "member since today" above posts from last
    month. Only ever moved earlier, so a second run changes nothing.
    """
    firsts = _first_acts()
    User = get_user_model()
    for position, spec in enumerate(ACCOUNTS):
        user = accounts.get(spec["username"])
        if user is None or user.pk not in firsts:
            continue
        days = JOINED_BEFORE_FIRST_ACT_DAYS[position % len(JOINED_BEFORE_FIRST_ACT_DAYS)]
        joined = firsts[user.pk] - timedelta(days=days)
        if user.date_joined > joined:
            User.objects.filter(pk=user.pk).update(date_joined=joined)
            user.date_joined = joined
