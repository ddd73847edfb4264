"""Workers die and visitors double-submit: nothing acknowledged is lost, nothing is stored twice or by half.

Shown with registrations (a pending sign-up and its email) and with the emailed link that makes the
account. The quiz engine's versions follow the same pattern with ``Submission``s of quiz answers (one
signed-in learner each) and the attempts table:

- "kill a gunicorn worker during a burst of quiz submissions": every submission answered with a
  redirect to its result has its attempt stored, complete (answers and score);
- "twenty parallel identical submissions record one attempt": ``all_at_once`` on twenty copies of
  one learner's submission, then exactly one attempt.
"""

from __future__ import annotations

from sqlalchemy import func, select

from academy.models import AuditEvent, OutboxMessage, SignUp, User
from harness.http import Response
from tests.support.load import Outcome, all_at_once, burst_with_worker_kill
from tests.support.signups import signup_link

from .conftest import finishing, registration

SENT = "we sent a link to"


def _acknowledged(outcome: Outcome) -> bool:
    """The visitor was told it worked: "check your inbox" came back."""
    response: Response | None = outcome.result
    return outcome.ok and response.status == 200 and SENT in response.text


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
        stored = set(db.scalars(select(SignUp.email).where(SignUp.email.like("burst%"))))
        emailed = set(db.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "signup")))
        audited = set(db.scalars(select(AuditEvent.target).where(AuditEvent.action == "auth.signup_requested")))
        assert db.scalar(select(func.count(User.id)).where(User.email.like("burst%"))) == 0  # not before the link
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)}"
    # The pending sign-up, its email and its audit record are one transaction: all or none.
    assert stored == emailed and {f"email:{email}" for email in stored} == audited

    replacement = site.server.wait_for_workers(2, exclude=frozenset({killed}))
    assert killed not in replacement
    late = registration(site, 99).send()
    assert late.status == 200 and SENT in late.text, "the site did not recover after the worker died"


def test_twenty_identical_registrations_at_once_send_one_link_and_twenty_clicks_make_one_account(serve):
    site = serve(workers=2)
    submissions = [registration(site, n, email="twin@example.com") for n in range(20)]
    outcomes = all_at_once([s.send for s in submissions])

    assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes if not o.ok]
    for outcome in outcomes:  # every one gets the same answer
        assert outcome.result.status == 200 and SENT in outcome.result.text, outcome.result.text[:300]
    with site.session() as db:
        assert db.scalar(select(func.count(SignUp.id)).where(SignUp.email == "twin@example.com")) == 1
        assert db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == "twin@example.com")) == 1
        link = signup_link(db, "twin@example.com")

    clicks = [finishing(site, 100 + n, link) for n in range(20)]
    outcomes = all_at_once([c.send for c in clicks])
    assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes if not o.ok]
    statuses = sorted(o.result.status for o in outcomes)
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 404}, statuses  # the others: "this link cannot be used"
    with site.session() as db:
        assert db.scalar(select(func.count(User.id)).where(User.email == "twin@example.com")) == 1
