"""An organisation's own records for its manager: certificates and assignment standings, as export rows.

Certificates reuse the admin export's query and row shaping, restricted to the organisation's
people. Assignment rows are computed in batches of people (four queries per batch), so a large
organisation costs a handful of queries, not one per person.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.domain import assignments as rules
from academy.domain import exports as shaping
from academy.domain.exports import CertificateFilter
from academy.models import Organisation, User

from . import exports, organisations

BATCH = 1000


def rows(session: Session, organisation_id: int, kind: str, now: datetime,
         base_url: str) -> tuple[Iterator[dict[str, Any]], tuple[str, ...]]:
    """The rows and columns of ``kind`` ("certificates" or "assignments") for one organisation."""
    if kind == "certificates":
        resolved = exports.ResolvedFilter(CertificateFilter(), organisation_id=organisation_id)
        return exports.rows(session, resolved, now, base_url), shaping.COLUMNS
    return assignment_rows(session, organisation_id, now), shaping.ASSIGNMENT_COLUMNS


def assignment_rows(session: Session, organisation_id: int, now: datetime) -> Iterator[dict[str, Any]]:
    """A row per member and assigned course, members by name."""
    organisation = session.get(Organisation, organisation_id)
    courses = organisations.published_courses(session)
    members = list(session.scalars(select(User).where(User.organisation_id == organisation_id)
                                   .order_by(User.name, User.id)))
    for start in range(0, len(members), BATCH):
        batch = members[start:start + BATCH]
        facts = organisations.load_facts(session, organisation_id, [u.id for u in batch])
        for user in batch:
            for course in courses:
                standing = facts.standing(user, course.id, now)
                if standing is None:
                    continue
                held = facts.activity_of(user.id, course.id).certificate
                state = None if held is None else rules.certificate_state(
                    expires_at=held.expires_at, revoked=held.revoked, now=now)
                everyone = bool(facts.assignments.get(course.id, {}).get(None))
                yield shaping.assignment_row(
                    holder_name=user.name, email=user.email, organisation=organisation.name, course=course.title,
                    everyone=everyone, due=standing.due_on, status=standing.status.value,
                    recertification=standing.recertification, certificate_status=state and state.value,
                    certificate_expires=held.expires_at if held else None)
