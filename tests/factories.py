from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP
from community.markdown import render_markdown
from community.models import Category, Reply, Thread, WebhookEvent, WebhookSubscription

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*[Group.objects.get(name=name) for name in extracted])


class ModeratorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"moderator{n}")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kwargs: (
            create and user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        )
    )


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kwargs: (
            create and user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        )
    )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "Questions about this part of the product."


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"My blender stopped working, case {n}")
    body = "It **stops** after a few seconds."
    body_html = factory.LazyAttribute(lambda thread: render_markdown(thread.body))
    published_at = factory.LazyAttribute(lambda thread: thread.created_at)
    created_at = factory.LazyFunction(timezone.now)
    response_due_at = factory.LazyAttribute(lambda thread: thread.created_at + timedelta(hours=24))


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Have you tried cleaning the filter?"
    body_html = factory.LazyAttribute(lambda reply: render_markdown(reply.body))


class CannedResponseFactory(factory.django.DjangoModelFactory):
    """A canned response offered everywhere unless given a category."""

    class Meta:
        model = "moderation.CannedResponse"

    title = factory.Sequence(lambda n: f"Canned answer {n}")
    category = None
    body = "Hello {asker}, thanks for asking about {thread_title}. {staff_name}"


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    """A receiver of every event; tests give their receiver's `target_url`."""

    class Meta:
        model = WebhookSubscription

    name = factory.Sequence(lambda n: f"Helpdesk {n}")
    target_url = "https://hooks.example/relais"
    secret = factory.Sequence(lambda n: f"test-secret-{n}")
    events = factory.LazyFunction(lambda: list(WebhookEvent.values))
