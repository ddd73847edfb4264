"""The model selector and the job aids in a real browser: answer (keyboard included), save, come
back, print; open a job aid as a page and fetch its PDF and XLSX (browser downloads do not work in
this sandbox, so the files are fetched with the page's own request context, cookies included)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import SCREENSHOTS
from .ui import enrol, path_is

pytestmark = pytest.mark.browser

COURSE = "/courses/mim-service-models"
MODULE = f"{COURSE}/choosing-a-model"
#: The answers of the dental-clinic chain in the course's scenarios: an MSP, modest and rare incidents.
ANSWERS = [
    ("Who runs most of your IT services day to day?", "A managed service provider runs most of it for us"),
    ("What would one hour's outage of your most critical service cost or endanger?",
     "Modest, more an inconvenience than a crisis"),
    ("How often do you expect major incidents?", "Rarely"),
    ("Must you be able to show a regulator or your customers that you control your critical services?",
     "No such obligation"),
    ("Can you staff and fund experienced Major Incident Managers for the hours that matter, year after year?",
     "No, a rota of our own would be out of proportion"),
    ("What do your main suppliers offer when a major incident hits?",
     "Our MSP provides major incident management as part of its service"),
    ("Who must speak to your users and customers during a major incident?",
     "A provider may speak for us, within agreed rules"),
]


def selector(page: Page):
    return page.get_by_role("region", name="Worksheet Which MIM model fits your organisation?")


def test_a_learner_works_through_the_selector_saves_comes_back_and_prints(page, sign_in_as, shoot):
    sign_in_as("learner")
    enrol(page)
    page.goto(MODULE)
    sheet = selector(page)
    expect(sheet).to_be_visible()
    for question, answer in ANSWERS:
        sheet.get_by_role("group", name=question).get_by_role("radio", name=answer).check()
    # The last question by keyboard alone: focus its first option, arrow to the first, Space to choose.
    budget = sheet.get_by_role("group", name="What budget is there for major incident management?")
    budget.get_by_role("radio", name="Moderate").focus()
    page.keyboard.press("ArrowUp")
    expect(budget.get_by_role("radio", name="Tight; we need the lowest cost that works")).to_be_checked()

    sheet.get_by_role("button", name="Show the recommendation").click()
    result = selector(page).get_by_role("status")
    expect(result).to_contain_text("Recommended: MSP shared-service MIM")
    expect(result).to_contain_text("A tight budget favours a shared or supplier-run service.")
    expect(result).to_contain_text("can be stretched when an outage hits several of its customers")
    expect(result).to_contain_text("Not saved yet")
    shoot(page, "worksheet-result")
    selector(page).screenshot(path=str(SCREENSHOTS / "worksheet-result-panel.png"))

    selector(page).get_by_role("button", name="Save my answers").click()
    expect(page).to_have_url(f"{page.url.split('#')[0].split('/courses')[0]}{MODULE}#worksheet-model-selector")
    expect(page.get_by_role("status").first).to_contain_text("are saved")

    page.goto(f"{COURSE}/what-is-a-major-incident")
    page.goto(MODULE)
    sheet = selector(page)
    expect(sheet.get_by_role("radio", name="Rarely")).to_be_checked()
    expect(sheet.get_by_role("status")).to_contain_text("Your saved answers")
    expect(sheet.get_by_role("status")).to_contain_text("Recommended: MSP shared-service MIM")
    page.set_viewport_size({"width": 390, "height": 844})
    sheet.scroll_into_view_if_needed()
    shoot(page, "worksheet-saved-390")
    sheet.screenshot(path=str(SCREENSHOTS / "worksheet-saved-panel-390.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Printable page of your saved result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which MIM model fits your organisation?")
    expect(page.get_by_role("cell", name="Rarely", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Recommended: MSP shared-service MIM")).to_be_visible()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    shoot(page, "worksheet-print")
    page.pdf(path=None)  # the page lays out as print without error


def test_a_learner_opens_a_job_aid_and_fetches_its_pdf_and_spreadsheet(page, sign_in_as, shoot):
    sign_in_as("learner")
    enrol(page)  # lands on the first module
    page.goto(COURSE)
    aids = page.get_by_role("list", name="Job aids and resources")
    expect(aids.get_by_role("listitem")).to_have_count(7)
    aids.get_by_role("link", name="Responsibility chart per model", exact=True).click()
    expect(page).to_have_url(path_is(f"{COURSE}/resources/responsibility-chart"))
    expect(page.get_by_role("columnheader", name="Ours: role, name, deputy")).to_be_visible()
    shoot(page, "job-aid-page")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "job-aid-page-390")

    pdf_href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    response = page.request.get(pdf_href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    # Table cells wrap in the PDF: compare the text with its spacing normalised.
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "Responsibility chart per model" in text and "Approves emergency changes" in text

    xlsx_href = page.get_by_role("link", name="Download spreadsheet (XLSX)").get_attribute("href")
    response = page.request.get(xlsx_href)
    assert response.ok
    sheet = load_workbook(io.BytesIO(response.body())).active
    assert sheet["A1"].value == "Responsibility" and sheet["G1"].value == "Ours: role, name, deputy"
    assert [row[0].value for row in sheet.iter_rows(min_row=2)][:2] == ["Declares the major incident",
                                                                         "Chairs the technical bridge"]

    page.goto(f"{COURSE}/resources/bridge-opening-script")
    expect(page.get_by_role("link", name="Download spreadsheet (XLSX)")).to_have_count(0)
    assert page.request.get(f"{COURSE}/resources/bridge-opening-script.pdf").ok
