"""Admin changes to people and organisations: audit-logged, and never leaving the site without an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from academy.models import AuditEvent, LoginSession, Organisation, Role, User, utcnow
from academy.services import accounts, people
from academy.services.actors import OPERATOR, Actor
from academy.services.errors import Conflict, InvalidInput, NotFound


def events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_changing_a_role_is_recorded_with_both_roles(db, make_user):
    admin, learner = make_user(Role.ADMIN), make_user()
    people.change_role(db, learner.id, Role.INSTRUCTOR, actor=Actor(admin.id, ip="203.0.113.9"))
    assert db.get(User, learner.id).role == Role.INSTRUCTOR
    [event] = events(db, "user.role_changed")
    assert (event.actor_id, event.target, event.ip) == (admin.id, f"user:{learner.id}", "203.0.113.9")
    assert '"from": "learner"' in event.detail and '"to": "instructor"' in event.detail


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(db, make_user):
    admin = make_user(Role.ADMIN, name="Grace Hopper")
    with pytest.raises(Conflict, match="Grace Hopper is the last active admin.*Make another account an admin"):
        people.change_role(db, admin.id, Role.LEARNER, actor=Actor(admin.id))
    other = make_user(Role.ADMIN)
    people.set_active(db, other.id, False, actor=Actor(admin.id))  # a deactivated admin does not count
    with pytest.raises(Conflict, match="last active admin"):
        people.change_role(db, admin.id, Role.INSTRUCTOR, actor=Actor(other.id))
    assert db.get(User, admin.id).role == Role.ADMIN and not events(db, "user.role_changed")


def test_an_admin_may_step_down_while_another_admin_remains(db, make_user):
    first, second = make_user(Role.ADMIN), make_user(Role.ADMIN)
    people.change_role(db, first.id, Role.INSTRUCTOR, actor=Actor(first.id))
    with pytest.raises(Conflict):
        people.change_role(db, second.id, Role.LEARNER, actor=Actor(second.id))


def test_deactivating_signs_the_person_out_everywhere_and_reactivating_lets_them_back(db, make_user):
    admin, learner = make_user(Role.ADMIN), make_user()
    for _ in range(2):
        accounts.start_login_session(db, learner, actor=OPERATOR, user_agent="test")
    people.set_active(db, learner.id, False, actor=Actor(admin.id))
    assert not db.get(User, learner.id).active
    assert all(s.revoked_at is not None for s in db.scalars(select(LoginSession).where(
        LoginSession.user_id == learner.id)))
    people.set_active(db, learner.id, True, actor=Actor(admin.id))
    assert db.get(User, learner.id).active
    assert [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.target == f"user:{learner.id}")
                                         .order_by(AuditEvent.id))][-2:] == ["user.deactivated", "user.reactivated"]


def test_admins_cannot_deactivate_themselves(db, make_user):
    admin = make_user(Role.ADMIN)
    make_user(Role.ADMIN)
    with pytest.raises(Conflict, match="your own account"):
        people.set_active(db, admin.id, False, actor=Actor(admin.id))


def test_changing_nothing_records_nothing_and_unknown_people_are_not_found(db, make_user):
    admin, learner = make_user(Role.ADMIN), make_user()
    people.change_role(db, learner.id, Role.LEARNER, actor=Actor(admin.id))
    people.set_active(db, learner.id, True, actor=Actor(admin.id))
    assert not events(db, "user.role_changed") and not events(db, "user.reactivated")
    with pytest.raises(NotFound):
        people.change_role(db, 999_999, Role.LEARNER, actor=Actor(admin.id))
    with pytest.raises(InvalidInput):
        people.change_role(db, learner.id, "superuser", actor=Actor(admin.id))


def test_organisations_are_renamed_uniquely_and_their_join_code_replaced(db, make_user):
    admin = make_user(Role.ADMIN)
    northbank = accounts.create_organisation(db, "Northbank Financial", actor=Actor(admin.id))
    accounts.create_organisation(db, "Kestrel Health", actor=Actor(admin.id))
    with pytest.raises(Conflict):
        people.rename_organisation(db, northbank.id, "KESTREL health", actor=Actor(admin.id))
    people.rename_organisation(db, northbank.id, "  Northbank Bank ", actor=Actor(admin.id))
    assert db.get(Organisation, northbank.id).name == "Northbank Bank"
    old_code = db.get(Organisation, northbank.id).join_code
    people.regenerate_join_code(db, northbank.id, actor=Actor(admin.id))
    assert accounts.find_organisation_by_code(db, old_code) is None
    assert accounts.find_organisation_by_code(db, db.get(Organisation, northbank.id).join_code).id == northbank.id
    assert [e.action for e in db.scalars(select(AuditEvent).where(
        AuditEvent.target == f"organisation:{northbank.id}").order_by(AuditEvent.id))] == [
        "organisation.created", "organisation.renamed", "organisation.join_code_regenerated"]


def test_users_are_filtered_by_status(db, make_user):
    admin, gone = make_user(Role.ADMIN), make_user()
    people.set_active(db, gone.id, False, actor=Actor(admin.id))
    found = people.search_users(db, people.UserFilter(status="deactivated"))
    assert found.total == 1 and found.items[0].id == gone.id
    assert people.search_users(db, people.UserFilter(status="active")).total == 1


def test_an_organisations_overview_counts_its_people_and_certificates(app, runner, content_dir, db):
    from tests.support import reporting
    reporting.seed(app, runner, content_dir, learners=30)
    organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
    overview = people.organisation_overview(db, organisation.id, utcnow())
    members = db.scalars(select(User).where(User.organisation_id == organisation.id)).all()
    assert overview.members == len(members)
    assert {p.user_id for p in overview.learners} <= {m.id for m in members}
    assert sum(overview.certificate_counts.values()) == len(overview.certificates)
    assert 0 <= overview.average_percent <= 100
