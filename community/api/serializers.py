"""What the API's objects look like, in and out. The output fields are public data
only (no e-mail addresses, no staff notes); the input serializers describe the
bodies for the schema, and their values go to the same forms and services as the
site's, so every rule is checked in one place."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.markdown import sanitize_html
from community.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from community.services import MAX_TAGS, TAG_MAX_LENGTH

# The keys community.limits honours (a form's hidden key has the same shape).
SUBMISSION_KEY = r"^[A-Za-z0-9_-]{16,64}$"


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class AbsoluteUrlField(serializers.Field):
    """The object's page on the site, as a full address."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute(self.context.get("request"), value.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(AbsoluteUrlField)


class SanitizedHtmlField(serializers.Field):
    """The post's text as HTML, passed through the allow-list again (as the pages do):
    safe to show, never trusted more than a page would."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return sanitize_html(value or "")


extend_schema_field({"type": "string"})(SanitizedHtmlField)


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="public_name", read_only=True)
    url = AbsoluteUrlField()


class CategorySerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(source="local_name", read_only=True)
    description = serializers.CharField(read_only=True)
    thread_count = serializers.IntegerField(source="visible_thread_count", read_only=True)
    url = AbsoluteUrlField()


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=TAG_MAX_LENGTH)


class ThreadSummarySerializer(serializers.Serializer):
    """A thread as the lists show it."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = AbsoluteUrlField()
    category = serializers.SlugField(source="category.slug", read_only=True)
    tags = serializers.SerializerMethodField()
    language = serializers.CharField(read_only=True)
    author = AuthorSerializer(read_only=True)
    author_is_staff = serializers.BooleanField(read_only=True, default=False)
    visibility = serializers.ChoiceField(choices=["visible", "pending", "hidden"], read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_activity_at = serializers.DateTimeField(read_only=True)
    reply_count = serializers.IntegerField(read_only=True)
    me_too_count = serializers.IntegerField(read_only=True)
    is_solved = serializers.SerializerMethodField()
    has_official_reply = serializers.SerializerMethodField()
    first_official_reply_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_locked = serializers.BooleanField(read_only=True)
    is_pinned = serializers.BooleanField(read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, thread) -> list[str]:
        # Prefetched by the lists (tags.all, no query per row).
        return sorted(tag.name for tag in thread.tags.all())

    def get_is_solved(self, thread) -> bool:
        return thread.solution_id is not None

    def get_has_official_reply(self, thread) -> bool:
        return thread.first_official_reply_at is not None


class SearchPageSerializer(serializers.Serializer):
    """A page of search results: ranked, so numbered pages rather than a cursor."""

    page = serializers.IntegerField(read_only=True)
    has_next = serializers.BooleanField(read_only=True)
    results = ThreadSummarySerializer(many=True, read_only=True)


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    thread = serializers.IntegerField(source="thread_id", read_only=True)
    url = AbsoluteUrlField()
    author = AuthorSerializer(read_only=True)
    author_is_staff = serializers.BooleanField(read_only=True, default=False)
    body = serializers.CharField(read_only=True)
    body_html = SanitizedHtmlField()
    visibility = serializers.ChoiceField(choices=["visible", "pending", "hidden"], read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_official = serializers.BooleanField(read_only=True)
    is_recommended = serializers.BooleanField(read_only=True)
    is_solution = serializers.SerializerMethodField()
    helpful_count = serializers.IntegerField(read_only=True)

    def get_is_solution(self, reply) -> bool:
        solution_id = self.context.get("solution_id")
        if solution_id is None and "thread" in reply._state.fields_cache:
            solution_id = reply.thread.solution_id
        return solution_id == reply.pk


class ThreadDetailSerializer(ThreadSummarySerializer):
    """A thread with its question, its solution and the replies staff put forward."""

    body = serializers.CharField(read_only=True)
    body_html = SanitizedHtmlField()
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    solution = serializers.SerializerMethodField()
    featured_replies = serializers.SerializerMethodField()
    replies_url = serializers.SerializerMethodField()

    def _reply(self, reply):
        return ReplySerializer(reply, context=self.context).data

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_solution(self, thread):
        solution = self.context.get("solution")
        return self._reply(solution) if solution is not None else None

    @extend_schema_field(ReplySerializer(many=True))
    def get_featured_replies(self, thread):
        """The solution, the replies staff recommended and the official ones, in
        the order they were posted."""
        return [self._reply(reply) for reply in self.context.get("featured", [])]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_replies_url(self, thread) -> str:
        from django.urls import reverse

        return absolute(
            self.context.get("request"), reverse("api:thread_replies", kwargs={"pk": thread.pk})
        )


class HelpArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    language = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_language(self, page) -> str:
        return page.locale.language_code

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, page) -> str:
        return page.get_full_url(self.context.get("request")) or ""


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="public_name", read_only=True)
    bio = serializers.CharField(read_only=True)
    is_staff = serializers.BooleanField(source="is_brand_staff", read_only=True, default=False)
    joined_at = serializers.DateTimeField(source="date_joined", read_only=True)
    thread_count = serializers.IntegerField(source="thread_total", read_only=True)
    reply_count = serializers.IntegerField(source="reply_total", read_only=True)
    solution_count = serializers.IntegerField(source="solution_total", read_only=True)
    recommended_count = serializers.IntegerField(source="recommended_total", read_only=True)
    url = AbsoluteUrlField()


class QueueThreadSerializer(ThreadSummarySerializer):
    """A thread in the queue, with when the brand's reply is due."""

    due_at = serializers.DateTimeField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    awaiting = serializers.SerializerMethodField()

    def get_is_overdue(self, thread) -> bool:
        return thread.due_at < self.context["now"]

    @extend_schema_field(serializers.ChoiceField(choices=["first_reply", "follow_up"]))
    def get_awaiting(self, thread) -> str:
        return "first_reply" if thread.first_official_reply_at is None else "follow_up"


# Bodies sent -----------------------------------------------------------------------


class AskSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    category = serializers.SlugField(help_text=_("The category's slug (GET /api/v1/categories/)."))
    tags = TagListField(required=False, max_length=MAX_TAGS)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False
    )
    submission_key = serializers.RegexField(
        SUBMISSION_KEY,
        required=False,
        help_text=_(
            "16 to 64 letters, digits, - or _, unique to this question: the same "
            "question sent twice with it makes one thread."
        ),
    )


class ThreadEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False, required=False)
    tags = TagListField(required=False, max_length=MAX_TAGS)


class ReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    submission_key = serializers.RegexField(
        SUBMISSION_KEY,
        required=False,
        help_text=_(
            "16 to 64 letters, digits, - or _, unique to this reply: the same "
            "reply sent twice with it makes one reply."
        ),
    )


class ReplyEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)


class SolutionSerializer(serializers.Serializer):
    reply = serializers.IntegerField(
        min_value=1, help_text=_("The id of the reply that solved it.")
    )


class MarkSerializer(serializers.Serializer):
    """The state of a mark (helpful, "me too", following, recommended) after a change."""

    active = serializers.BooleanField()
    count = serializers.IntegerField(required=False)


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="public_name")
    is_staff = serializers.BooleanField()
    access = serializers.CharField()
    credential = serializers.CharField()
