"""What every view of the API shares: credentials only, JSON only, the request
limits and one error shape.

Set on the API's own base view rather than as REST framework's defaults
(settings.REST_FRAMEWORK): Wagtail's admin and wagtail-localize's translation
editor run REST framework views of their own, signed in with the session, and must
keep theirs."""

from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from community.api.authentication import CredentialAuthentication
from community.api.errors import exception_handler
from community.api.throttling import CredentialRateThrottle


class ApiView(APIView):
    authentication_classes = [CredentialAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [CredentialRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return exception_handler
