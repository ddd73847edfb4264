"""Quiz submissions under fire: a learner's twenty identical posts, and a worker killed mid-burst.

Every acknowledged submission (a redirect to its result) is stored complete: the attempt
submitted and scored, one answer row per drawn question. Nothing is stored twice or by half.
"""

from __future__ import annotations

from sqlalchemy import func, select

from academy.domain.grading import Layout
from academy.models import Attempt, AttemptAnswer, AttemptStatus
from harness.attempts import StartedAttempt, start_attempt
from harness.http import HttpClient
from harness.live_server import LiveSite
from tests.support.load import Outcome, all_at_once, burst_with_worker_kill
from tests.support.quizzes import COURSE, RIGHT, enrol, write_content

from .conftest import visitor_ip

QUIZ = "basics"


def _publish(site: LiveSite, root) -> None:
    write_content(root)
    site.flask("content", "sync", str(root))


def _learner_with_attempt(site: LiveSite, n: int) -> StartedAttempt:
    account = site.create_user("learner", email=f"quiz{n}@example.com")
    enrol(site.app, account.id)
    client = HttpClient(site.base_url, source_ip=visitor_ip(n), timeout=30)
    client.sign_in(account.email, account.password)
    return start_attempt(client, COURSE, QUIZ, answers=RIGHT)


def _to_result(outcome: Outcome, token: str) -> bool:
    response = outcome.result
    return outcome.ok and response.status == 302 and response.location.endswith(f"/attempts/{token}/result")


def _check_complete(db, tokens: set[str]) -> dict[str, str]:
    """Status per token; every submitted attempt has its score and exactly its drawn answers, once."""
    statuses = {}
    for attempt in db.scalars(select(Attempt).where(Attempt.token.in_(tokens))):
        statuses[attempt.token] = attempt.status
        keys = sorted(a.question_key for a in attempt.answers)
        if attempt.status == AttemptStatus.SUBMITTED.value:
            drawn = sorted(Layout.from_dict(attempt.layout).question_keys)
            assert keys == drawn, (attempt.token, keys, drawn)
            assert attempt.submitted_at is not None and attempt.score_percent is not None
            assert attempt.points is not None and attempt.submission_key
            assert all(a.correct is not None and a.points is not None for a in attempt.answers)
        else:
            # Not submitted: nothing graded was left behind (no half-stored submission).
            assert attempt.status == AttemptStatus.IN_PROGRESS.value, (attempt.token, attempt.status)
            assert attempt.submitted_at is None and attempt.score_percent is None
            assert all(a.correct is None and a.points is None for a in attempt.answers), attempt.token
    return statuses


def test_twenty_identical_quiz_submissions_at_once_record_one_attempt(serve, tmp_path):
    site = serve(workers=2)
    _publish(site, tmp_path / "content")
    attempt = _learner_with_attempt(site, 1)

    outcomes = all_at_once([attempt.send] * 20)

    assert all(o.ok for o in outcomes), [repr(o.error) for o in outcomes if not o.ok]
    result = f"/attempts/{attempt.token}/result"
    for o in outcomes:
        # Each replay of the same form is answered with the recorded result, never an error.
        assert (o.result.status == 302 and o.result.location.endswith(result)) or (
            o.result.status == 200 and "result" in o.result.text.lower()), (o.result.status, o.result.text[:300])
    with site.session() as db:
        attempts = db.scalars(select(Attempt)).all()  # a fresh site: this learner's are the only ones
        assert len(attempts) == 1
        stored = attempts[0]
        assert stored.token == attempt.token and stored.status == AttemptStatus.SUBMITTED.value
        assert stored.submission_key == attempt.form["submission_key"]
        assert stored.score_percent == 100 and stored.passed
        rows = db.scalar(select(func.count(AttemptAnswer.id)).where(AttemptAnswer.attempt_id == stored.id))
        assert rows == len(Layout.from_dict(stored.layout).question_keys)
        _check_complete(db, {attempt.token})
    assert attempt.client.get(result).status == 200


def test_every_acknowledged_quiz_submission_survives_a_worker_killed_mid_burst(serve, tmp_path):
    site = serve(workers=2)
    _publish(site, tmp_path / "content")
    attempts = [_learner_with_attempt(site, n) for n in range(40)]

    outcomes, killed = burst_with_worker_kill(site.server, [a.send for a in attempts], concurrency=8)

    acknowledged = {attempts[o.index].token for o in outcomes if _to_result(o, attempts[o.index].token)}
    assert acknowledged, "no submission was acknowledged at all"
    crashed = [o for o in outcomes if o.ok and o.result.status >= 500 and o.result.status != 503]
    assert not crashed, [(o.result.status, o.result.text[:200]) for o in crashed]
    with site.session() as db:
        statuses = _check_complete(db, {a.token for a in attempts})
        orphans = db.scalar(select(func.count(AttemptAnswer.id)).where(
            ~AttemptAnswer.attempt_id.in_(select(Attempt.id).where(Attempt.status == AttemptStatus.SUBMITTED.value))))
    assert orphans == 0, "answers stored for an attempt that was not submitted"
    lost = sorted(t for t in acknowledged if statuses.get(t) != AttemptStatus.SUBMITTED.value)
    assert not lost, f"acknowledged but not stored: {lost}"

    site.server.wait_for_workers(2, exclude=frozenset({killed}))
    # The unacknowledged ones are still open and can be submitted again: the site recovered.
    retry = next((a for a in attempts if a.token not in acknowledged), None) or _learner_with_attempt(site, 99)
    again = retry.send()
    assert again.status == 302 and again.location.endswith(f"/attempts/{retry.token}/result"), again.status
