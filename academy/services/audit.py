"""The append-only audit log: recording an event, and reading the log filtered, newest first.

Events are added by :func:`record` in the same commit as the change they describe; nothing in the
application edits or deletes them. Everything else in this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from academy.domain.filters import DateRange
from academy.models import AuditEvent, User

from .actors import OPERATOR, Actor
from .pagination import Page, paginate

#: What each action means, for people reading the log; unknown actions are shown as they are.
ACTION_LABELS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.password_changed": "Changed password",
    "auth.password_reset": "Reset password with a link",
    "user.created": "Account created",
    "user.role_changed": "Role changed",
    "user.deactivated": "Account deactivated",
    "user.reactivated": "Account reactivated",
    "user.reset_link_issued": "Reset link issued",
    "user.name_changed": "Name changed",
    "user.joined_organisation": "Joined an organisation",
    "user.organisation_changed": "Moved to another organisation",
    "organisation.created": "Organisation created",
    "organisation.renamed": "Organisation renamed",
    "organisation.join_code_regenerated": "Join code regenerated",
    "certificate.earned": "Certificate issued",
    "certificate.renewed": "Certificate renewed",
    "certificate.revoked": "Certificate revoked",
    "certificate.reissued": "Certificate reissued",
    "export.certificates": "Certificates exported",
    "export.xapi": "Learning records exported",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "content.synced": "Content synced",
    "content.published": "Content published",
    "content.withdrawn": "Course withdrawn",
    "content.course_created": "Course created",
    "content.imported": "Course imported",
    "content.restored": "Version restored",
    "content.draft_saved": "Draft saved",
    "content.draft_discarded": "Draft discarded",
    "content.editor_assigned": "Editor assigned",
    "content.editor_removed": "Editor removed",
    "demo.seeded": "Demo data seeded",
}


def record(
    session: Session,
    action: str,
    *,
    actor: Actor = OPERATOR,
    target: str | None = None,
    detail: Any = None,
) -> AuditEvent:
    """Add an audit event by ``actor`` to ``session``; the caller's commit makes it permanent with the change."""
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True, default=str)
    event = AuditEvent(action=action, actor_id=actor.user_id, target=target, detail=detail, ip=actor.ip)
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    """What to show: an exact action, an actor (name or email contains), a date range (inclusive)."""

    action: str = ""
    actor: str = ""
    dates: DateRange = DateRange()
    page: int = 1


def search(session: Session, flt: AuditFilter) -> Page[AuditEvent]:
    """A page of events matching ``flt``, newest first, with their actors loaded."""
    stmt = select(AuditEvent)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.actor:
        needle = f"%{flt.actor.strip().lower()}%"
        stmt = stmt.join(User, User.id == AuditEvent.actor_id).where(
            or_(func.lower(User.name).like(needle), User.email.like(needle)))
    start, end = flt.dates.start(), flt.dates.end()
    if start:
        stmt = stmt.where(AuditEvent.at >= start)
    if end:
        stmt = stmt.where(AuditEvent.at < end)
    return paginate(session, stmt.options(joinedload(AuditEvent.actor))
                    .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), flt.page)


def actions(session: Session) -> list[str]:
    """Every action that occurs in the log or has a label, for the filter's choices."""
    seen = set(session.scalars(select(AuditEvent.action).distinct()))
    return sorted(seen | set(ACTION_LABELS))


def for_target(session: Session, target: str, limit: int = 20) -> list[AuditEvent]:
    """The latest events about one thing (``"user:12"``), newest first."""
    return list(session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                                .where(AuditEvent.target == target)
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def detail_items(detail: str | None) -> list[tuple[str, str]]:
    """An event's detail as (label, value) lines for people to read, not raw JSON.

    ``{"new_code": "7KQ2-...", "old_name": "Ana"}`` becomes ``[("New code", "7KQ2-..."), ("Old name",
    "Ana")]``; a value that is not text is written compactly; detail that is not a JSON object is
    one line without a label.
    """
    if not detail:
        return []
    try:
        parsed = json.loads(detail)
    except ValueError:
        return [("", detail)]
    if not isinstance(parsed, dict):
        return [("", detail)]
    return [(str(key).replace("_", " ").capitalize(), _plain(value)) for key, value in parsed.items()]


def _plain(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(map(str, value))
    return json.dumps(value, ensure_ascii=False)
