"""The demo's accounts: staff with their roles, and members."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP
from community.config.demo.content import ACCOUNTS, DEMO_PASSWORD, EMAIL_DOMAIN

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
