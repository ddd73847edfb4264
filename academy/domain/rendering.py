"""Markdown to safe HTML: Python-Markdown for the syntax, nh3 (an allow-list) for safety.

Whatever the source (files, the browser editor, an imported zip), the HTML that reaches a page has
no scripts, no event handlers, no ``javascript:``/``data:`` URLs and no unknown tags. Rendering
costs milliseconds, so callers render once per content version and store the result.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3

EXTENSIONS = [
    "tables",
    "fenced_code",
    "footnotes",
    "def_list",
    "attr_list",
    "admonition",
    "sane_lists",
    "toc",
    "pymdownx.tilde",
    "pymdownx.details",
]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False, "toc_depth": "2-3", "slugify": None},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_COMMON = {"id", "class", "title", "lang", "dir"}
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": _COMMON | {"href"},
    "img": _COMMON | {"src", "alt", "width", "height", "loading"},
    "td": _COMMON | {"colspan", "rowspan", "align"},
    "th": _COMMON | {"colspan", "rowspan", "align", "scope"},
    "ol": _COMMON | {"start"},
    "details": _COMMON | {"open"},
}
URL_SCHEMES = {"http", "https", "mailto"}

#: Rewrites a relative URL found in the Markdown (``assets/x.svg``, ``02-roles.md#phases``).
LinkResolver = Callable[[str, str, str], str | None]


@dataclass
class Heading:
    """A heading for an on-page contents: ``text`` is plain text (escape it when displaying)."""

    level: int
    id: str
    text: str


@dataclass
class Rendered:
    html: str
    headings: list[Heading] = field(default_factory=list)


def _slugify(value: str, separator: str) -> str:
    from markdown.extensions.toc import slugify_unicode
    return slugify_unicode(value, separator)


def _collect_headings(tokens, found: list[Heading]) -> None:
    for token in tokens:
        # The toc extension gives the name HTML-escaped; keep plain text so templates escape it once.
        found.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        _collect_headings(token.get("children", []), found)


def _is_relative(url: str) -> bool:
    lowered = url.strip().lower()
    return bool(lowered) and ":" not in lowered.split("/", 1)[0] and not lowered.startswith(("/", "#", "//"))


def render(text: str, *, resolve_link: LinkResolver | None = None) -> Rendered:
    """Render Markdown ``text`` to sanitised HTML and list its headings for an on-page contents.

    ``resolve_link(tag, attribute, url)`` may rewrite relative ``href``/``src`` values (module
    links, asset paths); returning None drops the attribute.
    """
    configs = {k: dict(v) for k, v in EXTENSION_CONFIGS.items()}
    configs["toc"]["slugify"] = _slugify
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs, output_format="html")
    raw_html = md.convert(text)
    headings: list[Heading] = []
    _collect_headings(getattr(md, "toc_tokens", []), headings)

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and resolve_link is not None and _is_relative(value):
            return resolve_link(tag, attribute, value)
        if attribute == "class":
            # Keep plain class names only (admonition, footnote, table alignment classes).
            names = [c for c in value.split() if c.replace("-", "").replace("_", "").isalnum()]
            return " ".join(names) or None
        return value

    safe = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=attribute_filter,
        strip_comments=True,
    )
    return Rendered(html=_ADJACENT_FOOTNOTES.sub(r"\1<sup>,</sup>\2", safe), headings=headings)


#: Two footnote markers side by side ("[^1][^3]") would read as one number ("13"): a comma goes
#: between them, as in print.
_ADJACENT_FOOTNOTES = re.compile(r'(</sup>)(<sup id="fnref)')


def render_inline(text: str) -> str:
    """Render a one-line snippet (an option, a heading) without the surrounding paragraph."""
    html = render(text).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
