"""Inputs that used to cost minutes of CPU or a 500, fed through the real routes and the CLI.

Each answers with a clear refusal naming the line (or the right page) instead of running until the
worker is killed. The cases are the hostile review's reproductions, and larger ones.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from academy.domain import content, rendering
from academy.models import Course, Role
from academy.render_sandbox import Sandbox
from academy.services import authoring, publishing
from academy.services.actors import Actor
from tests.support.content_tree import FakeLinks

MODULE = "courses/demo/01-basics.md"
QUIZ = "quizzes/demo/basics-check.md"
EDIT = f"/author/courses/demo/edit/{MODULE}"
HEAD = "---\ntitle: T\n---\n"

#: The review's reproductions (and larger), each as a Markdown body.
COSTLY_MARKDOWN = {
    "16k unclosed brackets": "[" * 16_000,
    "64k unclosed brackets": "[" * 64_000,
    "20k unclosed links": "[a](" * 20_000,
    "20k footnotes": "".join(f"x[^{i}]\n\n[^{i}]: note\n\n" for i in range(20_000)),
    "30k headings": "".join(f"# h{i}\n\n" for i in range(30_000)),
    "100k emphasis markers": "*a" * 100_000,
    "8k unclosed images": "![" * 8_000,
    "8k unclosed tags": "<a " * 8_000,
    "400 nested lists": "".join("    " * i + "- x\n" for i in range(400)),
    "1000 nested quotes": ">" * 1_000 + " x",
}

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def demo(db, course_tree):
    course_tree.standard()
    snapshot, problems = content.load(course_tree.root, FakeLinks())
    assert problems == []
    publishing.sync(db, snapshot)
    return db.scalar(select(Course).where(Course.slug == "demo"))


@pytest.fixture
def editor(demo, client_as, make_user, db):
    client = client_as(Role.INSTRUCTOR, name="Ines Instructor")
    authoring.assign_editor(db, "demo", client.user.email, Actor.of(make_user(Role.ADMIN)))
    return client


@pytest.mark.parametrize("name", sorted(COSTLY_MARKDOWN))
def test_the_live_preview_refuses_costly_markdown_with_the_line(editor, name):
    token = editor.csrf_token(EDIT)
    text = HEAD + "Intro.\n\n" + COSTLY_MARKDOWN[name]
    response = editor.post("/author/preview", data={"csrf_token": token, "course": "demo", "path": MODULE,
                                                    "text": text})
    assert response.status_code == 200
    problems = response.get_json()["problems"]
    assert problems, name
    assert any(p["line"] >= 4 and ("limit" in p["message"] or "nested" in p["message"]) for p in problems), problems


def test_a_saved_costly_draft_opens_in_the_editor_and_publish_page_with_its_problem(editor, db):
    course = db.scalar(select(Course).where(Course.slug == "demo"))
    draft = authoring.working_tree(db, course)
    assert MODULE in draft
    page = editor.get(EDIT).get_data(as_text=True)
    revision = page.split('name="revision"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    saved = editor.submit(EDIT, {"text": HEAD + "[" * 16_000, "revision": revision, "action": "save"}, page=EDIT)
    assert saved.status_code == 302
    assert "too many" in editor.get(EDIT).get_data(as_text=True)
    publish = editor.get("/author/courses/demo/publish").get_data(as_text=True)
    assert f"{MODULE}:4" in publish and "too many" in publish


def test_a_gift_prompt_of_16k_brackets_is_refused_with_a_message(editor):
    url = f"/author/courses/demo/gift/{QUIZ}"
    token = editor.csrf_token(url)
    gift = ("::Q:: " + "[" * 16_000 + " {=Yes ~No}\n").encode()
    response = editor.post(url, data={"csrf_token": token, "mode": "append", "file": (io.BytesIO(gift), "q.gift")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 422)
    assert "too many" in response.get_data(as_text=True)


def test_content_check_reports_costly_markdown_as_path_line_message(runner, course_tree):
    course_tree.standard()
    course_tree.write("courses/demo/03-extra.md", HEAD + "Fine.\n\n" + "[a](" * 20_000)
    course_tree.write("quizzes/demo/basics-check.md",
                      "---\ntitle: Q\nmodule: 01-basics\n---\n## " + "*a" * 50_000 + "\n- [x] Y\n- [ ] N\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "courses/demo/03-extra.md:6: too many '['" in result.output
    assert "quizzes/demo/basics-check.md:5: too many emphasis markers" in result.output


def test_text_within_the_limits_still_renders():
    text = "## Title\n\n" + "See [a](b) and *c*. " * 900 + "\n\n" + "".join("  " * i + "- x\n" for i in range(8))
    rendered = rendering.render(text)
    assert rendered.html.count("<a ") == 900 and rendered.headings[0].text == "Title"


def test_the_sandbox_stops_a_conversion_over_its_time_budget_and_keeps_working():
    sandbox = Sandbox(timeout=1)
    with pytest.raises(rendering.RenderRefused, match="took more than 1 seconds"):
        sandbox("[" * 64_000)  # past the limits, so only the time budget stops it
    html, _ = sandbox("*fine*")
    assert html == "<p><em>fine</em></p>"


# --- Malformed input: a clear 4xx, never a 500 -----------------------------------------------------------

HUGE = "9" * 30


@pytest.mark.parametrize("path, fields", [("/login", ("email", "password")),
                                          ("/register", ("name", "email", "password", "confirm", "join_code"))])
def test_text_fields_sent_as_file_parts_are_treated_as_missing(client, path, fields):
    data = {name: (io.BytesIO(b"x@example.com"), "f.txt") for name in fields}
    data["csrf_token"] = client.csrf_token(path)
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/users/9223372036854775808", f"/admin/users/{HUGE}",
                                 "/admin/organisations/2147483648", "/analytics/quizzes/99999999999999999999"])
def test_ids_beyond_any_column_are_not_found(admin_client, url):
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/admin/users?page={HUGE}", f"/admin/audit?page={HUGE}",
                                 f"/admin/certificates?page={HUGE}", "/admin/certificates?page=-1",
                                 f"/admin/users?organisation={HUGE}"])
def test_page_numbers_beyond_any_page_are_refused_with_a_message(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "whole number" in response.get_data(as_text=True)


def test_huge_version_numbers_in_compare_and_export_are_answered_without_a_500(editor):
    compare = editor.get(f"/author/courses/demo/compare?from={HUGE}&to=1")
    assert compare.status_code == 302
    export = editor.get(f"/author/courses/demo/export.zip?version={HUGE}")
    assert export.status_code in (200, 400, 404)


@pytest.mark.parametrize("state", ['{"items":[],"paths":[]}', '{"items":{},"paths":{}}', "[1]", "null",
                                   '{"items":[{"key":1}]}', "[" * 100_000 + "]" * 100_000, "{" * 50 + "x"])
def test_a_tampered_quiz_preview_state_starts_the_preview_again(editor, state):
    url = "/author/courses/demo/preview/quizzes/basics-check"
    response = editor.submit(url, {"state": state, "action": "submit"}, page=url)
    assert response.status_code == 200
    assert "starts again" in response.get_data(as_text=True)


def chained_scenario(steps: int) -> str:
    parts = ["---\ntitle: Long road\nmodule: 01-basics\n---\n# Branching scenario: Long road {#road}\n"]
    for i in range(steps):
        parts.append(f"## Step {i} {{#s{i}}}\nGo on.\n- [x] Next {{next: s{i + 1}, points: 1}}\n"
                     f"- [ ] Stop {{next: end, points: 0}}\n")
    parts.append(f"## Step {steps} {{#s{steps}}}\nLast.\n- [x] Finish {{next: end, points: 1}}\n")
    parts.append("## Ending: done {#end}\nDone.\n")
    return "\n".join(parts)


def test_a_branching_scenario_of_thousands_of_chained_steps_is_checked(runner, course_tree):
    course_tree.standard()
    course_tree.write(QUIZ, chained_scenario(2_000))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output


def upload(editor, name: str, data: bytes) -> str:
    token = editor.csrf_token("/author/courses/demo")
    data = {"csrf_token": token, "asset-file": (io.BytesIO(data), name)}
    return editor.post("/author/courses/demo/assets", data=data,
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


def test_an_svg_nested_100k_deep_is_refused_with_a_message(editor):
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"
    assert "nests elements more than 100 deep" in upload(editor, "deep.svg", deep)


def test_the_svg_cleaner_keeps_only_svg_drawing_elements(editor):
    hostile = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
               b'<h:form action="javascript:alert(1)"><h:button>go</h:button></h:form>'
               b'<form xmlns="http://www.w3.org/1999/xhtml" action="javascript:alert(2)"/>'
               b'<meta http-equiv="refresh" content="0;url=javascript:alert(3)"/>'
               b'<set attributeName="href " to="javascript:alert(4)"/>'
               b'<animate attributeName=" xlink:HREF" values="javascript:alert(5)"/>'
               b'<rect width="5" height="5" fill="red"/><animate attributeName="opacity" values="0;1"/></svg>')
    assert "Uploaded clean.svg" in upload(editor, "clean.svg", hostile)
    served = editor.get("/author/courses/demo/assets/clean.svg").get_data(as_text=True)
    for needle in ("form", "button", "meta", "javascript", "href"):
        assert needle not in served.lower(), needle
    assert 'fill="red"' in served and 'attributeName="opacity"' in served


def test_front_matter_with_aliases_or_deep_nesting_is_refused_with_the_line(runner, course_tree):
    course_tree.standard()
    course_tree.write("courses/demo/03-extra.md", "---\ntitle: &t Extra\nsummary: *t\n---\nText.\n")
    course_tree.write("courses/demo/04-more.md", "---\ntitle: " + "[" * 5_000 + "]" * 5_000 + "\n---\nText.\n")
    result = runner.invoke(args=["content", "check"])
    assert "courses/demo/03-extra.md:2: front matter must not use YAML anchors or aliases" in result.output
    assert "courses/demo/04-more.md:2: front matter nests more than 10 levels deep" in result.output


@pytest.mark.parametrize("path", ["/attempts/%00/save", "/courses/%00/quizzes/x", "/courses/a%0Ab", "/verify/%00"])
def test_a_control_character_in_a_url_is_no_such_page_never_a_database_error(learner_client, path):
    # PostgreSQL refuses NUL in text: the value must never reach a query (it answered 500 there).
    assert learner_client.get(path).status_code in (404, 405)  # 405: a POST-only address
    assert learner_client.post(path).status_code in (400, 404, 405)
