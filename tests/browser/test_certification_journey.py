"""The whole promise in one browser run: a newcomer registers, reads every module, passes every quiz
and the exam, gets the certificate without asking, downloads it, and a stranger verifies it.

The test plays a well-prepared learner: it looks up the right answers in the database (the page
itself never carries them) and picks the recommended call at every step of a simulation.
"""

from __future__ import annotations

import io
import re
import secrets

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from academy.domain.quiz_format import QuizDef
from academy.models import Attempt, Course, ModuleVersion, QuizVersion

from .ui import enrol, path_is, sign_up

pytestmark = pytest.mark.browser

COURSE = "mim-service-models"
PASSWORD = "A long evening on the bridge, 2026"


def outline(site) -> tuple[list[str], list[str]]:
    """The flagship course's module slugs and quiz slugs, in order, from the published version."""
    with site.session() as session:
        course = session.scalar(select(Course).where(Course.slug == COURSE))
        modules = session.execute(select(ModuleVersion).where(
            ModuleVersion.course_version_id == course.current_version_id).order_by(ModuleVersion.position)).scalars()
        module_slugs = [m.module.slug for m in modules]
        quizzes = session.scalars(select(QuizVersion).where(
            QuizVersion.course_version_id == course.current_version_id)).all()
        # The exam last: it is the one that completes the course.
        quiz_slugs = sorted((q.quiz.slug for q in quizzes), key=lambda s: (s == "final-exam", s))
    return module_slugs, quiz_slugs


def drawn(site, page: Page) -> tuple[QuizDef, list[dict]]:
    token = re.search(r"/attempts/([^/?]+)", page.url).group(1)
    with site.session() as session:
        attempt = session.scalar(select(Attempt).where(Attempt.token == token))
        return QuizDef.from_dict(attempt.quiz_version.definition), attempt.layout["items"]


def take_quiz(site, page: Page, quiz: str) -> None:
    page.goto(f"/courses/{COURSE}/quizzes/{quiz}")
    page.get_by_role("button", name=re.compile(r"^(Start|Resume)")).click()
    # A quiz of simulations only opens on its simulation; any other on the attempt page.
    expect(page).to_have_url(re.compile(r"/attempts/[^/?]+(/scenarios/[^/?]+)?$"))
    attempt_url = re.sub(r"/scenarios/.*$", "", page.url)
    definition, items = drawn(site, page)
    simulations_only = all(item["branching"] for item in items)
    for item in items:
        if item["branching"]:
            scenario = definition.branching(item["key"])
            page.goto(f"{attempt_url}/scenarios/{item['key']}")
            while page.locator("input[name=choice]").count():
                step = scenario.step(page.locator("input[name=step]").get_attribute("value"))
                best = next(c for c in step.choices if c.recommended)
                page.locator(f"input[name=choice][value='{best.key}']").check()
                page.get_by_role("button", name="Decide").click()
                page.get_by_role("link", name=re.compile("^(Continue|See your result)$")).click()
            if not simulations_only:
                page.goto(attempt_url)
        else:
            for option in definition.question(item["key"]).correct_keys:
                page.locator(f"input[name='q-{item['key']}'][value='{option}']").check()
    if not simulations_only:
        page.get_by_role("button", name="Finish attempt").click()
        page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passed")


def test_a_newcomer_earns_the_certificate_and_a_stranger_verifies_it(site, new_context, shoot):
    page = new_context().new_page()
    email = f"learner-{secrets.token_hex(4)}@example.com"
    page.goto("/register")
    sign_up(page, site, name="Siobhán Ní Bhriain", email=email, password=PASSWORD)  # through the emailed link

    modules, quizzes = outline(site)
    enrol(page, COURSE, first_module=modules[0])  # the course page's button (a POST)
    for module in modules:
        page.goto(f"/courses/{COURSE}/{module}")
        expect(page).to_have_url(path_is(f"/courses/{COURSE}/{module}"))
        expect(page.locator("h1")).to_be_visible()
    for quiz in quizzes:
        take_quiz(site, page, quiz)

    expect(page.get_by_role("heading", name=re.compile("^You have earned"))).to_be_visible()
    shoot(page, "journey-certificate-earned")
    page.get_by_role("link", name="View your certificate").click()
    code = re.search(r"/certificates/([0-9A-Z-]+)$", page.url).group(1)
    pdf_link = page.get_by_role("link", name=re.compile("PDF")).first.get_attribute("href")
    pdf = page.request.get(pdf_link)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Siobhán Ní Bhriain" in text and code in text

    stranger = new_context().new_page()
    stranger.goto(f"/verify/{code}")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    expect(stranger.locator(".verify-holder")).to_have_text("Siobhán Ní Bhriain")
    shoot(stranger, "journey-stranger-verifies")
