"""axe-core on every page type, in light and dark colour schemes: no serious or critical violation.

To cover a new page, add one line to ``PAGES``: its name, its path (or a function of the live
site that returns one, when the page needs state such as a token), the role to sign in as, the
status it answers with, and optionally what to do on the page before checking it (``then``).
Each check also saves a screenshot as test-artifacts/screenshots/<name>-<scheme>.png and the full
axe report (minor and moderate findings included) as test-artifacts/axe/<name>-<scheme>.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from academy.models import User
from academy.services import accounts, assignments, invitations, signups
from academy.services.actors import OPERATOR, Actor
from harness.live_server import LiveSite
from tests.support.organisations import invitation_link
from tests.support.signups import signup_link

from .conftest import ARTIFACTS, SCREENSHOTS
from .ui import sign_in

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class PageCheck:
    name: str
    #: A path, or a function of the live site returning one (for pages that need a token, an id...).
    path: str | Callable[[LiveSite], str]
    #: Sign in as a new user of this role first; None for an anonymous visitor.
    role: str | None = None
    status: int = 200
    #: Something to do on the page before the check, e.g. submit a form to show its errors.
    then: Callable[[Page], None] | None = None


def _submit_empty(page: Page) -> None:
    page.locator("main form button[type=submit]").click()
    page.locator(".field-invalid").first.wait_for()


def _organisation(site: LiveSite) -> int:
    """A new organisation with a member and an assigned course (admins may open its manager pages)."""
    n = site._next()
    member = site.create_user("learner", name=f"Ana Lima {n}")
    with site.session() as session:
        org = accounts.create_organisation(session, f"Accessible Ltd {n}")
        session.get(User, member.id).organisation_id = org.id
        session.commit()
        assignments.assign(session, org.id, "mim-service-models", due_days=30, actor=Actor(member.id))
        return org.id


def _invitation(site: LiveSite) -> str:
    org_id = _organisation(site)
    email = f"invited-{site._next()}@example.com"
    with site.session() as session:
        invitations.invite_one(session, org_id, name="Ivo Invited", email=email, actor=OPERATOR)
        return "/invitations/" + invitation_link(session, email).rsplit("/", 1)[1]


def _signup(site: LiveSite) -> str:
    """A pending sign-up's link, as another browser opens it (it asks for the password)."""
    email = f"signing-up-{site._next()}@example.com"
    with site.session() as session:
        signups.request(session, email=email, name="Sina Signup", password="A long evening on the bridge")
        return signup_link(session, email)


def _open_admin_menu(page) -> None:
    page.locator(".site-nav details.nav-group summary").click()
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()


PAGES = [
    PageCheck("home", "/"),
    PageCheck("sign-in", "/login"),
    PageCheck("sign-in-with-errors", "/login", then=_submit_empty),
    PageCheck("register", "/register"),
    PageCheck("register-with-errors", "/register", then=_submit_empty),
    PageCheck("finish-signup", _signup),
    PageCheck("module-not-enrolled", "/courses/mim-service-models/glossary", role="learner"),
    PageCheck("setup", lambda site: f"/setup/{site.new_setup_token()}"),
    PageCheck("setup-link-invalid", "/setup/no-such-token", status=404),
    PageCheck("not-found", "/no-such-page", status=404),
    PageCheck("dashboard", "/dashboard", role="learner"),
    PageCheck("job-aid", "/courses/mim-service-models/resources/responsibility-chart", role="learner"),
    PageCheck("module-with-worksheet", "/courses/mim-service-models/choosing-a-model", role="learner"),
    PageCheck("change-password", "/account/password", role="learner"),
    PageCheck("change-password-with-errors", "/account/password", role="learner", then=_submit_empty),
    PageCheck("manage-matrix", lambda site: f"/manage/{_organisation(site)}", role="admin"),
    PageCheck("manage-invitations", lambda site: f"/manage/{_organisation(site)}/invitations", role="admin"),
    PageCheck("manage-assignments", lambda site: f"/manage/{_organisation(site)}/assignments", role="admin"),
    PageCheck("invitation-accept", _invitation),
    PageCheck("forgot-password", "/forgot-password"),
    PageCheck("mail-preferences", lambda site: _preferences_path(site)),
    PageCheck("admin-outbox", "/admin/outbox", role="admin"),
    PageCheck("account", "/account", role="learner"),
    PageCheck("course", "/courses/mim-service-models"),
    PageCheck("admin-header-menu-open", "/dashboard", role="admin", then=_open_admin_menu),
]
SCHEMES = ["light", "dark"]


def _preferences_path(site: LiveSite) -> str:
    from urllib.parse import urlsplit

    from academy.services import mail
    return urlsplit(mail.preferences_url(site.app, site.create_user("learner").id)).path


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("check", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_serious_accessibility_violations(check: PageCheck, scheme, site, new_context, create_user,
                                                      axe):
    page = new_context(color_scheme=scheme).new_page()
    if check.role:
        sign_in(page, create_user(check.role))
    path = check.path(site) if callable(check.path) else check.path
    response = page.goto(path)
    assert response.status == check.status, f"{path} answered {response.status}"
    if check.then:
        check.then(page)

    results = axe.run(page)
    violations = results.response["violations"]
    report = ARTIFACTS / "axe" / f"{check.name}-{scheme}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=2))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{check.name}-{scheme}.png"), full_page=True)

    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{path} ({scheme}) has accessibility violations:\n{_describe(blocking)}"
