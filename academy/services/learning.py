"""What learners read: the catalogue, a course as one learner sees it, and course images.

A published course version never changes, so its outline (module texts, headings, quizzes) is
cached in the process by version id. Every page still reads the course's *current* version id
in its one query, so a sync is visible at once in every worker, and a stale entry is never used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from academy.domain import progress as rules
from academy.domain.content import CourseContent, QuizContent, estimate_minutes
from academy.domain.progress import ModuleState, Status
from academy.domain.rendering import Heading
from academy.domain.resources import KINDS
from academy.domain.worksheets import Worksheet
from academy.models import (
    Asset,
    Attempt,
    Course,
    CourseVersion,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleVersion,
    Quiz,
    QuizVersion,
    ResourceVersion,
    WorksheetVersion,
)

from .errors import NotFound
from .version_cache import VersionCache

NO_SUCH_COURSE = "There is no course at this address. Pick one from the catalogue."


@dataclass(frozen=True)
class QuizLink:
    slug: str
    title: str
    is_final: bool
    pass_mark: int
    attempts: int | None
    time_limit: int | None


@dataclass(frozen=True)
class ResourceLink:
    slug: str
    title: str
    summary: str
    kind: str
    #: True when the resource has tables to fill in, offered as an XLSX workbook.
    has_workbook: bool

    @classmethod
    def of(cls, resource) -> ResourceLink:
        """The link to a published (``ResourceVersion``) or draft (``ResourceContent``) resource."""
        return cls(resource.slug, resource.title, resource.summary, resource.kind,
                   resource.kind == "fillable" and bool(resource.tables))

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind.title())


@dataclass(frozen=True)
class ModuleOutline:
    """A module of one course version, ready to show."""

    #: The module's stable id (``modules.id``), which progress refers to.
    id: int
    slug: str
    position: int
    title: str
    minutes: int
    objectives: tuple[str, ...]
    html: str
    headings: tuple[Heading, ...]
    quizzes: tuple[QuizLink, ...]
    #: Worksheets embedded in the module, by their id.
    worksheets: tuple[Worksheet, ...] = ()

    def worksheet(self, key: str) -> Worksheet | None:
        return next((w for w in self.worksheets if w.key == key), None)


@dataclass(frozen=True)
class CourseOutline:
    """One version of a course, everything a page needs except the learner's own progress."""

    course_id: int
    slug: str
    version_id: int
    title: str
    summary: str
    intro_html: str
    certificate_title: str
    valid_for_months: int | None
    modules: tuple[ModuleOutline, ...]
    final_exam: QuizLink | None
    resources: tuple[ResourceLink, ...] = ()

    @property
    def module_ids(self) -> list[int]:
        return [m.id for m in self.modules]

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def quiz_count(self) -> int:
        return sum(len(m.quizzes) for m in self.modules) + (1 if self.final_exam else 0)

    def module(self, slug: str) -> ModuleOutline | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def by_id(self, module_id: int | None) -> ModuleOutline | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def neighbours(self, module: ModuleOutline) -> tuple[ModuleOutline | None, ModuleOutline | None]:
        index = self.modules.index(module)
        return (self.modules[index - 1] if index else None,
                self.modules[index + 1] if index + 1 < len(self.modules) else None)


class OutlineCache(VersionCache[CourseOutline]):
    """Course outlines by course version id (see :mod:`.version_cache`)."""

    def __init__(self, size: int = 32):
        super().__init__(size)

    def get(self, session: Session, version_id: int) -> CourseOutline:  # type: ignore[override]
        return super().get(version_id, lambda: _load_outline(session, version_id))


def _load_outline(session: Session, version_id: int) -> CourseOutline:
    """One course version as an outline: five queries (version, worksheets, quizzes, modules, resources)."""
    found = session.execute(select(CourseVersion, Course.slug).join(CourseVersion.course)
                            .where(CourseVersion.id == version_id)).first()
    if found is None:
        raise NotFound(NO_SUCH_COURSE)
    version, course_slug = found
    sheets: dict[int, list[Worksheet]] = {}
    for row in session.scalars(select(WorksheetVersion).where(WorksheetVersion.course_version_id == version_id)
                               .order_by(WorksheetVersion.id)):
        sheets.setdefault(row.module_id, []).append(Worksheet.from_dict(row.definition))
    quizzes: dict[int | None, list[QuizLink]] = {}
    for quiz, slug in session.execute(select(QuizVersion, Quiz.slug).join(QuizVersion.quiz)
                                      .where(QuizVersion.course_version_id == version_id)
                                      .order_by(QuizVersion.title)):
        quizzes.setdefault(None if quiz.is_final else quiz.module_id, []).append(QuizLink(
            slug, quiz.title, quiz.is_final, quiz.pass_mark, quiz.attempts, quiz.time_limit))
    modules = tuple(
        ModuleOutline(
            id=m.module_id, slug=slug, position=m.position, title=m.title,
            minutes=estimate_minutes(m.word_count) + (m.minutes or 0), objectives=tuple(m.objectives), html=m.html,
            headings=tuple(Heading(h["level"], h["id"], h["text"]) for h in m.headings),
            quizzes=tuple(quizzes.get(m.module_id, [])), worksheets=tuple(sheets.get(m.module_id, [])),
        )
        for m, slug in session.execute(select(ModuleVersion, Module.slug).join(ModuleVersion.module)
                                       .where(ModuleVersion.course_version_id == version_id)
                                       .order_by(ModuleVersion.position))
    )
    finals = quizzes.get(None, [])
    resources = tuple(ResourceLink.of(r) for r in session.scalars(select(ResourceVersion).where(
        ResourceVersion.course_version_id == version_id).order_by(ResourceVersion.title)))
    return CourseOutline(
        course_id=version.course_id, slug=course_slug, version_id=version.id, title=version.title,
        summary=version.summary, intro_html=version.intro_html, certificate_title=version.certificate_title,
        valid_for_months=version.valid_for_months, modules=modules, final_exam=finals[0] if finals else None,
        resources=resources,
    )


def draft_outline(content: CourseContent) -> CourseOutline:
    """A draft course (checked, not published) as the learner pages show it; positions stand in for ids."""
    def link(quiz: QuizContent) -> QuizLink:
        return QuizLink(quiz.slug, quiz.title, quiz.final, quiz.pass_mark, quiz.attempts, quiz.time_limit)

    modules = tuple(
        ModuleOutline(id=m.number, slug=m.slug, position=m.number, title=m.title, minutes=m.estimated_minutes,
                      objectives=m.objectives, html=m.html, headings=m.headings,
                      quizzes=tuple(link(q) for q in content.quizzes if q.module == m.slug and not q.final),
                      worksheets=m.worksheets)
        for m in content.modules)
    final = next((link(q) for q in content.quizzes if q.final), None)
    return CourseOutline(course_id=0, slug=content.slug, version_id=0, title=content.title, summary=content.summary,
                         intro_html=content.intro_html, certificate_title=content.certificate_title,
                         valid_for_months=content.valid_for_months, modules=modules, final_exam=final,
                         resources=tuple(ResourceLink.of(r) for r in sorted(content.resources, key=lambda r: r.title)))


@dataclass(frozen=True)
class LearnerView:
    """A course as one learner (or an anonymous visitor) sees it."""

    outline: CourseOutline
    enrolled: bool
    enrolled_at: datetime | None
    states: dict[int, ModuleState]
    #: Whether the learner has passed the course's final exam (known on the pages that show it).
    exam_passed: bool = False

    def status(self, module: ModuleOutline) -> Status:
        return rules.status(self.states.get(module.id))

    @property
    def summary(self) -> rules.Summary:
        return rules.summarise(self.outline.module_ids, self.states, has_exam=self.outline.final_exam is not None,
                               exam_passed=self.exam_passed)

    @property
    def continue_module(self) -> ModuleOutline | None:
        return self.outline.by_id(rules.continue_at(self.outline.module_ids, self.states))

    @classmethod
    def preview(cls, outline: CourseOutline) -> LearnerView:
        """The course as a learner sees it before enrolling: what an author's preview shows."""
        return cls(outline, False, None, {})

    def with_state(self, state: ModuleState) -> LearnerView:
        """This view after the learner's visit recorded ``state``."""
        return replace(self, states={**self.states, state.module_id: state})


#: The statement behind every course and module page, built once: constructing it cost as much as running it.
_LEARNER_VIEW = (
    select(Course.current_version_id, Enrolment.enrolled_at, ModuleProgress.module_id,
           ModuleProgress.last_viewed_at, ModuleProgress.completed_at)
    .select_from(Course)
    .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
    .outerjoin(ModuleProgress, and_(ModuleProgress.course_id == Course.id,
                                    ModuleProgress.user_id == bindparam("user_id")))
    .where(Course.slug == bindparam("slug")))


def learner_view(session: Session, cache: OutlineCache, course_slug: str, user_id: int | None) -> LearnerView:
    """The course's current version with the learner's enrolment and progress, in one query.

    Raises NotFound for an unknown or withdrawn course.
    """
    rows = session.execute(_LEARNER_VIEW, {"slug": course_slug, "user_id": user_id}).all()
    if not rows or rows[0].current_version_id is None:
        raise NotFound(NO_SUCH_COURSE)
    states = {r.module_id: ModuleState(r.module_id, r.last_viewed_at, r.completed_at)
              for r in rows if r.module_id is not None}
    enrolled_at = rows[0].enrolled_at
    return LearnerView(cache.get(session, rows[0].current_version_id), enrolled_at is not None, enrolled_at, states)


def with_exam_result(session: Session, view: LearnerView, user_id: int | None) -> LearnerView:
    """The view with whether the learner has passed the course's final exam."""
    if user_id is None or not view.enrolled or view.outline.final_exam is None:
        return view
    return replace(view, exam_passed=view.outline.course_id in _exams_passed(session, user_id))


def _exams_passed(session: Session, user_id: int) -> set[int]:
    """Ids of the courses whose final exam the learner has passed (in any version)."""
    return set(session.scalars(_EXAMS_PASSED, {"user_id": user_id}))


_EXAMS_PASSED = (select(Quiz.course_id).join(Attempt, Attempt.quiz_id == Quiz.id)
                 .join(QuizVersion, QuizVersion.id == Attempt.quiz_version_id)
                 .where(Attempt.user_id == bindparam("user_id"), Attempt.passed.is_(True),
                        QuizVersion.is_final.is_(True))
                 .distinct())


def catalogue(session: Session, cache: OutlineCache, user_id: int | None) -> list[LearnerView]:
    """Every published course, by title, with the learner's progress when signed in."""
    return sorted(_views(session, cache, user_id, enrolled_only=False), key=lambda v: v.outline.title.lower())


def enrolled_courses(session: Session, cache: OutlineCache, user_id: int) -> list[LearnerView]:
    """The learner's published courses, most recently active first (then newest enrolment)."""
    views = _views(session, cache, user_id, enrolled_only=True)
    return sorted(views, key=lambda v: (v.summary.last_activity_at or v.enrolled_at), reverse=True)


#: The catalogue's and the dashboard's statements, built once (see _LEARNER_VIEW).
_PUBLISHED = (select(Course.id, Course.current_version_id, Enrolment.enrolled_at)
              .select_from(Course)
              .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
              .where(Course.current_version_id.is_not(None)))
_ENROLLED = _PUBLISHED.where(Enrolment.id.is_not(None))
_PROGRESS = select(ModuleProgress.course_id, ModuleProgress.module_id, ModuleProgress.last_viewed_at,
                   ModuleProgress.completed_at).where(ModuleProgress.user_id == bindparam("user_id"))


def _views(session: Session, cache: OutlineCache, user_id: int | None, *, enrolled_only: bool) -> list[LearnerView]:
    courses = session.execute(_ENROLLED if enrolled_only else _PUBLISHED, {"user_id": user_id}).all()
    states: dict[int, dict[int, ModuleState]] = {}
    passed: set[int] = set()
    if user_id is not None and courses:
        passed = _exams_passed(session, user_id)
        for row in session.execute(_PROGRESS, {"user_id": user_id}):
            states.setdefault(row.course_id, {})[row.module_id] = ModuleState(*row[1:])
    return [LearnerView(cache.get(session, row.current_version_id), row.enrolled_at is not None, row.enrolled_at,
                        states.get(row.id, {}), row.id in passed) for row in courses]


def asset(session: Session, course_slug: str, path: str) -> Asset:
    """An image of the course's current version; NotFound if there is none at ``path``."""
    found = session.scalar(
        select(Asset).join(Course, Course.current_version_id == Asset.course_version_id)
        .where(Course.slug == course_slug, Asset.path == path))
    if found is None:
        raise NotFound("There is no such image.")
    return found
