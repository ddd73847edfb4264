"""Job aids (page, PDF, XLSX) and worksheets (answer, save, come back, print) through the web."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from academy.models import WorksheetAnswer
from tests.support.worksheets import JOB_AID, MODULE

COURSE = "/courses/demo"
MODULE_URL = f"{COURSE}/roles"
POST_URL = f"{MODULE_URL}/worksheets/pick-a-pet"


@pytest.fixture
def published(course_tree, runner):
    course_tree.standard()
    course_tree.write("courses/demo/resources/pet-care.md", JOB_AID)
    course_tree.write("courses/demo/resources/bridge-script.md",
                      "---\ntitle: Bridge script\nsummary: What to say first.\nkind: script\n---\nSay hello.\n")
    course_tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what"))
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return course_tree


@pytest.fixture
def enrolled(published, learner_client):
    learner_client.submit(f"{COURSE}/enrol", page=COURSE)
    return learner_client


def answer(client, data: dict, action: str):
    return client.submit(POST_URL, {**data, "action": action}, page=MODULE_URL)


# --- job aids ------------------------------------------------------------------------------------

def test_the_course_page_lists_the_job_aids_with_their_formats(enrolled):
    html = enrolled.get(COURSE).text
    assert "Job aids and resources" in html and "2 job aids" in html
    assert f'href="{COURSE}/resources/pet-care">Pet care chart</a>' in html
    assert f'href="{COURSE}/resources/pet-care.xlsx"' in html
    assert f'href="{COURSE}/resources/bridge-script.pdf"' in html
    assert f'href="{COURSE}/resources/bridge-script.xlsx"' not in html


def test_visitors_see_the_list_but_must_sign_in_to_open_a_job_aid(client, published):
    assert "Pet care chart" in client.get(COURSE).text
    for suffix in ("", ".pdf", ".xlsx"):
        response = client.get(f"{COURSE}/resources/pet-care{suffix}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_job_aid_is_a_printable_page(enrolled):
    html = enrolled.get(f"{COURSE}/resources/pet-care").text
    assert "<h1 id=\"resource-title\">Pet care chart</h1>" in html
    assert "<th>Who feeds</th>" in html
    assert "Download spreadsheet (XLSX)" in html and "data-print" in html


def test_a_job_aid_downloads_as_a_pdf(enrolled):
    response = enrolled.get(f"{COURSE}/resources/pet-care.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="pet-care.pdf"' in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Pet care chart" in text and "Who walks" in text


def test_a_fillable_job_aid_downloads_as_a_workbook(enrolled):
    response = enrolled.get(f"{COURSE}/resources/pet-care.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == ["Day", "Who feeds", "Who walks"]
    assert sheet["A2"].value == "Monday"


def test_a_job_aid_without_a_table_has_no_workbook_and_says_why(enrolled):
    response = enrolled.get(f"{COURSE}/resources/bridge-script.xlsx")
    assert response.status_code == 404
    assert "no table to fill in" in response.text


def test_an_unknown_job_aid_is_not_found(enrolled):
    assert enrolled.get(f"{COURSE}/resources/nothing").status_code == 404
    assert enrolled.get(f"{COURSE}/resources/nothing.pdf").status_code == 404


# --- worksheets ----------------------------------------------------------------------------------

def test_the_module_shows_the_worksheet_as_a_labelled_form_in_place(enrolled):
    html = enrolled.get(MODULE_URL).text
    before, after = html.split('id="worksheet-pick-a-pet"')
    assert "Read this, then answer." in before and "More text." not in before and "More text." in after
    assert "<legend>How much time do you have each day?</legend>" in html
    assert re.search(r'<input type="radio" id="ws-pick-a-pet-time-lots" name="pick-a-pet--time" value="lots">\s*'
                     r'<label for="ws-pick-a-pet-time-lots">Lots</label>', html)
    assert 'name="csrf_token"' in html
    assert "weights" not in html and "Lots of time lets you walk a dog." not in html


def test_showing_the_recommendation_gives_reasons_and_trade_off_without_saving(enrolled, db):
    html = answer(enrolled, {"pick-a-pet--time": "little", "pick-a-pet--garden": "yes"}, "show").text
    assert "Recommended: A cat" in html
    assert "Little time suits an independent animal." in html
    assert "It ignores you when it likes." in html
    assert "A garden gives a dog room." in html  # the answer that pointed elsewhere
    assert 'value="little" checked' in html
    assert "Not saved yet" in html
    assert db.scalars(select(WorksheetAnswer)).all() == []


def test_saved_answers_come_back_on_the_module_page_and_print(enrolled, db):
    response = answer(enrolled, {"pick-a-pet--time": "lots", "pick-a-pet--garden": "yes"}, "save")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/demo/roles#worksheet-pick-a-pet")
    (row,) = db.scalars(select(WorksheetAnswer)).all()
    assert (row.answers, row.outcome) == ({"time": "lots", "garden": "yes"}, "dog")
    html = enrolled.get(MODULE_URL).text
    assert "Recommended: A dog" in html and 'value="lots" checked' in html and "Your saved answers" in html
    printed = enrolled.get(f"{COURSE}/worksheets/pick-a-pet/print").text
    assert "Recommended: A dog" in printed and "<td>How much time do you have each day?</td><td>Lots</td>" in printed


def test_saving_again_replaces_the_earlier_answers(enrolled, db):
    answer(enrolled, {"pick-a-pet--time": "lots", "pick-a-pet--garden": "yes"}, "save")
    answer(enrolled, {"pick-a-pet--time": "little", "pick-a-pet--garden": "no"}, "save")
    db.expire_all()
    (row,) = db.scalars(select(WorksheetAnswer)).all()
    assert row.outcome == "cat"


def test_missing_answers_get_a_sentence_and_save_nothing(enrolled, db):
    response = answer(enrolled, {"pick-a-pet--time": "lots"}, "save")
    assert response.status_code == 422
    assert "Answer every question to get a recommendation" in response.text
    assert 'value="lots" checked' in response.text
    assert db.scalars(select(WorksheetAnswer)).all() == []


def test_a_worksheet_post_needs_a_csrf_token(enrolled, db):
    response = enrolled.post(POST_URL, data={"pick-a-pet--time": "lots", "pick-a-pet--garden": "yes",
                                             "action": "save"})
    assert response.status_code == 400 and "This form has expired" in response.text
    assert db.scalars(select(WorksheetAnswer)).all() == []


def test_the_print_page_before_saving_says_how_to_get_a_result(enrolled):
    html = enrolled.get(f"{COURSE}/worksheets/pick-a-pet/print").text
    assert "You have not saved answers to this worksheet yet" in html


def test_unknown_worksheets_are_not_found(enrolled):
    assert enrolled.submit(f"{MODULE_URL}/worksheets/nope", {}, page=MODULE_URL).status_code == 404
    assert enrolled.get(f"{COURSE}/worksheets/nope/print").status_code == 404


def test_instructors_see_the_distribution_of_recommendations(enrolled, client_as):
    answer(enrolled, {"pick-a-pet--time": "lots", "pick-a-pet--garden": "yes"}, "save")
    html = client_as("admin").get("/analytics?course=demo").text
    assert "Worksheet: Which pet suits you?" in html
    assert re.search(r'<th scope="row">A dog</th><td class="num">1</td>', html)
    assert re.search(r'<th scope="row">A cat</th><td class="num">0</td>', html)


def test_the_module_reading_time_adds_activity_minutes(enrolled):
    assert "· about 6 min</p>" in enrolled.get(MODULE_URL).text


def test_worksheet_text_is_escaped_on_the_page(course_tree, runner, learner_client):
    course_tree.standard()
    course_tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what")
                      .replace("title: A cat", 'title: "<script>alert(1)</script>"'))
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    learner_client.submit(f"{COURSE}/enrol", page=COURSE)
    html = answer(learner_client, {"pick-a-pet--time": "little", "pick-a-pet--garden": "no"}, "show").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
