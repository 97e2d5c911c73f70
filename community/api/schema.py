"""The schema describes this API only (Wagtail's admin has REST views of its own)."""

API_PREFIX = "/api/v1/"


def only_the_public_api(endpoints):
    """drf-spectacular's preprocessing hook: the endpoints under /api/v1/."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
