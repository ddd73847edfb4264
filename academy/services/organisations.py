"""Organisation managers: who manages what, and what a manager sees of their own people.

A manager sees only organisations they manage (admins see every one); anything else answers
NotFound, so a manager cannot even learn that another organisation's person or page exists.
The people x courses matrix is built from a fixed number of aggregate queries whatever the size of
the organisation (no query per person), and pages people in SQL, a status filter included
(:mod:`.matrix_cells` decides the cells in SQL to pick the page's people).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain import assignments as rules
from academy.models import (
    Attempt,
    Certificate,
    Course,
    CourseAssignment,
    CourseVersion,
    Enrolment,
    ModuleProgress,
    Organisation,
    OrganisationManager,
    Quiz,
    QuizVersion,
    Role,
    User,
)

from . import accounts, audit, matrix_cells, people, text_search
from .actors import Actor
from .errors import Conflict, InvalidInput, NotFound
from .pagination import Page, paginate

PAGE_SIZE = 50
_NO_ORGANISATION = "There is no organisation with that id among those you manage."


# --- who manages what ---------------------------------------------------------------------------

#: Built once (every dashboard runs it): building a statement costs about as much as running it.
_MANAGED = (select(Organisation).join(OrganisationManager, OrganisationManager.organisation_id == Organisation.id)
            .where(OrganisationManager.user_id == bindparam("user_id")).order_by(Organisation.name))


def managed_organisations(session: Session, user_id: int) -> list[Organisation]:
    """The organisations ``user_id`` manages, by name."""
    return list(session.scalars(_MANAGED, {"user_id": user_id}))


def manages_any(session: Session, user_id: int) -> bool:
    return session.scalar(select(OrganisationManager.id).where(OrganisationManager.user_id == user_id)
                          .limit(1)) is not None


def require_access(session: Session, organisation_id: int, actor: Actor) -> Organisation:
    """The organisation, if ``actor`` manages it or is an admin; NotFound otherwise (never Forbidden)."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_NO_ORGANISATION)
    if actor.role != Role.ADMIN and session.scalar(select(OrganisationManager.id).where(
            OrganisationManager.organisation_id == organisation_id,
            OrganisationManager.user_id == actor.user_id)) is None:
        raise NotFound(_NO_ORGANISATION)
    return organisation


def managers_of(session: Session, organisation_id: int) -> list[User]:
    return list(session.scalars(select(User).join(OrganisationManager, OrganisationManager.user_id == User.id)
                                .where(OrganisationManager.organisation_id == organisation_id).order_by(User.name)))


def appoint_manager(session: Session, organisation_id: int, email: str, *, actor: Actor) -> User:
    """Make the account with this email a manager of the organisation (admins only). Commits."""
    begin_write(session)
    people.get_organisation(session, organisation_id)
    user = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        message = "There is no account with that email address; invite the person first."
        raise InvalidInput(message, {"email": [message]})
    exists = session.scalar(select(OrganisationManager.id).where(
        OrganisationManager.organisation_id == organisation_id, OrganisationManager.user_id == user.id))
    if exists is not None:
        raise Conflict(f"{user.name} already manages this organisation.")
    session.add(OrganisationManager(organisation_id=organisation_id, user_id=user.id, appointed_by_id=actor.user_id))
    audit.record(session, "organisation.manager_appointed", actor=actor,
                 target=f"organisation:{organisation_id}", detail={"user": user.id, "email": user.email})
    try:
        session.commit()
    except IntegrityError as exc:  # appointed twice at the same moment
        session.rollback()
        raise Conflict(f"{user.name} already manages this organisation.") from exc
    return user


def remove_manager(session: Session, organisation_id: int, user_id: int, *, actor: Actor) -> None:
    """Stop ``user_id`` managing the organisation (admins only). Commits."""
    begin_write(session)
    removed = session.execute(delete(OrganisationManager).where(
        OrganisationManager.organisation_id == organisation_id, OrganisationManager.user_id == user_id)).rowcount
    if not removed:
        session.rollback()
        raise NotFound("That person does not manage this organisation.")
    audit.record(session, "organisation.manager_removed", actor=actor,
                 target=f"organisation:{organisation_id}", detail={"user": user_id})
    session.commit()


def member(session: Session, organisation_id: int, user_id: int) -> User:
    """A member of the organisation, or NotFound (also when they belong to another one)."""
    user = session.get(User, user_id)
    if user is None or user.organisation_id != organisation_id:
        raise NotFound("There is no such person in this organisation.")
    return user


# --- facts about people and courses, in bulk ----------------------------------------------------

@dataclass
class Facts:
    """What a set of people have done, keyed by (user id, course id)."""

    enrolled: set[tuple[int, int]] = field(default_factory=set)
    activity: dict[tuple[int, int], rules.Activity] = field(default_factory=dict)
    #: Due rules by course id: organisation-wide (key None) and per person (key user id).
    assignments: dict[int, dict[int | None, list[rules.DueRule]]] = field(default_factory=dict)

    def rules_for(self, user_id: int, course_id: int) -> list[rules.DueRule]:
        by_user = self.assignments.get(course_id, {})
        return [*by_user.get(None, []), *by_user.get(user_id, [])]

    def standing(self, user, course_id: int, now: datetime) -> rules.Standing | None:
        """``user``: anything with ``id`` and ``created_at`` (a User or a row)."""
        found = self.rules_for(user.id, course_id)
        if not found:
            return None
        return rules.standing(found, joined_at=user.created_at, activity=self.activity_of(user.id, course_id),
                              now=now)

    def activity_of(self, user_id: int, course_id: int) -> rules.Activity:
        return self.activity.get((user_id, course_id), rules.Activity())


def _scope(stmt, column, organisation_id: int, user_ids: list[int] | None):
    """Restrict a statement on ``column`` (a user id) to a page of people or a whole organisation."""
    if user_ids is not None:
        return stmt.where(column.in_(user_ids))
    return stmt.where(column.in_(select(User.id).where(User.organisation_id == organisation_id)))


def load_facts(session: Session, organisation_id: int, user_ids: list[int] | None = None) -> Facts:
    """Enrolments, last activity, live certificates and assignments: four queries for any number of people."""
    facts = Facts()
    if user_ids is not None and not user_ids:
        return facts
    facts.enrolled = {(r.user_id, r.course_id) for r in session.execute(
        _scope(select(Enrolment.user_id, Enrolment.course_id), Enrolment.user_id, organisation_id, user_ids))}
    last: dict[tuple[int, int], datetime] = {}
    reading = _scope(select(ModuleProgress.user_id, ModuleProgress.course_id, func.max(ModuleProgress.last_viewed_at))
                     .group_by(ModuleProgress.user_id, ModuleProgress.course_id),
                     ModuleProgress.user_id, organisation_id, user_ids)
    attempting = _scope(select(Attempt.user_id, Quiz.course_id, func.max(Attempt.started_at))
                        .join(Quiz, Quiz.id == Attempt.quiz_id).group_by(Attempt.user_id, Quiz.course_id),
                        Attempt.user_id, organisation_id, user_ids)
    for statement in (reading, attempting):
        for user_id, course_id, moment in session.execute(statement):
            if moment is not None:
                key = (user_id, course_id)
                last[key] = max(last[key], moment) if key in last else moment
    held: dict[tuple[int, int], rules.HeldCertificate] = {}
    for row in session.execute(_scope(
            select(Certificate.user_id, Certificate.course_id, Certificate.issued_at, Certificate.expires_at,
                   Certificate.revoked_at).where(Certificate.superseded_at.is_(None)),
            Certificate.user_id, organisation_id, user_ids)):
        held[(row.user_id, row.course_id)] = rules.HeldCertificate(row.issued_at, row.expires_at,
                                                                   row.revoked_at is not None)
    for key in last.keys() | held.keys():
        facts.activity[key] = rules.Activity(last.get(key), held.get(key))
    assignment_scope = select(CourseAssignment).where(CourseAssignment.organisation_id == organisation_id)
    if user_ids is not None:
        assignment_scope = assignment_scope.where(or_(CourseAssignment.user_id.is_(None),
                                                      CourseAssignment.user_id.in_(user_ids)))
    grouped: dict[int, dict[int | None, list[rules.DueRule]]] = defaultdict(lambda: defaultdict(list))
    for assignment in session.scalars(assignment_scope):
        grouped[assignment.course_id][assignment.user_id].append(due_rule(assignment))
    facts.assignments = {course_id: dict(by_user) for course_id, by_user in grouped.items()}
    return facts


def due_rule(assignment: CourseAssignment) -> rules.DueRule:
    return rules.DueRule(assigned_at=assignment.created_at, due_on=assignment.due_on, due_days=assignment.due_days)


# --- the people x courses matrix ----------------------------------------------------------------

@dataclass(frozen=True)
class CourseColumn:
    id: int
    slug: str
    title: str


@dataclass(frozen=True)
class MatrixFilter:
    query: str = ""
    #: A course slug: only that course's column.
    course: str = ""
    #: A :class:`~academy.domain.assignments.Cell` value: only people with such a cell.
    status: str = ""
    page: int = 1


@dataclass(frozen=True)
class MatrixCell:
    course: CourseColumn
    cell: rules.Cell
    standing: rules.Standing | None


@dataclass(frozen=True)
class MatrixRow:
    user_id: int
    name: str
    email: str
    cells: list[MatrixCell]


@dataclass(frozen=True)
class Matrix:
    courses: list[CourseColumn]
    rows: list[MatrixRow]
    total: int
    page: int
    pages: int
    #: How many cells of the shown courses are in each state, over everyone matching (not only this page).
    counts: dict[str, int] | None = None


def published_courses(session: Session) -> list[CourseColumn]:
    return [CourseColumn(*row) for row in session.execute(
        select(Course.id, Course.slug, CourseVersion.title)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id).order_by(CourseVersion.title))]


def matrix(session: Session, organisation_id: int, flt: MatrixFilter, now: datetime) -> Matrix:
    """A page of the organisation's people, each with a cell per course."""
    courses = published_courses(session)
    if flt.course:
        courses = [c for c in courses if c.slug == flt.course]
        if not courses:
            raise InvalidInput("There is no published course with that slug.",
                               {"course": ["There is no published course with that slug."]})
    if flt.status and flt.status not in {c.value for c in rules.Cell}:
        raise InvalidInput("Choose a status from the list.", {"status": ["Choose a status from the list."]})
    people_stmt = select(User.id, User.name, User.email, User.created_at).where(User.organisation_id == organisation_id)
    if flt.query.strip():
        people_stmt = text_search.users_containing(session, people_stmt, flt.query)
    ordered_ids = people_stmt.with_only_columns(User.id).order_by(User.name, User.id)
    if flt.status:
        # Every matching id at once (integers, decided and sorted in SQL): the count and the page from one query.
        matching = matrix_cells.people_with(session, people_stmt, organisation_id, [c.id for c in courses],
                                            flt.status, now)
        number = max(1, flt.page)
        ids = Page(matching[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], len(matching), number, PAGE_SIZE)
    else:
        # The page's ids by the index on users (organisation_id, name, id), then their rows.
        ids = paginate(session, ordered_ids, flt.page, PAGE_SIZE)
    members = list(session.execute(people_stmt.where(User.id.in_(ids.items)).order_by(User.name, User.id)))
    facts = load_facts(session, organisation_id, ids.items)
    shown = [_row(u, courses, facts, now) for u in members]
    return Matrix(courses, shown, ids.total, ids.number, ids.pages)


def _row(user, courses: list[CourseColumn], facts: Facts, now: datetime) -> MatrixRow:
    cells = []
    for course in courses:
        standing = facts.standing(user, course.id, now)
        cell = rules.cell(standing=standing, enrolled=(user.id, course.id) in facts.enrolled,
                          activity=facts.activity_of(user.id, course.id), now=now)
        cells.append(MatrixCell(course, cell, standing))
    return MatrixRow(user.id, user.name, user.email, cells)


# --- one person ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizSummary:
    course_title: str
    quiz_title: str
    attempts: int
    passed: int
    best_score: int | None
    last_at: datetime | None


@dataclass(frozen=True)
class PersonCertificate:
    line: people.CertificateLine
    state: rules.CertificateState


@dataclass(frozen=True)
class AssignedCourse:
    course: CourseColumn
    standing: rules.Standing


@dataclass(frozen=True)
class Person:
    user: User
    courses: list[people.CourseProgress]
    quizzes: list[QuizSummary]
    certificates: list[PersonCertificate]
    assigned: list[AssignedCourse]


def attempts_summary(session: Session, user_id: int) -> list[QuizSummary]:
    """Submitted attempts per quiz: how many, how many passed, the best score, the latest."""
    title = (select(QuizVersion.title).where(QuizVersion.quiz_id == Quiz.id)
             .order_by(QuizVersion.id.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        select(CourseVersion.title, title, func.count(Attempt.id),
               func.count(Attempt.id).filter(Attempt.passed.is_(True)), func.max(Attempt.score_percent),
               func.max(Attempt.submitted_at))
        .join(Quiz, Quiz.id == Attempt.quiz_id).join(Course, Course.id == Quiz.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .group_by(CourseVersion.title, Quiz.id).order_by(CourseVersion.title, Quiz.id))
    return [QuizSummary(*row) for row in rows]


def person(session: Session, organisation_id: int, user_id: int, now: datetime) -> Person:
    """A member's progress, attempts, certificates and assignments (NotFound for anyone else's)."""
    user = member(session, organisation_id, user_id)
    facts = load_facts(session, organisation_id, [user.id])
    assigned = []
    for course in published_courses(session):
        standing = facts.standing(user, course.id, now)
        if standing is not None:
            assigned.append(AssignedCourse(course, standing))
    assigned.sort(key=lambda a: a.standing.due_on)
    certificates = [PersonCertificate(line, rules.certificate_state(
        expires_at=line.record.expires_at, revoked=line.record.revoked, now=now))
        for line in people.certificates_of(session, user.id, now)]
    return Person(user, people.learner_courses(session, user.id), attempts_summary(session, user.id),
                  certificates, assigned)
