"""The community the production-path tests run against, made through the services.

Run as `python -m tests.production.site_setup MEMBERS THREADS` with the site's
environment (the cluster's DATABASE_URL) after `manage.py migrate`; prints a JSON
object: each member's username, e-mail, password and a signed-in session key, and
the threads made.

Members sign in through the real form where a test is about signing in; the others
carry a session made here, so twenty members do not pay twenty password hashes on a
two-core machine. Pre-moderation is off and nobody counts as a new member: the
tests are about the production path, and the posting limits are those of an
established member (community/limits.py).
"""

import json
import sys

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from accounts.models import User  # noqa: E402
from community import services  # noqa: E402
from community.cache import content_changed  # noqa: E402
from community.models import Category, CommunitySettings  # noqa: E402

PASSWORD = "Production-path-2026!"


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def main(members: int, threads: int) -> dict:
    rules = CommunitySettings.load()
    rules.premoderation_first_posts = 0
    rules.premoderation_new_member_posts = 0
    rules.save()
    category, _created = Category.objects.get_or_create(
        slug="coffee", defaults={"name": "Coffee machines"}
    )
    password = make_password(PASSWORD)
    people = []
    for number in range(members):
        user = User.objects.create(
            username=f"member{number:02d}",
            email=f"member{number:02d}@example.com",
            password=password,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        people.append(user)
    made = []
    for number in range(threads):
        author = people[number % len(people)]
        thread = services.thread_create(
            author=author,
            category=category,
            title=f"Seeded question number {number} about the grinder",
            body=f"The grinder of machine {number} stops after a few seconds.",
            check_limits=False,
        )
        reply = services.reply_create(
            author=people[(number + 1) % len(people)],
            thread=thread,
            body=f"Clean the burrs of machine {number}; it helped me.",
            check_limits=False,
        )
        made.append({"pk": thread.pk, "author": author.username, "reply": reply.pk})
    content_changed()
    return {
        "password": PASSWORD,
        "category": category.pk,
        "members": [
            {"username": u.username, "email": u.email, "pk": u.pk, "session": session_for(u)}
            for u in people
        ],
        "threads": made,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
