"""People and organisations for the admin area: finding them, and the changes admins make.

Every change is audit-logged in the same commit. An admin cannot remove the last active admin,
whether by changing their role or by deactivating them: the site would have no one left to run it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from academy.db import begin_write
from academy.domain.certification import Status as CertificateStatus
from academy.domain.certification import status_at
from academy.domain.exports import CertificateFilter, CertificateRecord
from academy.domain.progress import Summary
from academy.models import Course, CourseVersion, Enrolment, Organisation, Role, User

from . import accounts, audit, exports, progress, text_search
from .actors import Actor
from .errors import Conflict, InvalidInput, NotFound, ServiceError
from .pagination import Page, paginate


class Status(enum.StrEnum):
    """Account status as the users list filters it."""

    ACTIVE = "active"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class UserFilter:
    query: str = ""
    role: str = ""
    organisation_id: int | None = None
    #: A :class:`Status` value, or "" for any.
    status: str = ""
    page: int = 1


def search_users(session: Session, flt: UserFilter) -> Page[User]:
    """A page of users matching ``flt`` (name or email contains the query)."""
    stmt = select(User)
    if flt.query.strip():
        stmt = text_search.users_containing(session, stmt, flt.query)
    if flt.role:
        stmt = stmt.where(User.role == flt.role)
    if flt.organisation_id:
        stmt = stmt.where(User.organisation_id == flt.organisation_id)
    if flt.status:
        stmt = stmt.where(User.active.is_(flt.status == Status.ACTIVE))
    return paginate(session, stmt.order_by(User.name, User.id), flt.page, key=User.id,
                    options=[joinedload(User.organisation)])


def get_user(session: Session, user_id: int) -> User:
    """The user with this id (organisation loaded), or NotFound."""
    user = session.get(User, user_id, options=[joinedload(User.organisation)])
    if user is None:
        raise NotFound("There is no user with that id.")
    return user


def organisations(session: Session) -> list[Organisation]:
    """Every organisation, by name (the users list's filter and the export's choices: no counting)."""
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def organisations_with_counts(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of members, by name.

    The counts are one ``GROUP BY`` over the index on ``users (organisation_id, ...)`` (no table
    rows read): at 100,000 accounts that is a pass over the index, so only the organisations page uses it.
    """
    counts = dict(session.execute(select(User.organisation_id, func.count()).where(User.organisation_id.is_not(None))
                                  .group_by(User.organisation_id)).all())
    return [(org, counts.get(org.id, 0)) for org in organisations(session)]


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation with this id, or NotFound."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no organisation with that id.")
    return organisation


# --- what a person or an organisation has done -----------------------------------------------

#: Certificates listed on a page; the export has them all.
CERTIFICATES_SHOWN = 100


@dataclass(frozen=True)
class CertificateLine:
    """A certificate as listed on an admin page: its record and its status now."""

    record: CertificateRecord
    status: CertificateStatus


@dataclass(frozen=True)
class CourseProgress:
    """One learner's progress in one enrolled course."""

    course_slug: str
    course_title: str
    enrolled_at: datetime
    summary: Summary


@dataclass(frozen=True)
class OrganisationOverview:
    members: int
    learners: list[progress.LearnerProgress]
    certificates: list[CertificateLine]
    #: Certificates of the organisation's people by status, all of them (not only those listed).
    certificate_counts: dict[str, int]

    @property
    def average_percent(self) -> int:
        """Mean progress over every enrolment, in percent."""
        if not self.learners:
            return 0
        return round(sum(p.percent for p in self.learners) / len(self.learners))


def learner_courses(session: Session, user_id: int) -> list[CourseProgress]:
    """The courses a person is enrolled in, with their progress (one query per course)."""
    rows = session.execute(
        select(Enrolment.course_id, Enrolment.enrolled_at, Course.slug, CourseVersion.title)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Enrolment.user_id == user_id).order_by(CourseVersion.title))
    return [CourseProgress(row.slug, row.title, row.enrolled_at,
                           progress.learner_summary(session, user_id, row.course_id)) for row in rows]


def _lines(records: list[CertificateRecord], now: datetime) -> list[CertificateLine]:
    return [CertificateLine(r, status_at(expires_at=r.expires_at, revoked=r.revoked, now=now)) for r in records]


def certificates_of(session: Session, user_id: int, now: datetime) -> list[CertificateLine]:
    """A person's certificates, newest first."""
    resolved = exports.ResolvedFilter(CertificateFilter(), user_id=user_id)
    return _lines(exports.latest(session, resolved, now, limit=CERTIFICATES_SHOWN), now)


def organisation_overview(session: Session, organisation_id: int, now: datetime) -> OrganisationOverview:
    """An organisation's members, their progress in every course, and their certificates."""
    members = session.scalar(select(func.count(User.id)).where(User.organisation_id == organisation_id)) or 0
    resolved = exports.ResolvedFilter(CertificateFilter(), organisation_id=organisation_id)
    counts = {status.value: exports.count(session, exports.ResolvedFilter(CertificateFilter(status=status.value),
                                                                          organisation_id=organisation_id), now)
              for status in CertificateStatus}
    return OrganisationOverview(
        members=members,
        learners=progress.organisation_learners(session, organisation_id),
        certificates=_lines(exports.latest(session, resolved, now, limit=CERTIFICATES_SHOWN), now),
        certificate_counts=counts,
    )


# --- changes admins make ------------------------------------------------------------------------

@contextmanager
def _change(session: Session) -> Iterator[None]:
    """A write transaction (SQLite's lock taken at BEGIN), rolled back when the change is refused."""
    begin_write(session)
    try:
        yield
    except ServiceError:
        session.rollback()
        raise


def _other_active_admins(session: Session, user_id: int) -> int:
    """How many active admins there are besides ``user_id``.

    The rows are locked (PostgreSQL; SQLite's write lock is taken by ``begin_write``), so two admins
    demoting each other at the same moment cannot both succeed and leave no admin at all.
    """
    ids = session.scalars(select(User.id)
                          .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user_id)
                          .with_for_update())
    return len(ids.all())


def _guard_last_admin(session: Session, user: User, what: str) -> None:
    if user.role == Role.ADMIN and user.active and _other_active_admins(session, user.id) == 0:
        raise Conflict(f"{user.name} is the last active admin, so you cannot {what} them. "
                       "Make another account an admin first.")


def change_role(session: Session, user_id: int, role: str, *, actor: Actor) -> User:
    """Give a user another role; refuses to demote the last active admin. Commits."""
    if role not in {r.value for r in Role}:
        raise InvalidInput("Choose learner, instructor or admin.", {"role": ["Choose learner, instructor or admin."]})
    with _change(session):
        user = get_user(session, user_id)
        if user.role == role:
            return user
        if role != Role.ADMIN:
            _guard_last_admin(session, user, "demote")
        previous, user.role = user.role, role
        audit.record(session, "user.role_changed", actor=actor, target=f"user:{user.id}",
                     detail={"from": previous, "to": role})
        session.commit()
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: Actor) -> User:
    """Deactivate (signing the user out everywhere) or reactivate an account. Commits.

    Admins cannot deactivate themselves (they would lock themselves out mid-click) nor the last
    active admin.
    """
    with _change(session):
        user = get_user(session, user_id)
        if user.active == active:
            return user
        if not active:
            if user.id == actor.user_id:
                raise Conflict("You cannot deactivate your own account.")
            _guard_last_admin(session, user, "deactivate")
            accounts.revoke_all_sessions(session, user.id)
        user.active = active
        audit.record(session, "user.reactivated" if active else "user.deactivated", actor=actor,
                     target=f"user:{user.id}")
        session.commit()
    return user


def move_to_organisation(session: Session, user_id: int, organisation_id: int | None, *, actor: Actor) -> User:
    """Move a user to another organisation (None: to none). Commits."""
    with _change(session):
        user = get_user(session, user_id)
        target = get_organisation(session, organisation_id) if organisation_id else None
        if user.organisation_id == (target.id if target else None):
            return user
        previous = user.organisation.name if user.organisation else None
        user.organisation_id = target.id if target else None
        audit.record(session, "user.organisation_changed", actor=actor, target=f"user:{user.id}",
                     detail={"from": previous, "to": target.name if target else None})
        session.commit()
        session.refresh(user)
    return user


def _clean_organisation_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("Enter an organisation name (at most 200 characters).",
                           {"name": ["Enter an organisation name (at most 200 characters)."]})
    return name


def rename_organisation(session: Session, organisation_id: int, name: str, *, actor: Actor) -> Organisation:
    """Give an organisation a new name (unique, case-insensitively). Commits."""
    name = _clean_organisation_name(name)
    with _change(session):
        organisation = get_organisation(session, organisation_id)
        if organisation.name == name:
            return organisation
        taken = session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower(),
                                                             Organisation.id != organisation_id))
        if taken is not None:
            raise Conflict("An organisation with this name already exists.")
        previous, organisation.name = organisation.name, name
        audit.record(session, "organisation.renamed", actor=actor, target=f"organisation:{organisation.id}",
                     detail={"from": previous, "to": name})
        try:
            session.commit()
        except IntegrityError as exc:  # renamed concurrently to the same name
            raise Conflict("An organisation with this name already exists.") from exc
    return organisation


def regenerate_join_code(session: Session, organisation_id: int, *, actor: Actor) -> Organisation:
    """Replace an organisation's join code; the old one stops working at once. Commits."""
    with _change(session):
        organisation = get_organisation(session, organisation_id)
        organisation.join_code = accounts.new_join_code()
        audit.record(session, "organisation.join_code_regenerated", actor=actor,
                     target=f"organisation:{organisation.id}")
        session.commit()
    return organisation
