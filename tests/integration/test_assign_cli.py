"""`flask content assign COURSE EMAIL`: an operator gives an instructor a course without a browser."""

from __future__ import annotations

from sqlalchemy import select

from academy.models import AuditEvent, CourseEditor, Role
from tests.support.quizzes import COURSE, publish


def test_the_operator_assigns_an_instructor_to_a_course(runner, content_dir, make_user, db, instructor_client):
    publish(runner, content_dir)
    instructor = instructor_client.user
    empty = instructor_client.get("/author/").get_data(as_text=True)
    assert f"flask --app app content assign COURSE {instructor.email}" in empty
    result = runner.invoke(args=["content", "assign", COURSE, instructor.email])
    assert result.exit_code == 0 and f"can now edit {COURSE}" in result.output
    assert db.scalar(select(CourseEditor.user_id)) == instructor.id
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "content.editor_assigned"))
    assert "Demo course" in instructor_client.get("/author/").get_data(as_text=True)


def test_assigning_a_learner_or_an_unknown_course_is_refused_with_a_sentence(runner, content_dir, make_user):
    publish(runner, content_dir)
    learner = make_user(Role.LEARNER)
    result = runner.invoke(args=["content", "assign", COURSE, learner.email])
    assert result.exit_code == 1 and "give them the instructor role first" in result.output
    result = runner.invoke(args=["content", "assign", "no-such-course", learner.email])
    assert result.exit_code == 1 and "Error:" in result.output
