"""Course images: which files are accepted, what they are, and SVG made safe to serve.

An SVG is a document that can carry script. Pages show course images through ``<img>`` (where
script never runs) and the asset route adds a sandboxing CSP, but the stored file is cleaned as
well, so no path to it (a direct link, a download, a future viewer) can run an author's script.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET  # noqa: S405  (DOCTYPEs are refused before parsing: no entities)
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: File extension to the content type it is served with.
CONTENT_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_BYTES = 5 * 1024 * 1024

#: Elements that run script, embed other documents or rewrite attributes while the image is shown.
_DROPPED_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform"}
_SAFE_LINK = re.compile(r"^\s*(#|https?://)", re.IGNORECASE)
#: Raster pictures embedded in an SVG ``<image>``: inert, so they may stay.
_EMBEDDED_PICTURE = re.compile(r"^\s*data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)


class ImageError(ValueError):
    """The bytes are not the image their name promises; ``str()`` says why, for the author."""


@dataclass(frozen=True)
class Image:
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        """The hex digest of the bytes served: the version an asset URL's ``?v=`` names."""
        return hashlib.sha256(self.data).hexdigest()


def prepare(name: str, data: bytes) -> Image:
    """Check that ``data`` is the image its file ``name`` says, and return what to serve.

    Raises :class:`ImageError` for an unsupported type, a mismatch or an oversized file.
    """
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    content_type = CONTENT_TYPES.get(suffix)
    if content_type is None:
        raise ImageError(f"unsupported asset type '{suffix or name}': use SVG, PNG or JPEG images")
    if len(data) > MAX_BYTES:
        raise ImageError(f"image is {len(data) // 1024} KiB; the limit is {MAX_BYTES // 1024 // 1024} MiB")
    if content_type == "image/png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ImageError("this file is not a PNG image (check how it was exported)")
    if content_type == "image/jpeg" and not data.startswith(b"\xff\xd8\xff"):
        raise ImageError("this file is not a JPEG image (check how it was exported)")
    if content_type == "image/svg+xml":
        data = clean_svg(data)
    return Image(content_type, data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def clean_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers, foreign objects, or links other than #id/http(s).

    Raster pictures embedded in ``<image>`` elements stay; every other ``data:`` link goes.
    """
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ImageError("SVG files must not have a DOCTYPE or entities: export as plain SVG")
    try:
        root = ET.fromstring(data)  # noqa: S314  (no DOCTYPE, so no entity expansion)
    except ET.ParseError as exc:
        raise ImageError(f"this file is not a valid SVG image ({exc})") from exc
    if _local(root.tag) != "svg":
        raise ImageError("this file is not an SVG image: its root element is not <svg>")
    _clean(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = _local(child.tag)
        attribute_name = child.get("attributeName", "").lower()
        if name in _DROPPED_ELEMENTS or (
            name in _ANIMATIONS and (attribute_name.startswith("on") or attribute_name.endswith("href"))
        ):
            element.remove(child)
            continue
        _clean(child)
    for attribute in list(element.attrib):
        local = _local(attribute)
        if local.startswith("on") or (local == "href" and not _safe_link(element, element.attrib[attribute])):
            del element.attrib[attribute]


def _safe_link(element: ET.Element, url: str) -> bool:
    return bool(_SAFE_LINK.match(url) or (_local(element.tag) == "image" and _EMBEDDED_PICTURE.match(url)))
