"""Invitations: admins and managers invite people by email, one at a time or from a spreadsheet.

An invitation is a single-use link, valid for :data:`VALID_FOR`, that creates the account in the
organisation. Only the token's hash is stored; the link itself exists only in the queued email,
which is written in the same transaction as the invitation (so neither exists without the other).
Uploading the same file twice invites nobody twice: a person with a live invitation is reported
as "already invited", a member as "already a member".
"""

from __future__ import annotations

import enum
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from academy.db import begin_write
from academy.domain import roster
from academy.models import Course, Invitation, Organisation, User, utcnow

from . import accounts, assignments, audit, mail
from .actors import OPERATOR, Actor
from .errors import Conflict, InvalidInput, NotFound, ServiceError

VALID_FOR = timedelta(days=14)
DEFAULT_DUE_DAYS = assignments.DEFAULT_DUE_DAYS
_DEAD_LINK = "This invitation link is not valid: it may have been used already, withdrawn or have expired."


class Outcome(enum.StrEnum):
    CREATED = "created"
    ALREADY_MEMBER = "already a member"
    ALREADY_INVITED = "already invited"
    OTHER_ACCOUNT = "has an account elsewhere"
    INVALID_ADDRESS = "invalid address"
    INVALID_NAME = "invalid name"
    UNKNOWN_COURSE = "unknown course"
    DUPLICATE_ROW = "duplicate row"


@dataclass(frozen=True)
class ReportLine:
    line: int
    name: str
    email: str
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class Report:
    lines: list[ReportLine]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)

    @property
    def totals(self) -> list[tuple[Outcome, int]]:
        counts = Counter(line.outcome for line in self.lines)
        return [(outcome, counts[outcome]) for outcome in Outcome if counts[outcome]]


def invite_one(session: Session, organisation_id: int, *, name: str, email: str, courses: tuple[str, ...] = (),
               due_days: int | None = DEFAULT_DUE_DAYS, actor: Actor) -> ReportLine:
    """Invite one person (the same rules as a file of one row). Commits."""
    row = roster.RosterRow(line=1, name=name.strip(), email=accounts.normalise_email(email), courses=courses)
    return invite_rows(session, organisation_id, [row], due_days=due_days, actor=actor,
                       via="form").lines[0]


def invite_file(session: Session, organisation_id: int, filename: str, data: bytes, *,
                due_days: int | None = DEFAULT_DUE_DAYS, actor: Actor) -> Report:
    """Invite everyone listed in an uploaded CSV or XLSX file; a per-row report. Commits.

    Raises InvalidInput with a sentence when the file cannot be read at all (nothing is changed).
    """
    try:
        rows = roster.read(filename, data)
    except roster.RosterError as exc:
        raise InvalidInput(str(exc), {"file": [str(exc)]}) from exc
    if not rows:
        raise InvalidInput("The file lists nobody: add a row per person under the header.",
                           {"file": ["The file lists nobody."]})
    return invite_rows(session, organisation_id, rows, due_days=due_days, actor=actor, via="file")


def invite_rows(session: Session, organisation_id: int, rows: list[roster.RosterRow], *, due_days: int | None,
                actor: Actor, via: str) -> Report:
    if due_days is not None and not 1 <= due_days <= assignments.MAX_DUE_DAYS:
        message = f"Give a number of days from 1 to {assignments.MAX_DUE_DAYS}."
        raise InvalidInput(message, {"due_days": [message]})
    begin_write(session)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    emails = [row.email for row in rows if row.email_valid]
    accounts_by_email = {u.email: u.organisation_id
                         for u in session.scalars(select(User).where(User.email.in_(emails)))}
    now = utcnow()
    pending = set(session.scalars(select(Invitation.email).where(
        Invitation.organisation_id == organisation_id, Invitation.email.in_(emails),
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)))
    known_courses = set(session.scalars(select(Course.slug).where(Course.current_version_id.is_not(None))))
    seen: set[str] = set()
    lines = []
    for row in rows:
        line = _judge(row, seen, accounts_by_email, pending, known_courses, organisation_id)
        if line is None:
            _create(session, organisation, row, due_days, actor, now)
            line = ReportLine(row.line, row.name, row.email, Outcome.CREATED)
        lines.append(line)
    report = Report(lines)
    audit.record(session, "organisation.invited", actor=actor, target=f"organisation:{organisation_id}",
                 detail={"via": via, **{str(outcome): count for outcome, count in report.totals}})
    session.commit()
    return report


def _judge(row: roster.RosterRow, seen: set[str], accounts_by_email: dict[str, int | None], pending: set[str],
           known_courses: set[str], organisation_id: int) -> ReportLine | None:
    """Why this row invites nobody, or None when it should be invited."""
    def refuse(outcome: Outcome, detail: str = "") -> ReportLine:
        return ReportLine(row.line, row.name, row.email, outcome, detail)
    if not row.email_valid:
        return refuse(Outcome.INVALID_ADDRESS, "Enter an address like name@example.com.")
    if row.email in seen:
        return refuse(Outcome.DUPLICATE_ROW, "The same address appears on an earlier row.")
    seen.add(row.email)
    if (problem := row.name_problem) is not None:
        return refuse(Outcome.INVALID_NAME, problem)
    unknown = [slug for slug in row.courses if slug not in known_courses]
    if unknown:
        return refuse(Outcome.UNKNOWN_COURSE, f"No published course is called {', '.join(unknown)}.")
    if row.email in accounts_by_email:
        if accounts_by_email[row.email] == organisation_id:
            return refuse(Outcome.ALREADY_MEMBER)
        return refuse(Outcome.OTHER_ACCOUNT, "This address already has an account outside this organisation.")
    if row.email in pending:
        return refuse(Outcome.ALREADY_INVITED, "An invitation sent earlier is still valid.")
    return None


def _create(session: Session, organisation: Organisation, row: roster.RosterRow, due_days: int | None,
            actor: Actor, now) -> None:
    # An expired or withdrawn invitation to the same address dies for good when a new one is made.
    session.execute(update(Invitation).where(Invitation.organisation_id == organisation.id,
                                             Invitation.email == row.email, Invitation.accepted_at.is_(None),
                                             Invitation.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation.id, email=row.email, name=row.name,
                            token_hash=accounts.hash_token(token), courses=list(row.courses),
                            due_days=due_days if row.courses else None, invited_by_id=actor.user_id,
                            created_at=now, expires_at=now + VALID_FOR)
    session.add(invitation)
    session.flush()
    mail.enqueue(session, to_email=row.email, to_name=row.name, kind="invitation", key=f"invitation:{invitation.id}",
                 template="invitation", subject=f"You are invited to MIM Academy by {organisation.name}",
                 context={"name": row.name, "organisation": organisation.name, "token": token,
                          "expires_at": invitation.expires_at, "courses": list(row.courses)})


# --- the invited person -----------------------------------------------------------------------

def live(session: Session, token: str) -> Invitation:
    """The invitation behind a link, or NotFound when used, withdrawn, expired or made up."""
    row = None
    if token and len(token) <= 100:
        row = session.scalar(select(Invitation).where(Invitation.token_hash == accounts.hash_token(token)))
    if row is None or row.accepted_at is not None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise NotFound(_DEAD_LINK)
    return row


def accept(session: Session, token: str, *, name: str, password: str, actor: Actor = OPERATOR) -> User:
    """Create the invited person's account in the organisation; the link dies with it. Commits.

    The password follows the site's policy (``accounts.create_user`` checks it). Courses named in
    the invitation are assigned to the new member, and so are the organisation-wide ones.
    """
    invitation = live(session, token)
    organisation_id, email = invitation.organisation_id, invitation.email
    begin_write(session)
    claimed = session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                       Invitation.accepted_at.is_(None),
                                                       Invitation.revoked_at.is_(None))
                              .values(accepted_at=utcnow()))
    if claimed.rowcount != 1:
        session.rollback()
        raise NotFound(_DEAD_LINK)
    try:
        if session.scalar(select(func.count(User.id)).where(User.email == email)):
            raise Conflict("An account with this email address already exists; sign in instead.")
        user = accounts.create_user(session, email=email, name=name, password=password,
                                    organisation_id=organisation_id, actor=actor, commit=False)
    except ServiceError:
        session.rollback()  # the link stays usable after a refused name or password
        raise
    invitation = session.get(Invitation, invitation.id)
    invitation.user_id = user.id
    organisation = session.get(Organisation, organisation_id)
    assignments.for_new_member(session, user, organisation)
    for slug in invitation.courses:
        assignments.assign_in_transaction(session, organisation, slug, user, due_days=invitation.due_days,
                                          assigned_by=invitation.invited_by_id)
    audit.record(session, "organisation.invitation_accepted", actor=actor.as_user(user),
                 target=f"organisation:{organisation_id}", detail={"invitation": invitation.id})
    session.commit()
    return user


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    name: str
    email: str
    created_at: object
    expires_at: object
    expired: bool


def pending(session: Session, organisation_id: int, limit: int = 200) -> list[PendingInvitation]:
    """Invitations not yet accepted nor withdrawn, newest first."""
    now = utcnow()
    rows = session.scalars(select(Invitation).where(Invitation.organisation_id == organisation_id,
                                                    Invitation.accepted_at.is_(None),
                                                    Invitation.revoked_at.is_(None))
                           .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(limit))
    return [PendingInvitation(r.id, r.name, r.email, r.created_at, r.expires_at, r.expires_at <= now) for r in rows]


def withdraw(session: Session, organisation_id: int, invitation_id: int, *, actor: Actor) -> None:
    """Withdraw a pending invitation: its link stops working. Commits."""
    begin_write(session)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id or invitation.accepted_at is not None:
        raise NotFound("There is no such pending invitation in this organisation.")
    invitation.revoked_at = utcnow()
    audit.record(session, "organisation.invitation_withdrawn", actor=actor,
                 target=f"organisation:{organisation_id}", detail={"email": invitation.email})
    session.commit()
