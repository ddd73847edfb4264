"""Certification records for exports and the API: resolve the filter, stream the rows, log the export.

The web download, ``flask certificates export`` and the token API take the same steps through
:func:`certificate_filter` (the filter as typed, checked and found in the database) and
:func:`start_export` (audit-logged, then written by :class:`CertificateExport`).

Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL, a stepped cursor on SQLite),
so memory stays flat however many certificates match. The export is audit-logged before the first
row is read: a download that fails half-way still shows in the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from academy.domain import exports as shaping
from academy.domain.certification import Status
from academy.domain.exports import CertificateFilter, CertificateRecord, record_row
from academy.domain.filters import FilterError, parse_date_range
from academy.models import Certificate, Course, CourseVersion, Organisation, User

from . import audit, xapi
from .actors import Actor
from .errors import InvalidInput

#: Rows fetched from the database at a time.
BATCH_SIZE = 1000


@dataclass(frozen=True)
class ResolvedFilter:
    """A :class:`CertificateFilter` with its course and organisation found in the database."""

    filter: CertificateFilter
    course_id: int | None = None
    organisation_id: int | None = None
    #: One holder's certificates only (the admin's user page; never typed by people).
    user_id: int | None = None


def resolve(session: Session, flt: CertificateFilter) -> ResolvedFilter:
    """Find the course (by slug) and organisation (by id or name) the filter names.

    Raises InvalidInput naming the field when either does not exist.
    """
    course_id = organisation_id = None
    if flt.course:
        course_id = session.scalar(select(Course.id).where(Course.slug == flt.course))
        if course_id is None:
            raise InvalidInput(f"There is no course with the slug {flt.course!r}.",
                               {"course": [f"There is no course with the slug {flt.course!r}."]})
    if flt.organisation:
        organisation_id = find_organisation_id(session, flt.organisation)
        if organisation_id is None:
            message = f"There is no organisation named {flt.organisation!r} (or with that id)."
            raise InvalidInput(message, {"organisation": [message]})
    return ResolvedFilter(flt, course_id, organisation_id)


def find_organisation_id(session: Session, name_or_id: str) -> int | None:
    """The id of the organisation with this id or name (names compare case-insensitively)."""
    conditions = [func.lower(Organisation.name) == name_or_id.lower()]
    if name_or_id.isascii() and name_or_id.isdigit() and len(name_or_id) < 10:
        conditions.append(Organisation.id == int(name_or_id))
    # An organisation literally named "42" still wins over the organisation with id 42.
    rows = session.execute(select(Organisation.id, Organisation.name).where(or_(*conditions))).all()
    by_name = [row.id for row in rows if row.name.lower() == name_or_id.lower()]
    return by_name[0] if by_name else (rows[0].id if rows else None)


def record_query(resolved: ResolvedFilter, now: datetime) -> Select:
    """The SELECT behind every export and API listing, ordered by certificate id."""
    flt = resolved.filter
    stmt = (select(Certificate.id, Certificate.code, Certificate.holder_name, User.email,
                   Organisation.name.label("organisation"), Certificate.course_title, CourseVersion.number,
                   Certificate.score_percent, Certificate.issued_at, Certificate.expires_at,
                   Certificate.revoked_at, Certificate.revoked_reason)
            .join(User, User.id == Certificate.user_id)
            .join(CourseVersion, CourseVersion.id == Certificate.course_version_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id))
    if resolved.course_id is not None:
        stmt = stmt.where(Certificate.course_id == resolved.course_id)
    if resolved.organisation_id is not None:
        stmt = stmt.where(User.organisation_id == resolved.organisation_id)
    if resolved.user_id is not None:
        stmt = stmt.where(Certificate.user_id == resolved.user_id)
    start, end = flt.dates.start(), flt.dates.end()
    if start:
        stmt = stmt.where(Certificate.issued_at >= start)
    if end:
        stmt = stmt.where(Certificate.issued_at < end)
    if flt.status:
        stmt = stmt.where(_status_condition(Status(flt.status), now))
    return stmt.order_by(Certificate.id)


def _status_condition(status: Status, now: datetime):
    # The SQL twin of domain.certification.status_at: revoked wins, then expiry.
    live = Certificate.revoked_at.is_(None)
    if status is Status.REVOKED:
        return Certificate.revoked_at.is_not(None)
    if status is Status.EXPIRED:
        return and_(live, Certificate.expires_at <= now)
    return and_(live, or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def _record(row) -> CertificateRecord:
    return CertificateRecord(
        code=row.code, holder_name=row.holder_name, email=row.email, organisation=row.organisation,
        course=row.course_title, course_version=row.number, score=row.score_percent, issued_at=row.issued_at,
        expires_at=row.expires_at, revoked=row.revoked_at is not None, revocation_reason=row.revoked_reason)


def records(session: Session, resolved: ResolvedFilter, now: datetime) -> Iterator[CertificateRecord]:
    """Every matching certificate, streamed in batches of :data:`BATCH_SIZE`."""
    result = session.execute(record_query(resolved, now).execution_options(yield_per=BATCH_SIZE))
    for row in result:
        yield _record(row)


def rows(session: Session, resolved: ResolvedFilter, now: datetime, base_url: str) -> Iterator[dict[str, Any]]:
    """The export rows (``domain.exports.record_row``) of every matching certificate, streamed."""
    for record in records(session, resolved, now):
        yield record_row(record, now=now, base_url=base_url)


def page(session: Session, resolved: ResolvedFilter, now: datetime, *, after_id: int,
         limit: int) -> tuple[list[CertificateRecord], int | None]:
    """Up to ``limit`` records with an id above ``after_id``, and the id to continue after (or None)."""
    rows = session.execute(record_query(resolved, now).where(Certificate.id > after_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_record(r) for r in rows], (rows[-1].id if more else None)


def latest(session: Session, resolved: ResolvedFilter, now: datetime, *, limit: int) -> list[CertificateRecord]:
    """The ``limit`` most recently issued matching records, newest first (for pages, not exports)."""
    stmt = record_query(resolved, now).order_by(None).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    return [_record(row) for row in session.execute(stmt.limit(limit))]


def count(session: Session, resolved: ResolvedFilter, now: datetime) -> int:
    """How many records match (for a progress bar)."""
    return session.scalar(select(func.count()).select_from(record_query(resolved, now).order_by(None).subquery()))


def record_by_code(session: Session, code: str, now: datetime) -> CertificateRecord | None:
    """The record of the certificate with this (display-form) code, or None."""
    row = session.execute(record_query(ResolvedFilter(CertificateFilter()), now)
                          .where(Certificate.code == code)).first()
    return _record(row) if row else None


def log_export(session: Session, kind: str, fmt: str, filters: dict[str, str], *, actor: Actor,
               via: str = "web") -> None:
    """Audit-log an export (what, in which format, with which filters, from where). Commits."""
    audit.record(session, f"export.{kind}", actor=actor, target=kind,
                 detail={"format": fmt, "filters": filters, "via": via})
    session.commit()


def certificate_filter(session: Session, **typed: str | None) -> ResolvedFilter:
    """The filter as a person typed it (course, organisation, since, until, status), checked and resolved.

    Raises InvalidInput whose ``field_errors`` name the field at fault.
    """
    try:
        flt = shaping.parse_filter(**typed)
    except FilterError as exc:
        raise InvalidInput(str(exc), {exc.field: [str(exc)]}) from None
    return resolve(session, flt)


@dataclass(frozen=True)
class CertificateExport:
    """An export that has been audit-logged: its format, its rows, and the file name to give it."""

    resolved: ResolvedFilter
    format: str
    now: datetime
    base_url: str

    @property
    def filename(self) -> str:
        return shaping.export_filename("certificates", self.format, self.now.date())

    @property
    def media_type(self) -> str:
        return shaping.MEDIA_TYPES[self.format]

    @property
    def binary(self) -> bool:
        return self.format == "xlsx"

    def rows(self, session: Session) -> Iterator[dict[str, Any]]:
        return rows(session, self.resolved, self.now, self.base_url)

    def write(self, rows: Iterable[dict[str, Any]], target: IO[Any]) -> None:
        """Write ``rows`` (from :meth:`rows`) to ``target``: bytes for XLSX, text for CSV and JSON Lines."""
        if self.binary:
            shaping.write_xlsx(rows, target)
        else:
            target.writelines(self.chunks(rows))

    def chunks(self, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
        """The text formats piece by piece, for a streamed download."""
        return shaping.TEXT_WRITERS[self.format](rows)


def start_export(session: Session, resolved: ResolvedFilter, fmt: str, *, base_url: str, now: datetime,
                 actor: Actor, via: str = "web") -> CertificateExport:
    """Audit-log a certificate export (commits) and return what writes it."""
    log_export(session, "certificates", fmt, resolved.filter.describe(), actor=actor, via=via)
    return CertificateExport(resolved, fmt, now, base_url)


@dataclass(frozen=True)
class XapiExport:
    """An xAPI export that has been audit-logged: the statements to write and the file name to give them."""

    scope: xapi.Scope
    now: datetime
    base_url: str
    media_type = shaping.MEDIA_TYPES["json"]

    @property
    def filename(self) -> str:
        return shaping.export_filename("xapi-statements", "json", self.now.date())

    def lines(self, session: Session) -> Iterator[str]:
        """The statements as JSON Lines, read in batches."""
        return xapi.statement_lines(session, self.scope, base_url=self.base_url)


def start_xapi_export(session: Session, *, course: str | None, since: str | None, until: str | None,
                      base_url: str, now: datetime, actor: Actor, via: str = "web") -> XapiExport:
    """Check the filter as typed (InvalidInput whose ``field_errors`` name the field at fault), audit-log
    the export (commits) and return what writes it: the web download and ``flask xapi export`` both call this."""
    try:
        dates = parse_date_range(since, until)
    except FilterError as exc:
        raise InvalidInput(str(exc), {exc.field: [str(exc)]}) from None
    course_id = xapi.resolve_course(session, course)
    filters = {k: v for k, v in {"course": course, "since": dates.since and dates.since.isoformat(),
                                 "until": dates.until and dates.until.isoformat()}.items() if v}
    log_export(session, "xapi", "json", filters, actor=actor, via=via)
    return XapiExport(xapi.Scope(dates, course_id), now, base_url)
