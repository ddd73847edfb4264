"""Taking quizzes in the browser's shoes: pages, forms, what they reveal and to whom."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from academy.models import Attempt, Module, ModuleProgress
from tests.support.quizzes import COURSE, RIGHT, complete_modules, enrol, publish

START = f"/courses/{COURSE}/quizzes/basics"
#: Text that only the result page may show: feedback, explanations, branching consequences and endings.
SECRETS = ["Feedback-", "Explanation-", "Consequence-", "Ending-restored", "Ending-lost"]


@pytest.fixture
def learner(app, runner, content_dir, learner_client):
    publish(runner, content_dir)
    enrol(app, learner_client.user.id)
    return learner_client


def start(client, quiz="basics") -> str:
    """Start (or resume) through the start page's form; returns the attempt page's path."""
    page = f"/courses/{COURSE}/quizzes/{quiz}"
    response = client.submit(f"{page}/start", page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def token_of(path: str) -> str:
    return path.rstrip("/").split("/")[2]


def form_answers(db, token: str, right: bool = True) -> dict[str, list[str]]:
    db.rollback()  # end any earlier read snapshot, so attempts started since are visible
    attempt = db.scalar(select(Attempt).where(Attempt.token == token))
    return {f"q-{i['key']}": (RIGHT[i["key"]] if right else [o for o in i["options"] if o not in RIGHT[i["key"]]][:1])
            for i in attempt.layout["items"] if not i["branching"]}


def submission_key(html: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)


def submit(client, db, path: str, right: bool = True):
    html = client.get(path).get_data(as_text=True)
    data = {**form_answers(db, token_of(path), right), "submission_key": submission_key(html)}
    return client.submit(f"{path}/submit", data, page=path)


# --- Start page -----------------------------------------------------------------------------------

def test_start_page_shows_the_rules(app, learner):
    complete_modules(app, learner.user.id)
    html = learner.get(f"/courses/{COURSE}/quizzes/exam").get_data(as_text=True)
    assert "Final exam" in html and "Certification exam" in html
    assert "50%" in html and "10 min" in html and "drawn at random from 3" in html
    assert re.search(r"Attempts left</dt>\s*<dd>2</dd>", html)
    assert ">Start<" in html


def test_start_page_offers_to_resume_an_attempt_in_progress(learner):
    path = start(learner)
    html = learner.get(START).get_data(as_text=True)
    assert "Resume your attempt" in html and path in html
    assert start(learner) == path


def test_a_learner_not_enrolled_is_invited_to_enrol(runner, content_dir, learner_client):
    publish(runner, content_dir)
    html = learner_client.get(START).get_data(as_text=True)
    assert "Enrol in the course to take this quiz" in html
    response = learner_client.submit(f"{START}/start", page=START)
    assert response.status_code == 403


def test_unknown_quiz_is_a_404(learner):
    assert learner.get(f"/courses/{COURSE}/quizzes/nope").status_code == 404


def test_quiz_pages_need_a_signed_in_learner(client, runner, content_dir):
    publish(runner, content_dir)
    assert client.get(START).status_code == 302


# --- The attempt page -----------------------------------------------------------------------------

def test_the_attempt_page_never_reveals_answers_feedback_or_explanations(learner):
    html = learner.get(start(learner)).get_data(as_text=True)
    assert "Is this a major incident?" in html and "Yes, declare it" in html
    for secret in SECRETS:
        assert secret not in html
    assert "correct" not in html.lower().replace("incorrect", "")


def test_each_question_is_a_fieldset_with_labelled_inputs(learner):
    html = learner.get(start(learner)).get_data(as_text=True)
    assert html.count("<fieldset") == 3 and html.count("<legend") == 3
    inputs = re.findall(r'<input type="(?:radio|checkbox)" id="([^"]+)"', html)
    assert len(inputs) == 8
    for input_id in inputs:
        assert f'<label class="quiz-option" for="{input_id}">' in html
    assert html.count('type="checkbox"') == 3  # the multiple-answer question


def test_submitting_shows_the_result_with_feedback_and_explanations(learner, db):
    path = start(learner)
    response = submit(learner, db, path)
    assert response.status_code == 302 and response.headers["Location"] == f"{path}/result"
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Passed" in html and "3 of 3 points" in html and "100%" in html
    assert "Feedback-yes" in html and "Feedback-mim" in html and "Feedback-first" in html
    assert "Feedback-no" not in html  # feedback of options the learner did not choose
    assert "Explanation-major" in html and "Explanation-phases" in html
    assert learner.get(path).headers["Location"].endswith(f"{path}/result")


def test_a_failed_attempt_marks_wrong_answers(learner, db):
    path = start(learner)
    submit(learner, db, path, right=False)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Not passed" in html and "Incorrect" in html and "Correct answer" in html


def test_missing_answers_are_refused_with_the_choices_kept(learner, db):
    path = start(learner)
    html = learner.get(path).get_data(as_text=True)
    response = learner.submit(f"{path}/submit", {"q-shield": ["b"], "submission_key": submission_key(html)},
                              page=path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Answer every question before submitting" in page
    assert re.search(r'name="q-shield" value="b"\s+checked', page)
    assert db.scalar(select(Attempt.status)) == "in_progress"
    # The message links to each unanswered question, and those questions say so themselves.
    numbers = re.findall(r'<a href="#question-(\d)">question \d</a>', page)
    assert len(numbers) == 2
    for number in numbers:
        assert re.search(rf'id="question-{number}" data-question aria-describedby="missing-{number}"', page)
        assert f'id="missing-{number}">Not answered yet' in page


def test_finishing_shows_a_summary_then_submit_all_and_finish_grades_the_saved_answers(learner, db):
    path = start(learner)
    answers = form_answers(db, token_of(path))
    first = next(iter(answers))
    partial = {name: chosen for name, chosen in answers.items() if name != first}
    response = learner.submit(f"{path}/finish", partial, page=path)
    assert response.status_code == 302 and response.headers["Location"] == f"{path}/summary"
    summary = learner.get(f"{path}/summary").get_data(as_text=True)
    assert "Summary of your attempt" in summary and "1 of 3 questions still to answer" in summary
    assert summary.count("Not answered") == 1 and summary.count(">Answered<") == 2
    assert "Submit all and finish" in summary and "Return to attempt" in summary
    assert db.scalar(select(Attempt.status)) == "in_progress"  # nothing is graded before the confirmation

    learner.submit(f"{path}/finish", answers, page=path)
    summary = learner.get(f"{path}/summary").get_data(as_text=True)
    assert "All 3 questions are answered." in summary
    response = learner.submit(f"{path}/submit", {"submission_key": submission_key(summary)}, page=f"{path}/summary")
    assert response.headers["Location"] == f"{path}/result"
    assert "3 of 3 points" in learner.get(f"{path}/result").get_data(as_text=True)


def test_the_exam_summary_counts_the_attempts_remaining(app, learner, db):
    complete_modules(app, learner.user.id)
    path = start(learner, "exam")
    summary = learner.get(f"{path}/summary").get_data(as_text=True)
    assert "1 attempt remaining</strong> after this one (of 2)" in summary
    assert 'data-submits="finish-form"' in summary  # when time is up, the summary submits itself


def test_the_exam_is_locked_until_every_module_is_complete(app, learner, db):
    html = learner.get(f"/courses/{COURSE}/quizzes/exam").get_data(as_text=True)
    assert "The exam opens once you have completed every module." in html
    for slug, title in [("basics", "Basics"), ("bridge", "Bridge calls"), ("reading", "Further reading")]:
        assert f'<a href="/courses/{COURSE}/{slug}">{title}</a>' in html
    assert ">Start<" not in html
    response = learner.submit(f"/courses/{COURSE}/quizzes/exam/start", page=f"/courses/{COURSE}/quizzes/exam")
    assert response.status_code == 403 and "Still to do: Basics, Bridge calls" in response.get_data(as_text=True)
    complete_modules(app, learner.user.id)
    assert ">Start<" in learner.get(f"/courses/{COURSE}/quizzes/exam").get_data(as_text=True)


def test_a_failed_attempt_offers_try_again_and_review_this_section(learner, db):
    path = start(learner)
    submit(learner, db, path, right=False)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "Try again" in html and "You can try again as often as you like" in html
    assert f'href="/courses/{COURSE}/basics">Review this section' in html
    retry = re.search(r'action="([^"]+/start)"', html).group(1)
    again = learner.submit(retry, page=f"{path}/result")
    assert again.status_code == 302 and again.headers["Location"] != path


def test_a_failed_exam_says_how_many_attempts_remain(app, learner, db):
    complete_modules(app, learner.user.id)
    path = start(learner, "exam")
    submit(learner, db, path, right=False)
    html = learner.get(f"{path}/result").get_data(as_text=True)
    assert "1 attempt remaining</strong> of 2" in html and "Try again" in html
    assert "Review the course" in html
    second = start(learner, "exam")
    submit(learner, db, second, right=False)
    html = learner.get(f"{second}/result").get_data(as_text=True)
    assert "No attempts remaining." in html and "Try again" not in html


def test_a_forged_option_key_is_a_clear_400(learner, db):
    path = start(learner)
    html = learner.get(path).get_data(as_text=True)
    data = {**form_answers(db, token_of(path)), "q-is-major": ["z"], "submission_key": submission_key(html)}
    response = learner.submit(f"{path}/submit", data, page=path)
    assert response.status_code == 400 and "has no such option" in response.get_data(as_text=True)


def test_a_replayed_submit_shows_the_same_result_and_a_second_form_is_refused(learner, db):
    path = start(learner)
    html = learner.get(path).get_data(as_text=True)
    data = {**form_answers(db, token_of(path)), "submission_key": submission_key(html)}
    assert learner.submit(f"{path}/submit", data, page=START).status_code == 302
    assert learner.submit(f"{path}/submit", data, page=START).status_code == 302
    data["submission_key"] = "another-form"
    response = learner.submit(f"{path}/submit", data, page=START)
    assert response.status_code == 409 and "already been submitted" in response.get_data(as_text=True)


def test_save_without_javascript_and_autosave_with_it(learner):
    path = start(learner)
    response = learner.submit(f"{path}/save", {"q-shield": ["", "b"], "q-phases": [""]}, page=path)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert re.search(r'name="q-shield" value="b"\s+checked', learner.get(path).get_data(as_text=True))
    response = learner.submit(f"{path}/save", {"q-shield": [""]}, page=path, headers={"Accept": "application/json"})
    assert response.get_json() == {"saved": True}
    assert not re.search(r'value="b"\s+checked', learner.get(path).get_data(as_text=True))


def test_another_learners_attempt_is_a_404_everywhere(learner, client_as, app):
    path = start(learner)
    stranger = client_as()
    enrol(app, stranger.user.id)
    assert stranger.get(path).status_code == 404
    assert stranger.get(f"{path}/result").status_code == 404
    assert stranger.get(f"{path}/scenarios/checkout").status_code == 404
    assert stranger.submit(f"{path}/save", {"q-shield": ["b"]}, page=START).status_code == 404
    assert stranger.submit(f"{path}/submit", {"submission_key": "x"}, page=START).status_code == 404


def test_a_timed_attempt_shows_a_countdown(app, learner):
    complete_modules(app, learner.user.id)
    html = learner.get(start(learner, "exam")).get_data(as_text=True)
    assert 'role="timer"' in html and re.search(r'data-seconds-left="(59\d|600)"', html)
    assert "js/quiz.js" in html


def test_csrf_tokens_never_expire_during_an_exam(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


# --- Branching, one step at a time ----------------------------------------------------------------

def test_walking_a_branching_simulation_step_by_step(learner, db):
    path = start(learner, "bridge")
    attempt_page = learner.get(path).get_data(as_text=True)
    assert "Start the simulation" in attempt_page
    walk = f"{path}/scenarios/checkout"
    step = learner.get(walk).get_data(as_text=True)
    assert "First signals" in step and "Validate then declare" in step
    for secret in [*SECRETS, "points", "critical", "Recommended"]:
        assert secret not in step
    response = learner.submit(walk, {"step": "start", "choice": "a"}, page=walk)
    assert response.headers["Location"].endswith(f"{walk}?decided=start")
    consequence = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Consequence-validate" in consequence and "Continue" in consequence
    assert "Consequence-wait" not in consequence
    learner.submit(walk, {"step": "bridges", "choice": "b"}, page=walk)
    ending = learner.get(walk).get_data(as_text=True)
    assert "Ending-restored text" in ending and "Continue with the quiz" in ending
    html = learner.get(path).get_data(as_text=True)
    data = {"q-after": ["a"], "submission_key": submission_key(html)}
    assert learner.submit(f"{path}/submit", data, page=path).status_code == 302
    result = learner.get(f"{path}/result").get_data(as_text=True)
    assert "15 of 21 points" in result and "14 / 20 points" in result
    assert "Consequence-one-bridge" in result and "Technical and management bridges" in result


def test_a_choice_out_of_turn_is_explained_on_the_step_page(learner):
    walk = f"{start(learner, 'bridge')}/scenarios/checkout"
    response = learner.submit(walk, {"step": "bridges", "choice": "a"}, page=walk, follow_redirects=True)
    assert "not the step you are at" in response.get_data(as_text=True)


def test_opening_the_simulation_saves_the_answers_on_the_page(learner):
    path = start(learner, "bridge")
    response = learner.submit(f"{path}/save?scenario=checkout", {"q-after": ["a"]}, page=path)
    assert response.headers["Location"] == f"{path}/scenarios/checkout"
    assert re.search(r'value="a"\s+checked', learner.get(path).get_data(as_text=True))


# --- Dashboard ------------------------------------------------------------------------------------

def test_the_dashboard_lists_recent_attempts_with_scores(learner, db):
    path = start(learner)
    submit(learner, db, path)
    html = learner.get("/dashboard").get_data(as_text=True)
    assert "Recent quiz attempts" in html and "Basics check" in html and "100%" in html
    assert f"{path}/result" in html


def test_the_result_page_announces_a_certificate_the_moment_it_is_earned(learner, db):
    from academy.models import Module
    from academy.services import progress

    reading = db.scalar(select(Module.id).where(Module.slug == "reading"))
    progress.complete_module(db, learner.user.id, reading)
    db.commit()
    assert "You have earned" not in learner.get(f"{submit(learner, db, start(learner)).headers['Location']}")\
        .get_data(as_text=True)
    bridge = start(learner, "bridge")
    walk = f"{bridge}/scenarios/checkout"
    learner.submit(walk, {"step": "start", "choice": "a"}, page=walk)
    learner.submit(walk, {"step": "bridges", "choice": "a"}, page=walk)
    html = learner.get(bridge).get_data(as_text=True)
    learner.submit(f"{bridge}/submit", {"q-after": ["a"], "submission_key": submission_key(html)}, page=bridge)
    exam = submit(learner, db, start(learner, "exam"))
    result = learner.get(exam.headers["Location"]).get_data(as_text=True)
    assert "You have earned" in result
    certificate_link = re.search(r'href="(/certificates/[0-9A-Z-]+)"', result).group(1)
    assert learner.get(certificate_link).status_code == 200


def test_a_module_with_two_quizzes_says_both_must_be_passed(runner, content_dir, learner_client, app):
    from tests.support.quizzes import BASICS

    second = BASICS.replace("title: Basics check", "title: Basics again")
    publish(runner, content_dir, {"basics": BASICS, "basics-again": second})
    enrol(app, learner_client.user.id)
    html = learner_client.get(f"/courses/{COURSE}/basics").get_data(as_text=True)
    assert "complete once you pass all 2 of its quizzes" in html


def test_a_simulation_only_quiz_starts_once_and_its_ending_completes_the_module(
        runner, content_dir, learner_client, app, db):
    from tests.support.quizzes import BRIDGE

    simulation = BRIDGE.split("# Questions")[0]
    publish(runner, content_dir, {"bridge": simulation})
    enrol(app, learner_client.user.id)
    walk = start(learner_client, "bridge")  # one Start: straight into the simulation
    assert re.fullmatch(r"/attempts/[^/]+/scenarios/checkout", walk)
    page = learner_client.get(walk).get_data(as_text=True)
    assert "First signals" in page and "Finish attempt" not in page and "Submit" not in page
    attempt_page = walk.rsplit("/scenarios/", 1)[0]
    assert learner_client.get(attempt_page).headers["Location"] == walk

    learner_client.submit(walk, {"step": "start", "choice": "a"}, page=walk)
    last = learner_client.submit(walk, {"step": "bridges", "choice": "a"}, page=walk)
    # The last decision ends the simulation and grades the attempt: nothing more to press.
    db.rollback()
    assert db.scalar(select(Attempt.status)) == "submitted"
    module_done = db.scalar(select(ModuleProgress.completed_at).join(Module).where(Module.slug == "bridge"))
    assert module_done is not None
    consequence = learner_client.get(last.headers["Location"]).get_data(as_text=True)
    assert "Consequence-two-bridges" in consequence and "Ending-restored text" in consequence
    assert "See your result" in consequence
    assert learner_client.get(walk).headers["Location"].endswith("/result")


# --- The course page leads to the exam ------------------------------------------------------------

def test_with_every_module_done_the_course_page_leads_to_the_final_exam(app, learner, db):
    course_page = f"/courses/{COURSE}"
    learner.get(f"{course_page}/reading")  # a module without a quiz: done once read
    learner.get(f"{course_page}/basics")  # read, quiz still to pass
    html = learner.get(course_page).get_data(as_text=True)
    assert "38%" in html and "1 of 3 modules done · 1 in progress" in html  # not 0% after real progress

    complete_modules(app, learner.user.id)
    html = learner.get(course_page).get_data(as_text=True)
    exam = f"{course_page}/quizzes/exam"
    assert f'<a class="button button-large button-block" href="{exam}">Next: Final exam</a>' in html
    assert "75%" in html and "100%" not in html and "final exam next" in html
    assert "Review the course" not in html and "About the exam" not in html
    assert learner.get(f"{course_page}/continue").headers["Location"] == exam
    dashboard = learner.get("/dashboard").get_data(as_text=True)
    assert "Next: Final exam" in dashboard and "Take the exam" in dashboard

    submit(learner, db, start(learner, "exam"))
    html = learner.get(course_page).get_data(as_text=True)
    assert "Review the course" in html and "100%" in html and "Next: Final exam" not in html
