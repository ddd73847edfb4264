"""Item statistics aggregated in SQL match the figures worked out by hand (tests/unit/test_item_statistics.py)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from academy.models import Attempt, AttemptAnswer, Quiz, QuizVersion, Role
from academy.services import analytics
from academy.services.actors import Actor
from tests.support.quizzes import publish

THREE = """\
---
title: Three items
module: 01-basics
---
""" + "".join(f"""\
## Item {n}? {{#q{n}}}
- [x] Right {n}
- [ ] Wrong {n}
- [ ] Other {n}

""" for n in (1, 2, 3))

#: Five attempts (rows) at items q1, q2, q3: 1 right, 0 wrong (the wrong ones chose option b).
MATRIX = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]]


@pytest.fixture
def quiz_id(runner, content_dir, db, make_user):
    publish(runner, content_dir, {"three": THREE})
    learners = [make_user() for _ in MATRIX]
    quiz = db.scalar(select(Quiz).where(Quiz.slug == "three"))
    version = db.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id))
    for row, learner in zip(MATRIX, learners, strict=True):
        points = sum(row)
        attempt = Attempt(token=secrets.token_urlsafe(16), user_id=learner.id, quiz_id=quiz.id,
                          quiz_version_id=version.id, status="submitted", points=points, max_points=3,
                          score_percent=points * 100 // 3, passed=points == 3, layout={"items": []})
        attempt.answers = [AttemptAnswer(question_key=f"q{i + 1}", chosen=["a" if x else "b"], correct=bool(x),
                                         points=x) for i, x in enumerate(row)]
        db.add(attempt)
    db.commit()
    return quiz.id


def test_facility_discrimination_distractors_and_reliability_from_sql(db, quiz_id, make_user):
    detail = analytics.quiz_detail(db, Actor.of(make_user(Role.ADMIN)), quiz_id)
    items = {i.key: i.stats for i in detail.items}
    assert [items[k].facility for k in ("q1", "q2", "q3")] == [0.6, 0.6, 0.2]
    assert items["q1"].discrimination == pytest.approx(0.3273, abs=1e-4)
    assert detail.reliability == pytest.approx(1.5 * (1 - 0.64 / 1.04))
    q1 = {o.option: o for o in items["q1"].options}
    assert (q1["a"].chosen, q1["b"].chosen, q1["c"].chosen) == (3, 2, 0)
    assert q1["a"].mean_score == pytest.approx((100 + 66 + 33) / 3)  # the key's choosers: 3, 2 and 1 right
    assert q1["b"].mean_score == pytest.approx((33 + 0) / 2)


def test_item_statistics_download_as_csv(admin_client, quiz_id):
    response = admin_client.get(f"/analytics/quizzes/{quiz_id}/items.csv")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert response.text.startswith("\ufeff")  # Excel reads it as UTF-8, as the other CSV downloads
    lines = response.text.removeprefix("\ufeff").splitlines()
    assert lines[0] == "item,prompt,answers,facility,discrimination,options,flags,reliability"
    assert lines[1].startswith("q1,Item 1?,5,0.600,0.327,a* 60% (mean 66%) | b 40% (mean 16%) | c 0%,,0.577")


def test_the_quiz_analytics_page_shows_item_statistics(admin_client, quiz_id):
    page = admin_client.get(f"/analytics/quizzes/{quiz_id}").text
    assert "Item statistics" in page and "0.58" in page and "Download as CSV" in page
    assert "<title id=\"bands-title\">Items by discrimination</title>" in page


def test_learners_cannot_download_item_statistics(learner_client, quiz_id):
    assert learner_client.get(f"/analytics/quizzes/{quiz_id}/items.csv").status_code == 403
