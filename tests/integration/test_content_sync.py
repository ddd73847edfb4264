"""Publishing content: versions, stable identities, idempotence, history that survives edits."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from academy.domain import content
from academy.models import (
    Asset,
    AuditEvent,
    Course,
    CourseVersion,
    Module,
    ModuleProgress,
    ModuleVersion,
    Quiz,
    QuizVersion,
)
from academy.services import progress, publishing
from tests.support.content_tree import FakeLinks


@pytest.fixture
def publish(db, course_tree):
    """Load the content root as it is now and sync it; returns the report."""
    def _publish() -> publishing.SyncReport:
        snapshot, problems = content.load(course_tree.root, FakeLinks())
        assert problems == []
        return publishing.sync(db, snapshot)
    return _publish


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def course(db, slug: str = "demo") -> Course:
    db.expire_all()
    return db.scalar(select(Course).where(Course.slug == slug))


def module_ids(db) -> dict[str, int]:
    return dict(db.execute(select(Module.slug, Module.id)).all())


def test_the_first_sync_publishes_version_one(db, course_tree, publish):
    course_tree.standard()
    assert publish().published == {"demo": 1}
    demo = course(db)
    version = demo.current_version
    assert (version.number, version.title, version.certificate_title, version.valid_for_months) == (
        1, "Demo course", "Certified Demonstrator", 12)
    assert [(m.position, m.module.slug, m.title) for m in version.modules] == [
        (1, "basics", "The basics"), (2, "roles", "Roles"), (3, "wrap-up", "Wrap-up")]
    basics = version.modules[0]
    assert basics.objectives == ["Name the basics.", "Explain why they matter."]
    assert basics.headings[0] == {"level": 2, "id": "first-things", "text": "First things"}
    assert basics.word_count > 0 and "<h2" in basics.html
    assert {a.path: a.content_type for a in db.scalars(select(Asset))} == {
        "diagram.svg": "image/svg+xml", "photo.png": "image/png"}
    quizzes = {q.quiz.slug: q for q in db.scalars(select(QuizVersion))}
    ids = module_ids(db)
    assert quizzes["basics-check"].module_id == ids["basics"]
    assert quizzes["roles-check"].module_id == ids["roles"]
    assert (quizzes["final-exam"].is_final, quizzes["final-exam"].module_id) == (True, None)
    assert quizzes["final-exam"].definition["title"] == "Final exam"


def test_each_changed_course_is_audited(db, course_tree, publish):
    course_tree.standard()
    publish()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "content.synced"))
    assert event.target == "course:demo"
    detail = json.loads(event.detail)
    assert (detail["version"], detail["previous_version"], detail["modules"], detail["quizzes"]) == (1, None, 3, 3)


def test_a_second_sync_of_the_same_files_changes_nothing(db, course_tree, publish):
    course_tree.standard()
    publish()
    before = {model: count(db, model) for model in (CourseVersion, ModuleVersion, Asset, QuizVersion, AuditEvent)}
    report = publish()
    assert not report.changed
    assert {model: count(db, model) for model in before} == before


def test_an_edit_publishes_a_new_version_and_keeps_identities(db, course_tree, publish):
    course_tree.standard()
    publish()
    ids, quiz_ids = module_ids(db), dict(db.execute(select(Quiz.slug, Quiz.id)).all())
    course_tree.edit("courses/demo/02-roles.md", "one by one", "one at a time")
    assert publish().published == {"demo": 2}
    demo = course(db)
    assert demo.current_version.number == 2
    assert "one at a time" in demo.current_version.modules[1].html
    assert module_ids(db) == ids
    assert dict(db.execute(select(Quiz.slug, Quiz.id)).all()) == quiz_ids
    assert count(db, CourseVersion) == 2
    old = db.scalar(select(CourseVersion).where(CourseVersion.number == 1))
    assert "one by one" in old.modules[1].html, "an old version is never rewritten"
    detail = json.loads(db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "content.synced")
                                   .order_by(AuditEvent.id.desc())).first())
    assert (detail["version"], detail["previous_version"]) == (2, 1)


def test_progress_survives_renames_and_reordering(db, course_tree, publish, make_user):
    course_tree.standard()
    publish()
    learner = make_user()
    demo = course(db)
    ids = module_ids(db)
    progress.enrol(db, learner.id, demo.id)
    progress.record_view(db, learner.id, demo.id, ids["wrap-up"], {}, completes=True)
    progress.complete_module(db, learner.id, ids["roles"])
    db.commit()
    # The author swaps modules 2 and 3 and renames both.
    course_tree.rename("courses/demo/02-roles.md", "courses/demo/03-roles.md")
    course_tree.rename("courses/demo/03-wrap-up.md", "courses/demo/02-wrap-up.md")
    course_tree.edit("courses/demo/01-basics.md", "02-roles.md", "03-roles.md")
    course_tree.edit("courses/demo/03-roles.md", "title: Roles", "title: Who does what")
    course_tree.edit("courses/demo/02-wrap-up.md", "title: Wrap-up", "title: Summing up")
    assert publish().published == {"demo": 2}
    version = course(db).current_version
    assert [(m.module.slug, m.title) for m in version.modules] == [
        ("basics", "The basics"), ("wrap-up", "Summing up"), ("roles", "Who does what")]
    assert module_ids(db) == ids
    summary = progress.learner_summary(db, learner.id, demo.id)
    assert (summary.done, summary.total) == (2, 3)


def test_a_removed_module_leaves_history_but_not_the_summary(db, course_tree, publish, make_user):
    course_tree.standard()
    publish()
    learner = make_user()
    demo, ids = course(db), module_ids(db)
    progress.complete_module(db, learner.id, ids["wrap-up"])
    db.commit()
    course_tree.remove("courses/demo/03-wrap-up.md")
    publish()
    assert db.scalar(select(ModuleProgress.completed_at).where(ModuleProgress.module_id == ids["wrap-up"]))
    summary = progress.learner_summary(db, learner.id, demo.id)
    assert (summary.done, summary.total) == (0, 2)


def test_a_quiz_can_move_to_another_module(db, course_tree, publish):
    course_tree.standard()
    publish()
    ids = module_ids(db)
    course_tree.edit("quizzes/demo/roles-check.md", "module: roles", "module: 03-wrap-up")
    publish()
    current = course(db).current_version_id
    moved = db.scalar(select(QuizVersion).join(QuizVersion.quiz)
                      .where(Quiz.slug == "roles-check", QuizVersion.course_version_id == current))
    assert moved.module_id == ids["wrap-up"]


def test_a_course_whose_folder_is_gone_is_withdrawn_and_can_return(db, course_tree, publish):
    course_tree.standard()
    course_tree.write("courses/extra/course.md", "---\ntitle: Extra\nsummary: More.\n---\n")
    course_tree.write("courses/extra/01-only.md", "---\ntitle: Only\n---\nText.\n")
    publish()
    extra_files = {p: course_tree.path(p).read_bytes() for p in ("courses/extra/course.md", "courses/extra/01-only.md")}
    for rel in extra_files:
        course_tree.remove(rel)
    course_tree.path("courses/extra").rmdir()
    report = publish()
    assert report.withdrawn == ["extra"] and report.published == {}
    assert course(db, "extra").current_version_id is None
    assert db.scalar(select(AuditEvent.target).where(AuditEvent.action == "content.withdrawn")) == "course:extra"
    for rel, data in extra_files.items():
        course_tree.write(rel, data)
    assert publish().published == {"extra": 2}
