"""Course images: which files are accepted, what they are, and SVG made safe to serve.

An SVG is a document that can carry script. Pages show course images through ``<img>`` (where
script never runs) and the asset route adds a sandboxing CSP, but the stored file is cleaned as
well, so no path to it (a direct link, a download, a future viewer) can run an author's script.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405  (only to build and write; parsing goes through defusedxml)
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: File extension to the content type it is served with.
CONTENT_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_BYTES = 5 * 1024 * 1024

#: Nesting and size an SVG may have (drawing tools export a few levels of groups, a few thousand shapes).
MAX_DEPTH = 100
MAX_ELEMENTS = 50_000
#: The SVG elements kept (lower case); anything else, in any namespace, is dropped with its content.
_ELEMENTS = {
    "svg", "g", "defs", "desc", "title", "symbol", "use", "image", "switch", "view", "a", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textpath",
    "marker", "lineargradient", "radialgradient", "stop", "pattern", "clippath", "mask", "filter",
    "feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite", "feconvolvematrix",
    "fediffuselighting", "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood", "fefunca",
    "fefuncb", "fefuncg", "fefuncr", "fegaussianblur", "femerge", "femergenode", "femorphology",
    "feoffset", "fepointlight", "fespecularlighting", "fespotlight", "fetile", "feturbulence",
    "set", "animate", "animatemotion", "animatetransform", "mpath",
}
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
    """The SVG with only drawing elements (an allow-list) and links to #id or http(s).

    Scripts, event handlers, foreign objects, elements of other namespaces (XHTML forms, ``meta``
    refresh) and animations that rewrite links or handlers are dropped. Raster pictures embedded in
    ``<image>`` elements stay; every other ``data:`` link goes. A file nested deeper than
    :data:`MAX_DEPTH` or with more than :data:`MAX_ELEMENTS` elements is refused before any
    recursive step runs (parsing streams; cleaning and writing walk the tree).
    """
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ImageError("SVG files must not have a DOCTYPE or entities: export as plain SVG")
    root = _parse_bounded(data)
    if _local(root.tag) != "svg":
        raise ImageError("this file is not an SVG image: its root element is not <svg>")
    _clean(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _parse_bounded(data: bytes) -> ET.Element:
    depth = elements = 0
    root = None
    try:
        for event, element in DefusedET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "end":
                depth -= 1
                continue
            root = element if root is None else root
            depth += 1
            elements += 1
            if depth > MAX_DEPTH:
                raise ImageError(f"this SVG nests elements more than {MAX_DEPTH} deep: flatten its groups")
            if elements > MAX_ELEMENTS:
                raise ImageError(f"this SVG has more than {MAX_ELEMENTS:,} elements: simplify it")
    except (ET.ParseError, DefusedXmlException) as exc:
        raise ImageError(f"this file is not a valid SVG image ({exc})") from exc
    if root is None:
        raise ImageError("this file is not a valid SVG image (it is empty)")
    return root


def _allowed_element(tag: str) -> bool:
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    return namespace in ("", SVG_NS) and _local(tag) in _ELEMENTS


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = _local(child.tag)
        # Whitespace and case tricks ("href ", "OnClick") are normalised the way browsers read them.
        attribute_name = child.get("attributeName", "").strip().lower()
        if not _allowed_element(child.tag) or (
            name in _ANIMATIONS and (attribute_name.startswith("on") or "href" in attribute_name
                                     or attribute_name in ("style", "class"))
        ):
            element.remove(child)
            continue
        _clean(child)
    for attribute in list(element.attrib):
        local = _local(attribute).strip().lower()
        namespace = attribute[1:].split("}", 1)[0] if attribute.startswith("{") else ""
        if (namespace not in ("", XLINK_NS, XML_NS) or local.startswith("on")
                or (local == "href" and not _safe_link(element, element.attrib[attribute]))):
            del element.attrib[attribute]


def _safe_link(element: ET.Element, url: str) -> bool:
    return bool(_SAFE_LINK.match(url) or (_local(element.tag) == "image" and _EMBEDDED_PICTURE.match(url)))
