"""Hostile course files: whatever an author (or an attacker with write access) puts in, pages stay inert."""

from __future__ import annotations

import html
import re

import pytest

from academy.domain import content, images, rendering
from tests.support.content_tree import ContentTree, FakeLinks

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="assets/diagram.svg" alt="d" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(1)">click</p>',
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](java&#115;cript:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;&#x61;vascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    '<a href="  javascript:alert(1)">a</a>',
    '<a href="java\nscript:alert(1)">a</a>',
    '<a href="javascript&colon;alert(1)">a</a>',
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "A paragraph\n{: onclick=\"alert(1)\" }",
    "[a](https://example.com){: href=\"javascript:alert(1)\" }",
    "[a](02-roles.md){: href=\"javascript:alert(1)\" onmouseover=\"alert(1)\" }",
    "![alt](assets/diagram.svg){: onload=\"alert(1)\" src=\"javascript:alert(1)\" }",
    "## Heading {: onclick=\"alert(1)\" style=\"background:url(javascript:alert(1))\" }",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
    '<svg><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mtext><script>alert(1)</script></mtext></math>',
    '<style>body { background: url(javascript:alert(1)) }</style>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<a href="https://example.com" target="_blank">new tab</a>',
    '<!-- <script>alert(1)</script> -->',
    "<div style=\"position:fixed;inset:0\">overlay</div>",
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|style|form|input|base|meta|math|svg)\b|\son\w+\s*=|javascript:|vbscript:|"
    r"data:text|style\s*=|target\s*=",
    re.IGNORECASE,
)


@pytest.fixture
def tree(tmp_path) -> ContentTree:
    return ContentTree(tmp_path).standard()


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_neutralised(tree, markdown):
    tree.write("courses/demo/03-wrap-up.md", f"---\ntitle: Wrap-up\n---\nSafe text.\n\n{markdown}\n\nMore text.\n")
    snapshot, problems = content.load(tree.root, FakeLinks())
    # A protocol-relative address is also reported to the author (docs/security.md); nothing else is.
    assert [p for p in problems if "would take readers to another site" not in p.message] == []
    if problems:
        rendered = rendering.render(f"Safe text.\n\n{markdown}\n\nMore text.\n").html
    else:
        rendered = snapshot.courses[0].modules[2].html
    # Entities are decoded first: a browser would decode them too before acting on a URL.
    assert not DANGEROUS.search(html.unescape(rendered)), rendered
    assert "Safe text." in rendered and "More text." in rendered


def test_hostile_text_in_the_course_introduction_is_neutralised(tree):
    tree.edit("courses/demo/course.md", "Welcome.", '<script>alert(1)</script><b onclick="x">Welcome.</b>')
    snapshot, problems = content.load(tree.root, FakeLinks())
    assert problems == []
    assert not DANGEROUS.search(snapshot.courses[0].intro_html)


def test_external_links_get_noopener(tree):
    tree.write("courses/demo/03-wrap-up.md", "---\ntitle: Wrap-up\n---\n[MIM](https://example.com)\n")
    snapshot, _ = content.load(tree.root, FakeLinks())
    assert '<a href="https://example.com" rel="noopener noreferrer">MIM</a>' in snapshot.courses[0].modules[2].html


HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"
     onload="alert(1)">
  <script>alert(1)</script>
  <script xlink:href="https://evil.example/x.js"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <a xlink:href="javascript:alert(1)"><text y="5">click</text></a>
  <a href=" JAVASCRIPT:alert(1)"><text y="5">click</text></a>
  <set attributeName="onmouseover" to="alert(1)"/>
  <animate attributeName="href" values="javascript:alert(1)"/>
  <use href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+"/>
  <iframe src="https://evil.example"/>
  <rect width="10" height="10" onclick="alert(1)" onMouseOver="alert(1)" fill="#0f766e"/>
  <use href="#box"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <a href="https://example.com"><text y="9">site</text></a>
</svg>"""


def test_svg_is_stripped_of_scripts_handlers_foreign_objects_and_script_links():
    cleaned = images.clean_svg(HOSTILE_SVG).decode()
    lowered = cleaned.lower()
    for needle in ("<script", "onload", "onclick", "onmouseover", "foreignobject", "javascript:", "<iframe",
                   "<set", "<animate", "data:image/svg"):
        assert needle not in lowered, (needle, cleaned)
    assert 'fill="#0f766e"' in cleaned
    assert 'href="#box"' in cleaned
    assert 'href="data:image/png;base64,iVBORw0KGgo="' in cleaned
    assert 'href="https://example.com"' in cleaned


def test_hostile_svg_assets_are_stored_clean(tree):
    tree.write("courses/demo/assets/diagram.svg", HOSTILE_SVG)
    snapshot, problems = content.load(tree.root, FakeLinks())
    assert problems == []
    diagram = next(a for a in snapshot.courses[0].assets if a.path == "diagram.svg")
    assert b"<script" not in diagram.data and b"onload" not in diagram.data
    assert diagram.data.startswith(b"<?xml") and b"<svg" in diagram.data


def test_an_svg_with_entities_is_refused_before_parsing():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>')
    with pytest.raises(images.ImageError, match="DOCTYPE or entities"):
        images.clean_svg(bomb)
