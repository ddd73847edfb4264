"""The append-only audit log."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from academy.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    target: str | None = None,
    detail: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add an audit event to ``session``; the caller's commit makes it permanent with the change."""
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True, default=str)
    event = AuditEvent(action=action, actor_id=actor_id, target=target, detail=detail, ip=ip)
    session.add(event)
    return event
