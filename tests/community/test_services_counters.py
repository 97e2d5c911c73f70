"""Counters tell the truth (promise 4), official is a fact of posting time (promise 2),
edits keep their history (promise 3).

After every service call the stored counters are compared with a recount from
the rows they count, through one helper, assert_counters_true().
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Min

from accounts.models import User
from accounts.roles import MODERATORS_GROUP
from community import services
from community.models import HelpfulVote, MeToo, Reply, Revision, Thread, Visibility
from tests.factories import ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_counters_true(thread: Thread) -> Thread:
    """Every denormalised number of `thread` and its replies equals a recount of rows."""
    thread.refresh_from_db()
    visible = Reply.objects.filter(thread=thread, visibility=Visibility.VISIBLE)
    assert thread.reply_count == visible.count(), "reply_count"
    assert thread.me_too_count == MeToo.objects.filter(thread=thread).count(), "me_too_count"
    earliest_official = visible.filter(is_official=True).aggregate(first=Min("created_at"))
    assert thread.first_official_reply_at == earliest_official["first"], "first_official_reply_at"
    for reply in Reply.objects.filter(thread=thread):
        votes = HelpfulVote.objects.filter(reply=reply).count()
        assert reply.helpful_count == votes, f"helpful_count of reply {reply.pk}"
    return thread


def fresh(user) -> User:
    """The member as the next request would load them (no cached permissions)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def thread_title():
    return "The coffee machine leaks water"  # a revision keeps it: see the thread_edit test


# --- thread_create -----------------------------------------------------------


def test_thread_create_counts_the_asker_as_the_first_me_too(asker, thread):
    thread = assert_counters_true(thread)

    assert thread.me_too_count == 1
    assert MeToo.objects.get(thread=thread).user == asker
    assert thread.reply_count == 0
    assert thread.first_official_reply_at is None


# --- reply_create ------------------------------------------------------------


def test_reply_create_by_a_member_counts_the_reply_but_is_not_official(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Same here.")

    thread = assert_counters_true(thread)
    assert thread.reply_count == 1
    assert reply.is_official is False
    assert thread.first_official_reply_at is None


def test_reply_create_by_a_moderator_sets_the_first_official_reply_time(thread):
    services.reply_create(author=UserFactory(), thread=thread, body="Peer first.")
    first = services.reply_create(author=ModeratorFactory(), thread=thread, body="Official one.")
    services.reply_create(author=ModeratorFactory(), thread=thread, body="Official two.")

    thread = assert_counters_true(thread)
    assert thread.reply_count == 3
    assert first.is_official is True
    assert thread.first_official_reply_at == first.created_at


def test_reply_count_follows_many_replies(thread):
    for number in range(5):
        services.reply_create(author=UserFactory(), thread=thread, body=f"Reply {number}")
        assert_counters_true(thread)

    assert assert_counters_true(thread).reply_count == 5


# --- reply_set_helpful -------------------------------------------------------


def test_reply_set_helpful_on_off_and_on_twice(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    voter = UserFactory()

    assert services.reply_set_helpful(user=voter, reply=reply, helpful=True) is True
    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 1

    assert services.reply_set_helpful(user=voter, reply=reply, helpful=False) is False
    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 0

    services.reply_set_helpful(user=voter, reply=reply, helpful=True)
    assert services.reply_set_helpful(user=voter, reply=reply, helpful=True) is True
    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 1
    assert HelpfulVote.objects.filter(reply=reply, user=voter).count() == 1


def test_reply_set_helpful_counts_each_member_once(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    voters = UserFactory.create_batch(3)

    for voter in voters:
        services.reply_set_helpful(user=voter, reply=reply, helpful=True)
        assert_counters_true(thread)
    services.reply_set_helpful(user=voters[0], reply=reply, helpful=False)

    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 2


def test_removing_a_helpful_vote_that_does_not_exist_changes_nothing(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=True)

    assert services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=False) is False

    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 1


def test_helpful_count_never_goes_below_zero(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    voter = UserFactory()
    services.reply_set_helpful(user=voter, reply=reply, helpful=True)
    # A counter that has drifted low (a bug, a manual edit) must not go negative.
    Reply.objects.filter(pk=reply.pk).update(helpful_count=0)

    services.reply_set_helpful(user=voter, reply=reply, helpful=False)
    services.reply_set_helpful(user=voter, reply=reply, helpful=False)

    reply.refresh_from_db()
    assert reply.helpful_count == 0
    assert_counters_true(thread)


def test_a_member_cannot_mark_their_own_reply_helpful(thread):
    author = UserFactory()
    reply = services.reply_create(author=author, thread=thread, body="My own answer.")

    with pytest.raises(PermissionDenied):
        services.reply_set_helpful(user=author, reply=reply, helpful=True)

    assert_counters_true(thread)


# --- thread_set_me_too -------------------------------------------------------


def test_thread_set_me_too_on_off_and_twice(thread):
    member = UserFactory()

    assert services.thread_set_me_too(user=member, thread=thread, me_too=True) is True
    assert assert_counters_true(thread).me_too_count == 2

    assert services.thread_set_me_too(user=member, thread=thread, me_too=False) is False
    assert assert_counters_true(thread).me_too_count == 1

    services.thread_set_me_too(user=member, thread=thread, me_too=True)
    services.thread_set_me_too(user=member, thread=thread, me_too=True)
    assert assert_counters_true(thread).me_too_count == 2
    assert MeToo.objects.filter(thread=thread, user=member).count() == 1


def test_removing_a_me_too_that_does_not_exist_changes_nothing(thread):
    services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=False)
    services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=False)

    assert assert_counters_true(thread).me_too_count == 1


def test_me_too_count_never_goes_below_zero(thread):
    member = UserFactory()
    services.thread_set_me_too(user=member, thread=thread, me_too=True)
    Thread.objects.filter(pk=thread.pk).update(me_too_count=0)

    services.thread_set_me_too(user=member, thread=thread, me_too=False)

    thread.refresh_from_db()
    assert thread.me_too_count == 0


def test_the_asker_cannot_say_me_too_again(asker, thread):
    with pytest.raises(PermissionDenied):
        services.thread_set_me_too(user=asker, thread=thread, me_too=True)

    assert assert_counters_true(thread).me_too_count == 1


# --- accept, recommend, edit: the counters stay true ------------------------


def test_thread_accept_reply_keeps_the_counters(asker, thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=True)

    services.thread_accept_reply(user=asker, thread=thread, reply=reply)
    thread = assert_counters_true(thread)
    assert thread.solution_id == reply.pk

    services.thread_accept_reply(user=asker, thread=thread, reply=reply)
    services.thread_accept_reply(user=asker, thread=thread, reply=None)
    thread = assert_counters_true(thread)
    assert thread.solution_id is None
    assert thread.reply_count == 1


def test_reply_set_recommended_keeps_the_counters(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    moderator = ModeratorFactory()

    services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)
    assert_counters_true(thread)
    services.reply_set_recommended(moderator=moderator, reply=reply, recommended=True)
    services.reply_set_recommended(moderator=moderator, reply=reply, recommended=False)

    thread = assert_counters_true(thread)
    assert thread.reply_count == 1
    assert thread.first_official_reply_at is None  # recommending is not an official reply


def test_thread_edit_keeps_the_counters_and_a_revision(asker, thread):
    services.reply_create(author=UserFactory(), thread=thread, body="Same here.")
    services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=True)
    before_body, before_html = thread.body, thread.body_html

    edited = services.thread_edit(
        editor=asker,
        thread=thread,
        title="The coffee machine leaks water at night",
        body="Water under the machine, **every** morning.",
    )

    thread = assert_counters_true(thread)
    assert (thread.reply_count, thread.me_too_count) == (1, 2)
    assert "<strong>every</strong>" in thread.body_html
    assert thread.edited_at is not None
    assert edited.body_html == thread.body_html
    revision = Revision.objects.get(thread=thread)
    assert revision.title == "The coffee machine leaks water"
    assert (revision.body, revision.body_html) == (before_body, before_html)
    assert revision.editor == asker


def test_thread_edit_without_a_change_keeps_no_revision(asker, thread):
    services.thread_edit(editor=asker, thread=thread, title=thread.title, body=thread.body)

    assert_counters_true(thread)
    assert not Revision.objects.filter(thread=thread).exists()


def test_reply_edit_keeps_the_counters_and_every_earlier_text(thread):
    author = UserFactory()
    reply = services.reply_create(author=author, thread=thread, body="Try *descaling*.")
    services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=True)
    first_html = Reply.objects.get(pk=reply.pk).body_html

    services.reply_edit(editor=author, reply=reply, body="Try **descaling** it.")
    services.reply_edit(editor=ModeratorFactory(), reply=reply, body="Descale it monthly.")

    assert_counters_true(thread)
    reply.refresh_from_db()
    assert reply.helpful_count == 1
    assert reply.body_html == "<p>Descale it monthly.</p>\n"
    assert reply.edited_at is not None
    older, oldest = Revision.objects.filter(reply=reply)  # newest first
    assert (oldest.body, oldest.body_html) == ("Try *descaling*.", first_html)
    assert "<em>descaling</em>" in oldest.body_html
    assert older.body == "Try **descaling** it."
    assert "<strong>descaling</strong>" in older.body_html
    assert Thread.objects.get(pk=thread.pk).reply_count == 1  # an edit is not a new reply


# --- the official flag is decided at posting time (promise 2) ----------------


def test_official_flag_stays_when_the_moderator_later_loses_the_role(thread):
    moderator = ModeratorFactory()
    old = services.reply_create(author=moderator, thread=thread, body="Official answer.")

    moderator.groups.remove(Group.objects.get(name=MODERATORS_GROUP))
    demoted = fresh(moderator)
    new = services.reply_create(author=demoted, thread=thread, body="Now as a member.")

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.is_official is True
    assert new.is_official is False
    thread = assert_counters_true(thread)
    assert thread.first_official_reply_at == old.created_at


def test_a_member_promoted_later_does_not_make_old_replies_official(thread):
    member = UserFactory()
    old = services.reply_create(author=member, thread=thread, body="Peer answer.")
    assert assert_counters_true(thread).first_official_reply_at is None

    member.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    promoted = fresh(member)
    new = services.reply_create(author=promoted, thread=thread, body="Now for the brand.")

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.is_official is False
    assert new.is_official is True
    thread = assert_counters_true(thread)
    assert thread.first_official_reply_at == new.created_at


def test_markup_cannot_make_a_reply_official(thread):
    reply = services.reply_create(
        author=UserFactory(),
        thread=thread,
        body='<span class="badge official">Official</span> **Official reply from the brand**',
    )

    reply.refresh_from_db()
    assert reply.is_official is False
    # The tag is shown as text, never as markup: no element carries a class.
    assert "<span" not in reply.body_html
    assert "&lt;span" in reply.body_html
    assert not re.search(r"<[a-z][^<>]*\sclass=", reply.body_html)
    assert assert_counters_true(thread).first_official_reply_at is None


def test_the_recount_repair_path_agrees_with_the_services(thread):
    reply = services.reply_create(author=UserFactory(), thread=thread, body="Descale it.")
    services.reply_set_helpful(user=UserFactory(), reply=reply, helpful=True)
    services.thread_set_me_too(user=UserFactory(), thread=thread, me_too=True)
    Thread.objects.filter(pk=thread.pk).update(reply_count=9, me_too_count=0)
    Reply.objects.filter(pk=reply.pk).update(helpful_count=7)

    counts = services.thread_recount(thread)

    assert counts == {"reply_count": 1, "me_too_count": 2}
    assert_counters_true(thread)
