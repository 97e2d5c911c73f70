"""Requests per minute: per credential (its own limit, set when it is made), and
per address for requests without one. Counted in Django's cache, which is Redis
where several processes serve the site, so every process counts the same."""

from rest_framework.throttling import SimpleRateThrottle

ANONYMOUS_REQUESTS_PER_MINUTE = 60


class CredentialRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Set per request in allow_request: each credential has its own.
        return f"{ANONYMOUS_REQUESTS_PER_MINUTE}/min"

    def allow_request(self, request, view):
        credential = request.auth
        self.num_requests = (
            credential.requests_per_minute if credential else ANONYMOUS_REQUESTS_PER_MINUTE
        )
        self.duration = 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        credential = request.auth
        if credential is not None:
            ident = f"credential:{credential.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"relais:api-throttle:{ident}"
