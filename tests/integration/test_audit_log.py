"""Reading the audit log: filters, pages, newest first; and nothing that could edit or delete it."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

from sqlalchemy import update

from academy.domain.filters import DateRange
from academy.models import AuditEvent, Role, utcnow
from academy.services import audit
from academy.services.actors import Actor
from academy.services.pagination import PAGE_SIZE


def add(db, action: str, *, actor_id=None, days_ago: int = 0) -> AuditEvent:
    event = audit.record(db, action, actor=Actor(actor_id, ip="198.51.100.7"), target="user:1")
    db.flush()
    db.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(at=utcnow() - timedelta(days=days_ago)))
    db.commit()
    return event


def test_filters_by_action_actor_and_inclusive_dates(db, make_user):
    grace = make_user(Role.ADMIN, name="Grace Hopper", email="grace@example.com")
    add(db, "export.certificates", actor_id=grace.id, days_ago=10)
    add(db, "export.certificates", days_ago=2)
    add(db, "user.role_changed", actor_id=grace.id, days_ago=1)
    exports = audit.search(db, audit.AuditFilter(action="export.certificates"))
    assert exports.total == 2
    by_grace = audit.search(db, audit.AuditFilter(actor="HOPPER"))
    assert {e.action for e in by_grace.items} == {"user.created", "export.certificates", "user.role_changed"}
    assert audit.search(db, audit.AuditFilter(actor="grace@")).total == 3
    today = utcnow().date()
    two_days = DateRange(today - timedelta(days=2), today - timedelta(days=1))
    recent = audit.search(db, audit.AuditFilter(dates=two_days))
    assert [e.action for e in recent.items] == ["user.role_changed", "export.certificates"]


def test_pages_hold_a_fixed_number_of_events_newest_first(db):
    for n in range(PAGE_SIZE + 5):
        add(db, f"test.event_{n:03d}", days_ago=0)
    first = audit.search(db, audit.AuditFilter())
    second = audit.search(db, audit.AuditFilter(page=2))
    assert first.total == PAGE_SIZE + 5 and first.pages == 2
    assert len(first.items) == PAGE_SIZE and len(second.items) == 5
    assert first.items[0].id > first.items[-1].id > second.items[0].id


def test_a_far_future_end_date_is_no_limit(db):
    add(db, "user.created")
    assert audit.search(db, audit.AuditFilter(dates=DateRange(until=date.max))).total == 1


def test_the_log_offers_no_way_to_edit_or_delete_entries(app):
    # The service: record only appends; every other function only reads.
    functions = [n for n, f in inspect.getmembers(audit, inspect.isfunction) if f.__module__ == audit.__name__]
    assert "record" in functions
    assert not [n for n in functions if any(w in n for w in ("update", "delete", "edit", "remove", "purge"))]
    # The model: no method of its own beyond the columns (and the constructor SQLAlchemy gives it).
    assert not [n for n, v in vars(AuditEvent).items() if inspect.isfunction(v) and n != "__init__"]
    # The web: every route that shows the log is read-only.
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
