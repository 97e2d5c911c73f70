"""The reader's language, decided once per request for the whole site."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def reader_language(request) -> str:
    """The language a request is served in.

    In order: the address's language prefix (a French page lives under /fr/), then a
    signed-in member's own choice (kept on their account, so it follows them to
    every device), then the language cookie the switcher sets, then the browser's
    Accept-Language, then the site's default.
    """
    from_path = translation.get_language_from_path(request.path_info)
    if from_path:
        return from_path
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = getattr(user, "language", "")
        if chosen in dict(settings.LANGUAGES):
            return chosen
    return translation.get_language_from_request(request, check_path=False)


class ReaderLanguageMiddleware:
    """Activates `reader_language` for the request; in place of Django's LocaleMiddleware,
    which would force the default language on every address without a prefix as soon as
    one URL pattern has one. It runs after authentication, to read the member's choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(reader_language(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        if not translation.get_language_from_path(request.path_info):
            # The same address answers in another language for another browser,
            # cookie or member.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
