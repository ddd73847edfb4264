"""Markdown to safe HTML: Python-Markdown for the syntax, nh3 (an allow-list) for safety.

Whatever the source (files, the browser editor, an imported zip), the HTML that reaches a page has
no scripts, no event handlers, no ``javascript:``/``data:`` URLs and no unknown tags. Rendering
costs milliseconds, so callers render once per content version and store the result.

Python-Markdown's inline patterns cost the square of some inputs' length (thousands of unclosed
``[``, ``<a `` or ``![``) and its block parser recurses once per nesting level. So every text is
first checked against :data:`LIMITS` (a linear scan; a refusal names the line), and the costly
step, ``convert``, may be handed to a converter with a time budget (:func:`use_converter`; the app
installs :mod:`academy.render_sandbox`). See docs/security.md for the figures behind the limits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


class RenderRefused(ValueError):
    """The text is refused before (or while) rendering; ``line`` is 1-based within the text."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What one rendered text may hold. Each bound sits well above real course text (the largest
    module holds about 60 ``[``) and well below the point where rendering takes seconds."""

    characters: int = 300_000
    #: ``[`` (links, images, footnote references): each unclosed one rescans the rest of the text.
    brackets: int = 1_000
    #: ``<`` (inline HTML, autolinks): the same rescanning.
    angle_brackets: int = 2_000
    #: ``*`` and ``_`` (emphasis markers).
    emphasis_markers: int = 20_000
    headings: int = 1_000
    footnotes: int = 500
    #: Lists and block quotes: the block parser recurses once per level.
    nesting: int = 16
    #: Indentation in columns (a tab counts 4) of a list item: deep indentation is deep nesting.
    indentation: int = 80


LIMITS = Limits()
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)|^ {0,3}(=+|-+)\s*$")
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]]*\]:")
_QUOTES = re.compile(r"^(\s*>)+")
_LIST_ITEM = re.compile(r"[-*+>]|\d{1,9}[.)]")


def check_limits(text: str, limits: Limits = LIMITS) -> RenderRefused | None:
    """The first bound ``text`` goes past, as a refusal naming the line, or None. Linear time."""
    if len(text) > limits.characters:
        return RenderRefused(1, f"this text has {len(text):,} characters; the limit is {limits.characters:,}: "
                                "split it into several modules")
    counts = {"[": 0, "<": 0, "*": 0, "heading": 0, "footnote": 0}
    bounds = {"[": (limits.brackets, "'[' (links, images and footnote references)"),
              "<": (limits.angle_brackets, "'<' (inline HTML and autolinks)"),
              "*": (limits.emphasis_markers, "emphasis markers ('*' and '_')"),
              "heading": (limits.headings, "headings"),
              "footnote": (limits.footnotes, "footnotes")}
    for number, line in enumerate(text.split("\n"), start=1):
        counts["["] += line.count("[")
        counts["<"] += line.count("<")
        counts["*"] += line.count("*") + line.count("_")
        counts["heading"] += bool(_HEADING.match(line))
        counts["footnote"] += bool(_FOOTNOTE.match(line))
        for key, total in counts.items():
            bound, what = bounds[key]
            if total > bound:
                return RenderRefused(number, f"too many {what}: the limit is {bound:,} in one text; "
                                             "split it into several modules or pages")
        quotes = _QUOTES.match(line)
        if quotes and quotes.group(0).count(">") > limits.nesting:
            return RenderRefused(number, f"block quotes nested more than {limits.nesting} deep")
        stripped = line.lstrip(" \t")
        indent = len(line[:len(line) - len(stripped)].expandtabs(4))
        if indent > limits.indentation and _LIST_ITEM.match(stripped):
            return RenderRefused(number, f"indented {indent} columns (lists nested too deep); "
                                         f"the limit is {limits.indentation}")
    return None


def _markdown() -> markdown.Markdown:
    configs = {k: dict(v) for k, v in EXTENSION_CONFIGS.items()}
    configs["toc"]["slugify"] = _slugify
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs, output_format="html")


def convert(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Python-Markdown's HTML (not yet sanitised) and its table-of-contents tokens: the costly step."""
    md = _markdown()
    try:
        raw_html = md.convert(text)
    except RecursionError as exc:
        raise RenderRefused(1, "this text is nested too deeply to render") from exc
    return raw_html, list(getattr(md, "toc_tokens", []))


#: The function that runs :func:`convert`; replaced by a time-bounded one with :func:`use_converter`.
Converter = Callable[[str], tuple[str, list[dict[str, Any]]]]
_converter: Converter = convert


def use_converter(converter: Converter | None) -> None:
    """Run the costly step through ``converter`` (None: in this process, without a time budget)."""
    global _converter
    _converter = converter or convert


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
    #: Links dropped because browsers read them as another site (``//host``, ``/\\host``).
    refused_links: list[str] = field(default_factory=list)


_OFF_SITE_PATH = re.compile(r"^[\x00-\x20]*[/\\]{2}")


def is_disguised_off_site(url: str) -> bool:
    """``//evil.example`` or ``/\\evil.example``: it looks like a path here, but browsers go to another host."""
    return bool(_OFF_SITE_PATH.match(url)) or url.strip().lower().startswith(("/%5c", "%5c"))


def _slugify(value: str, separator: str) -> str:
    from markdown.extensions.toc import slugify_unicode
    return slugify_unicode(value, separator)


def _collect_headings(tokens, found: list[Heading]) -> None:
    pending = list(reversed(tokens))
    while pending:  # a loop, not recursion: the tokens nest as deep as the headings do
        token = pending.pop()
        # The toc extension gives the name HTML-escaped; keep plain text so templates escape it once.
        found.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        pending.extend(reversed(token.get("children", [])))


def _is_relative(url: str) -> bool:
    lowered = url.strip().lower()
    return bool(lowered) and ":" not in lowered.split("/", 1)[0] and not lowered.startswith(("/", "#", "//"))


def render(text: str, *, resolve_link: LinkResolver | None = None) -> Rendered:
    """Render Markdown ``text`` to sanitised HTML and list its headings for an on-page contents.

    ``resolve_link(tag, attribute, url)`` may rewrite relative ``href``/``src`` values (module
    links, asset paths); returning None drops the attribute. Raises :class:`RenderRefused` for a
    text past :data:`LIMITS` or over the converter's time budget.
    """
    if (refusal := check_limits(text)) is not None:
        raise refusal
    raw_html, toc_tokens = _converter(text)
    headings: list[Heading] = []
    _collect_headings(toc_tokens, headings)

    refused: list[str] = []

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and is_disguised_off_site(value):
            refused.append(value)
            return None
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
    return Rendered(html=_ADJACENT_FOOTNOTES.sub(r"\1<sup>,</sup>\2", safe), headings=headings,
                    refused_links=refused)


#: Two footnote markers side by side ("[^1][^3]") would read as one number ("13"): a comma goes
#: between them, as in print.
_ADJACENT_FOOTNOTES = re.compile(r'(</sup>)(<sup id="fnref)')


def render_inline(text: str) -> str:
    """Render a one-line snippet (an option, a heading) without the surrounding paragraph."""
    html = render(text).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
