"""The authoring pages: who gets in, the editor with and without script, publishing, history, uploads."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from academy.domain import content, course_zip
from academy.models import Attempt, Course, Draft, ModuleProgress, Role
from academy.services import authoring, publishing
from academy.services.actors import Actor
from tests.support.content_tree import PNG, FakeLinks

MODULE = "courses/demo/01-basics.md"
QUIZ = "quizzes/demo/basics-check.md"
EDIT = f"/author/courses/demo/edit/{MODULE}"
REVISION_RE = re.compile(r'name="revision"[^>]*value="([^"]+)"')


@pytest.fixture
def demo(db, course_tree):
    course_tree.standard()
    snapshot, problems = content.load(course_tree.root, FakeLinks())
    assert problems == []
    publishing.sync(db, snapshot)
    return db.scalar(select(Course).where(Course.slug == "demo"))


@pytest.fixture
def editor(demo, client_as, make_user, db):
    """An instructor assigned to the demo course, signed in."""
    client = client_as(Role.INSTRUCTOR, name="Ines Instructor")
    authoring.assign_editor(db, "demo", client.user.email, Actor.of(make_user(Role.ADMIN)))
    return client


def revision_on(page: str) -> str:
    return REVISION_RE.search(page).group(1)


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


# --- Who gets in ----------------------------------------------------------------------------------------

def test_visitors_are_sent_to_sign_in_and_learners_are_refused(client, learner_client, demo):
    assert client.get("/author/").status_code == 302
    assert "/login" in client.get(EDIT).headers["Location"]
    for path in ("/author/", "/author/courses/demo", EDIT, "/author/courses/demo/history"):
        assert learner_client.get(path).status_code == 403
    assert learner_client.post("/author/preview", data={}).status_code == 403
    assert client.post("/author/preview", data={}).status_code == 401


def test_instructors_see_only_the_courses_assigned_to_them(instructor_client, editor, demo):
    assert instructor_client.get("/author/courses/demo").status_code == 403
    assert "Demo course" not in instructor_client.get("/author/").get_data(as_text=True)
    page = editor.get("/author/").get_data(as_text=True)
    assert "Demo course" in page and 'href="/author/"' in page


def test_only_admins_assign_instructors(admin_client, editor, make_user, demo):
    other = make_user(Role.INSTRUCTOR, name="Olga Other")
    assert "Assign instructor" not in editor.get("/author/courses/demo").get_data(as_text=True)
    refused = editor.submit("/author/courses/demo/editors", {"email": other.email}, page="/author/courses/demo")
    assert refused.status_code == 403
    page = admin_client.get("/author/courses/demo").get_data(as_text=True)
    assert "Ines Instructor" in page and "Assign instructor" in page
    admin_client.submit("/author/courses/demo/editors", {"email": other.email}, page="/author/courses/demo")
    assert "Olga Other" in admin_client.get("/author/courses/demo").get_data(as_text=True)


# --- The editor -----------------------------------------------------------------------------------------

def test_the_editor_shows_the_file_text_a_preview_and_no_problems(editor):
    page = editor.get(EDIT).get_data(as_text=True)
    assert "\ntitle: The basics\nminutes: 10\n" in page
    assert "<h2 id=\"first-things\">First things</h2>" in page
    assert "No problems in this file." in page
    assert 'src="/static/js/editor.js"' in page and "<script>" not in page


def test_preview_without_script_renders_the_typed_text_and_saves_nothing(editor, db):
    page = editor.get(EDIT).get_data(as_text=True)
    text = "---\ntitle: The basics\n---\nNew **text** and [a broken link](09-gone.md).\n"
    response = editor.submit(EDIT, {"text": text, "revision": revision_on(page), "action": "preview"}, page=EDIT)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "New <strong>text</strong>" in body
    assert 'data-line="4">Line 4</button>' in body and "broken link" in body
    assert count(db, Draft) == 0


def test_saving_makes_a_draft_that_learners_do_not_see(editor, db, demo):
    page = editor.get(EDIT).get_data(as_text=True)
    text = "---\ntitle: The basics, revised\n---\nRevised.\n"
    response = editor.submit(EDIT, {"text": text, "revision": revision_on(page), "action": "save"}, page=EDIT)
    assert response.status_code == 302
    assert "Draft saved" in editor.get(EDIT).get_data(as_text=True)
    assert count(db, Draft) == 1
    assert "Revised." not in editor.get("/courses/demo/basics").get_data(as_text=True)


def test_a_stale_save_is_answered_with_who_changed_it_and_a_diff(editor, admin_client, db):
    page = editor.get(EDIT).get_data(as_text=True)
    stale = revision_on(page)
    first = admin_client.submit(EDIT, {"text": "---\ntitle: The basics\n---\nTheirs.\n", "revision": stale,
                                       "action": "save"}, page=EDIT)
    assert first.status_code == 302
    response = editor.submit(EDIT, {"text": "---\ntitle: The basics\n---\nMine <b>bold</b>.\n", "revision": stale,
                                    "action": "save"}, page=EDIT)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "was changed by Test Admin" in body and "Mine &lt;b&gt;bold&lt;/b&gt;." in body
    assert re.search(r'class="diff-removed">.*?Theirs\.', body, re.S)
    assert revision_on(body) != stale
    assert b"Theirs." in authoring.working_tree(db, db.scalar(select(Course)))[MODULE]


def test_the_live_preview_answers_json_with_sanitised_html_and_numbered_problems(editor):
    token = editor.csrf_token(EDIT)
    text = "---\ntitle: T\n---\nHello <script>alert(1)</script><img src=x onerror=alert(2)>\n\n[x](09-gone.md)\n"
    response = editor.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": MODULE,
                                                    "text": text})
    data = response.get_json()
    assert response.status_code == 200
    assert "Hello" in data["html"] and "<script" not in data["html"] and "onerror" not in data["html"]
    assert [p["line"] for p in data["problems"]] == [4, 4, 6]
    assert 'data-line="6"' in data["checks"]


def test_the_live_preview_needs_the_csrf_token_and_an_editable_course(editor, instructor_client):
    refused = editor.post("/author/preview", data={"course": "demo", "path": MODULE, "text": "x"})
    assert refused.status_code == 400
    token = instructor_client.csrf_token("/author/")
    other = instructor_client.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": MODULE,
                                                            "text": "x"})
    assert other.status_code == 403 and "not an editor" in other.get_json()["error"]


def test_a_quiz_preview_shows_which_answers_are_right(editor):
    page = editor.get(f"/author/courses/demo/edit/{QUIZ}").get_data(as_text=True)
    assert "Is this the basics?" in page and "Correct answer" in page and "Import GIFT questions" in page


def test_files_outside_the_course_are_not_found(editor):
    assert editor.get("/author/courses/demo/edit/courses/other/course.md").status_code == 404
    assert editor.get("/author/courses/demo/edit/courses/demo/../../etc/passwd").status_code == 404
    assert editor.get("/author/courses/nowhere").status_code == 404


# --- New files, images, removal -------------------------------------------------------------------------

def test_adding_a_module_opens_it_in_the_editor(editor):
    response = editor.submit("/author/courses/demo/modules", {"module-title": "Escalation"},
                             page="/author/courses/demo")
    assert response.headers["Location"].endswith("/author/courses/demo/edit/courses/demo/04-escalation.md")
    page = editor.get("/author/courses/demo").get_data(as_text=True)
    assert "Escalation" in page and "New draft" in page


def test_disguised_and_oversized_images_are_refused(editor, app):
    def upload(name, data):
        token = editor.csrf_token("/author/courses/demo")
        return editor.post("/author/courses/demo/assets", data={"csrf_token": token,
                                                                "asset-file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "is not a PNG image" in upload("chart.png", b"<html><script>alert(1)</script>")
    assert "Uploaded evil.svg" in upload("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()">'
                                                     b'<script>alert(1)</script></svg>')
    image = editor.get("/author/courses/demo/assets/evil.svg")
    assert b"script" not in image.data and b"onload" not in image.data
    assert "sandbox" in image.headers["Content-Security-Policy"]
    app.config["MAX_ASSET_BYTES"] = 16
    assert "images may be at most" in upload("photo.png", PNG)


# --- Publishing, history, zips --------------------------------------------------------------------------

def save_text(client, path, text):
    url = f"/author/courses/demo/edit/{path}"
    page = client.get(url).get_data(as_text=True)
    response = client.submit(url, {"text": text, "revision": revision_on(page), "action": "save"}, page=url)
    assert response.status_code == 302


def test_publishing_problems_are_listed_with_file_and_line_and_nothing_goes_live(editor, db):
    save_text(editor, MODULE, "---\ntitle: The basics\n---\n![](assets/missing.svg)\n")
    page = editor.get("/author/courses/demo/publish").get_data(as_text=True)
    assert "courses/demo/01-basics.md:4</a>" in page and "disabled" in page
    response = editor.submit("/author/courses/demo/publish", page="/author/courses/demo/publish")
    assert response.status_code == 422 and "Nothing was published" in response.get_data(as_text=True)
    assert count(db, Draft) == 1


def test_publish_then_compare_shows_an_escaped_diff(editor, db):
    save_text(editor, MODULE, "---\ntitle: The basics\n---\nNow with <script>alert(1)</script> text.\n")
    publish = editor.submit("/author/courses/demo/publish", page="/author/courses/demo/publish")
    assert publish.status_code == 302
    assert "Published version 2" in editor.get("/author/courses/demo").get_data(as_text=True)
    history = editor.get("/author/courses/demo/history").get_data(as_text=True)
    assert "Ines Instructor" in history and "Restore" in history
    diff = editor.get("/author/courses/demo/compare?from=1&to=2").get_data(as_text=True)
    assert "Now with &lt;script&gt;alert(1)&lt;/script&gt; text." in diff and "<script>alert" not in diff
    restored = editor.submit("/author/courses/demo/versions/1/restore", page="/author/courses/demo/history")
    assert restored.status_code == 302
    assert "Restored version 1 as version 3" in editor.get("/author/courses/demo/history").get_data(as_text=True)


def test_export_and_import_round_trip_through_the_pages(editor, db):
    exported = editor.get("/author/courses/demo/export.zip")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="demo-v1.zip"'
    slug, files = course_zip.read(exported.data)
    assert slug == "demo" and MODULE in files
    token = editor.csrf_token("/author/")
    response = editor.post("/author/import", data={"csrf_token": token, "file": (io.BytesIO(exported.data), "d.zip")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "already reads exactly as the zip" in response.get_data(as_text=True)


def test_a_hostile_zip_is_refused_with_the_reason(editor, db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("courses/demo/course.md", "x")
        archive.writestr("courses/demo/../../../../tmp/evil", "x")
    token = editor.csrf_token("/author/")
    response = editor.post("/author/import", data={"csrf_token": token, "file": (io.BytesIO(buffer.getvalue()),
                                                                                 "evil.zip")},
                           content_type="multipart/form-data")
    # The refusal is a page of its own (a reload does not upload again), naming the entry without
    # a meaningless ":1".
    assert response.status_code == 303 and response.headers["Location"] == "/author/"
    page = editor.get("/author/").get_data(as_text=True)
    assert "Nothing was imported" in page and "refused" in page and count(db, Draft) == 0
    assert '<span class="problem-where">courses/demo/../../../../tmp/evil</span>' in page and ":1" not in page
    assert "Nothing was imported" not in editor.get("/author/").get_data(as_text=True)  # shown once


def test_a_file_that_is_no_zip_is_refused_as_the_zip(editor):
    token = editor.csrf_token("/author/")
    editor.post("/author/import", data={"csrf_token": token, "file": (io.BytesIO(b"not a zip"), "x.zip")},
                content_type="multipart/form-data")
    page = editor.get("/author/").get_data(as_text=True)
    assert '<span class="problem-where">the zip</span>' in page and "this is not a zip file" in page
    assert "upload" not in page.split("Nothing was imported")[1].split("</section>")[0]


def test_gift_upload_shows_the_markdown_and_what_was_skipped(editor):
    url = f"/author/courses/demo/gift/{QUIZ}"
    token = editor.csrf_token(url)
    gift = b"::Scribe:: Who keeps the log? {=The scribe ~The CIO}\n\n::Essay:: Describe it. {}\n"
    response = editor.post(url, data={"csrf_token": token, "mode": "append", "file": (io.BytesIO(gift), "q.gift")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "## Who keeps the log? {#scribe}" in page and "essay question" in page
    assert ">3</td>" in page


# --- Preview as a learner -------------------------------------------------------------------------------

def test_walking_the_draft_as_a_learner_records_nothing(editor, db):
    save_text(editor, MODULE, "---\ntitle: The basics\n---\nA draft-only sentence.\n")
    course = editor.get("/author/courses/demo/preview").get_data(as_text=True)
    assert "Preview" in course and "/author/courses/demo/preview/basics" in course
    module = editor.get("/author/courses/demo/preview/basics").get_data(as_text=True)
    assert "A draft-only sentence." in module and "preview-banner" in module
    # The learner's module page with the banner: its quiz list and course navigation, links kept in the preview.
    assert 'href="/author/courses/demo/preview/quizzes/basics-check"' in module and "Check your understanding" in module
    assert "In this course" in module and 'href="/courses/demo' not in module
    quiz_url = "/author/courses/demo/preview/quizzes/basics-check"
    page = editor.get(quiz_url).get_data(as_text=True)
    state = re.search(r'name="state" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    result = editor.submit(quiz_url, {"state": state, "q-is-this-the-basics": "a", "action": "submit"}, page=quiz_url)
    assert "Passed: 100%" in result.get_data(as_text=True)
    assert count(db, ModuleProgress) == 0 and count(db, Attempt) == 0


def _module_list(page: str) -> str:
    """The course page's list of modules, without its links (live pages or preview pages)."""
    listed = re.search(r'<ol class="module-list">.*?</ol>', page, re.S).group(0)
    return re.sub(r'\s+', " ", re.sub(r' href="[^"]*"', "", listed))


def test_the_course_preview_shows_the_modules_as_the_learner_course_page_does(editor, learner_client):
    learner = learner_client.get("/courses/demo").text
    preview = editor.get("/author/courses/demo/preview").text
    assert "preview-banner" in preview
    # The same list: each module's title, reading time and its number of quizzes, in order.
    assert _module_list(preview) == _module_list(learner)
    assert "1 quiz</span>" in _module_list(preview)
    assert 'href="/author/courses/demo/preview/basics"' in preview and 'href="/courses/demo/' not in preview


def test_an_import_over_unpublished_drafts_is_refused_with_a_message(editor, db):
    exported = editor.get("/author/courses/demo/export.zip").data
    save_text(editor, MODULE, "---\ntitle: The basics\n---\nUnpublished work.\n")
    token = editor.csrf_token("/author/")
    response = editor.post("/author/import", data={"csrf_token": token, "file": (io.BytesIO(exported), "demo.zip")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "has unpublished drafts" in response.get_data(as_text=True)
    assert b"Unpublished work." in authoring.working_tree(db, db.scalar(select(Course)))[MODULE]


GUESSABLE_QUIZ = "---\ntitle: Basics check\nmodule: 01-basics\n---\n" + "".join(
    f"## Who leads incident {n}? {{#q{n}}}\n- [ ] The duty manager, who may ask for help and logs it all\n"
    f"- [x] The duty manager, who logs it all\n- [ ] Nobody\n- [ ] Always the vendor\n\n" for n in range(5))


def test_the_live_preview_lists_item_quality_warnings_and_the_guessing_audit(editor):
    token = editor.csrf_token(EDIT)
    response = editor.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": QUIZ,
                                                    "text": GUESSABLE_QUIZ})
    data = response.get_json()
    assert response.status_code == 200 and data["problems"] == []
    assert "Item quality:" in data["checks"] and 'data-line="5"' in data["checks"]
    assert "&#39;second-longest option&#39; finds the key in 100%" in data["checks"]
    assert "Guessing audit: best naive strategy 100% (chance 25%, pass mark 70%)" in data["checks"]
    assert "<script" not in data["checks"]


def test_the_editor_page_shows_the_audit_for_the_quiz_being_edited(editor):
    page = editor.get(f"/author/courses/demo/edit/{QUIZ}").text
    assert "Guessing audit" in page
