"""Certificates in a real browser: sharing, verifying, printing, and axe on every certificate page."""

from __future__ import annotations

import io
import json
import secrets
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from academy.db import begin_write
from academy.models import Attempt, Course, ModuleProgress, ModuleVersion, QuizVersion, utcnow
from academy.services import certificates
from harness.live_server import Account

from .conftest import ARTIFACTS, SCREENSHOTS
from .ui import path_is, sign_in

pytestmark = pytest.mark.browser

COURSE = "mim-service-models"


def earn_certificate(site, account: Account) -> str:
    """Record a pass of every quiz and a read of every module of the flagship course; issue. The code."""
    with site.session() as session:
        course = session.scalar(select(Course).where(Course.slug == COURSE))
        now = utcnow()
        for module_id in session.scalars(select(ModuleVersion.module_id)
                                         .where(ModuleVersion.course_version_id == course.current_version_id)):
            session.add(ModuleProgress(user_id=account.id, course_id=course.id, module_id=module_id,
                                       first_viewed_at=now, last_viewed_at=now, completed_at=now, visits=1))
        for quiz in session.scalars(select(QuizVersion)
                                    .where(QuizVersion.course_version_id == course.current_version_id)):
            session.add(Attempt(token=secrets.token_urlsafe(24), user_id=account.id, quiz_id=quiz.quiz_id,
                                quiz_version_id=quiz.id, started_at=now, submitted_at=now, status="submitted",
                                score_percent=90, points=9, max_points=10, passed=True, layout={"items": []}))
        session.commit()
        begin_write(session)
        certificate = certificates.issue_if_due(session, account.id, course.id)
        session.commit()
        return certificate.code


def test_a_holder_shares_the_link_and_a_verifier_checks_the_code_typed_by_hand(new_context, site, create_user, shoot):
    holder = create_user("learner", name="Zoë Ōtsuka")
    code = earn_certificate(site, holder)
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, holder)
    page.get_by_role("link", name="Certificates", exact=True).click()
    page.get_by_role("link", name="Open").click()
    expect(page).to_have_url(path_is(f"/certificates/{code}"))
    expect(page.get_by_label("Verification link")).to_have_value(site.url(f"/verify/{code}"))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == site.url(f"/verify/{code}")
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile")
    assert linkedin.get_attribute("href").startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    shoot(page, "certificate-page")

    verifier = new_context().new_page()
    verifier.goto("/")
    verifier.get_by_role("link", name="Verify a certificate").click()
    verifier.get_by_label("Certificate code").fill(code.lower().replace("-", " ").replace("0", "o"))
    verifier.get_by_role("button", name="Verify").click()
    expect(verifier).to_have_url(path_is(f"/verify/{code}"))
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    expect(verifier.locator(".verify-holder")).to_have_text("Zoë Ōtsuka")
    shoot(verifier, "verify-valid")


def test_the_certificate_page_prints_as_one_a4_landscape_sheet(page, site, create_user):
    holder = create_user("learner")
    code = earn_certificate(site, holder)
    sign_in(page, holder)
    page.goto(f"/certificates/{code}")
    document = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(document.pages) == 1
    box = document.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = document.pages[0].extract_text()
    assert holder.name in text and code in text and "Add to LinkedIn" not in text


def test_the_pdf_link_downloads_the_certificate(page, site, create_user):
    holder = create_user("learner")
    code = earn_certificate(site, holder)
    sign_in(page, holder)
    response = page.request.get(f"/certificates/{code}.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    credential = json.loads(page.request.get(f"/certificates/{code}.json").text())
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


PAGES = [
    ("verify-form", lambda code: "/verify", None, 200),
    ("verify-valid", lambda code: f"/verify/{code}", None, 200),
    ("verify-not-found", lambda code: "/verify/AAAA-BBBB-CCCC-DDDD-EEEE", None, 404),
    ("certificate", lambda code: f"/certificates/{code}", "holder", 200),
    ("my-certificates", lambda code: "/certificates", "holder", 200),
    ("admin-certificates", lambda code: "/admin/certificates", "admin", 200),
    ("admin-certificate", lambda code: f"/admin/certificates/{code}", "admin", 200),
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, path, who, status", PAGES, ids=[p[0] for p in PAGES])
def test_certificate_pages_have_no_serious_accessibility_violations(name, path, who, status, scheme, site,
                                                                    new_context, create_user, axe):
    holder = create_user("learner")
    code = earn_certificate(site, holder)
    page = new_context(color_scheme=scheme).new_page()
    if who == "holder":
        sign_in(page, holder)
    elif who == "admin":
        sign_in(page, create_user("admin"))
    response = page.goto(path(code))
    assert response.status == status
    violations = axe.run(page).response["violations"]
    report = ARTIFACTS / "axe" / f"{name}-{scheme}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=2))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=True)
    blocking = [f"[{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
                for v in violations if v["impact"] in {"serious", "critical"}]
    assert not blocking, "\n".join(blocking)


def test_an_admin_exports_the_records_revokes_a_certificate_and_a_verifier_sees_it(new_context, site, create_user,
                                                                                  shoot):
    holder = create_user("learner", name="Amara Okafor")
    code = earn_certificate(site, holder)
    admin = create_user("admin")
    page = new_context().new_page()
    sign_in(page, admin)

    page.goto("/admin/exports")
    page.locator("input[name=format][value=csv]").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download", exact=True).click()
    assert download.value.suggested_filename.endswith(".csv")
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert code in exported and "Amara Okafor" in exported

    page.goto(f"/admin/certificates?q={code}")
    page.get_by_role("link", name=code).first.click()
    revoke = page.locator("form[action$='/revoke']")
    revoke.get_by_label("Public reason").fill("Exam sat by someone else")
    revoke.get_by_label("Private note").fill("HR case 4411")
    revoke.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke certificate")
    shoot(page, "admin-certificate-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke the certificate").click()
    shoot(page, "admin-certificate-revoked")

    verifier = new_context().new_page()
    verifier.goto(f"/verify/{code}")
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Revoked certificate")
    expect(verifier.locator("main")).to_contain_text("Exam sat by someone else")
    expect(verifier.locator("main")).not_to_contain_text("4411")
    shoot(verifier, "verify-revoked-by-admin")
