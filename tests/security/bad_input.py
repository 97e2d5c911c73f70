"""What the hostile-input tests share: the member's typed text, the ask form's data,
raw form bodies, and the clients and addresses of `world` (tests/security/conftest.py)."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

# Seconds of this process's CPU time (not wall time, which other jobs on a shared
# machine stretch): a bound on what hostile input can cost, not a speed goal.
TIME_LIMIT = 1.0
KEEP = "keepme-typed-text"  # what the member typed, which a form error must show again
TITLE = "The espresso machine leaks water"
FORM = "application/x-www-form-urlencoded"


def ask(**fields) -> dict:
    """The ask form's fields, with what the member typed, and `fields` changed."""
    return {
        "title": TITLE,
        "body": f"{KEEP} It drips.",
        "category": "{category}",
        "tags": "",
        **fields,
    }


@dataclass(frozen=True)
class Upload:
    """A file for a form, made afresh for each request (a file object is read once)."""

    name: str
    content: bytes
    content_type: str = "image/png"


def raw(text: str) -> bytes:
    """A form body as raw bytes (for bytes no browser would send)."""
    return text.encode("latin-1")


def client_for(who: str, world) -> Client:
    client = Client(raise_request_exception=False)
    if who != "anon":
        client.force_login(world[who])
    return client


def _fill(value, world):
    if isinstance(value, str):
        return (
            value.replace("{category}", str(world["category"]))
            .replace("{thread}", str(world["thread"]))
            .replace("{reply}", str(world["reply"]))
            .replace("{author}", world["author"])
            .replace("{article}", str(world.get("article", "")))
        )
    if isinstance(value, bytes):
        return _fill(value.decode("latin-1"), world).encode("latin-1")
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    if isinstance(value, Upload):
        return SimpleUploadedFile(value.name, value.content, value.content_type)
    return value
