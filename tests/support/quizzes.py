"""A small course with quizzes, published through ``flask content sync``, for the quiz tests."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from academy.db import session_scope
from academy.models import Course
from academy.services import progress

COURSE = "demo"

BASICS = """\
---
title: Basics check
module: 01-basics
pass_mark: 60
---
# Scenario: Northbank
Northbank's payments are down.

## Is this a major incident? {#is-major}
- [x] Yes, declare it
  > Feedback-yes: wide impact and growing harm.
- [ ] No, log a ticket
  > Feedback-no: waiting costs money.

> Explanation-major: impact times urgency.

# Questions
## Which phases belong to the procedure? {#phases}
- [x] The first 15 minutes
  > Feedback-first: validation happens here.
- [x] Resolution and closure
- [ ] Procurement
  > Feedback-procurement: not a phase.

> Explanation-phases: three phases in all.

## Who shields the resolvers? {#shield}
- [ ] The CIO
- [x] The Major Incident Manager
  > Feedback-mim: they take the update requests.
- [ ] Nobody
"""

BRIDGE = """\
---
title: Bridge simulation
module: 02-bridge
pass_mark: 60
---
# Branching scenario: Checkout fails {#checkout}
Sale day narrative.

## First signals {#start}
Alerts are climbing.

- [x] Validate then declare {next: bridges, points: 10}
  > Consequence-validate: declared within fifteen minutes.
- [ ] Wait for traffic to settle {next: lost, points: 0, critical: true}
  > Consequence-wait: the morning is lost.

## Setting up {#bridges}
- [x] Technical and management bridges {next: restored, points: 10}
  > Consequence-two-bridges: calm engineers.
- [ ] One bridge for all {next: restored, points: 4}
  > Consequence-one-bridge: noisy call.

## Ending: Restored {#restored}
Ending-restored text.

## Ending: Lost {#lost}
Ending-lost text.

# Questions
## What comes after restoration? {#after}
- [x] Problem management
- [ ] Nothing
"""

EXAM = """\
---
title: Final exam
final: true
pass_mark: 50
attempts: 2
draw: 2
time_limit: 10
---
## Exam one {#e1}
- [x] Right
- [ ] Wrong
## Exam two {#e2}
- [x] Right
- [ ] Wrong
## Exam three {#e3}
- [x] Right
- [ ] Wrong
"""

QUIZZES = {"basics": BASICS, "bridge": BRIDGE, "exam": EXAM}
MODULES = {"01-basics": "Basics", "02-bridge": "Bridge calls", "03-reading": "Further reading"}

#: Every way to get each standalone quiz fully right, by question key.
RIGHT = {"is-major": ["a"], "phases": ["a", "b"], "shield": ["b"], "after": ["a"], "e1": ["a"], "e2": ["a"],
         "e3": ["a"]}


def write_content(root: Path, quizzes: dict[str, str] | None = None) -> None:
    """Write the demo course and ``quizzes`` (default: basics, bridge, exam) under ``root``."""
    course = root / "courses" / COURSE
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.md").write_text("---\ntitle: Demo course\nsummary: A course for tests.\n---\nWelcome.\n")
    for name, title in MODULES.items():
        (course / f"{name}.md").write_text(f"---\ntitle: {title}\n---\nAbout {title.lower()}.\n")
    folder = root / "quizzes" / COURSE
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    for slug, text in (QUIZZES if quizzes is None else quizzes).items():
        (folder / f"{slug}.md").write_text(text)


def publish(runner: FlaskCliRunner, root: Path, quizzes: dict[str, str] | None = None) -> None:
    """Write the content and load it with ``flask content sync``."""
    write_content(root, quizzes)
    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output


def enrol(app: Flask, user_id: int) -> None:
    with app.app_context(), session_scope(app) as session:
        course_id = session.scalar(select(Course.id).where(Course.slug == COURSE))
        progress.enrol(session, user_id, course_id)


def complete_modules(app: Flask, user_id: int) -> None:
    """Mark every module of the demo course done for the learner, as the certification exam requires."""
    with app.app_context(), session_scope(app) as session:
        course = session.scalar(select(Course).where(Course.slug == COURSE))
        for module_id in progress.current_module_ids(session, course.id):
            progress.complete_module(session, user_id, module_id)
        session.commit()
