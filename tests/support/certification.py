"""A small certifying course and shortcuts to record what a learner has done in it.

The course (slug ``incident-basics``) has a module checked by a quiz, a module without a quiz
(counts once read) and a final exam; its certificate is valid for 12 months. Passes are written
as graded attempts straight into the database, so certification tests control scores and dates
without driving the quiz engine.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.models import Attempt, Course, Enrolment, Module, ModuleProgress, QuizVersion, utcnow

SLUG = "incident-basics"
TITLE = "Incident Basics"
CERTIFICATE_TITLE = "Certified Incident Responder"

COURSE_MD = """\
---
title: Incident Basics
summary: Recognise a major incident and run the first fifteen minutes.
certificate:
  title: Certified Incident Responder
  valid_for_months: {months}
---
Welcome.
"""

MODULES = {
    "01-recognise": ("Recognising a major incident", ["Define a major incident", "Explain priority"]),
    "02-reading": ("Further reading", []),
}

QUIZ = """\
---
title: {title}
{placement}
pass_mark: {pass_mark}
---
## Is this a major incident? {{#q1}}
- [x] Yes
- [ ] No
"""


@dataclass(frozen=True)
class CourseIds:
    course_id: int
    quizzes: dict[str, int]
    modules: dict[str, int]


def write_course(root: Path, *, months: int | None = 12) -> None:
    course = root / "courses" / SLUG
    course.mkdir(parents=True, exist_ok=True)
    text = COURSE_MD.format(months=months)
    if months is None:
        text = text.replace("  valid_for_months: None\n", "")
    (course / "course.md").write_text(text)
    for name, (title, objectives) in MODULES.items():
        front = f"---\ntitle: {title}\n"
        if objectives:
            front += "objectives:\n" + "".join(f"  - {o}\n" for o in objectives)
        (course / f"{name}.md").write_text(front + f"---\nAbout {title.lower()}.\n")
    quizzes = root / "quizzes" / SLUG
    quizzes.mkdir(parents=True, exist_ok=True)
    (quizzes / "recognise.md").write_text(
        QUIZ.format(title="Recognise check", placement="module: 01-recognise", pass_mark=70))
    (quizzes / "final.md").write_text(QUIZ.format(title="Final exam", placement="final: true", pass_mark=80))


def publish(runner: FlaskCliRunner, root: Path, *, months: int | None = 12) -> None:
    """Write the course and load it with ``flask content sync``."""
    write_course(root, months=months)
    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output


def ids(session: Session) -> CourseIds:
    course = session.scalar(select(Course).where(Course.slug == SLUG))
    quizzes = {
        row.slug: row.quiz_id for row in session.execute(
            select(QuizVersion.quiz_id, QuizVersion.title.label("slug"))
            .where(QuizVersion.course_version_id == course.current_version_id))
    }
    modules = dict(session.execute(select(Module.slug, Module.id).where(Module.course_id == course.id)).all())
    session.rollback()  # end the read: other connections are about to write
    return CourseIds(course.id, {"recognise": quizzes["Recognise check"], "final": quizzes["Final exam"]}, modules)


def enrol(session: Session, user_id: int, course_id: int) -> None:
    begin(session)
    session.add(Enrolment(user_id=user_id, course_id=course_id))
    session.commit()


def record_pass(session: Session, user_id: int, quiz_id: int, *, score: int = 90,
                at: datetime | None = None, passed: bool = True) -> Attempt:
    """A graded, submitted attempt on the quiz's current version (not committed)."""
    at = at or utcnow()
    begin_write(session)
    version_id = session.scalar(
        select(QuizVersion.id).join(Course, Course.current_version_id == QuizVersion.course_version_id)
        .where(QuizVersion.quiz_id == quiz_id))
    attempt = Attempt(token=secrets.token_urlsafe(24), user_id=user_id, quiz_id=quiz_id, quiz_version_id=version_id,
                      started_at=at, submitted_at=at, status="submitted", score_percent=score, points=1,
                      max_points=1, passed=passed, layout={"items": []})
    session.add(attempt)
    session.flush()
    return attempt


def record_read(session: Session, user_id: int, course_id: int, module_id: int, *, at: datetime | None = None) -> None:
    at = at or utcnow()
    begin_write(session)
    session.add(ModuleProgress(user_id=user_id, course_id=course_id, module_id=module_id, first_viewed_at=at,
                               last_viewed_at=at, completed_at=at, visits=1))
    session.flush()


def complete_course(session: Session, user_id: int, course: CourseIds, *, final_score: int = 92,
                    at: datetime | None = None) -> None:
    """Everything the certificate asks for (the final exam too unless ``final_score`` is None); commits."""
    record_pass(session, user_id, course.quizzes["recognise"], score=100, at=at)
    record_read(session, user_id, course.course_id, course.modules["reading"], at=at)
    if final_score is not None:
        record_pass(session, user_id, course.quizzes["final"], score=final_score, at=at)
    session.commit()


def begin(session: Session) -> None:
    """End whatever the session has read and open a write transaction (as a service would)."""
    session.commit()
    begin_write(session)
