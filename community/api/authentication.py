"""Who an API request acts as: the member a credential belongs to."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.api_tokens import credential_for_secret


class CredentialAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <secret>`, a personal token or an integration key.

    The credential is read from the database on every request, so one revoked or
    expired stops working at once, in every process. Sessions are not read: the
    API's writes need no CSRF token because no browser sends them on its own."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        credential = credential_for_secret(secret)
        if credential is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: it may be mistyped, expired or revoked.")
            )
        return credential.user, credential

    def authenticate_header(self, request):
        # A 401 (not a 403) for a missing or bad token, with how to send one.
        return f'{self.keyword} realm="api"'


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = CredentialAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A personal token (Account → API tokens) or an integration key "
                    "(Wagtail admin), sent as `Authorization: Bearer <token>`."
                )
            ),
        }
