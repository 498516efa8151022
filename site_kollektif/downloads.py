"""Files that editors upload, served so that they can never act as pages of the platform.

A PDF can carry JavaScript, a text file can be sniffed as HTML: opened inline from the
platform's domain, what any editor uploads (even one whose association is still pending) would
run next to every visitor's and volunteer's session. So documents are downloads
(`WAGTAILDOCS_INLINE_CONTENT_TYPES = []`, and `Content-Disposition: attachment` for anything
under /media/ that is not an image), and every uploaded file comes with a sandboxing CSP and
`X-Content-Type-Options: nosniff` (OWASP File Upload Cheat Sheet, "Serve files safely").
Images stay inline: `<img>` needs them, and they are not a document a browser runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import PurePosixPath

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.http import content_disposition_header
from django.views import static
from wagtail.documents.views.serve import serve as wagtail_document_serve

SANDBOX = "default-src 'none'; sandbox"
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif")


def harden(response: HttpResponseBase, *, filename: str) -> HttpResponseBase:
    """Sandbox `response`; make it a download unless it is a raster image."""
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response._csp_exempt_ro = True  # the site's report-only policy does not apply to a file
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if 200 <= response.status_code < 300 and content_type not in INLINE_TYPES:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _hardened(view: Callable[..., HttpResponseBase], filename_of: Callable[..., str]):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        return harden(view(request, *args, **kwargs), filename=filename_of(*args, **kwargs))

    return wrapped


#: Wagtail's document view (password and collection rules, etag) under the same URL name.
serve_document = _hardened(wagtail_document_serve, lambda document_id, document_filename: document_filename)


def _media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    # MEDIA_ROOT read per request, not when the URLconf is imported (tests move it).
    return static.serve(request, path, document_root=settings.MEDIA_ROOT)


#: /media/ when the app serves it itself (demo, tests, one machine without object storage).
serve_media = _hardened(_media_serve, lambda path: PurePosixPath(path).name)
