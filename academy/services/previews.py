"""Draft content as learners would see it: a file as it is typed, and a course walked page by page.

Everything here goes through the content loader that ``content sync`` uses (same Markdown, same
sanitiser, same checks), on the working tree (published files and drafts) instead of the
database, so a preview is exactly what publishing would put live. Nothing is written: previews
record no progress, and a quiz preview is graded in memory by the quiz engine's own rules
(:mod:`academy.domain.grading`), its state carried by the page itself.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from academy.domain import course_files, frontmatter, grading, guessing
from academy.domain.content import CourseContent, LinkTargets
from academy.domain.course_files import Kind
from academy.domain.grading import AnswerError, Layout
from academy.domain.problems import Problem
from academy.domain.quiz_format import QuizDef
from academy.domain.rendering import RenderRefused, render
from academy.domain.resources import ResourceContent
from academy.models import Course

from . import authoring, learning
from .errors import NotFound


@dataclass(frozen=True)
class FilePreview:
    """A file being edited, rendered, with the problems the checker finds in it."""

    path: str
    #: The rendered body (modules, course.md; quizzes when they have problems); sanitised.
    html: str
    #: The parsed quiz, for a quiz file without problems.
    quiz: QuizDef | None
    #: Problems in this file.
    problems: list[Problem]
    #: Problems the change causes in other files (a link to a renamed heading, ...).
    elsewhere: list[Problem]
    #: Item-quality warnings on this quiz (other quizzes are left out of a preview, so the checks
    #: across quizzes run at publishing and in ``content check``).
    warnings: list[Problem] = field(default_factory=list)
    #: What naive guessing strategies score on this quiz.
    audit: guessing.QuizAudit | None = None


def preview_file(session: Session, course: Course, path: str, text: str, links: LinkTargets) -> FilePreview:
    """Check and render ``text`` as the new content of ``path``, with the rest of the working tree.

    Other quizzes are left out for speed; publishing checks the whole tree.
    """
    ref = course_files.classify(course.slug, path)
    if ref is None or not ref.is_text:
        raise NotFound(f"{course.slug} has no text file {path}.")
    tree = authoring.working_tree(session, course)
    unchanged = dict(tree)
    tree[path] = authoring.encode_like(text, tree.get(path))
    content, problems = course_files.check_course(course_files.for_preview(tree, course.slug, path), course.slug, links)
    mine = [p for p in problems if p.path == path]
    elsewhere = [p for p in problems if p.path != path]
    if elsewhere:
        # Only what this text causes: problems the other files had already are not its doing.
        _, already = course_files.check_course(course_files.for_preview(unchanged, course.slug, path),
                                               course.slug, links)
        elsewhere = [p for p in elsewhere if p not in set(already)]
    html, quiz = "", None
    if content is not None and ref.kind is Kind.COURSE:
        html = content.intro_html
    elif content is not None and ref.kind is Kind.MODULE:
        html = next((m.html for m in content.modules if m.file_name == ref.name), "")
    elif content is not None and ref.kind is Kind.RESOURCE:
        html = next((r.html for r in content.resources if r.file_name == ref.name), "")
    elif content is not None:
        found = next((q for q in content.quizzes if f"{q.slug}.md" == ref.name), None)
        quiz = QuizDef.from_dict(found.definition) if found is not None else None
    if not html and quiz is None:
        # The file has problems: still show its Markdown, rendered by the same sanitising renderer.
        doc, _ = frontmatter.split(text, path)
        try:
            html = render(doc.body).html
        except RenderRefused:
            html = ""  # the reason is among the file's problems
    warnings = [w for w in content.warnings if w.path == path] if content is not None else []
    return FilePreview(path, html, quiz, mine, elsewhere, warnings,
                       guessing.audit(quiz, path) if quiz is not None else None)


def preview_course(session: Session, course: Course, links: LinkTargets) -> tuple[CourseContent | None,
                                                                                  list[Problem]]:
    """The whole working tree, checked and rendered, as publishing would make it."""
    return course_files.check_course(authoring.working_tree(session, course), course.slug, links)


def preview_course_page(session: Session, course: Course, links: LinkTargets) -> tuple[learning.LearnerView | None,
                                                                                       list[Problem]]:
    """The working tree as the learner's course page shows it (None while course.md has problems)."""
    content, problems = preview_course(session, course, links)
    return (learning.LearnerView.preview(learning.draft_outline(content)) if content else None), problems


@dataclass(frozen=True)
class ModulePreview:
    """A draft module as the learner's module page shows it, and the file an author edits for it."""

    view: learning.LearnerView
    module: learning.ModuleOutline
    path: str


def preview_module(session: Session, course: Course, slug: str, links: LinkTargets) -> ModulePreview:
    """A module of the working tree as the learner's module page shows it, with its quizzes.

    When a quiz has problems, the module is still shown from the course and its modules alone.
    """
    tree = authoring.working_tree(session, course)
    content, _ = course_files.check_course(tree, course.slug, links)
    if content is None:
        content, _ = course_files.check_course(course_files.for_preview(tree, course.slug, ""), course.slug, links)
    outline = learning.draft_outline(content) if content else None
    module = outline.module(slug) if outline else None
    if outline is None or module is None:
        raise NotFound("This module has problems or does not exist: open the course's check to see them.")
    file_name = next(m.file_name for m in content.modules if m.slug == slug)
    return ModulePreview(learning.LearnerView.preview(outline), module, f"courses/{course.slug}/{file_name}")


def preview_resource(session: Session, course: Course, slug: str, links: LinkTargets) -> tuple[CourseContent,
                                                                                               ResourceContent]:
    """A resource (job aid) of the working tree and its course."""
    tree = course_files.for_preview(authoring.working_tree(session, course), course.slug, "")
    content, _ = course_files.check_course(tree, course.slug, links)
    found = next((r for r in content.resources if r.slug == slug), None) if content else None
    if content is None or found is None:
        raise NotFound("This resource has problems or does not exist: open it in the editor to see them.")
    return content, found


def preview_quiz(session: Session, course: Course, slug: str, links: LinkTargets) -> QuizDef:
    """A quiz of the working tree, parsed as the quiz engine would get it."""
    tree = authoring.working_tree(session, course)
    path = course_files.quiz_file(course.slug, slug)
    if path not in tree:
        raise NotFound("There is no such quiz in this course.")
    content, _ = course_files.check_course(course_files.for_preview(tree, course.slug, path), course.slug, links)
    found = next((q for q in content.quizzes if q.slug == slug), None) if content else None
    if found is None:
        raise NotFound("This quiz has problems: open it in the editor to see them.")
    return QuizDef.from_dict(found.definition)


@dataclass
class QuizRun:
    """An attempt at a draft quiz that lives in the page: nothing is stored."""

    quiz: QuizDef
    layout: Layout
    answers: dict[str, frozenset[str]] = field(default_factory=dict)
    grade: grading.Grade | None = None
    error: str | None = None

    @property
    def state(self) -> str:
        """The layout and branching paths, for the page to send back."""
        return json.dumps(self.layout.to_dict(), separators=(",", ":"))

    @property
    def sections(self) -> list[grading.QuestionGroup | grading.BranchingItem]:
        return grading.sections(self.quiz, self.layout)

    @property
    def results(self) -> dict[str, grading.QuestionResult | grading.BranchingResult]:
        """Each question's or scenario's result by key, once graded."""
        if self.grade is None:
            return {}
        return {r.key: r for r in (*self.grade.questions, *self.grade.branching)}


def start_quiz(quiz: QuizDef, seed: int) -> QuizRun:
    """Draw a preview attempt as the quiz engine would for a learner."""
    return QuizRun(quiz, grading.draw_layout(quiz, seed))


#: Characters of preview state a page may send back (a quiz of 500 questions needs about 40,000).
MAX_STATE = 200_000


def continue_quiz(quiz: QuizDef, state: str, answers: Mapping[str, Collection[str]], *,
                  choice: tuple[str, str, str] | None = None, submit: bool = False) -> QuizRun:
    """Apply the page's answers, a branching ``choice`` (scenario, step, choice) or the submission.

    A state that no longer fits the quiz (it was edited meanwhile) starts a new draw, with a note.
    """
    try:
        if len(state) > MAX_STATE:
            raise ValueError("the preview state is larger than any quiz needs")
        layout = Layout.from_dict(json.loads(state))
        grading.sections(quiz, layout)
    except (ValueError, KeyError, TypeError, AnswerError, RecursionError):
        run = start_quiz(quiz, 0)
        run.error = "The quiz changed since this preview started, so it starts again."
        return run
    run = QuizRun(quiz, layout)
    try:
        run.answers = grading.check_answers(quiz, layout, answers, complete=False)
        if choice is not None:
            scenario_id, step_id, choice_key = choice
            scenario = quiz.branching(scenario_id)
            if scenario is None or layout.item(scenario_id) is None:
                raise AnswerError("That simulation is not part of this preview.")
            grading.choose(scenario, layout.paths.setdefault(scenario_id, []), step_id, choice_key)
        elif submit:
            unfinished = grading.unfinished_scenarios(quiz, layout)
            if unfinished:
                raise AnswerError(f"Finish the simulation “{unfinished[0].title}” before submitting.")
            run.grade = grading.grade(quiz, layout, run.answers)
    except AnswerError as exc:
        run.error = str(exc)
    return run
