"""What each worker keeps per content version (outlines, parsed quiz definitions, links) never hides
a new version: a sync shows at once on the next request, with no restart."""

from __future__ import annotations

from sqlalchemy import select

from academy.models import Attempt
from tests.support.quizzes import BASICS, COURSE, QUIZZES, enrol, publish
from tests.web.test_quiz_pages import form_answers, start, submission_key, token_of


def test_a_new_content_version_shows_at_once(app, runner, content_dir, learner_client, db):
    publish(runner, content_dir)
    enrol(app, learner_client.user.id)
    module = f"/courses/{COURSE}/basics"
    assert "About basics." in learner_client.get(module).get_data(as_text=True)  # outline cached now

    def submit_two_of_three_right() -> Attempt:
        path = start(learner_client)
        html = learner_client.get(path).get_data(as_text=True)
        answers = form_answers(db, token_of(path))
        answers["q-shield"] = ["a"]  # one of the three questions wrong
        learner_client.submit(f"{path}/submit", {**answers, "submission_key": submission_key(html)}, page=path)
        db.rollback()
        return db.scalar(select(Attempt).where(Attempt.token == token_of(path)))

    assert submit_two_of_three_right().passed  # pass mark 60: the definition is cached now

    # A new version: the module rewritten and the quiz's pass mark raised to 100.
    publish(runner, content_dir, {**QUIZZES, "basics": BASICS.replace("pass_mark: 60", "pass_mark: 100")})
    (content_dir / "courses" / COURSE / "01-basics.md").write_text("---\ntitle: Basics\n---\nRewritten basics.\n")
    assert runner.invoke(args=["content", "sync", str(content_dir)]).exit_code == 0

    html = learner_client.get(module).get_data(as_text=True)
    assert "Rewritten basics." in html and "About basics." not in html
    assert not submit_two_of_three_right().passed  # graded against the new version at once
