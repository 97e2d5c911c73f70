"""Editing a question or a reply, and reading the earlier versions of a post."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from community import edit_selectors, permissions, selectors, services
from community.forms import ReplyEditForm, ThreadEditForm
from community.views import _preview, _refused_status, _with_retry_after

EDIT_HELD = gettext_lazy(
    "Your change waits for a moderator's approval (new members' posts may hold only a "
    "few links). Until then your post stays as it was."
)


def _edit_post(request, *, post, thread, form, save):
    """The edit page of a question or a reply: preview, or save and keep the
    earlier version (the service stores it)."""
    permissions.check_edit(request.user, post)
    preview_html = ""
    status = 200
    if request.method == "POST":
        if "preview" in request.POST:
            preview_html = _preview(request, form)
        elif form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except ValidationError as error:
                # The posting rules refused the edit: the text comes back with why.
                form.add_error(None, error)
                status = _refused_status(error)
            else:
                if saved.held_edit is not None:
                    messages.info(request, EDIT_HELD)
                else:
                    messages.success(
                        request, _("Your changes are saved; the earlier version is kept.")
                    )
                return redirect(post.get_absolute_url())
    waiting = edit_selectors.edit_waiting(post=post)
    if waiting is not None and request.method == "GET":
        # The author goes on from the text that waits, not from the public one.
        form.initial.update(
            {"body": waiting.body} | ({"title": waiting.title} if waiting.title else {})
        )
    context = {
        "form": form,
        "thread": thread,
        "post": post,
        "preview_html": preview_html,
        "edit_waiting": waiting,
        "edit_not_approved": None if waiting else edit_selectors.edit_not_approved(post=post),
    }
    response = render(request, "community/post_edit.html", context, status=status)
    return _with_retry_after(response, form)


@login_required
@require_http_methods(["GET", "POST"])
def thread_edit(request, pk):
    thread = selectors.thread_get(pk=pk)
    initial = {"title": thread.title, "body": thread.body, "tags": ", ".join(thread.tags.names())}
    return _edit_post(
        request,
        post=thread,
        thread=thread,
        form=ThreadEditForm(request.POST if request.method == "POST" else None, initial=initial),
        save=lambda data: services.thread_edit(editor=request.user, thread=thread, **data),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request, pk):
    reply = selectors.reply_get(pk=pk)
    return _edit_post(
        request,
        post=reply,
        thread=reply.thread,
        form=ReplyEditForm(
            request.POST if request.method == "POST" else None, initial={"body": reply.body}
        ),
        save=lambda data: services.reply_edit(editor=request.user, reply=reply, body=data["body"]),
    )


def _post_history(request, *, post, thread):
    permissions.check_view_history(request.user, post)
    return render(
        request,
        "community/post_history.html",
        {"thread": thread, "post": post, "revisions": edit_selectors.revision_list(post=post)},
    )


@login_required
@require_GET
def thread_history(request, pk):
    thread = selectors.thread_get(pk=pk)
    return _post_history(request, post=thread, thread=thread)


@login_required
@require_GET
def reply_history(request, pk):
    reply = selectors.reply_get(pk=pk)
    return _post_history(request, post=reply, thread=reply.thread)
