"""The API's endpoints. Thin, as the site's views are: parse the request, read
through the querysets or write through the services, answer JSON.

Reads show what the pages show (community/api/permissions.readable_posts_q); writes
act as the credential's member through the very services the site's forms call,
so pre-moderation, posting limits, double submits, notifications and the queue
behave the same. A list or a thread costs a fixed number of queries."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.roles import is_moderator
from community import help_selectors, selectors, services
from community.api import serializers as s
from community.api.base import ApiView
from community.api.permissions import (
    CanModerate,
    CanWrite,
    check_staff_scope,
    readable_posts_q,
)
from community.forms import AskForm, ReplyEditForm, ReplyForm, ThreadEditForm
from community.models import Category, HelpArticlePage, Reply, Thread
from community.querysets import STATUSES
from community.selectors import SORTS

ERRORS = {
    code: OpenApiResponse(s.ErrorSerializer, description=description)
    for code, description in {
        400: gettext_lazy(
            "The body or a parameter is not valid (`fields` says what to fix), or the "
            "address holds a character no address may (a NUL byte)."
        ),
        401: gettext_lazy("The token is missing, mistyped, expired or revoked."),
        403: gettext_lazy("The member or the token may not do this; `message` says why."),
        404: gettext_lazy("Nothing readable here."),
        429: gettext_lazy("Too many requests or posts: come back after Retry-After seconds."),
    }.items()
}


def errors(*codes):
    # Any request may be a 400: the address is checked before any view reads it.
    return {code: ERRORS[code] for code in sorted({400, *codes})}


def _form_or_error(form):
    """The form's cleaned data, or a 400 with its errors by field."""
    if not form.is_valid():
        raise ValidationError(
            {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        )
    return form.cleaned_data


def _body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ThreadCursor(CursorPagination):
    """Cursor pages: stable while new threads arrive, and as cheap on page 500 as on
    page 1. The order is the lists' `sort` (activity, newest, votes)."""

    page_size = 20
    max_page_size = 50
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view):
        return SORTS.get(request.query_params.get("sort", ""), SORTS["activity"])


class ReplyCursor(CursorPagination):
    page_size = 30
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("created_at", "pk")


class QueueCursor(CursorPagination):
    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("due_at", "pk")


def _readable_thread(request, pk, *, for_update=False) -> Thread:
    threads = Thread.objects.filter(readable_posts_q(request))
    if not for_update:
        threads = threads.with_author().select_related("category").prefetch_related("tags")
    return get_object_or_404(threads, pk=pk)


def _readable_reply(request, pk) -> Reply:
    replies = Reply.objects.filter(readable_posts_q(request)).filter(
        readable_posts_q(request, prefix="thread__")
    )
    return get_object_or_404(replies.select_related("thread"), pk=pk)


def _thread_detail(request, thread: Thread, *, status_code=status.HTTP_200_OK):
    """The thread with its solution and the replies staff put forward: 2 queries."""
    put_forward = Q(recommended_at__isnull=False) | Q(is_official=True)
    if thread.solution_id:
        put_forward |= Q(pk=thread.solution_id)
    featured = list(
        Reply.objects.filter(thread=thread, visibility="visible")
        .filter(put_forward)
        .with_author()
        .order_by("created_at", "pk")[:20]
    )
    solution = next((reply for reply in featured if reply.pk == thread.solution_id), None)
    context = {
        "request": request,
        "solution": solution,
        "featured": featured,
        "solution_id": thread.solution_id,
    }
    data = s.ThreadDetailSerializer(thread, context=context).data
    return Response(data, status=status_code)


THREAD_FILTERS = [
    OpenApiParameter("category", str, description=gettext_lazy("A category's slug.")),
    OpenApiParameter("tag", str, description=gettext_lazy("A tag's slug.")),
    OpenApiParameter("status", str, enum=sorted(STATUSES)),
    OpenApiParameter(
        "sort", str, enum=sorted(SORTS), description=gettext_lazy("Default: activity.")
    ),
    OpenApiParameter(
        "language", str, description=gettext_lazy("Only threads in this language (en, fr).")
    ),
]


class CategoryList(ApiView):
    @extend_schema(
        operation_id="categories_list",
        summary=gettext_lazy("The categories, with their visible thread counts"),
        responses={200: s.CategorySerializer(many=True), **errors(401, 429)},
        tags=["Read"],
    )
    def get(self, request):
        categories = selectors.category_list()
        return Response(
            s.CategorySerializer(categories, many=True, context={"request": request}).data
        )


class ThreadList(ApiView):
    permission_classes = [CanWrite]
    pagination_class = ThreadCursor  # for the schema: the list answers its pages

    @extend_schema(
        operation_id="threads_list",
        summary=gettext_lazy("Threads, filtered and sorted as on the site, by cursor pages"),
        parameters=THREAD_FILTERS,
        responses={200: s.ThreadSummarySerializer(many=True), **errors(400, 401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request):
        threads = (
            Thread.objects.filter(readable_posts_q(request))
            .with_author()
            .select_related("category")
            .prefetch_related("tags")
            .defer(*selectors.LIST_ROW_UNUSED)
        )
        params = request.query_params
        if params.get("category"):
            threads = threads.filter(category=selectors.category_get(slug=params["category"]))
        if params.get("tag"):
            threads = threads.filter(tags__slug=params["tag"])
        if params.get("status"):
            if params["status"] not in STATUSES:
                raise ValidationError({"status": [_("Choose one of: %s.") % ", ".join(STATUSES)]})
            threads = threads.in_status(params["status"])
        if params.get("sort") and params["sort"] not in SORTS:
            raise ValidationError({"sort": [_("Choose one of: %s.") % ", ".join(SORTS)]})
        if params.get("language"):
            threads = threads.in_language(params["language"])
        paginator = ThreadCursor()
        page = paginator.paginate_queryset(threads, request, view=self)
        data = s.ThreadSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="threads_create",
        summary=gettext_lazy("Ask a question"),
        description=gettext_lazy(
            "Posted as the token's member, as from the site's ask page: a new member's "
            "first question may wait for approval (`visibility` is then `pending`), and "
            "the brand's official-reply clock starts now."
        ),
        request=s.AskSerializer,
        responses={201: s.ThreadDetailSerializer, **errors(400, 401, 403, 429)},
        tags=["Write"],
    )
    def post(self, request):
        body = _body(s.AskSerializer, request)
        category = Category.objects.originals().filter(slug=body["category"]).first()
        if category is None:
            raise ValidationError({"category": [_("No category has this slug.")]})
        form = AskForm(
            {
                "title": body["title"],
                "body": body["body"],
                "category": category.pk,
                "tags": ", ".join(body.get("tags", [])),
                "language": body.get("language", ""),
                "submission_key": body.get("submission_key", ""),
            },
            author=request.user,
        )
        cleaned = _form_or_error(form)
        thread = services.thread_create(author=request.user, **cleaned)
        return _thread_detail(
            request, _readable_thread(request, thread.pk), status_code=status.HTTP_201_CREATED
        )


class ThreadDetail(ApiView):
    permission_classes = [CanWrite]

    @extend_schema(
        operation_id="threads_read",
        summary=gettext_lazy("One thread: its question, its solution and the replies put forward"),
        responses={200: s.ThreadDetailSerializer, **errors(401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request, pk):
        return _thread_detail(request, _readable_thread(request, pk))

    @extend_schema(
        operation_id="threads_edit",
        summary=gettext_lazy("Edit your own question"),
        description=gettext_lazy("A change may wait for a moderator's approval, as on the site."),
        request=s.ThreadEditSerializer,
        responses={200: s.ThreadDetailSerializer, **errors(400, 401, 403, 404, 429)},
        tags=["Write"],
    )
    def patch(self, request, pk):
        thread = _readable_thread(request, pk)
        check_staff_scope(request, owner_id=thread.author_id)
        body = _body(s.ThreadEditSerializer, request)
        tags = body.get("tags")
        form = ThreadEditForm(
            {
                "title": body.get("title", thread.title),
                "body": body.get("body", thread.body),
                "tags": ", ".join(
                    tags if tags is not None else [t.name for t in thread.tags.all()]
                ),
            }
        )
        cleaned = _form_or_error(form)
        services.thread_edit(
            editor=request.user,
            thread=thread,
            title=cleaned["title"],
            body=cleaned["body"],
            tags=cleaned["tags"] if tags is not None else None,
        )
        return _thread_detail(request, _readable_thread(request, pk))


class ThreadReplies(ApiView):
    permission_classes = [CanWrite]
    pagination_class = ReplyCursor

    @extend_schema(
        operation_id="threads_replies_list",
        summary=gettext_lazy("A thread's replies, oldest first, by cursor pages"),
        responses={200: s.ReplySerializer(many=True), **errors(401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request, pk):
        thread = _readable_thread(request, pk)
        replies = (
            Reply.objects.filter(thread=thread).filter(readable_posts_q(request)).with_author()
        )
        paginator = ReplyCursor()
        page = paginator.paginate_queryset(replies, request, view=self)
        context = {"request": request, "solution_id": thread.solution_id}
        data = s.ReplySerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="threads_reply",
        summary=gettext_lazy("Reply to a thread"),
        description=gettext_lazy(
            "A moderator's reply is official, decided from their role now, and needs "
            "a token with moderate access. A new "
            "member's reply may wait for approval."
        ),
        request=s.ReplyCreateSerializer,
        responses={201: s.ReplySerializer, **errors(400, 401, 403, 404, 429)},
        tags=["Write"],
    )
    def post(self, request, pk):
        check_staff_scope(request)
        thread = _readable_thread(request, pk, for_update=True)
        body = _body(s.ReplyCreateSerializer, request)
        cleaned = _form_or_error(
            ReplyForm({"body": body["body"], "submission_key": body.get("submission_key", "")})
        )
        reply = services.reply_create(author=request.user, thread=thread, **cleaned)
        return _reply_response(request, reply.pk, status_code=status.HTTP_201_CREATED)


def _reply_response(request, pk, *, status_code=status.HTTP_200_OK):
    reply = get_object_or_404(Reply.objects.with_author().select_related("thread"), pk=pk)
    return Response(s.ReplySerializer(reply, context={"request": request}).data, status=status_code)


class ReplyDetail(ApiView):
    permission_classes = [CanWrite]

    @extend_schema(
        operation_id="replies_read",
        summary=gettext_lazy("One reply"),
        responses={200: s.ReplySerializer, **errors(401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request, pk):
        return _reply_response(request, _readable_reply(request, pk).pk)

    @extend_schema(
        operation_id="replies_edit",
        summary=gettext_lazy("Edit your own reply"),
        request=s.ReplyEditSerializer,
        responses={200: s.ReplySerializer, **errors(400, 401, 403, 404, 429)},
        tags=["Write"],
    )
    def patch(self, request, pk):
        reply = _readable_reply(request, pk)
        check_staff_scope(request, owner_id=reply.author_id)
        body = _body(s.ReplyEditSerializer, request)
        cleaned = _form_or_error(ReplyEditForm({"body": body["body"]}))
        services.reply_edit(editor=request.user, reply=reply, body=cleaned["body"])
        return _reply_response(request, reply.pk)


class _Mark(ApiView):
    """PUT sets a mark, DELETE takes it off; either, sent twice, changes nothing."""

    permission_classes = [IsAuthenticated, CanWrite]

    def target(self, request, pk):
        raise NotImplementedError

    def change(self, request, target, on: bool):
        raise NotImplementedError

    def _answer(self, request, pk, on):
        target = self.target(request, pk)
        count = self.change(request, target, on)
        data = {"active": on}
        if count is not None:
            data["count"] = count
        return Response(s.MarkSerializer(data).data)


def _mark_schema(operation, summary, *, moderate=False):
    return extend_schema(
        operation_id=operation,
        summary=summary,
        request=None,
        responses={200: s.MarkSerializer, **errors(401, 403, 404, 429)},
        tags=["Moderate" if moderate else "Write"],
    )


class ReplyHelpful(_Mark):
    def target(self, request, pk):
        return _readable_reply(request, pk)

    def change(self, request, reply, on):
        services.reply_set_helpful(user=request.user, reply=reply, helpful=on)
        return Reply.objects.values_list("helpful_count", flat=True).get(pk=reply.pk)

    @_mark_schema("replies_helpful_set", gettext_lazy("Mark a reply helpful"))
    def put(self, request, pk):
        return self._answer(request, pk, True)

    @_mark_schema("replies_helpful_unset", gettext_lazy("Take back a helpful vote"))
    def delete(self, request, pk):
        return self._answer(request, pk, False)


class ThreadMeToo(_Mark):
    def target(self, request, pk):
        return _readable_thread(request, pk, for_update=True)

    def change(self, request, thread, on):
        services.thread_set_me_too(user=request.user, thread=thread, me_too=on)
        return Thread.objects.values_list("me_too_count", flat=True).get(pk=thread.pk)

    @_mark_schema("threads_me_too_set", gettext_lazy("Say “I have this problem too”"))
    def put(self, request, pk):
        return self._answer(request, pk, True)

    @_mark_schema("threads_me_too_unset", gettext_lazy("Take back a “me too”"))
    def delete(self, request, pk):
        return self._answer(request, pk, False)


class ThreadFollow(_Mark):
    def target(self, request, pk):
        return _readable_thread(request, pk, for_update=True)

    def change(self, request, thread, on):
        services.thread_set_follow(user=request.user, thread=thread, following=on)
        return None

    @_mark_schema("threads_follow", gettext_lazy("Follow a thread (be notified of replies)"))
    def put(self, request, pk):
        return self._answer(request, pk, True)

    @_mark_schema("threads_unfollow", gettext_lazy("Stop following a thread"))
    def delete(self, request, pk):
        return self._answer(request, pk, False)


class ReplyRecommendation(_Mark):
    permission_classes = [IsAuthenticated, CanModerate]

    def target(self, request, pk):
        return _readable_reply(request, pk)

    def change(self, request, reply, on):
        services.reply_set_recommended(moderator=request.user, reply=reply, recommended=on)
        return None

    @_mark_schema("replies_recommend", gettext_lazy("Recommend a reply (staff)"), moderate=True)
    def put(self, request, pk):
        return self._answer(request, pk, True)

    @_mark_schema(
        "replies_unrecommend", gettext_lazy("Take back a recommendation (staff)"), moderate=True
    )
    def delete(self, request, pk):
        return self._answer(request, pk, False)


class ThreadSolution(ApiView):
    permission_classes = [IsAuthenticated, CanWrite]

    @extend_schema(
        operation_id="threads_accept",
        summary=gettext_lazy("Accept the reply that solved your question"),
        request=s.SolutionSerializer,
        responses={200: s.ThreadDetailSerializer, **errors(400, 401, 403, 404, 429)},
        tags=["Write"],
    )
    def put(self, request, pk):
        thread = _readable_thread(request, pk, for_update=True)
        check_staff_scope(request, owner_id=thread.author_id)
        body = _body(s.SolutionSerializer, request)
        reply = Reply.objects.filter(pk=body["reply"], thread=thread).first()
        if reply is None:
            raise ValidationError({"reply": [_("That reply is not part of this thread.")]})
        services.thread_accept_reply(user=request.user, thread=thread, reply=reply)
        return _thread_detail(request, _readable_thread(request, pk))

    @extend_schema(
        operation_id="threads_unaccept",
        summary=gettext_lazy("Undo the accepted solution"),
        request=None,
        responses={200: s.ThreadDetailSerializer, **errors(401, 403, 404, 429)},
        tags=["Write"],
    )
    def delete(self, request, pk):
        thread = _readable_thread(request, pk, for_update=True)
        check_staff_scope(request, owner_id=thread.author_id)
        services.thread_accept_reply(user=request.user, thread=thread, reply=None)
        return _thread_detail(request, _readable_thread(request, pk))


class Search(ApiView):
    @extend_schema(
        operation_id="search",
        summary=gettext_lazy("Search the threads, best first"),
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description=gettext_lazy("The words to find.")
            ),
            OpenApiParameter("category", str, description=gettext_lazy("A category's slug.")),
            OpenApiParameter("status", str, enum=sorted(STATUSES)),
            OpenApiParameter("page", int, description=gettext_lazy("The page of results, from 1.")),
        ],
        responses={200: s.SearchPageSerializer, **errors(400, 401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request):
        params = request.query_params
        query = " ".join(params.get("q", "").split())[:200]
        if not query:
            raise ValidationError({"q": [_("Say what to search for.")]})
        status_filter = params.get("status", "")
        if status_filter and status_filter not in STATUSES:
            raise ValidationError({"status": [_("Choose one of: %s.") % ", ".join(STATUSES)]})
        category = (
            selectors.category_get(slug=params["category"]) if params.get("category") else None
        )
        try:
            page_number = max(1, int(params.get("page", 1)))
        except ValueError:
            raise ValidationError({"page": [_("A page is a whole number from 1.")]}) from None
        page = selectors.search_threads(
            query=query,
            category=category,
            status=status_filter,
            reader=selectors.reader_language(),
            page_number=page_number,
        )
        results = s.ThreadSummarySerializer(
            page.object_list, many=True, context={"request": request}
        ).data
        return Response({"page": page.number, "has_next": page.has_next(), "results": results})


class HelpArticleList(ApiView):
    @extend_schema(
        operation_id="help_articles_list",
        summary=gettext_lazy("The help centre's articles (or those matching q)"),
        parameters=[
            OpenApiParameter("q", str, description=gettext_lazy("Words to find, optional."))
        ],
        responses={200: s.HelpArticleSerializer(many=True), **errors(401, 429)},
        tags=["Read"],
    )
    def get(self, request):
        query = " ".join(request.query_params.get("q", "").split())[:200]
        if query:
            articles = help_selectors.search_help_articles(query=query, limit=20)
        else:
            articles = (
                HelpArticlePage.objects.live()
                .public()
                .select_related("locale")
                .order_by("title")[:100]
            )
        data = s.HelpArticleSerializer(articles, many=True, context={"request": request}).data
        return Response(data)


class MemberDetail(ApiView):
    @extend_schema(
        operation_id="members_read",
        summary=gettext_lazy("A member's public profile"),
        responses={200: s.MemberSerializer, **errors(401, 404, 429)},
        tags=["Read"],
    )
    def get(self, request, username):
        member = selectors.member_profile(username=username)
        return Response(s.MemberSerializer(member, context={"request": request}).data)


class Me(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        summary=gettext_lazy("Who the token acts as, and what it may do"),
        responses={200: s.MeSerializer, **errors(401, 429)},
        tags=["Read"],
    )
    def get(self, request):
        credential = request.auth
        data = {
            "username": request.user.username,
            "public_name": request.user.public_name,
            "is_staff": is_moderator(request.user),
            "access": credential.scope,
            "credential": credential.name,
        }
        return Response(s.MeSerializer(data).data)


class Queue(ApiView):
    permission_classes = [IsAuthenticated, CanModerate]
    pagination_class = QueueCursor

    @extend_schema(
        operation_id="queue_list",
        summary=gettext_lazy("The threads awaiting the brand, soonest due first (staff)"),
        parameters=[
            OpenApiParameter("category", str, description=gettext_lazy("A category's slug."))
        ],
        responses={200: s.QueueThreadSerializer(many=True), **errors(401, 403, 404, 429)},
        tags=["Moderate"],
    )
    def get(self, request):
        threads = (
            Thread.objects.awaiting_brand()
            .with_author()
            .select_related("category")
            .prefetch_related(Prefetch("tags"))
            .defer(*selectors.LIST_ROW_UNUSED)
        )
        if request.query_params.get("category"):
            threads = threads.filter(
                category=selectors.category_get(slug=request.query_params["category"])
            )
        paginator = QueueCursor()
        page = paginator.paginate_queryset(threads, request, view=self)
        context = {"request": request, "now": timezone.now()}
        data = s.QueueThreadSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


@extend_schema(exclude=True)
@extend_schema(exclude=True)
class NoSuchAddress(ApiView):
    """Any other address under /api/v1/: a JSON 404, like every API error."""

    def answer(self, request, path=""):
        raise NotFound(_("The API has no such address. The list is at /api/v1/docs/."))

    get = post = put = patch = delete = answer
