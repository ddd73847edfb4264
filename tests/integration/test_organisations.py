"""Organisations on a real database: invitations, assigned courses, the matrix, reminders, own records only."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, select, update

from academy.domain import exports as shaping
from academy.domain.assignments import AssignmentStatus, Cell
from academy.models import Certificate, CourseAssignment, Enrolment, Invitation, Organisation, Role, User, utcnow
from academy.services import (
    assignment_reminders,
    assignments,
    certificates,
    invitations,
    manager_exports,
    organisations,
    reminders,
    signups,
)
from academy.services.actors import Actor
from academy.services.errors import InvalidInput, NotFound
from tests.conftest import PASSWORD
from tests.support import certification as course_support
from tests.support.organisations import appoint, invitation_link, make_organisation, outbox

Outcome = invitations.Outcome


@pytest.fixture
def course(app, runner, content_dir, db):
    course_support.publish(runner, content_dir)
    return course_support.ids(db)


@pytest.fixture
def org(db):
    return make_organisation(db, "Northbank Financial")


@pytest.fixture
def manager(make_user, org, db):
    user = make_user(name="Maria Manager", email="maria@northbank.example")
    appoint(db, org, user.id)
    return user


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def csv_file(*rows: str) -> bytes:
    return ("name,email,courses\n" + "\n".join(rows) + "\n").encode()


# --- invitations --------------------------------------------------------------------------------

def test_an_upload_reports_every_row_and_emails_each_new_person_a_link(db, org, manager, make_user, course):
    make_user(name="Already Here", email="here@northbank.example", organisation_id=org)
    data = csv_file("Ana Lima,ana@northbank.example,incident-basics", "Here,here@northbank.example,",
                    "Bad,not-an-address,", "Ana Again,ANA@northbank.example,", "=CMD(),eve@northbank.example,",
                    "Bo,bo@northbank.example,no-such-course")
    report = invitations.invite_file(db, org, "team.csv", data, actor=Actor(manager.id))
    assert [(line.line, line.outcome) for line in report.lines] == [
        (2, Outcome.CREATED), (3, Outcome.ALREADY_MEMBER), (4, Outcome.INVALID_ADDRESS),
        (5, Outcome.DUPLICATE_ROW), (6, Outcome.INVALID_NAME), (7, Outcome.UNKNOWN_COURSE)]
    [message] = outbox(db, kind="invitation")
    assert message.recipient == "ana@northbank.example"
    assert "Northbank Financial" in message.subject
    assert "/invitations/" in invitation_link(db, "ana@northbank.example")


def test_uploading_the_same_file_twice_invites_nobody_twice(db, org, manager):
    data = csv_file("Ana Lima,ana@northbank.example,", "Bo Berg,bo@northbank.example,")
    first = invitations.invite_file(db, org, "team.csv", data, actor=Actor(manager.id))
    second = invitations.invite_file(db, org, "team.csv", data, actor=Actor(manager.id))
    assert first.count(Outcome.CREATED) == 2
    assert [line.outcome for line in second.lines] == [Outcome.ALREADY_INVITED, Outcome.ALREADY_INVITED]
    assert len(outbox(db, kind="invitation")) == 2
    assert len(db.scalars(select(Invitation)).all()) == 2


def test_a_malformed_file_changes_nothing_and_says_why(db, org, manager):
    with pytest.raises(InvalidInput, match="name and email"):
        invitations.invite_file(db, org, "team.csv", b"first,last\nAna,Lima\n", actor=Actor(manager.id))
    assert outbox(db) == []


def test_an_invitation_creates_the_account_in_the_organisation_and_works_once(db, org, manager, course):
    invitations.invite_one(db, org, name="Ana Lima", email="ana@northbank.example", courses=("incident-basics",),
                           due_days=14, actor=Actor(manager.id))
    token = token_of(invitation_link(db, "ana@northbank.example"))
    user = invitations.accept(db, token, name="Ana M. Lima", password=PASSWORD)
    assert (user.organisation_id, user.name, user.email) == (org, "Ana M. Lima", "ana@northbank.example")
    due = assignments.due_for(db, user.id, utcnow())
    assert [(d.course_slug, d.standing.due_on) for d in due] == [
        ("incident-basics", (user.created_at + timedelta(days=14)).date())]
    assert db.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id)) is not None
    with pytest.raises(NotFound):
        invitations.accept(db, token, name="Someone Else", password=PASSWORD)


def test_the_password_policy_applies_and_a_refusal_leaves_the_link_usable(db, org, manager):
    invitations.invite_one(db, org, name="Ana Lima", email="ana@northbank.example", actor=Actor(manager.id))
    token = token_of(invitation_link(db, "ana@northbank.example"))
    with pytest.raises(InvalidInput):
        invitations.accept(db, token, name="Ana Lima", password="password")
    assert invitations.accept(db, token, name="Ana Lima", password=PASSWORD).organisation_id == org


def test_an_invitation_expires_after_fourteen_days_and_can_be_sent_again(db, org, manager):
    invitations.invite_one(db, org, name="Ana Lima", email="ana@northbank.example", actor=Actor(manager.id))
    token = token_of(invitation_link(db, "ana@northbank.example"))
    db.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    with pytest.raises(NotFound, match="expired"):
        invitations.accept(db, token, name="Ana Lima", password=PASSWORD)
    again = invitations.invite_one(db, org, name="Ana Lima", email="ana@northbank.example", actor=Actor(manager.id))
    assert again.outcome is Outcome.CREATED
    assert len(outbox(db, kind="invitation")) == 2


def test_a_withdrawn_invitation_link_stops_working(db, org, manager):
    invitations.invite_one(db, org, name="Ana Lima", email="ana@northbank.example", actor=Actor(manager.id))
    token = token_of(invitation_link(db, "ana@northbank.example"))
    [pending] = invitations.pending(db, org)
    invitations.withdraw(db, org, pending.id, actor=Actor(manager.id))
    with pytest.raises(NotFound):
        invitations.live(db, token)


# --- assigned courses ---------------------------------------------------------------------------

def test_an_organisation_wide_assignment_covers_members_and_later_joiners(db, org, manager, make_user, course):
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    outsider = make_user(name="Olga Other", email="olga@elsewhere.example")
    told = assignments.assign(db, org, "incident-basics", due_days=30, actor=Actor(manager.id))
    assert told == 1
    assert [m.recipient for m in outbox(db, kind="course-assigned")] == ["ana@northbank.example"]
    invitations.invite_one(db, org, name="Bo Berg", email="bo@northbank.example", actor=Actor(manager.id))
    bo = invitations.accept(db, token_of(invitation_link(db, "bo@northbank.example")), name="Bo Berg",
                            password=PASSWORD)
    now = utcnow()
    for person in (ana, bo):
        [due] = assignments.due_for(db, person.id, now)
        assert due.standing.status is AssignmentStatus.NOT_STARTED
    assert assignments.due_for(db, outsider.id, now) == []
    assert len(outbox(db, kind="course-assigned")) == 2
    later = now + timedelta(days=31)
    assert assignments.due_for(db, ana.id, later)[0].standing.status is AssignmentStatus.OVERDUE


def test_completing_the_course_completes_the_assignment_and_expiry_reopens_it(db, org, manager, make_user, course):
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    assignments.assign(db, org, "incident-basics", due_days=30, actor=Actor(manager.id))
    course_support.complete_course(db, ana.id, course)
    course_support.begin(db)
    certificate = certificates.issue_if_due(db, ana.id, course.course_id)
    db.commit()
    now = utcnow()
    assert assignments.due_for(db, ana.id, now)[0].standing.status is AssignmentStatus.COMPLETED
    expiry = now + timedelta(hours=1)
    db.execute(update(Certificate).where(Certificate.id == certificate.id).values(expires_at=expiry))
    db.commit()
    [due] = assignments.due_for(db, ana.id, now + timedelta(days=2))
    assert due.standing.recertification
    assert due.standing.status is AssignmentStatus.NOT_STARTED
    assert due.standing.due_on == expiry.date() + timedelta(days=30)


def test_the_dashboard_lists_what_is_due_soonest_first(db, org, manager, make_user, course, content_dir, runner):
    (content_dir / "courses" / "second").mkdir()
    (content_dir / "courses" / "second" / "course.md").write_text("---\ntitle: A Second Course\nsummary: s\n---\n")
    (content_dir / "courses" / "second" / "01-one.md").write_text("---\ntitle: One\n---\nText.\n")
    assert runner.invoke(args=["content", "sync", str(content_dir)]).exit_code == 0
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    today = utcnow().date()
    assignments.assign(db, org, "incident-basics", due_on=today + timedelta(days=20), actor=Actor(manager.id))
    assignments.assign(db, org, "second", user_ids=[ana.id], due_on=today + timedelta(days=5), actor=Actor(manager.id))
    assert [d.course_slug for d in assignments.due_for(db, ana.id, utcnow())] == ["second", "incident-basics"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "either a due date or a number of days"),
    ({"due_days": 10, "due_on": "today"}, "either a due date or a number of days"),
    ({"due_on": "yesterday"}, "in the past"),
    ({"due_days": 0}, "from 1 to"),
])
def test_a_due_rule_must_be_one_sensible_value(db, org, manager, course, kwargs, message):
    today = utcnow().date()
    dates = {"today": today, "yesterday": today - timedelta(days=1)}
    kwargs = {k: dates.get(v, v) for k, v in kwargs.items()}
    with pytest.raises(InvalidInput, match=message):
        assignments.assign(db, org, "incident-basics", actor=Actor(manager.id), **kwargs)
    assert db.scalars(select(CourseAssignment)).all() == []


def test_people_of_another_organisation_cannot_be_assigned(db, org, manager, make_user, course):
    other = make_organisation(db, "Elsewhere Ltd")
    olga = make_user(email="olga@elsewhere.example", organisation_id=other)
    with pytest.raises(InvalidInput, match="Not members"):
        assignments.members_by_email(db, org, "olga@elsewhere.example")
    with pytest.raises(NotFound):
        assignments.assign(db, org, "incident-basics", user_ids=[olga.id], due_days=5, actor=Actor(manager.id))


# --- reminders ------------------------------------------------------------------------------------

def test_due_soon_and_overdue_reminders_are_queued_once_per_due_date(db, org, manager, make_user, course):
    make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    assignments.assign(db, org, "incident-basics", due_on=utcnow().date() + timedelta(days=10), actor=Actor(manager.id))
    now = utcnow()
    assert assignment_reminders.learner_reminders(db, now) == 0
    soon = now + timedelta(days=4)
    assert assignment_reminders.learner_reminders(db, soon) == 1
    db.commit()
    assert assignment_reminders.learner_reminders(db, soon + timedelta(hours=1)) == 0
    late = now + timedelta(days=12)
    assert reminders.scan(db, late) >= 1
    assert reminders.scan(db, late) == 0
    [due] = outbox(db, kind="assignment-due")
    [overdue] = outbox(db, kind="assignment-overdue")
    assert "Incident Basics" in due.text_body and due.unsubscribe_url
    assert "not done yet" in overdue.text_body


def test_the_weekly_digest_goes_to_each_manager_once_a_week(db, org, manager, make_user, course):
    make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    assignments.assign(db, org, "incident-basics", due_days=3, actor=Actor(manager.id))
    late = utcnow() + timedelta(days=5)
    assert assignment_reminders.manager_digests(db, late) == 1
    db.commit()
    assert assignment_reminders.manager_digests(db, late + timedelta(minutes=5)) == 0
    [digest] = outbox(db, kind="manager-digest")
    assert digest.recipient == manager.email
    assert "1 overdue" in digest.text_body and "Ana Lima" in digest.text_body
    assert "/manage/" in digest.text_body
    assert assignment_reminders.manager_digests(db, late + timedelta(days=7)) == 1


def test_the_scanners_are_part_of_the_reminder_scan():
    assert assignment_reminders.learner_reminders in reminders.SCANNERS
    assert assignment_reminders.manager_digests in reminders.SCANNERS


# --- what a manager may see -----------------------------------------------------------------------

def test_a_manager_reaches_only_their_own_organisation_and_its_people(db, org, manager, make_user):
    other = make_organisation(db, "Elsewhere Ltd")
    olga = make_user(email="olga@elsewhere.example", organisation_id=other)
    assert organisations.require_access(db, org, Actor.of(manager)).id == org
    with pytest.raises(NotFound):
        organisations.require_access(db, other, Actor.of(manager))
    assert organisations.require_access(db, other, Actor(manager.id, role=Role.ADMIN)).id == other
    with pytest.raises(NotFound):
        organisations.member(db, org, olga.id)
    with pytest.raises(NotFound):
        organisations.person(db, org, olga.id, utcnow())


def test_the_matrix_shows_status_per_person_and_course_and_filters(db, org, manager, make_user, course):
    ana = make_user(name="Ana Lima", email="ana@northbank.example", organisation_id=org)
    make_user(name="Bo Berg", email="bo@northbank.example", organisation_id=org)
    assignments.assign(db, org, "incident-basics", user_ids=[ana.id], due_days=2, actor=Actor(manager.id))
    late = utcnow() + timedelta(days=5)
    found = organisations.matrix(db, org, organisations.MatrixFilter(), late)
    assert [(row.name, [c.cell for c in row.cells]) for row in found.rows] == [
        ("Ana Lima", [Cell.OVERDUE]), ("Bo Berg", [Cell.NONE])]
    overdue = organisations.matrix(db, org, organisations.MatrixFilter(status="overdue"), late)
    assert [row.name for row in overdue.rows] == ["Ana Lima"] and overdue.total == 1
    assert organisations.matrix(db, org, organisations.MatrixFilter(query="berg"), late).total == 1


def test_the_matrix_costs_the_same_number_of_queries_for_ten_or_sixty_people(app, db, org, make_user, course):
    engine = app.extensions["academy.engine"]

    def queries(flt) -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            organisations.matrix(db, org, flt, utcnow())
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    add_members(db, org, 10)
    small = (queries(organisations.MatrixFilter()), queries(organisations.MatrixFilter(status="none")))
    add_members(db, org, 50)
    large = (queries(organisations.MatrixFilter()), queries(organisations.MatrixFilter(status="none")))
    assert small == large


def add_members(db, org: int, count: int) -> None:
    start = db.query(User).count()
    db.add_all([User(email=f"p{start + i}@northbank.example", name=f"Person {start + i}", password_hash="x",
                     organisation_id=org) for i in range(count)])
    db.commit()


def test_the_managers_downloads_hold_only_their_organisation(db, org, manager, make_user, course, app):
    other = make_organisation(db, "Elsewhere Ltd")
    for organisation_id, email in ((org, "ana@northbank.example"), (other, "olga@elsewhere.example")):
        person = make_user(email=email, organisation_id=organisation_id)
        course_support.complete_course(db, person.id, course)
        course_support.begin(db)
        certificates.issue_if_due(db, person.id, course.course_id)
        db.commit()
    assignments.assign(db, org, "incident-basics", due_days=30, actor=Actor(manager.id))
    now = utcnow()
    rows, columns = manager_exports.rows(db, org, "certificates", now, "http://localhost")
    assert [row["email"] for row in rows] == ["ana@northbank.example"]
    rows, columns = manager_exports.rows(db, org, "assignments", now, "http://localhost")
    rows = list(rows)
    assert columns == shaping.ASSIGNMENT_COLUMNS
    assert [(r["email"], r["assignment_status"], r["certificate_status"]) for r in rows] == [
        ("ana@northbank.example", "completed", "valid")]
    buffer = io.BytesIO()
    shaping.write_xlsx(iter(rows), buffer, columns=columns)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [c.value for c in sheet[1]] == list(columns)


def test_a_large_assignment_commits_at_once_and_the_scan_tells_everyone_once(db, org, manager, make_user, course,
                                                                              monkeypatch):
    monkeypatch.setattr(assignments, "NOTIFY_IN_TRANSACTION", 2)
    add_members(db, org, 3)
    assert assignments.assign(db, org, "incident-basics", due_days=30, actor=Actor(manager.id)) == 0
    assert outbox(db, kind="course-assigned") == []
    assert assignment_reminders.assignment_notices(db, utcnow()) == 3
    db.commit()
    assert assignment_reminders.assignment_notices(db, utcnow()) == 0


def test_people_who_join_with_the_code_are_told_by_the_scan(db, org, manager, course):
    assignments.assign(db, org, "incident-basics", due_days=30, actor=Actor(manager.id))
    db.commit()
    code = db.get(Organisation, org).join_code
    signups.request(db, email="jo@northbank.example", name="Jo Joiner", password=PASSWORD, join_code=code)
    token = re.search(r"/register/([\w-]+)", outbox(db, kind="signup", to="jo@northbank.example")[0].text_body).group(1)
    joined, _ = signups.complete(db, token, browser_secret=None, password=PASSWORD)
    assert reminders.scan(db, utcnow()) == 1
    [notice] = outbox(db, kind="course-assigned", to=joined.email)
    assert "Incident Basics" in notice.subject


def test_an_xlsx_upload_invites_the_same_way_and_never_takes_someone_elses_account(db, org, manager, make_user):
    other = make_organisation(db, "Elsewhere Ltd")
    make_user(email="olga@elsewhere.example", organisation_id=other)
    workbook = Workbook()
    for row in (["Name", "Email"], ["Ana Lima", "ana@northbank.example"], ["Olga", "olga@elsewhere.example"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = invitations.invite_file(db, org, "team.xlsx", buffer.getvalue(), actor=Actor(manager.id))
    assert [line.outcome for line in report.lines] == [Outcome.CREATED, Outcome.OTHER_ACCOUNT]
    assert [m.recipient for m in outbox(db, kind="invitation")] == ["ana@northbank.example"]
