"""Small things a new user trips over (issue 14, point 12): each as a user or an admin sees it."""

from __future__ import annotations

import re

from academy.domain.rendering import render
from academy.services import audit
from tests.support.quizzes import COURSE, enrol, publish


def test_an_untimed_quiz_says_no_limit_rather_than_none(app, runner, content_dir, learner_client):
    publish(runner, content_dir)
    enrol(app, learner_client.user.id)
    html = learner_client.get(f"/courses/{COURSE}/quizzes/basics").get_data(as_text=True)
    assert re.search(r"Time limit</dt><dd>No limit</dd>", html) and "None" not in html


def test_the_audit_log_reads_as_sentences_not_json(admin_client, db):
    audit.record(db, "certificate.reissued", target="certificate:X",
                 detail={"new_code": "7KQ2-M9XD", "old_name": "Zoë <b>", "reasons": ["a", "b"]})
    db.commit()
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "<dt>New code</dt><dd>7KQ2-M9XD</dd>" in html and "<dt>Old name</dt><dd>Zoë &lt;b&gt;</dd>" in html
    assert "<dt>Reasons</dt><dd>a, b</dd>" in html and '{"new_code"' not in html


def test_audit_detail_that_is_not_an_object_is_shown_whole():
    assert audit.detail_items('["x"]') == [("", '["x"]')] and audit.detail_items("plain") == [("", "plain")]
    assert audit.detail_items(None) == [] and audit.detail_items('{"ip": null}') == [("Ip", "none")]


def test_the_verify_form_keeps_the_code_after_not_found(client):
    response = client.get("/verify?code=7KQ2-M9XD-4HWT-B8NC-R3VX", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and 'value="7KQ2-M9XD-4HWT-B8NC-R3VX"' in html
    typo = client.get("/verify?code=7KQ2-M9XD").get_data(as_text=True)
    assert 'value="7KQ2-M9XD"' in typo


def test_adjacent_footnotes_are_separated_so_they_do_not_read_as_one_number():
    html = render("Text[^1][^3] more.\n\n[^1]: one\n[^3]: three\n").html
    assert re.search(r">1</a></sup><sup>,</sup><sup id=\"fnref:3\">", html)
    single = render("Text[^1] and[^2].\n\n[^1]: one\n[^2]: two\n").html
    assert "<sup>,</sup>" not in single


def test_db_upgrade_says_plainly_that_the_schema_is_up_to_date(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and result.output.strip() == "The database schema is up to date."
