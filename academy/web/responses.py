"""Responses that are files rather than pages: a course image, and the header that names a download."""

from __future__ import annotations

from typing import Protocol

from flask import Response, current_app, request

from ..links import VERSION_LENGTH

#: Course images are the author's files: even opened directly, an SVG may not run anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
#: Long enough to be "for ever": the content hash in the URL changes whenever the image does.
IMMUTABLE = "public, max-age=31536000, immutable"


class Image(Protocol):
    data: bytes
    content_type: str
    sha256: str


def content_disposition(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The header that names a file: saved as a download, or ``inline`` shown in the browser."""
    return {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'}


def send_image(image: Image) -> Response:
    """A course image: sandboxed if SVG, cached for ever when the URL's ``?v=`` names this version."""
    response = current_app.response_class(image.data, mimetype=image.content_type)
    current = request.args.get("v") == image.sha256[:VERSION_LENGTH]
    response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if image.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    response.set_etag(image.sha256)
    return response.make_conditional(request)
