"""Looking up people and organisations for the admin area."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from academy.models import Organisation, User

PAGE_SIZE = 50


@dataclass(frozen=True)
class UserFilter:
    query: str = ""
    role: str = ""
    organisation_id: int | None = None
    page: int = 1


def search_users(session: Session, flt: UserFilter) -> tuple[list[User], int]:
    """A page of users matching ``flt`` (name or email contains the query), and the total count."""
    stmt = select(User).options(joinedload(User.organisation))
    if flt.query:
        needle = f"%{flt.query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(needle), User.email.like(needle)))
    if flt.role:
        stmt = stmt.where(User.role == flt.role)
    if flt.organisation_id:
        stmt = stmt.where(User.organisation_id == flt.organisation_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, flt.page)
    users = session.scalars(stmt.order_by(User.name, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(users), int(total or 0)


def organisations_with_counts(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation with its number of members, by name."""
    rows = session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, count) for org, count in rows]
