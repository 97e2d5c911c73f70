"""Public media (avatars, Wagtail's images and their renditions) served by the app
itself, for a production site that keeps media on its local disk.

whitenoise serves static files only, so with DEBUG off nothing would answer
/media/ and every avatar would be a broken image. This view reads from the default
storage and answers only what is meant to be public, with headers that make a file
nothing but an image:

- only the public folders (PUBLIC_FOLDERS) and image extensions (CONTENT_TYPES):
  Wagtail's documents are left to /documents/, which applies their collections'
  privacy, and no SVG, HTML or other type a browser would run is ever answered;
- the Content-Type comes from the extension alone (never the system's tables),
  which the code chose from what the bytes are (accounts.models.avatar_upload_to;
  Wagtail checks its images), with
  X-Content-Type-Options: nosniff, Content-Disposition: inline and a sandboxing
  Content-Security-Policy, so nothing is sniffed or run;
- names are stored under random names that change with each upload: a year's
  Cache-Control, immutable;
- no directory listing, and any path that is not a plain relative name ("..",
  absolute paths, backslashes, empty or dot segments) is a 404.

A site behind a proxy can have the proxy serve the media folder instead (README),
and a site on object storage serves media from the storage's own URLs: the view is
mounted by community/config/urls.py when settings.MEDIA_SERVE_BY_APP (on by
default when the default storage is the local file system) or SERVE_MEDIA is on.
"""

import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

PUBLIC_FOLDERS = ("avatars", "images", "original_images")
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
}
CACHE_CONTROL = "public, max-age=31536000, immutable"


def public_media_name(path: str) -> str | None:
    """The storage name for a requested path, or None when it is not a public media
    file's plain relative name."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    segments = path.split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        return None
    if posixpath.normpath(path) != path or segments[0] not in PUBLIC_FOLDERS or len(segments) < 2:
        return None
    extension = segments[-1].rsplit(".", 1)[-1].lower() if "." in segments[-1] else ""
    if extension not in CONTENT_TYPES:
        return None
    return path


@require_safe
def public_media(request, path):
    name = public_media_name(path)
    if name is None:
        raise Http404
    try:
        modified = default_storage.get_modified_time(name)
    except (OSError, NotImplementedError, SuspiciousFileOperation):
        modified = None
    if modified is not None and not was_modified_since(
        request.META.get("HTTP_IF_MODIFIED_SINCE"), modified.timestamp()
    ):
        response = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (OSError, SuspiciousFileOperation) as error:
            # Missing, a folder, or outside the storage: nothing to list or reveal.
            raise Http404 from error
        response = FileResponse(handle, content_type=CONTENT_TYPES[name.rsplit(".", 1)[-1].lower()])
        response["Content-Disposition"] = "inline"
        if modified is not None:
            response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
