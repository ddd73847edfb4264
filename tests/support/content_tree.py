"""A content root on disk for the course-delivery tests: a small valid course, edited per test."""

from __future__ import annotations

from pathlib import Path

COURSE = "demo"
#: A valid PNG header; the checker looks at the signature, browsers never see these bytes.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
DIAGRAM = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'

STANDARD = {
    "courses/demo/course.md": """\
---
title: Demo course
summary: A short course for the tests.
certificate:
  title: Certified Demonstrator
  valid_for_months: 12
---
Welcome. Start with [the basics](01-basics.md).
""",
    "courses/demo/01-basics.md": """\
---
title: The basics
minutes: 10
objectives:
  - Name the basics.
  - Explain why they matter.
---
An opening paragraph of exactly nine words for counting.

## First things

See [who does what](02-roles.md#who-does-what) and the diagram.

![A box and an arrow](assets/diagram.svg)

### A detail

More text here.
""",
    "courses/demo/02-roles.md": """\
---
title: Roles
---
## Who does what

The roles, one by one.
""",
    "courses/demo/03-wrap-up.md": """\
---
title: Wrap-up
---
That is all. Back to [the course page](course.md).
""",
    "quizzes/demo/basics-check.md": """\
---
title: Basics check
module: 01-basics
---
## Is this the basics?
- [x] Yes
- [ ] No
""",
    "quizzes/demo/roles-check.md": """\
---
title: Roles check
module: roles
pass_mark: 80
---
## Who leads?
- [x] The Major Incident Manager
- [ ] Nobody
""",
    "quizzes/demo/final-exam.md": """\
---
title: Final exam
final: true
attempts: 3
time_limit: 30
---
## Ready?
- [x] Yes
- [ ] No
""",
}


class ContentTree:
    """Files under a content root, written and changed the way an author would."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, content: str | bytes) -> ContentTree:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return self

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> ContentTree:
        text = self.read(rel)
        assert old in text, f"{old!r} is not in {rel}"
        return self.write(rel, text.replace(old, new, 1))

    def remove(self, rel: str) -> ContentTree:
        self.path(rel).unlink()
        return self

    def rename(self, old: str, new: str) -> ContentTree:
        self.path(old).rename(self.path(new))
        return self

    def standard(self) -> ContentTree:
        """A valid course 'demo': three modules, two images, two module quizzes and a final exam."""
        for rel, text in STANDARD.items():
            self.write(rel, text)
        self.write("courses/demo/assets/diagram.svg", DIAGRAM)
        return self.write("courses/demo/assets/photo.png", PNG)


class FakeLinks:
    """``domain.content.LinkTargets`` with short, predictable URLs."""

    def course_url(self, course: str) -> str:
        return f"/c/{course}"

    def module_url(self, course: str, module: str) -> str:
        return f"/c/{course}/{module}"

    def asset_url(self, course: str, path: str, sha256: str) -> str:
        return f"/c/{course}/assets/{path}?v={sha256[:8]}"

    def resource_url(self, course: str, resource: str) -> str:
        return f"/c/{course}/resources/{resource}"
