"""Authoring in the browser, on a real database: drafts, publishing, history, sync conflicts, zips, GIFT."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from academy.domain import content, course_zip
from academy.models import (
    Attempt,
    AuditEvent,
    Course,
    CourseVersion,
    Draft,
    ModuleProgress,
    PublishedFile,
    QuizVersion,
    Role,
    VersionOrigin,
)
from academy.services import authoring, course_transfer, previews, progress, publishing, quizzes, releases
from academy.services.actors import Actor
from academy.services.errors import Forbidden, InvalidInput, NotFound
from tests.support.content_tree import PNG, FakeLinks

MODULE = "courses/demo/01-basics.md"
QUIZ = "quizzes/demo/basics-check.md"


@pytest.fixture
def sync(db, course_tree):
    """Load the content root as it is now and run ``content sync``; returns the report."""
    def _sync(take_files=()) -> publishing.SyncReport:
        snapshot, problems = content.load(course_tree.root, FakeLinks())
        assert problems == []
        db.rollback()  # sync starts its own write transaction (it is called first thing by the CLI)
        return publishing.sync(db, snapshot, take_files=take_files)
    return _sync


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def instructor(make_user):
    return make_user(Role.INSTRUCTOR, name="Ines Instructor")


@pytest.fixture
def demo(db, course_tree, sync, admin, instructor):
    """The demo course, synced from files."""
    course_tree.standard()
    sync()
    return db.scalar(select(Course).where(Course.slug == "demo"))


def opened(db, demo, path) -> authoring.OpenFile:
    return authoring.open_file(db, demo, path)


def text_of(db, demo, path) -> str:
    return opened(db, demo, path).text


def save(db, path, text, actor):
    """Save ``text`` as ``path``'s draft, based on the file as it is now (as an editor just opened it)."""
    course = db.scalar(select(Course).where(Course.slug == "demo"))
    base = authoring.revision(authoring.working_tree(db, course).get(path))
    return authoring.save_draft(db, "demo", path, text, base, actor)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def audit_actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- Versions keep their files ------------------------------------------------------------------------

def test_a_sync_keeps_the_files_of_the_version_it_publishes(db, demo, course_tree):
    files = releases.version_tree(db, demo, 1)
    assert files[MODULE] == course_tree.path(MODULE).read_bytes()
    assert files["courses/demo/assets/photo.png"] == PNG
    assert set(files) == {p.relative_to(course_tree.root).as_posix()
                          for p in course_tree.root.rglob("*") if p.is_file()}
    assert db.get(VersionOrigin, demo.current_version_id).source == "files"


# --- Drafts -------------------------------------------------------------------------------------------

def test_a_saved_draft_is_not_seen_by_learners(db, demo, admin):
    version = demo.current_version_id
    save(db, MODULE, text_of(db, demo, MODULE).replace("An opening", "A changed opening"), Actor.of(admin))
    db.expire_all()
    assert demo.current_version_id == version
    [draft] = db.scalars(select(Draft)).all()
    assert (draft.path, draft.author_id) == (MODULE, admin.id)
    assert b"A changed opening" in authoring.working_tree(db, demo)[MODULE]
    assert audit_actions(db)[-1] == "content.draft_saved"


def test_every_file_opens_and_saves_back_byte_for_byte(db, demo, admin, course_tree, sync):
    course_tree.write(MODULE, course_tree.read(MODULE).replace("\n", "\r\n"))
    sync()
    db.expire_all()
    paths = sorted(authoring.working_tree(db, demo))
    for path in paths:
        if path.endswith(".md"):
            file = opened(db, demo, path)
            # Browsers send textareas with CRLF line endings, whatever the file had.
            authoring.save_draft(db, "demo", path, file.text.replace("\n", "\r\n"), file.revision, Actor.of(admin))
    assert list(db.scalars(select(Draft.path))) == []
    assert authoring.working_tree(db, demo) == releases.version_tree(db, demo, 2)


def test_saving_the_published_text_again_drops_the_draft(db, demo, admin):
    original = text_of(db, demo, MODULE)
    save(db, MODULE, original + "More.\n", Actor.of(admin))
    assert save(db, MODULE, original, Actor.of(admin)) is None
    assert count(db, Draft) == 0


def test_a_save_based_on_a_stale_revision_is_refused_with_who_and_when(db, demo, admin, instructor):
    file = opened(db, demo, MODULE)
    save(db, MODULE, file.text + "Admin's line.\n", Actor.of(admin))
    with pytest.raises(authoring.EditConflict) as caught:
        authoring.save_draft(db, "demo", MODULE, file.text + "Another line.\n", file.revision, Actor.of(admin))
    conflict = caught.value
    assert conflict.changed_by == "Ada Admin" and "Admin's line." in conflict.current
    assert "was changed by Ada Admin at" in str(conflict)
    assert b"Another line" not in authoring.working_tree(db, demo)[MODULE]
    # Saving again on purpose, based on what is there now, replaces it.
    authoring.save_draft(db, "demo", MODULE, file.text + "Another line.\n", conflict.revision, Actor.of(admin))
    assert b"Another line" in authoring.working_tree(db, demo)[MODULE]


def test_a_publication_since_opening_is_a_conflict_too(db, demo, admin):
    file = opened(db, demo, MODULE)
    save(db, MODULE, file.text + "Published meanwhile.\n", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    with pytest.raises(authoring.EditConflict) as caught:
        authoring.save_draft(db, "demo", MODULE, file.text + "Mine.\n", file.revision, Actor.of(admin))
    assert caught.value.changed_by == "Ada Admin"


def test_new_modules_and_quizzes_start_as_valid_drafts(db, demo, admin):
    module = authoring.add_module(db, "demo", "Escalation: when and how", Actor.of(admin))
    quiz = authoring.add_quiz(db, "demo", "Escalation check", "escalation-when-and-how", Actor.of(admin))
    assert (module, quiz) == ("courses/demo/04-escalation-when-and-how.md", "quizzes/demo/escalation-check.md")
    assert authoring.open_file(db, demo, module).text.startswith("---\ntitle: 'Escalation: when and how'\n---\n")
    version = releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    assert version.number == 2 and [m.module.slug for m in version.modules][-1] == "escalation-when-and-how"
    with pytest.raises(InvalidInput):
        authoring.add_module(db, "demo", "Escalation: when and how", Actor.of(admin))
    with pytest.raises(InvalidInput):
        authoring.add_module(db, "demo", "Assets", Actor.of(admin))


def test_removing_a_file_is_a_draft_until_published(db, demo, admin):
    authoring.remove_file(db, "demo", "quizzes/demo/roles-check.md", Actor.of(admin))
    assert "quizzes/demo/roles-check.md" in releases.version_tree(db, demo, 1)
    assert [s.state for s in authoring.file_states(db, demo) if s.ref.name == "roles-check.md"] == ["removed"]
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    assert "quizzes/demo/roles-check.md" not in releases.version_tree(db, demo, 2)
    with pytest.raises(InvalidInput):
        authoring.remove_file(db, "demo", "courses/demo/course.md", Actor.of(admin))


# --- Who may edit -------------------------------------------------------------------------------------

def test_instructors_edit_only_the_courses_they_are_assigned(db, demo, admin, instructor, make_user):
    learner = make_user(Role.LEARNER)
    with pytest.raises(Forbidden):
        authoring.editable_course(db, "demo", Actor.of(instructor))
    assert authoring.editable_courses(db, Actor.of(instructor)) == []
    authoring.assign_editor(db, "demo", instructor.email.upper(), Actor.of(admin))
    assert [c.slug for c in authoring.editable_courses(db, Actor.of(instructor))] == ["demo"]
    save(db, MODULE, "changed", Actor.of(instructor))
    with pytest.raises(Forbidden):
        authoring.assign_editor(db, "demo", instructor.email, Actor.of(instructor))
    with pytest.raises(InvalidInput, match="learner"):
        authoring.assign_editor(db, "demo", learner.email, Actor.of(admin))
    authoring.remove_editor(db, "demo", instructor.id, Actor.of(admin))
    with pytest.raises(Forbidden):
        save(db, MODULE, "again", Actor.of(instructor))
    assert {"content.editor_assigned", "content.editor_removed"} <= set(audit_actions(db))


def test_an_instructor_who_creates_a_course_edits_it(db, instructor, make_user):
    learner = make_user(Role.LEARNER)
    authoring.create_course(db, "incident-basics", "Incident basics: a start", "Short.", Actor.of(instructor))
    course = authoring.editable_course(db, "incident-basics", Actor.of(instructor))
    assert course.current_version_id is None
    assert [c.title for c in authoring.editable_courses(db, Actor.of(instructor))] == ["Incident basics: a start"]
    with pytest.raises(InvalidInput):
        authoring.create_course(db, "incident-basics", "Again", "Again.", Actor.of(instructor))
    with pytest.raises(InvalidInput):
        authoring.create_course(db, "Not A Slug", "X", "Y.", Actor.of(instructor))
    with pytest.raises(Forbidden):
        authoring.create_course(db, "mine", "X", "Y.", Actor.of(learner))
    version = releases.publish(db, "incident-basics", Actor.of(instructor), FakeLinks())
    assert version.title == "Incident basics: a start"


# --- Publishing ---------------------------------------------------------------------------------------

def test_publishing_an_invalid_tree_changes_nothing_and_names_file_and_line(db, demo, admin):
    save(db, MODULE, text_of(db, demo, MODULE).replace("(02-roles.md#who-does-what)", "(09-gone.md)"), Actor.of(admin))
    save(db, QUIZ, "---\ntitle: Broken\nmodule: 01-basics\n---\n## No options here\n", Actor.of(admin))
    with pytest.raises(releases.ContentProblems) as caught:
        releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    assert [(p.path, p.line) for p in caught.value.problems] == [(MODULE, 12), (QUIZ, 5)]
    db.expire_all()
    assert count(db, CourseVersion) == 1 and count(db, Draft) == 2


def test_publishing_makes_a_browser_version_and_keeps_its_files(db, demo, admin):
    changed = text_of(db, demo, MODULE).replace("An opening", "A better opening")
    save(db, MODULE, changed, Actor.of(admin))
    version = releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    db.expire_all()
    assert demo.current_version_id == version.id and version.number == 2
    origin = db.get(VersionOrigin, version.id)
    assert (origin.source, origin.author_id) == ("browser", admin.id)
    assert releases.version_tree(db, demo, 2)[MODULE] == changed.encode()
    assert count(db, Draft) == 0
    assert "A better opening" in version.modules[0].html
    assert audit_actions(db)[-1] == "content.published"
    with pytest.raises(InvalidInput, match="no drafts"):
        releases.publish(db, "demo", Actor.of(admin), FakeLinks())


def test_attempts_keep_the_version_they_were_taken_on(db, demo, admin, make_user):
    learner = make_user(Role.LEARNER)
    db.rollback()
    progress.enrol(db, learner.id, demo.id)
    attempt = quizzes.start(db, learner.id, "demo", "basics-check")
    taken_on = attempt.quiz_version_id
    save(db, QUIZ, text_of(db, demo, QUIZ).replace("Is this the basics?", "Is this still the basics?"), Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    db.expire_all()
    assert db.get(Attempt, attempt.id).quiz_version_id == taken_on
    assert db.get(QuizVersion, taken_on).definition["units"][0]["prompt"] == "Is this the basics?"


def test_history_compare_and_restore(db, demo, admin):
    save(db, MODULE, text_of(db, demo, MODULE).replace("An opening", "A second opening"), Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    [diff] = releases.compare(db, demo, 1, 2)
    assert diff.path == MODULE and [line.text for h in diff.hunks for line in h.lines if line.kind == "added"] == [
        "A second opening paragraph of exactly nine words for counting."]
    restored = releases.restore(db, "demo", 1, Actor.of(admin), FakeLinks())
    assert restored.number == 3
    assert releases.version_tree(db, demo, 3) == releases.version_tree(db, demo, 1)
    history = releases.history(db, demo)
    assert [(v.number, v.source, v.restored_from, v.current) for v in history] == [
        (3, "browser", 1, True), (2, "browser", None, False), (1, "files", None, False)]
    assert audit_actions(db)[-2:] == ["content.published", "content.restored"]
    with pytest.raises(InvalidInput, match="nothing to restore"):
        releases.restore(db, "demo", 1, Actor.of(admin), FakeLinks())


def test_a_restore_is_refused_while_there_are_drafts(db, demo, admin):
    save(db, MODULE, text_of(db, demo, MODULE) + "x\n", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    save(db, MODULE, text_of(db, demo, MODULE) + "y\n", Actor.of(admin))
    with pytest.raises(InvalidInput, match="drafts"):
        releases.restore(db, "demo", 1, Actor.of(admin), FakeLinks())
    with pytest.raises(NotFound):
        releases.version_tree(db, demo, 9)


# --- content sync meets the browser -------------------------------------------------------------------

def test_sync_does_not_overwrite_a_course_published_in_the_browser(db, demo, admin, course_tree, sync):
    save(db, MODULE, text_of(db, demo, MODULE) + "Browser work.\n", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    course_tree.edit(MODULE, "An opening", "A files opening")
    report = sync()
    assert report.conflicts == ["demo"] and report.published == {}
    db.expire_all()
    assert b"Browser work." in releases.version_tree(db, demo, 2)[MODULE] and count(db, CourseVersion) == 2

    report = sync(take_files={"demo"})
    assert report.published == {"demo": 3} and report.conflicts == []
    assert releases.version_tree(db, demo, 3)[MODULE] == course_tree.path(MODULE).read_bytes()
    assert sync().published == {}


def test_sync_is_quiet_once_the_files_match_the_browser_version(db, demo, admin, course_tree, sync):
    save(db, MODULE, text_of(db, demo, MODULE) + "Browser work.\n", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    # The author exports the course into the repository: the files now equal the browser's version.
    for path, data in releases.version_tree(db, demo, 2).items():
        course_tree.write(path, data)
    report = sync()
    assert (report.conflicts, report.published) == ([], {})


def test_sync_keeps_a_course_that_only_exists_in_the_browser(db, demo, instructor, sync):
    authoring.create_course(db, "web-only", "Web only", "Made in the browser.", Actor.of(instructor))
    releases.publish(db, "web-only", Actor.of(instructor), FakeLinks())
    report = sync()
    assert report.kept == ["web-only"] and report.withdrawn == []
    assert sync(take_files={"web-only"}).withdrawn == ["web-only"]


# --- Zips ---------------------------------------------------------------------------------------------

def test_export_then_import_gives_identical_files(db, demo, admin):
    name, exported = course_transfer.export_zip(db, "demo", Actor.of(admin))
    assert name == "demo-v1.zip" and course_transfer.export_zip(db, "demo", Actor.of(admin))[1] == exported
    save(db, MODULE, text_of(db, demo, MODULE) + "Changed in the browser.\n", Actor.of(admin))
    authoring.remove_file(db, "demo", "quizzes/demo/roles-check.md", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())

    report = course_transfer.import_zip(db, exported, Actor.of(admin), FakeLinks())
    assert (report.slug, report.created) == ("demo", False)
    assert report.changed == [MODULE, "quizzes/demo/roles-check.md"]
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    assert course_transfer.export_zip(db, "demo", Actor.of(admin))[1] == exported
    assert course_transfer.export_zip(db, "demo", Actor.of(admin), 1)[1] == exported


def test_importing_a_new_course_creates_it_for_the_instructor(db, demo, admin, instructor):
    _, exported = course_transfer.export_zip(db, "demo", Actor.of(admin))
    files = {path.replace("/demo/", "/copy/"): data for path, data in course_zip.read(exported)[1].items()}
    report = course_transfer.import_zip(db, course_zip.write(files), Actor.of(instructor), FakeLinks())
    assert report.created and len(report.changed) == len(files)
    assert [c.slug for c in authoring.editable_courses(db, Actor.of(instructor))] == ["copy"]
    releases.publish(db, "copy", Actor.of(instructor), FakeLinks())


def test_an_invalid_or_hostile_zip_changes_nothing(db, demo, admin):
    _, exported = course_transfer.export_zip(db, "demo", Actor.of(admin))
    files = dict(course_zip.read(exported)[1])
    files[MODULE] = b"---\ntitle: Broken\n---\n![](assets/missing.svg)\n"
    with pytest.raises(releases.ContentProblems) as caught:
        course_transfer.import_zip(db, course_zip.write(files), Actor.of(admin), FakeLinks())
    assert {p.path for p in caught.value.problems} == {MODULE}
    files[MODULE] = b"---\ntitle: \xff\xfe not UTF-8\n"
    with pytest.raises(releases.ContentProblems) as caught:
        course_transfer.import_zip(db, course_zip.write(files), Actor.of(admin), FakeLinks())
    assert [(p.path, p.line, p.message) for p in caught.value.problems] == [
        (MODULE, 2, "the file is not UTF-8 text: save it as UTF-8")]
    with pytest.raises(releases.ContentProblems) as caught:
        course_transfer.import_zip(db, b"PK\x03\x04 broken", Actor.of(admin), FakeLinks())
    assert [p.message for p in caught.value.problems] == ["this is not a zip file"]
    assert count(db, Draft) == 0 and count(db, Course) == 1


def test_an_import_never_replaces_someone_elses_drafts(db, demo, admin):
    _, exported = course_transfer.export_zip(db, "demo", Actor.of(admin))
    save(db, MODULE, text_of(db, demo, MODULE) + "Unpublished.\n", Actor.of(admin))
    with pytest.raises(InvalidInput, match="drafts"):
        course_transfer.import_zip(db, exported, Actor.of(admin), FakeLinks())


# --- Images -------------------------------------------------------------------------------------------

def test_images_are_checked_from_their_bytes_and_svg_is_cleaned(db, demo, admin):
    upload = authoring.upload_asset
    with pytest.raises(InvalidInput, match="not a PNG"):
        upload(db, "demo", "chart.png", b"<html><script>alert(1)</script></html>", Actor.of(admin), max_bytes=2**20)
    with pytest.raises(InvalidInput, match="not an SVG"):
        upload(db, "demo", "chart.svg", b"<html><script>alert(1)</script></html>", Actor.of(admin), max_bytes=2**20)
    with pytest.raises(InvalidInput, match="at most 0.0 MB"):
        upload(db, "demo", "big.png", PNG, Actor.of(admin), max_bytes=10)
    with pytest.raises(InvalidInput, match="not a PNG, JPEG or SVG"):
        upload(db, "demo", "page.html", b"<html>", Actor.of(admin), max_bytes=2**20)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
           b'<script>alert(2)</script><foreignObject><div/></foreignObject>'
           b'<a xlink:href="javascript:alert(3)"><rect width="1" height="1"/></a>'
           b'<image href="https://evil.example/x.png"/></svg>')
    path = upload(db, "demo", "Flow Chart.SVG", svg, Actor.of(admin), max_bytes=2**20)
    assert path == "courses/demo/assets/flow-chart.svg"
    stored = authoring.working_tree(db, demo)[path]
    for hostile in (b"onload", b"script", b"foreignObject", b"javascript:"):
        assert hostile not in stored
    assert authoring.asset(db, demo, "flow-chart.svg").content_type == "image/svg+xml"


# --- GIFT ---------------------------------------------------------------------------------------------

def test_gift_questions_are_previewed_then_saved_as_a_draft(db, demo, admin):
    gift = b"::Scribe:: Who keeps the log? {=The scribe#Yes. ~The CIO}\n\n::Num:: 1+1 {#2}\n"
    preview = course_transfer.gift_preview(db, "demo", QUIZ, gift, Actor.of(admin), replace=False)
    assert preview.result.imported == 1 and [s.line for s in preview.result.skipped] == [3]
    assert preview.problems == [] and "## Who keeps the log? {#scribe}" in preview.text
    assert count(db, Draft) == 0
    authoring.save_draft(db, "demo", QUIZ, preview.text, preview.revision, Actor.of(admin))
    version = releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    quiz = db.scalar(select(QuizVersion).where(QuizVersion.course_version_id == version.id,
                                               QuizVersion.title == "Basics check"))
    assert [u["key"] for u in quiz.definition["units"]] == ["is-this-the-basics", "scribe"]
    with pytest.raises(InvalidInput, match="UTF-8"):
        course_transfer.gift_preview(db, "demo", QUIZ, b"\xff\xfe", Actor.of(admin), replace=True)


# --- Previews ---------------------------------------------------------------------------------------

def test_a_preview_renders_the_typed_text_and_names_its_problems(db, demo):
    text = text_of(db, demo, MODULE) + "\n<script>alert(1)</script>[broken](09-nowhere.md)\n"
    preview = previews.preview_file(db, demo, MODULE, text, FakeLinks())
    assert "<script" not in preview.html and "An opening paragraph" in preview.html
    assert [(p.line, p.message.split(":")[0]) for p in preview.problems] == [(20, "broken link '09-nowhere.md'")]
    quiz = previews.preview_file(db, demo, QUIZ, text_of(db, demo, QUIZ), FakeLinks())
    assert quiz.quiz is not None and quiz.problems == []


def test_walking_a_draft_records_nothing(db, demo, admin):
    save(db, MODULE, text_of(db, demo, MODULE).replace("An opening", "A draft opening"), Actor.of(admin))
    module = previews.preview_module(db, demo, "basics", FakeLinks()).module
    assert "A draft opening" in module.html
    quiz = previews.preview_quiz(db, demo, "basics-check", FakeLinks())
    run = previews.start_quiz(quiz, seed=1)
    graded = previews.continue_quiz(quiz, run.state, {"is-this-the-basics": ["a"]}, submit=True)
    assert graded.grade.passed and graded.error is None
    assert count(db, ModuleProgress) == 0 and count(db, Attempt) == 0


def test_a_stale_quiz_preview_starts_again(db, demo):
    quiz = previews.preview_quiz(db, demo, "basics-check", FakeLinks())
    run = previews.continue_quiz(quiz, '{"items": [{"key": "gone", "options": [], "branching": false}]}', {})
    assert "starts again" in run.error and run.layout.question_keys == ["is-this-the-basics"]
    assert count(db, PublishedFile) > 0


def test_the_sync_command_names_the_conflict_exits_1_and_takes_files_when_told(runner, db, demo, admin, course_tree):
    save(db, MODULE, text_of(db, demo, MODULE) + "Browser work.\n", Actor.of(admin))
    releases.publish(db, "demo", Actor.of(admin), FakeLinks())
    course_tree.edit(MODULE, "An opening", "A files opening")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "conflict: demo was edited and published in the browser" in result.output
    assert "content sync --take-files demo" in result.output
    taken = runner.invoke(args=["content", "sync", "--take-files", "demo"])
    assert taken.exit_code == 0 and "demo: published version 3" in taken.output


def test_a_sync_keeps_the_files_of_a_version_published_before_files_were_kept(db, demo, sync):
    db.execute(delete(PublishedFile))
    db.execute(delete(VersionOrigin))
    db.commit()
    assert sync().published == {}
    assert MODULE in releases.version_tree(db, demo, 1)
    assert db.get(VersionOrigin, demo.current_version_id).source == "files"


def test_a_preview_blames_a_text_only_for_the_problems_it_causes_elsewhere(db, demo, admin):
    """A clean quiz used to say "This text also causes 2 problems in other files" when another
    draft was broken already."""
    save(db, "courses/demo/02-roles.md", "---\ntitle: Roles\n---\nSee [nowhere](09-nowhere.md).\n", Actor.of(admin))
    quiz = previews.preview_file(db, demo, QUIZ, text_of(db, demo, QUIZ), FakeLinks())
    assert quiz.problems == [] and quiz.elsewhere == []
    # A text that breaks another file's link is still told so.
    save(db, "courses/demo/02-roles.md", "---\ntitle: Roles\n---\n## Who does what\n\nText.\n", Actor.of(admin))
    renamed = previews.preview_file(db, demo, "courses/demo/02-roles.md",
                                    "---\ntitle: Roles\n---\n## Who is who\n\nText.\n", FakeLinks())
    assert [p.path for p in renamed.elsewhere] == [MODULE] and "who-does-what" in renamed.elsewhere[0].message
