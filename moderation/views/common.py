"""What the moderation views share: a moderator's form runs one service, a refusal
(the service's ValidationError) becomes a message on the page they go back to, and
"back" is an address on this site only."""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def posted_reason(request) -> str:
    """The reason typed in the form, as posted: the services clean it."""
    return request.POST.get("reason", "")


def refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@contextmanager
def refusal_as_message(request):
    """Run the block; a ValidationError it raises becomes an error message for the
    next page, and what comes after the failing line in the block is skipped."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, refusal_text(error))


def local_next(request, default: str) -> str:
    """The posted `next` when it is an address on this site, `default` otherwise."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
