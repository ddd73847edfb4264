"""An organisation onboards a team: the manager assigns the flagship course, invites by spreadsheet,
an invited person accepts through the emailed link and sees the assignment, the manager watches the matrix."""

from __future__ import annotations

import itertools
import os
import re

import pytest
from playwright.sync_api import expect

from academy.models import OrganisationManager
from academy.services import accounts
from tests.support.organisations import invitation_link

from .ui import path_is, sign_in

pytestmark = pytest.mark.browser

COURSE = "Major Incident Management Service Models"
_names = itertools.count(1)


@pytest.fixture
def organisation(site, create_user):
    """A fresh organisation with a manager (a learner by site role); returns (id, manager account)."""
    n = f"{os.getpid()}-{next(_names)}"
    manager = create_user("learner", name="Maria Manager", email=f"maria-{n}@northbank.example")
    with site.session() as session:
        org = accounts.create_organisation(session, f"Northbank Financial {n}")
        session.add(OrganisationManager(organisation_id=org.id, user_id=manager.id))
        session.commit()
        return org.id, manager, n


def test_manager_onboards_a_team_from_a_spreadsheet_and_watches_the_matrix_fill_in(
        site, page, new_context, organisation, shoot):
    org_id, manager, n = organisation
    ana_email = f"ana-{n}@northbank.example"
    sign_in(page, manager)
    page.get_by_role("link", name="My organisation").click()
    expect(page).to_have_url(path_is(f"/manage/{org_id}"))

    page.get_by_role("link", name="Assigned courses").click()
    form = page.locator("form.card")
    form.get_by_label("Course").select_option(label=COURSE)
    form.get_by_label("Or due within (days)").fill("30")
    form.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Course assigned")
    expect(page.locator("table")).to_contain_text("Everyone, including people who join later")

    page.get_by_role("link", name="Invitations").click()
    csv = f"name,email\nAna Lima,{ana_email}\nNo Address,not-an-address\nAna Lima,{ana_email}\n"
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        files=[{"name": "team.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_role("button", name="Upload and invite").click()
    report = page.locator("#invitation-report")
    expect(report).to_contain_text("created")
    expect(report).to_contain_text("invalid address")
    expect(report).to_contain_text("duplicate row")
    shoot(page, "manage-invitation-report")

    with site.session() as session:
        link = invitation_link(session, ana_email)
    invited = new_context().new_page()
    invited.goto(link)
    expect(invited.get_by_role("heading", level=1)).to_contain_text("Join Northbank Financial")
    shoot(invited, "manage-accept-invitation")
    invited.get_by_label("Password", exact=True).fill("Bridge opened at 09:42, all hands")
    invited.get_by_label("Confirm password").fill("Bridge opened at 09:42, all hands")
    invited.get_by_role("button", name="Create my account").click()
    expect(invited).to_have_url(path_is("/dashboard"))
    due = invited.locator("section", has=invited.get_by_role("heading", name="Assigned to you"))
    expect(due).to_contain_text(COURSE)
    expect(due).to_contain_text("Not started")
    shoot(invited, "manage-learner-dashboard-assigned")

    page.goto(f"/manage/{org_id}")
    row = page.get_by_role("row", name=re.compile("Ana Lima"))
    expect(row).to_contain_text("Not started")

    invited.goto("/courses/mim-service-models")
    invited.get_by_role("link", name=re.compile("^Start")).first.click()
    expect(invited.get_by_role("heading", level=1)).to_be_visible()

    page.reload()
    expect(page.get_by_role("row", name=re.compile("Ana Lima"))).to_contain_text("In progress")
    shoot(page, "manage-matrix")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "manage-matrix-390")
    page.get_by_role("link", name="Ana Lima").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lima")
    shoot(page, "manage-person-390")


def test_a_used_invitation_link_shows_why_it_cannot_be_used(site, page, organisation):
    org_id, manager, n = organisation
    page.goto("/invitations/not-a-real-token")
    expect(page.get_by_text("This invitation link is not valid")).to_be_visible()
