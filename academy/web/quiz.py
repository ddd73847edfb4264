"""Taking quizzes in the browser: start page, attempt, branching steps, submission and result.

Pages sent before submission carry the questions and options only: which options are correct,
their feedback and the explanations appear on the result page, once the attempt is closed.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.services import certificates, quizzes
from academy.services.errors import Conflict, InvalidInput, ServiceError

from . import main
from .access import signed_in
from .errors import render_error
from .forms import ActionForm

bp = Blueprint("quiz", __name__)

#: Form fields that carry answers are named ``q-<question key>``.
ANSWER_PREFIX = "q-"


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    if _wants_json():
        return jsonify(error=str(exc)), exc.status
    return render_error(exc.status, str(exc))


@bp.get("/courses/<course_slug>/quizzes/<quiz_slug>")
@signed_in
def start_page(course_slug: str, quiz_slug: str):
    info = quizzes.overview(get_session(), current_user.id, course_slug, quiz_slug)
    return render_template("quiz/start.html", info=info, form=ActionForm())


@bp.post("/courses/<course_slug>/quizzes/<quiz_slug>/start")
@signed_in
def start(course_slug: str, quiz_slug: str):
    attempt = quizzes.start(get_session(), current_user.id, course_slug, quiz_slug)
    return redirect(_simulation_url(quizzes.attempt_view(get_session(), current_user.id, attempt.token))
                    or url_for(".attempt", token=attempt.token))


@bp.get("/attempts/<token>")
@signed_in
def attempt(token: str):
    view = quizzes.attempt_view(get_session(), current_user.id, token)
    if view.attempt.finished:
        return redirect(url_for(".result", token=token))
    simulation = _simulation_url(view)
    if simulation:
        return redirect(simulation)
    return render_template("quiz/attempt.html", view=view, chosen=view.chosen, error=None, missing=[])


@bp.post("/attempts/<token>/save")
@signed_in
def save(token: str):
    """Autosave (JSON for the script, a redirect for the form's own Save button)."""
    try:
        quizzes.save_answers(get_session(), current_user.id, token, _answers())
    except Conflict as exc:  # time is up or the attempt is closed: show where it stands
        if _wants_json():
            raise
        flash(str(exc), "warning")
        return redirect(url_for(".attempt", token=token))
    if _wants_json():
        return jsonify(saved=True)
    scenario_id = request.args.get("scenario")
    if scenario_id:
        return redirect(url_for(".scenario", token=token, scenario_id=scenario_id))
    flash("Your answers are saved. You can come back to this attempt later.", "success")
    return redirect(url_for(".attempt", token=token))


@bp.post("/attempts/<token>/finish")
@signed_in
def finish(token: str):
    """The attempt's main button: keep what is on the page, then ask for confirmation."""
    try:
        quizzes.save_answers(get_session(), current_user.id, token, _answers())
    except Conflict as exc:  # time is up or the attempt is closed
        flash(str(exc), "warning")
        return redirect(url_for(".attempt", token=token))
    return redirect(url_for(".summary", token=token))


@bp.get("/attempts/<token>/summary")
@signed_in
def summary(token: str):
    """Before the final submit: what is answered, what is not, and the attempts that remain."""
    view = quizzes.attempt_view(get_session(), current_user.id, token)
    if view.attempt.finished:
        return redirect(url_for(".result", token=token))
    info = quizzes.overview(get_session(), current_user.id, view.course_slug, view.quiz_slug)
    return render_template("quiz/summary.html", view=view, info=info)


@bp.post("/attempts/<token>/submit")
@signed_in
def submit(token: str):
    """Grade the attempt: with the answers posted, or (from the summary page) the answers saved."""
    answers = _answers() if _has_answers() else quizzes.attempt_view(get_session(), current_user.id, token).chosen
    try:
        quizzes.submit(get_session(), current_user.id, token, answers, request.form.get("submission_key", ""))
    except InvalidInput as exc:
        # Show the page again with what the learner chose; nothing was stored.
        view = quizzes.attempt_view(get_session(), current_user.id, token)
        return render_template("quiz/attempt.html", view=view, chosen=answers, error=str(exc),
                               missing=view.unanswered(answers)), 400
    return redirect(url_for(".result", token=token))


@bp.get("/attempts/<token>/result")
@signed_in
def result(token: str):
    view = quizzes.attempt_view(get_session(), current_user.id, token)
    if not view.attempt.finished:
        return redirect(url_for(".attempt", token=token))
    earned = None
    if view.attempt.passed:
        earned = certificates.earned_with(get_session(), current_user.id, view.attempt.quiz.course_id,
                                          view.attempt.submitted_at)
    retry = None
    if not view.attempt.passed:
        retry = {"info": quizzes.overview(get_session(), current_user.id, view.course_slug, view.quiz_slug),
                 "module": quizzes.module_checked(get_session(), view.attempt)}
    return render_template("quiz/result.html", view=view, earned=earned, retry=retry)


@bp.get("/attempts/<token>/scenarios/<scenario_id>")
@signed_in
def scenario(token: str, scenario_id: str):
    """The current step; after a choice (``?decided=<step>``), that choice's consequence first."""
    view = quizzes.attempt_view(get_session(), current_user.id, token)
    item = view.branching_item(scenario_id)
    decided = {step.id: (step, choice) for step, choice in item.decisions}.get(request.args.get("decided"))
    if view.attempt.finished and decided is None:
        return redirect(url_for(".result", token=token))
    return render_template("quiz/scenario.html", view=view, item=item, decided=decided, form=ActionForm())


@bp.post("/attempts/<token>/scenarios/<scenario_id>")
@signed_in
def choose(token: str, scenario_id: str):
    step_id = request.form.get("step", "")
    try:
        quizzes.choose(get_session(), current_user.id, token, scenario_id, step_id, request.form.get("choice", ""))
    except (InvalidInput, Conflict) as exc:
        flash(str(exc), "error")
        return redirect(url_for(".scenario", token=token, scenario_id=scenario_id))
    return redirect(url_for(".scenario", token=token, scenario_id=scenario_id, decided=step_id))


def _answers() -> dict[str, list[str]]:
    """Chosen option keys per question from the posted form.

    Each question also posts an empty value, so a question cleared by the learner is sent too.
    """
    return {name.removeprefix(ANSWER_PREFIX): [key for key in request.form.getlist(name) if key]
            for name in request.form if name.startswith(ANSWER_PREFIX)}


def _simulation_url(view: quizzes.AttemptView) -> str | None:
    """For a quiz of simulations only, the one to walk next: its page is the attempt's page."""
    if not view.simulations_only:
        return None
    item = (view.unfinished or [s for s in view.sections if s.kind == "branching"])[0]
    return url_for(".scenario", token=view.attempt.token, scenario_id=item.scenario.id)


def _has_answers() -> bool:
    return any(name.startswith(ANSWER_PREFIX) for name in request.form)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _dashboard_context() -> dict:
    return {"attempts": quizzes.recent_attempts(get_session(), current_user.id)}


main.register_dashboard_panel("quiz/dashboard_panel.html", _dashboard_context, order=30)
