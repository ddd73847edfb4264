"""Loading a content root (``courses/`` and ``quizzes/``) into a rendered, checked snapshot.

:func:`load` reads the files, renders every Markdown body once (links resolved, HTML sanitised)
and reports every authoring mistake as a :class:`~academy.domain.problems.Problem` with the file
and line, relative to the content root. The snapshot is only trustworthy when the problem list is
empty; callers (``content check``, ``content sync``) refuse to use it otherwise.

The format is described for authors in ``docs/authoring.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from . import frontmatter, images, item_quality, quiz_format, resources, worksheets
from .problems import Problem
from .rendering import Heading, RenderRefused, render

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE_RE = re.compile(r"^(\d{2,})-(.+)\.md$")
COURSE_FILE = "course.md"
ASSETS_DIR = "assets"
#: Module slugs that would collide with the course's own URLs (/courses/<course>/continue, ...).
RESERVED_SLUGS = {"assets", "continue", "enrol", "quizzes", "resources", "worksheets"}
RESOURCES_DIR = resources.RESOURCES_DIR
COURSE_KEYS = {"title", "summary", "certificate"}
CERTIFICATE_KEYS = {"title", "valid_for_months"}
#: ``minutes`` is still accepted (files using it stay valid) but no longer sets the reading time.
MODULE_KEYS = {"title", "minutes", "activity_minutes", "objectives"}
#: Reading speed for study text: between 200 and 230 words a minute, the pace of careful reading.
WORDS_PER_MINUTE = 220


class LinkTargets(Protocol):
    """The URLs that rendered pages link to; the web layer supplies them."""

    def course_url(self, course: str) -> str: ...

    def module_url(self, course: str, module: str) -> str: ...

    def asset_url(self, course: str, path: str, sha256: str) -> str: ...

    def resource_url(self, course: str, resource: str) -> str: ...


@dataclass(frozen=True)
class AssetFile:
    """An image below a course's ``assets/``; ``path`` is relative to that folder."""

    path: str
    content_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class ModuleContent:
    number: int
    slug: str
    file_name: str
    title: str
    #: The front matter's old reading-time claim; kept for compatibility, no longer shown.
    minutes: int | None
    objectives: tuple[str, ...]
    html: str
    headings: tuple[Heading, ...]
    word_count: int
    #: Minutes of exercises and worksheets, added to the reading time (front matter ``activity_minutes``).
    activity_minutes: int = 0
    #: The worksheets embedded in the module, in page order.
    worksheets: tuple[worksheets.Worksheet, ...] = ()

    @property
    def estimated_minutes(self) -> int:
        """Reading time from the word count plus the author's minutes for activities."""
        return estimate_minutes(self.word_count) + self.activity_minutes


@dataclass(frozen=True)
class QuizContent:
    slug: str
    title: str
    #: Slug of the module the quiz checks; None for the final exam.
    module: str | None
    final: bool
    pass_mark: int
    attempts: int | None
    draw: int | None
    time_limit: int | None
    #: The parsed quiz as ``quiz_format.QuizDef.to_dict()``.
    definition: dict[str, Any]
    content_hash: str
    #: Facts for the author, printed by ``content check`` (each branching scenario's score range).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourseContent:
    slug: str
    title: str
    summary: str
    intro_html: str
    certificate_title: str
    valid_for_months: int | None
    modules: tuple[ModuleContent, ...]
    quizzes: tuple[QuizContent, ...]
    assets: tuple[AssetFile, ...]
    #: SHA-256 over every file of the course and its quizzes: equal hashes mean equal content.
    content_hash: str
    #: Those files as read, by path in the content root (``courses/<slug>/...``, ``quizzes/<slug>/...``),
    #: so a published version can keep them for comparing, restoring and exporting.
    files: dict[str, bytes] = field(default_factory=dict)
    #: Job aids and other resources under ``resources/``, in file-name order.
    resources: tuple[resources.ResourceContent, ...] = ()
    #: Item-quality warnings on its quizzes (:mod:`academy.domain.item_quality`); they never stop
    #: publishing, ``content check --strict`` turns them into errors.
    warnings: tuple[Problem, ...] = ()

    def quiz_path(self, quiz: QuizContent) -> str:
        return f"quizzes/{self.slug}/{quiz.slug}.md"


@dataclass(frozen=True)
class Snapshot:
    """Everything a content root holds, rendered; courses in slug order."""

    courses: tuple[CourseContent, ...]

    @property
    def warnings(self) -> list[Problem]:
        """Every course's item-quality warnings, sorted."""
        return sorted(w for c in self.courses for w in c.warnings)

    def summary(self, problems: int) -> str:
        """A one-line count, e.g. ``1 course, 7 modules, 8 quizzes, 0 problems``."""
        modules = sum(len(c.modules) for c in self.courses)
        quizzes = sum(len(c.quizzes) for c in self.courses)
        sheets = sum(len(m.worksheets) for c in self.courses for m in c.modules)
        resources_ = sum(len(c.resources) for c in self.courses)
        extras = [_count(n, word) for n, word in ((sheets, "worksheet"), (resources_, "resource")) if n]
        return ", ".join([_count(len(self.courses), "course"), _count(modules, "module"), *extras,
                          _count(quizzes, "quiz", "quizzes"), _count(problems, "problem")])


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def estimate_minutes(word_count: int) -> int:
    """Reading time at a careful study pace (:data:`WORDS_PER_MINUTE`), at least one minute."""
    return max(1, round(word_count / WORDS_PER_MINUTE))


def load(root: Path, links: LinkTargets) -> tuple[Snapshot, list[Problem]]:
    """Read and render the content root ``root``; return the snapshot and every problem, sorted."""
    problems: list[Problem] = []
    courses_dir = root / "courses"
    if not courses_dir.is_dir():
        return Snapshot(()), [Problem("courses", 1, f"no courses/ folder in {root}")]
    courses = []
    for folder in _visible(courses_dir):
        rel = f"courses/{folder.name}"
        if not folder.is_dir():
            problems.append(Problem(rel, 1, "unexpected file: courses/ holds one folder per course"))
            continue
        if not SLUG_RE.match(folder.name):
            problems.append(Problem(rel, 1, "course folder names use lower-case letters, digits and hyphens"))
            continue
        loader = _CourseLoader(folder, rel, links)
        course = loader.load(root / "quizzes" / folder.name)
        problems += loader.problems
        if course is not None:
            courses.append(course)
    problems += _orphan_quiz_folders(root, {c.name for c in _visible(courses_dir) if c.is_dir()})
    return Snapshot(tuple(courses)), sorted(set(problems))


def _visible(folder: Path) -> list[Path]:
    """Entries of ``folder`` in name order, without hidden files (.DS_Store, editor swap files)."""
    return sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)


def _orphan_quiz_folders(root: Path, course_names: set[str]) -> list[Problem]:
    quizzes = root / "quizzes"
    if not quizzes.is_dir():
        return []
    problems = []
    for entry in _visible(quizzes):
        rel = f"quizzes/{entry.name}"
        if not entry.is_dir():
            problems.append(Problem(rel, 1, "unexpected file: quizzes/ holds one folder per course"))
        elif entry.name not in course_names:
            problems.append(Problem(rel, 1, f"quizzes for an unknown course: there is no courses/{entry.name}/"
                                    + _did_you_mean(entry.name, course_names)))
    return problems


def _did_you_mean(word: str, candidates: set[str] | list[str], *, prefix: str = "") -> str:
    guess = difflib.get_close_matches(word, sorted(candidates), n=1)
    return f"; did you mean '{prefix}{guess[0]}'?" if guess else ""


@dataclass
class _ModuleFile:
    path: Path
    rel: str
    number: int
    slug: str


@dataclass
class _Page:
    """A rendered body and what is needed to check its links afterwards."""

    rel: str
    source: str
    body_line: int
    html: str = ""
    headings: list[Heading] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    words: int = 0
    #: Module links with a #fragment, checked once every module is rendered: (url, file, fragment).
    anchors: list[tuple[str, str, str]] = field(default_factory=list)


class _CourseLoader:
    """Loads one course folder and its quizzes, collecting problems as it goes."""

    def __init__(self, folder: Path, rel: str, links: LinkTargets):
        self.folder, self.rel, self.links = folder, rel, links
        self.slug = folder.name
        self.problems: list[Problem] = []
        self.files: dict[str, bytes] = {}
        self.modules: dict[str, _ModuleFile] = {}
        self.assets: dict[str, AssetFile] = {}
        #: Resource files by file name (``bridge-opening-script.md``).
        self.resource_files: dict[str, Path] = {}
        self.worksheet_keys: dict[str, str] = {}

    def problem(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(rel, line, message))

    def load(self, quiz_folder: Path) -> CourseContent | None:
        self._scan()
        course_doc = self._read_course()
        pages: dict[str, _Page] = {}
        modules = []
        for module in sorted(self.modules.values(), key=lambda m: m.number):
            loaded = self._read_module(module)
            if loaded is not None:
                content, page = loaded
                if content is not None:
                    modules.append(content)
                # A page with problems of its own still has its links checked: every problem
                # of a file is reported in one pass, not one hidden behind another.
                pages[module.path.name] = page
        loaded_resources = [r for r in (self._read_resource(name, path)
                                        for name, path in sorted(self.resource_files.items())) if r is not None]
        intro = None
        if course_doc is not None:
            intro = self._render(f"{self.rel}/{COURSE_FILE}", course_doc.body, course_doc.body_line)
        self._check_anchors([*pages.values(), *([intro] if intro else []), *(r[1] for r in loaded_resources)],
                            pages)
        quizzes = self._read_quizzes(quiz_folder) if quiz_folder.is_dir() else []
        if course_doc is None or intro is None:
            return None
        meta = course_doc.meta
        certificate = meta.get("certificate") or {}
        return CourseContent(
            slug=self.slug,
            title=str(meta["title"]).strip(),
            summary=str(meta["summary"]).strip(),
            intro_html=intro.html,
            certificate_title=str(certificate.get("title") or meta["title"]).strip(),
            valid_for_months=certificate.get("valid_for_months"),
            modules=tuple(modules),
            quizzes=tuple(quizzes),
            assets=tuple(self.assets[p] for p in sorted(self.assets)),
            content_hash=_hash_files(self.files),
            files={(f"quizzes/{self.slug}/{key[8:]}" if key.startswith("quizzes/") else f"{self.rel}/{key}"): data
                   for key, data in sorted(self.files.items())},
            resources=tuple(r[0] for r in loaded_resources),
            warnings=tuple(item_quality.check_course(
                [(f"quizzes/{self.slug}/{q.slug}.md", quiz_format.QuizDef.from_dict(q.definition)) for q in quizzes])),
        )

    # -- files -----------------------------------------------------------------------------

    def _scan(self) -> None:
        """Sort the folder's entries into course.md, modules and assets; check names and numbers."""
        by_number: dict[int, list[_ModuleFile]] = {}
        by_slug: dict[str, list[_ModuleFile]] = {}
        for entry in _visible(self.folder):
            rel = f"{self.rel}/{entry.name}"
            if entry.name == COURSE_FILE:
                continue
            if entry.name == ASSETS_DIR and entry.is_dir():
                self._scan_assets(entry)
                continue
            if entry.name == RESOURCES_DIR and entry.is_dir():
                self._scan_resources(entry)
                continue
            match = MODULE_FILE_RE.match(entry.name)
            if entry.is_dir() or match is None:
                self.problem(rel, 1, "unexpected file: a course folder holds course.md, NN-<module>.md "
                                     "files, an assets/ folder and a resources/ folder")
                continue
            number, slug = int(match.group(1)), match.group(2)
            if not SLUG_RE.match(slug):
                self.problem(rel, 1, "module file names are NN-<name>.md, the name in lower-case letters, "
                                     "digits and hyphens")
                continue
            if slug in RESERVED_SLUGS:
                self.problem(rel, 1, f"'{slug}' is reserved for the course's own pages: rename the module")
                continue
            module = _ModuleFile(entry, rel, number, slug)
            by_number.setdefault(number, []).append(module)
            by_slug.setdefault(slug, []).append(module)
        for number, clashing in sorted(by_number.items()):
            for module in clashing[1:]:
                self.problem(module.rel, 1, f"module number {number:02d} is also used by {clashing[0].path.name}")
        for slug, clashing in sorted(by_slug.items()):
            for module in clashing[1:]:
                self.problem(module.rel, 1, f"module name '{slug}' is also used by {clashing[0].path.name}: "
                                            "module names must be unique in a course")
        self._check_numbering(by_number)
        for modules in by_slug.values():
            self.modules[modules[0].path.name] = modules[0]

    def _check_numbering(self, by_number: dict[int, list[_ModuleFile]]) -> None:
        """Numbers run from 01 (or 00, for an introduction) without gaps."""
        expected = 0 if 0 in by_number else 1
        for number in sorted(by_number):
            if number != expected:
                missing = (f"{expected:02d} is" if number == expected + 1
                           else f"{expected:02d} to {number - 1:02d} are")
                self.problem(by_number[number][0].rel, 1,
                             f"module numbers must run 01, 02, 03... without gaps: {missing} missing")
            expected = number + 1

    def _scan_assets(self, folder: Path) -> None:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_dir() or any(part.startswith(".") for part in relative.split("/")):
                continue
            data = path.read_bytes()
            self.files[f"{ASSETS_DIR}/{relative}"] = data
            try:
                image = images.prepare(path.name, data)
            except images.ImageError as exc:
                self.problem(f"{self.rel}/{ASSETS_DIR}/{relative}", 1, str(exc))
                continue
            self.assets[relative] = AssetFile(relative, image.content_type, image.data,
                                              hashlib.sha256(image.data).hexdigest())

    def _scan_resources(self, folder: Path) -> None:
        for entry in _visible(folder):
            rel = f"{self.rel}/{RESOURCES_DIR}/{entry.name}"
            if entry.is_dir() or not entry.name.endswith(".md") or not SLUG_RE.match(entry.name[:-3]):
                self.problem(rel, 1, "unexpected file: resources/ holds <name>.md files, the name in lower-case "
                                     "letters, digits and hyphens")
                continue
            self.resource_files[entry.name] = entry

    def _read_resource(self, name: str, path: Path) -> tuple[resources.ResourceContent, _Page] | None:
        rel = f"{self.rel}/{RESOURCES_DIR}/{name}"
        doc = self._read_document(path, rel, f"{RESOURCES_DIR}/{name}")
        if doc is None:
            return None
        before = len(self.problems)
        self.problems += frontmatter.check_keys(doc, rel, resources.RESOURCE_KEYS, resources.RESOURCE_KEYS)
        for key in ("title", "summary", "kind"):
            self._check_text(doc, rel, key)
        kind = str(doc.meta.get("kind") or "").strip()
        if kind and kind not in resources.KINDS:
            self.problem(rel, doc.key_lines.get("kind", 1), f"unknown kind '{kind}'"
                         + (_did_you_mean(kind, set(resources.KINDS)) or
                            f"; the kinds are {', '.join(sorted(resources.KINDS))}"))
        if not doc.body.strip():
            self.problem(rel, doc.body_line, "the resource has no text after its front matter")
        if worksheets.find_blocks(doc.body):
            self.problem(rel, doc.body_line + worksheets.find_blocks(doc.body)[0][0],
                         "worksheet blocks go in modules, where learners answer them; a resource is printed")
        page = self._render(rel, doc.body, doc.body_line)
        tables = resources.tables_of(page.html)
        if kind == resources.FILLABLE and not tables:
            self.problem(rel, doc.body_line, "a 'fillable' resource needs a table to fill in (its XLSX is made "
                                             "from the tables)")
        if len(self.problems) != before:
            return None
        return resources.ResourceContent(
            slug=name[:-3], file_name=name, title=str(doc.meta["title"]).strip(),
            summary=str(doc.meta["summary"]).strip(), kind=kind, html=page.html, tables=tables,
        ), page

    def _read_document(self, path: Path, rel: str, key: str) -> frontmatter.Document | None:
        """The file split into front matter and body; None (its problems noted) if it cannot be."""
        text = self._read_text(path, rel, key)
        if text is None:
            return None
        doc, found = frontmatter.split(text, rel)
        if found:
            self.problems += found
            return None
        return doc

    def _read_text(self, path: Path, rel: str, key: str) -> str | None:
        data = path.read_bytes()
        self.files[key] = data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            self.problem(rel, line, "the file is not UTF-8 text: save it as UTF-8")
            return None

    # -- course.md and modules -------------------------------------------------------------

    def _read_course(self) -> frontmatter.Document | None:
        rel = f"{self.rel}/{COURSE_FILE}"
        path = self.folder / COURSE_FILE
        if not path.is_file():
            self.problem(rel, 1, "missing: every course folder needs a course.md with a title and summary")
            return None
        doc = self._read_document(path, rel, COURSE_FILE)
        if doc is None:
            return None
        before = len(self.problems)
        self.problems += frontmatter.check_keys(doc, rel, COURSE_KEYS, {"title", "summary"})
        self._check_text(doc, rel, "title")
        self._check_text(doc, rel, "summary")
        certificate = doc.meta.get("certificate")
        line = doc.key_lines.get("certificate", 1)
        if certificate is not None:
            if not isinstance(certificate, dict):
                self.problem(rel, line, "'certificate' has 'title' and 'valid_for_months' lines indented under it")
            else:
                for key in certificate:
                    if key not in CERTIFICATE_KEYS:
                        self.problem(rel, line, f"unknown certificate key '{key}'"
                                     + (_did_you_mean(str(key), CERTIFICATE_KEYS) or "; allowed: title, "
                                        "valid_for_months"))
                title = certificate.get("title")
                if title is not None and (not isinstance(title, str) or not title.strip()):
                    self.problem(rel, line, "certificate 'title' must be text")
                months = certificate.get("valid_for_months")
                if months is not None and not _whole(months, 1, 1200):
                    self.problem(rel, line, "certificate 'valid_for_months' must be a whole number of months "
                                            "(omit it for certificates that never expire)")
        return doc if len(self.problems) == before else None

    def _check_text(self, doc: frontmatter.Document, rel: str, key: str) -> None:
        value = doc.meta.get(key)
        if value is not None and not isinstance(value, str | int | float):
            self.problem(rel, doc.key_lines.get(key, 1), f"'{key}' must be text")

    def _read_module(self, module: _ModuleFile) -> tuple[ModuleContent | None, _Page] | None:
        """The module and its rendered page; the module is None when the page has problems."""
        doc = self._read_document(module.path, module.rel, module.path.name)
        if doc is None:
            return None
        before = len(self.problems)
        self.problems += frontmatter.check_keys(doc, module.rel, MODULE_KEYS, {"title"})
        self._check_text(doc, module.rel, "title")
        minutes = doc.meta.get("minutes")
        if minutes is not None and not _whole(minutes, 1, 600):
            self.problem(module.rel, doc.key_lines.get("minutes", 1),
                         "'minutes' must be a whole number of minutes between 1 and 600")
        activity = doc.meta.get("activity_minutes", 0)
        if not _whole(activity, 0, 600):
            self.problem(module.rel, doc.key_lines.get("activity_minutes", 1),
                         "'activity_minutes' (time for exercises, added to the reading time) must be a whole "
                         "number of minutes between 0 and 600")
        objectives = doc.meta.get("objectives", [])
        if objectives is None or not isinstance(objectives, list) or not all(
                isinstance(o, str) and o.strip() for o in objectives):
            self.problem(module.rel, doc.key_lines.get("objectives", 1),
                         "'objectives' is a list of sentences, one per '  - ' line")
        if not doc.body.strip():
            self.problem(module.rel, doc.body_line, "the module has no text after its front matter")
        found_sheets = self._read_worksheets(module.rel, doc.body, doc.body_line)
        body = worksheets.replace_blocks(doc.body, [w.key if w else None for w in found_sheets])
        page = self._render(module.rel, body, doc.body_line)
        page.source = doc.body
        if len(self.problems) != before:
            return None, page
        content = ModuleContent(
            number=module.number, slug=module.slug, file_name=module.path.name,
            title=str(doc.meta["title"]).strip(), minutes=minutes,
            objectives=tuple(o.strip() for o in objectives), html=page.html,
            headings=tuple(page.headings), word_count=page.words + _worksheet_words(found_sheets),
            activity_minutes=activity if _whole(activity, 0, 600) else 0,
            worksheets=tuple(w for w in found_sheets if w is not None),
        )
        return content, page

    def _read_worksheets(self, rel: str, body: str, body_line: int) -> list[worksheets.Worksheet | None]:
        """Every ``worksheet`` block of a module body, parsed; None for a block with problems."""
        found: list[worksheets.Worksheet | None] = []
        for offset, text in worksheets.find_blocks(body):
            sheet, problems = worksheets.parse(text, rel, body_line + offset + 1)
            self.problems += problems
            if sheet is not None and sheet.key in self.worksheet_keys:
                self.problem(rel, body_line + offset, f"worksheet id '{sheet.key}' is also used in "
                             f"{self.worksheet_keys[sheet.key]}: ids must be unique in a course")
                sheet = None
            if sheet is not None:
                self.worksheet_keys[sheet.key] = rel.rsplit("/", 1)[-1]
            found.append(sheet)
        return found

    # -- rendering and links ---------------------------------------------------------------

    def _render(self, rel: str, body: str, body_line: int) -> _Page:
        page = _Page(rel, body, body_line)
        images_by_url: dict[str, str] = {}

        def resolve(tag: str, attribute: str, url: str) -> str | None:
            resolved = self._resolve(page, tag, url)
            if resolved is not None and tag == "img":
                images_by_url[resolved] = url
            return resolved

        try:
            rendered = render(body, resolve_link=resolve)
        except RenderRefused as exc:
            self.problem(rel, body_line + exc.line - 1, exc.message)
            return page
        page.html, page.headings = rendered.html, rendered.headings
        for url in rendered.refused_links:
            self.problem(rel, _line_of(page, url), f"link '{url}' would take readers to another site: write the "
                         "full address (https://...) for another site, or a path like 02-roles.md for this one")
        scan = _HtmlScan()
        scan.feed(rendered.html)
        page.ids, page.words = scan.ids, scan.words
        for src, alt in scan.images:
            if not alt.strip():
                original = images_by_url.get(src, src)
                self.problem(rel, _line_of(page, original, without_alt=True),
                             f"image '{original}' has no alt text: write "
                             "![what the picture shows](...) so screen-reader users get it too")
            elif src.startswith(("http://", "https://", "//")):
                self.problem(rel, _line_of(page, src), f"image '{src}' is on another site: put it in the "
                             "course's assets/ folder (the site only shows its own images)")
        return page

    def _resolve(self, page: _Page, tag: str, url: str) -> str | None:
        """The URL for a relative link or image in ``page``, or None (and a problem) if it is broken."""
        parts = urlsplit(url)
        target = unquote(parts.path).removeprefix("./")
        if f"/{RESOURCES_DIR}/" in page.rel:
            # A resource may link as its folder sees things (../01-intro.md) or as a module does.
            target = target.removeprefix("../")
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        kind = "image" if tag == "img" else "link"
        if target.startswith(f"{ASSETS_DIR}/"):
            asset = self.assets.get(target[len(ASSETS_DIR) + 1:])
            if asset is not None:
                return self.links.asset_url(self.slug, asset.path, asset.sha256)
            # Compare file names only: the shared "assets/" prefix made every file look close.
            self.problem(page.rel, _line_of(page, url), f"broken {kind}: {target} is not in this course's "
                         "assets/ folder" + _did_you_mean(target[len(ASSETS_DIR) + 1:], list(self.assets),
                                                          prefix=f"{ASSETS_DIR}/"))
            return None
        if tag == "img":
            self.problem(page.rel, _line_of(page, url), f"broken image '{url}': images live in the course's "
                                                        "assets/ folder (assets/<file>)")
            return None
        if target == COURSE_FILE:
            return self.links.course_url(self.slug) + fragment
        if target.startswith(f"{RESOURCES_DIR}/"):
            name = target[len(RESOURCES_DIR) + 1:]
            if name in self.resource_files:
                return self.links.resource_url(self.slug, name[:-3]) + fragment
            known = [f"{RESOURCES_DIR}/{n}" for n in self.resource_files]
            self.problem(page.rel, _line_of(page, url), f"broken link: {target} is not in this course's "
                         "resources/ folder" + _did_you_mean(target, known))
            return None
        module = self.modules.get(target)
        if module is not None:
            if parts.fragment:
                page.anchors.append((url, target, parts.fragment))
            return self.links.module_url(self.slug, module.slug) + fragment
        self.problem(page.rel, _line_of(page, url), f"broken link '{url}': link to a module by its file name "
                     "(NN-name.md), to course.md, to assets/..., to resources/..., or give a full https:// address"
                     + _did_you_mean(target, list(self.modules)))
        return None

    def _check_anchors(self, pages: list[_Page], modules: dict[str, _Page]) -> None:
        for page in pages:
            for url, target, fragment in page.anchors:
                ids = modules[target].ids if target in modules else None
                if ids is not None and fragment not in ids:
                    self.problem(page.rel, _line_of(page, url), f"broken link '{url}': {target} has no heading "
                                 f"or anchor '#{fragment}'" + _did_you_mean(fragment, ids))

    # -- quizzes ---------------------------------------------------------------------------

    def _read_quizzes(self, folder: Path) -> list[QuizContent]:
        quizzes = []
        finals: list[str] = []
        by_slug = {m.slug: m for m in self.modules.values()}
        for entry in _visible(folder):
            rel = f"quizzes/{self.slug}/{entry.name}"
            if entry.is_dir() or not entry.name.endswith(".md"):
                self.problem(rel, 1, "unexpected file: a quiz folder holds <quiz-name>.md files")
                continue
            slug = entry.name[:-3]
            if not SLUG_RE.match(slug):
                self.problem(rel, 1, "quiz file names use lower-case letters, digits and hyphens")
                continue
            text = self._read_text(entry, rel, f"quizzes/{entry.name}")
            if text is None:
                continue
            definition, found = quiz_format.parse_quiz(text, rel)
            self.problems += found
            if definition is None or found:
                continue
            module_slug = None
            if definition.module:
                wanted = _module_reference(str(definition.module))
                if wanted not in by_slug:
                    line = frontmatter.split(text, rel)[0].key_lines.get("module", 1)
                    self.problem(rel, line, f"module '{definition.module}' is not in courses/{self.slug}/"
                                 + _did_you_mean(wanted, list(by_slug)))
                    continue
                module_slug = wanted
            self._check_module_tags(rel, text, definition)
            if definition.final:
                finals.append(rel)
            quizzes.append(QuizContent(
                slug=slug, title=definition.title, module=module_slug, final=bool(definition.final),
                pass_mark=definition.pass_mark, attempts=definition.attempts, draw=definition.draw,
                time_limit=definition.time_limit, definition=definition.to_dict(),
                content_hash=hashlib.sha256(self.files[f"quizzes/{entry.name}"]).hexdigest(),
                notes=(*(str(s) for s in quiz_format.branching_summaries(definition)),
                       *quiz_format.ending_summaries(definition)),
            ))
        for rel in finals[1:]:
            self.problem(rel, 1, f"a course has one final exam, and {finals[0]} is already marked 'final: true'")
        return quizzes


    def _check_module_tags(self, rel: str, text: str, quiz: quiz_format.QuizDef) -> None:
        """A tag shaped like a module file name (``03-msp-models``) must name one of the course's modules."""
        stems = {m.path.stem for m in self.modules.values()}
        used = [(u.line, t) for u in quiz.units for t in quiz_format.unit_tags(u)]
        if quiz.blueprint:
            line = frontmatter.split(text, rel)[0].key_lines.get("draw", 1)
            used += [(line, t) for t in quiz.blueprint]
        for line, tag in sorted(set(used)):
            if re.match(r"^\d+-", tag) and tag not in stems:
                self.problem(rel, line, f"tag '{tag}' looks like a module but courses/{self.slug}/ has no "
                                        f"{tag}.md" + _did_you_mean(tag, sorted(stems)))


def _module_reference(value: str) -> str:
    """A quiz's ``module:`` as a module slug: with or without the number prefix and ``.md``."""
    value = value.strip().removesuffix(".md")
    match = re.match(r"^\d+-(.+)$", value)
    return match.group(1) if match else value


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _line_of(page: _Page, url: str, *, without_alt: bool = False) -> int:
    """The file line where ``url`` appears in ``page``'s Markdown (its first line if not found).

    With ``without_alt``, the line where the image is shown without alt text: the same image may
    appear earlier with one.
    """
    lines = page.source.split("\n")
    if without_alt:
        bare = re.compile(r"!\[\s*\]\(\s*<?" + re.escape(url) + r"|<img(?![^>]*\balt=\S)[^>]*" + re.escape(url))
        for offset, text in enumerate(lines):
            if bare.search(text):
                return page.body_line + offset
    for offset, text in enumerate(lines):
        if url in text:
            return page.body_line + offset
    return page.body_line


def _worksheet_words(found: list[worksheets.Worksheet | None]) -> int:
    """The words a learner reads in the worksheets' questions and answers."""
    words = 0
    for sheet in found:
        if sheet is not None:
            words += len(sheet.intro.split()) + sum(
                len(c.question.split()) + len(c.help.split()) + sum(len(o.label.split()) for o in c.options)
                for c in sheet.criteria)
    return words


def _hash_files(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


class _HtmlScan(HTMLParser):
    """Collects element ids, images (src, alt) and the number of words of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.images: list[tuple[str, str]] = []
        self.words = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "img":
            self.images.append((values.get("src", ""), values.get("alt", "")))

    def handle_data(self, data: str) -> None:
        self.words += len(data.split())
