"""The signed-in member, read once per request and handed on as the object itself."""

from django.contrib.auth.middleware import get_user


class ResolvedUserMiddleware:
    """Replaces Django's lazy `request.user` by the user it stands for.

    Every page reads the user anyway (the reader's language, the header), and a
    thread page asks it hundreds of questions, one per reply and tool: through the
    lazy wrapper each attribute costs several Python calls. `get_user` is the
    function the lazy wrapper calls, and keeps its answer on the request, so both
    give the same object and the session is read once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "user"):
            request.user = get_user(request)
        return self.get_response(request)
