"""Analytics as instructors use it, and the header every role sees: the period choice kept in the URL,
the chart readable on a phone, the learners page naming who is stuck and why, a one-line header, and
the quiz bar sitting right under it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from academy.models import Course, CourseEditor, Enrolment, Organisation, OrganisationManager, utcnow

from .conftest import SCREENSHOTS
from .ui import sign_in

pytestmark = pytest.mark.browser

COURSE = "mim-service-models"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def course_id(site) -> int:
    with site.session() as session:
        return session.scalar(select(Course.id).where(Course.slug == COURSE))


def make_editor(site, create_user):
    instructor = create_user("instructor")
    with site.session() as session:
        session.add(CourseEditor(course_id=session.scalar(select(Course.id).where(Course.slug == COURSE)),
                                 user_id=instructor.id))
        session.commit()
    return instructor


def enrol(site, user_id: int, *, days_ago: float = 0) -> None:
    with site.session() as session:
        session.add(Enrolment(user_id=user_id, course_id=session.scalar(select(Course.id).where(Course.slug == COURSE)),
                              enrolled_at=utcnow() - timedelta(days=days_ago)))
        session.commit()


def stat_periods(page: Page) -> list[str]:
    return page.locator(".stat-cards .stat-period").all_inner_texts()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_an_instructor_chooses_the_period_and_every_figure_says_it(site, new_context, create_user, viewport, scheme):
    page = new_context(viewport=viewport, color_scheme=scheme).new_page()
    sign_in(page, make_editor(site, create_user))
    page.goto(f"/analytics?course={COURSE}")
    assert stat_periods(page) == ["Last 30 days"] * 4

    page.get_by_label("Period").select_option(label="Last 7 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]period=7(&|$)"))
    expect(page.get_by_role("heading", name="Last 7 days", exact=True)).to_be_visible()
    assert stat_periods(page) == ["Last 7 days"] * 4
    expect(page.get_by_label("Period")).to_have_value("7")

    page.get_by_label("Period").select_option(label="All time")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]period=all(&|$)"))
    periods = stat_periods(page)
    assert len(periods) == 4 and len(set(periods)) == 1 and re.fullmatch(r"All time since \d{1,2} \w{3} \d{4}",
                                                                          periods[0]), periods
    page.goto(f"/analytics?course={COURSE}&period=90")
    assert stat_periods(page) == ["Last 90 days"] * 4

    # The chart on this screen: the compact drawing on a phone, the wide one on a desktop; labels readable.
    wide, compact = page.locator(".chart-wide svg"), page.locator(".chart-compact svg")
    shown, hidden = (compact, wide) if viewport is PHONE else (wide, compact)
    expect(shown).to_be_visible()
    expect(hidden).to_be_hidden()
    label = shown.locator(".chart-label").first
    size = label.evaluate("el => el.getBoundingClientRect().height")
    assert size >= 10, f"axis labels {size:.1f} px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    chart = page.locator("#activity-heading").locator("xpath=..")
    chart.screenshot(path=str(_shot(f"analytics-activity-chart-{viewport['width']}-{scheme}")))
    page.screenshot(path=str(_shot(f"analytics-period-{viewport['width']}-{scheme}")), full_page=True)


def test_a_bad_period_in_the_url_shows_the_last_30_days_and_says_so(site, page, create_user):
    sign_in(page, make_editor(site, create_user))
    page.goto(f"/analytics?course={COURSE}&period=fortnight")
    expect(page.get_by_role("status")).to_contain_text("“fortnight” is not one of the periods on offer")
    assert stat_periods(page) == ["Last 30 days"] * 4


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_an_instructor_finds_the_stuck_learner_and_why(site, new_context, create_user, viewport):
    learner = create_user("learner", name=f"Stella Stuck {viewport['width']}")
    enrol(site, learner.id, days_ago=20)
    busy = create_user("learner", name=f"Bruno Busy {viewport['width']}")
    enrol(site, busy.id, days_ago=1)
    page = new_context(viewport=viewport).new_page()
    sign_in(page, make_editor(site, create_user))
    page.goto(f"/analytics?course={COURSE}")
    page.get_by_role("link", name="Learners and who is stuck").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")
    page.get_by_label("Stuck only").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]stuck=1(&|$)"))
    row = page.get_by_role("row").filter(has_text=learner.name)
    expect(row).to_contain_text("Stuck")
    expect(row).to_contain_text("Nothing done since enrolling for 20 days")
    expect(page.get_by_role("row").filter(has_text=busy.name)).to_have_count(0)
    page.screenshot(path=str(_shot(f"analytics-learners-stuck-{viewport['width']}")), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the stuck learners as CSV").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and learner.name.encode() in data and busy.name.encode() not in data

    # Another instructor, not an editor of the course, is told it does not exist.
    other = new_context(viewport=viewport).new_page()
    sign_in(other, create_user("instructor"))
    response = other.goto(f"/analytics/courses/{COURSE}/learners")
    assert response.status == 404


def _shot(name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


# --- the header -----------------------------------------------------------------------------------

def account_for(role: str, site, create_user):
    """A person of ``role``; "manager" is a learner managing an organisation, "admin" one who also
    manages one (the most header entries) and has a long name."""
    if role == "admin":
        person = create_user("admin", name="Maximiliana Alexandrescu-Wolstenholme")
    elif role == "manager":
        person = create_user("learner", name="Maria Manager")
    else:
        return create_user(role)
    with site.session() as session:
        organisation = Organisation(name=f"Header Org {person.id}", join_code=f"HEADER-{person.id}")
        session.add(organisation)
        session.flush()
        session.add(OrganisationManager(organisation_id=organisation.id, user_id=person.id))
        session.commit()
    return person


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("role", ["learner", "instructor", "manager", "admin"])
def test_the_header_is_one_line_for_every_role(site, new_context, create_user, role, viewport):
    page = new_context(viewport=viewport).new_page()
    sign_in(page, account_for(role, site, create_user))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 66, f"{role}: the header is {header['height']} px tall at {viewport['width']} px"
    parts = [page.locator(".brand"), page.locator(".account-menu summary")]
    if viewport is DESKTOP:
        entries = page.locator(".site-nav > ul > li")
        expect(entries.first).to_be_visible()
        parts += entries.all()
    else:
        menu = page.locator(".nav-menu summary")
        expect(menu).to_be_visible()
        parts.append(menu)
    middles = {round((box := part.bounding_box())["y"] + box["height"] / 2) for part in parts}
    assert max(middles) - min(middles) <= 2, f"{role}: header items on different lines {middles}"
    if role == "admin":
        page.screenshot(path=str(_shot(f"header-admin-{viewport['width']}")))
    if viewport is PHONE:  # every entry is one tap away in the menu
        page.locator(".nav-menu summary").click()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses")).to_be_visible()
        if role == "admin":
            page.screenshot(path=str(_shot("header-admin-menu-390")))
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
        expect(page).to_have_url(re.compile(r"/courses$"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_quiz_bar_sits_right_under_the_header(site, new_context, create_user, viewport):
    learner = create_user("learner")
    enrol(site, learner.id)
    page = new_context(viewport=viewport).new_page()
    sign_in(page, learner)
    page.goto(f"/courses/{COURSE}/quizzes/what-is-a-major-incident")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page).to_have_url(re.compile(r"/attempts/[^/?]+$"))
    page.locator("fieldset.quiz-question").last.scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    header = page.locator(".site-header").bounding_box()
    bar = page.locator(".quiz-bar").bounding_box()
    assert header["y"] == 0, header  # the header stays in view
    assert abs(bar["y"] - (header["y"] + header["height"])) <= 1, (bar, header)
    page.screenshot(path=str(_shot(f"quiz-bar-under-header-{viewport['width']}")))
