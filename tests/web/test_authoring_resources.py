"""Resources and worksheets in the browser editor: listed, edited with line-numbered checks,
previewed as learners will see them, and carried through the course zip."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from academy.domain import content, course_zip
from academy.models import Course, ResourceVersion, Role, WorksheetVersion
from academy.services import authoring, publishing
from academy.services.actors import Actor
from tests.support.content_tree import FakeLinks
from tests.support.worksheets import JOB_AID, MODULE

AID = "courses/demo/resources/pet-care.md"
PETS = "courses/demo/02-roles.md"
REVISION_RE = re.compile(r'name="revision"[^>]*value="([^"]+)"')


@pytest.fixture
def demo(db, course_tree):
    course_tree.standard()
    course_tree.write(AID, JOB_AID)
    course_tree.write(PETS, MODULE.replace("## After", "## Who does what"))
    snapshot, problems = content.load(course_tree.root, FakeLinks())
    assert problems == []
    publishing.sync(db, snapshot)
    return db.scalar(select(Course).where(Course.slug == "demo"))


@pytest.fixture
def editor(demo, client_as, make_user, db):
    client = client_as(Role.INSTRUCTOR, name="Ines Instructor")
    authoring.assign_editor(db, "demo", client.user.email, Actor.of(make_user(Role.ADMIN)))
    return client


def test_the_course_page_lists_resources_for_editing(editor):
    page = editor.get("/author/courses/demo").text
    assert f"/author/courses/demo/edit/{AID}" in page and "Pet care chart" in page and "Resource" in page


def test_a_resource_opens_in_the_editor_with_its_preview(editor):
    page = editor.get(f"/author/courses/demo/edit/{AID}").text
    assert "kind: fillable" in page and "<th>Who feeds</th>" in page and "No problems in this file." in page


def test_resource_mistakes_are_shown_with_their_line_in_the_live_preview(editor):
    token = editor.csrf_token(f"/author/courses/demo/edit/{AID}")
    text = JOB_AID.replace("kind: fillable", "kind: sheet").replace("(../01-basics.md)", "(../09-gone.md)")
    data = editor.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": AID,
                                                "text": text}).get_json()
    assert [(p["line"], p["message"].split(":")[0]) for p in data["problems"]] == [
        (4, "unknown kind 'sheet'; the kinds are checklist, fillable, reference, script, template"),
        (6, "broken link '../09-gone.md'")]


def test_worksheet_mistakes_are_shown_with_their_line_in_the_live_preview(editor):
    token = editor.csrf_token(f"/author/courses/demo/edit/{PETS}")
    text = MODULE.replace("## After", "## Who does what").replace("weights: {dog: 2}", "weights: {dgo: 2}")
    data = editor.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": PETS,
                                                "text": text}).get_json()
    assert [p["line"] for p in data["problems"]] == [39]
    assert "unknown outcome 'dgo'" in data["problems"][0]["message"]


def test_the_preview_shows_a_resource_and_a_worksheet_as_learners_will(editor):
    course = editor.get("/author/courses/demo/preview").text
    assert 'href="/author/courses/demo/preview/resources/pet-care">Pet care chart</a>' in course
    aid = editor.get("/author/courses/demo/preview/resources/pet-care").text
    assert "Preview" in aid and "<th>Who feeds</th>" in aid and "a spreadsheet (XLSX)" in aid
    module = editor.get("/author/courses/demo/preview/roles").text
    assert "<legend>How much time do you have each day?</legend>" in module
    assert "learners answer here once the course is published" in module


def test_resources_and_worksheets_survive_the_zip_round_trip_and_publish(editor, db, demo):
    exported = editor.get("/author/courses/demo/export.zip")
    slug, files = course_zip.read(exported.data)
    assert AID in files and b"```worksheet" in files[PETS]
    changed = dict(files)
    changed[AID] = files[AID].replace(b"Monday", b"Tuesday")
    token = editor.csrf_token("/author/")
    response = editor.post("/author/import", data={"csrf_token": token,
                                                   "file": (io.BytesIO(course_zip.write(changed)), "d.zip")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert authoring.working_tree(db, demo)[AID] == changed[AID]


def test_a_published_version_stores_its_resources_and_worksheets(db, demo):
    version = demo.current_version_id
    (aid,) = db.scalars(select(ResourceVersion).where(ResourceVersion.course_version_id == version))
    assert (aid.slug, aid.kind, aid.tables[0][0]) == ("pet-care", "fillable", ["Day", "Who feeds", "Who walks"])
    (sheet,) = db.scalars(select(WorksheetVersion).where(WorksheetVersion.course_version_id == version))
    assert (sheet.key, sheet.title) == ("pick-a-pet", "Which pet suits you?")


def test_adding_a_resource_opens_a_valid_draft_in_the_editor(editor, db, demo):
    token = editor.csrf_token("/author/courses/demo")
    response = editor.post("/author/courses/demo/resources", data={"csrf_token": token,
                                                                   "resource-title": "Shift hand-over"})
    assert response.headers["Location"].endswith("/author/courses/demo/edit/courses/demo/resources/shift-hand-over.md")
    page = editor.get(response.headers["Location"]).text
    assert "title: Shift hand-over" in page and "kind: template" in page and "No problems in this file." in page
