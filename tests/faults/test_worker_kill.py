"""Workers die and visitors double-submit: nothing acknowledged is lost, nothing is stored twice or by half.

Shown with registrations, the write that exists today. The quiz engine's versions follow the same
pattern with ``Submission``s of quiz answers (one signed-in learner each) and the attempts table:

- "kill a gunicorn worker during a burst of quiz submissions": every submission answered with a
  redirect to its result has its attempt stored, complete (answers and score);
- "twenty parallel identical submissions record one attempt": ``all_at_once`` on twenty copies of
  one learner's submission, then exactly one attempt.
"""

from __future__ import annotations

from sqlalchemy import func, select

from academy.models import AuditEvent, LoginSession, User
from harness.http import Response
from tests.support.load import Outcome, all_at_once, burst_with_worker_kill

from .conftest import registration


def _acknowledged(outcome: Outcome) -> bool:
    """The visitor was told it worked: a redirect to the dashboard came back."""
    response: Response | None = outcome.result
    return outcome.ok and response.status == 302 and response.location.endswith("/dashboard")


def _answered_badly(outcome: Outcome) -> bool:
    """A response no visitor should ever see (a crash page), as opposed to a refused connection."""
    return outcome.ok and outcome.result.status >= 500 and outcome.result.status != 503


def test_every_acknowledged_registration_survives_a_worker_killed_mid_burst(serve):
    site = serve(workers=2)
    submissions = [registration(site, n) for n in range(36)]
    outcomes, killed = burst_with_worker_kill(site.server, [s.send for s in submissions], concurrency=8)

    acknowledged = {submissions[o.index].form["email"] for o in outcomes if _acknowledged(o)}
    assert acknowledged, "no registration was acknowledged at all"
    assert not [o for o in outcomes if _answered_badly(o)], "a visitor got an error page"
    with site.session() as db:
        stored = set(db.scalars(select(User.email).where(User.email.like("burst%"))))
        created = set(db.scalars(select(AuditEvent.target).where(AuditEvent.action == "user.created")))
        signed_in = set(db.scalars(select(User.email).join(LoginSession, LoginSession.user_id == User.id)))
        ids = dict(db.execute(select(User.email, User.id)).all())
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)}"
    assert acknowledged <= signed_in, "acknowledged without the session the visitor was given"
    # The account and its audit record are one transaction: both or neither.
    assert {f"user:{ids[email]}" for email in stored} <= created

    replacement = site.server.wait_for_workers(2, exclude=frozenset({killed}))
    assert killed not in replacement
    late = registration(site, 99).send()
    assert late.status == 302, "the site did not recover after the worker died"


def test_twenty_identical_registrations_at_once_create_one_account(serve):
    site = serve(workers=2)
    submissions = [registration(site, n, email="twin@example.com") for n in range(20)]
    outcomes = all_at_once([s.send for s in submissions])

    assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes if not o.ok]
    statuses = sorted(o.result.status for o in outcomes)
    assert statuses.count(302) == 1, statuses
    refused = [o.result for o in outcomes if o.result.status != 302]
    for response in refused:
        # The others queue for the write lock and are then told the address is taken.
        assert response.status == 200 and "already exists" in response.text, (response.status, response.text[:300])
    with site.session() as db:
        assert db.scalar(select(func.count(User.id)).where(User.email == "twin@example.com")) == 1
