"""Course pages for learners: the catalogue, a course, its modules and its images."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.domain.worksheets import split_html
from academy.services import learning, progress, worksheets
from academy.services.errors import InvalidInput

from ..links import site_links
from .access import public, signed_in
from .forms import TOKEN_ONLY, ActionForm
from .responses import send_image

bp = Blueprint("learn", __name__, url_prefix="/courses")
#: A module's HTML cut at its worksheets: the module page and the author's preview both use it.
bp.add_app_template_filter(split_html, "worksheet_segments")



@bp.record_once
def _create_cache(state) -> None:
    state.app.extensions["academy.outlines"] = learning.OutlineCache()


def _outlines() -> learning.OutlineCache:
    return current_app.extensions["academy.outlines"]


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _learner_view(course_slug: str) -> learning.LearnerView:
    return learning.learner_view(get_session(), _outlines(), course_slug, _user_id())


@bp.get("")
@public
def catalogue():
    views = learning.catalogue(get_session(), _outlines(), _user_id())
    return render_template("learn/catalogue.html", views=views)


@bp.get("/<course_slug>")
@public
def course(course_slug: str):
    view = learning.with_exam_result(get_session(), _learner_view(course_slug), _user_id())
    return render_template("learn/course.html", view=view, form=TOKEN_ONLY, links=site_links(current_app))


@bp.post("/<course_slug>/enrol")
@signed_in
def enrol(course_slug: str):
    """Enrolment is this POST (with its CSRF token), never a side effect of opening a page.

    Lands on the module it was asked from (``?module=``, the module page's form), else on the first
    module to read.
    """
    view = _learner_view(course_slug)
    if not ActionForm().validate_on_submit():
        flash("This form has expired. Press the button again.", "error")
        return redirect(url_for(".course", course_slug=course_slug))
    if progress.enrol(get_session(), current_user.id, view.outline.course_id):
        flash(f"You are enrolled in {view.outline.title}. Your progress is saved as you read.", "success")
    module = view.outline.module(request.args.get("module", "")) or view.continue_module
    if module is None:
        return redirect(url_for(".course", course_slug=course_slug))
    return redirect(url_for(".module", course_slug=course_slug, module_slug=module.slug))


@bp.get("/<course_slug>/continue")
@signed_in
def continue_course(course_slug: str):
    view = learning.with_exam_result(get_session(), _learner_view(course_slug), current_user.id)
    if view.summary.exam_next:
        return redirect(url_for("quiz.start_page", course_slug=course_slug, quiz_slug=view.outline.final_exam.slug))
    module = view.continue_module
    if module is None:
        return redirect(url_for(".course", course_slug=course_slug))
    return redirect(url_for(".module", course_slug=course_slug, module_slug=module.slug))


@bp.get("/<course_slug>/<module_slug>")
@signed_in
def module(course_slug: str, module_slug: str):
    view, shown = _module_of(course_slug, module_slug)
    if not view.enrolled:
        # A GET changes nothing: the module is there to read, with the form that enrols.
        return render_template("learn/module.html", view=view, module=shown, form=TOKEN_ONLY,
                               links=site_links(current_app))
    return _module_page(view, shown)


def _module_of(course_slug: str, module_slug: str) -> tuple[learning.LearnerView, learning.ModuleOutline]:
    view = _learner_view(course_slug)
    shown = view.outline.module(module_slug)
    if shown is None:
        abort(404)
    return view, shown


def _module_page(view: learning.LearnerView, shown: learning.ModuleOutline,
                 answered: worksheets.Panel | None = None, status: int = 200):
    """The module page; ``answered`` is a worksheet just answered (shown in place of the saved one)."""
    state = progress.record_view(get_session(), current_user.id, view.outline.course_id, shown.id, view.states,
                                 completes=not shown.quizzes)
    panels = worksheets.panels(get_session(), current_user.id, view.outline.course_id, shown.worksheets)
    if answered is not None:
        panels[answered.worksheet.key] = answered
    return render_template("learn/module.html", view=view.with_state(state), module=shown, panels=panels,
                           form=TOKEN_ONLY, links=site_links(current_app)), status


@bp.post("/<course_slug>/<module_slug>/worksheets/<key>")
@signed_in
def worksheet(course_slug: str, module_slug: str, key: str):
    """Answers to a worksheet: "show" gives the recommendation, "save" also keeps the answers."""
    view, shown = _module_of(course_slug, module_slug)
    sheet = shown.worksheet(key)
    if sheet is None or not view.enrolled:
        abort(404)
    if not ActionForm().validate_on_submit():
        return _module_page(view, shown, worksheets.Panel(
            sheet, {}, error="This form has expired. Reload the page and answer again."), 400)
    answers = {c.key: request.form.get(f"{key}--{c.key}", "") for c in sheet.criteria}
    try:
        if request.form.get("action") == "save":
            worksheets.save(get_session(), current_user.id, view.outline.course_id, view.outline.version_id,
                            sheet, answers)
            flash(f"Your answers to \u201c{sheet.title}\u201d are saved. Come back to them at any time.", "success")
            return redirect(url_for(".module", course_slug=course_slug, module_slug=module_slug) + f"#worksheet-{key}")
        result = worksheets.evaluate(sheet, answers)
    except InvalidInput as exc:
        return _module_page(view, shown, worksheets.Panel(sheet, answers, error=str(exc)), 422)
    return _module_page(view, shown, worksheets.Panel(sheet, answers, result))


@bp.get("/<course_slug>/worksheets/<key>/print")
@signed_in
def worksheet_print(course_slug: str, key: str):
    """The learner's saved answers and recommendation on one printable page."""
    view = _learner_view(course_slug)
    found = next(((m, w) for m in view.outline.modules for w in m.worksheets if w.key == key), None)
    if found is None:
        abort(404)
    shown, sheet = found
    panel = worksheets.panels(get_session(), current_user.id, view.outline.course_id, (sheet,))[key]
    return render_template("learn/worksheet_print.html", outline=view.outline, module=shown, panel=panel)


@bp.get("/<course_slug>/assets/<path:asset_path>")
@public
def asset(course_slug: str, asset_path: str):
    return send_image(learning.asset(get_session(), course_slug, asset_path))


def dashboard_context() -> dict:
    return {"views": learning.enrolled_courses(get_session(), _outlines(), current_user.id),
            "catalogue_url": url_for("learn.catalogue")}

