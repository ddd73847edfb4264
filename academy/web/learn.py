"""Course pages for learners: the catalogue, a course, its modules and its images."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.services import learning, progress
from academy.services.errors import NotFound

from . import main, nav
from .access import public, signed_in
from .forms import ActionForm
from .links import VERSION_LENGTH

bp = Blueprint("learn", __name__, url_prefix="/courses")
nav.register("Courses", "learn.catalogue", order=20)

#: Course images are the author's files: even opened directly, an SVG may not run anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
#: Long enough to be "for ever": the content hash in the URL changes whenever the image does.
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.record_once
def _create_cache(state) -> None:
    state.app.extensions["academy.outlines"] = learning.OutlineCache()


def _outlines() -> learning.OutlineCache:
    return current_app.extensions["academy.outlines"]


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _learner_view(course_slug: str) -> learning.LearnerView:
    try:
        return learning.learner_view(get_session(), _outlines(), course_slug, _user_id())
    except NotFound:
        abort(404)


@bp.get("")
@public
def catalogue():
    views = learning.catalogue(get_session(), _outlines(), _user_id())
    return render_template("learn/catalogue.html", views=views)


@bp.get("/<course_slug>")
@public
def course(course_slug: str):
    return render_template("learn/course.html", view=_learner_view(course_slug), form=ActionForm())


@bp.post("/<course_slug>/enrol")
@signed_in
def enrol(course_slug: str):
    view = _learner_view(course_slug)
    if ActionForm().validate_on_submit() and progress.enrol(get_session(), current_user.id, view.outline.course_id):
        flash(f"You are enrolled in {view.outline.title}. Your progress is saved as you read.", "success")
    return redirect(url_for(".course", course_slug=course_slug))


@bp.get("/<course_slug>/continue")
@signed_in
def continue_course(course_slug: str):
    module = _learner_view(course_slug).continue_module
    if module is None:
        return redirect(url_for(".course", course_slug=course_slug))
    return redirect(url_for(".module", course_slug=course_slug, module_slug=module.slug))


@bp.get("/<course_slug>/<module_slug>")
@signed_in
def module(course_slug: str, module_slug: str):
    view = _learner_view(course_slug)
    shown = view.outline.module(module_slug)
    if shown is None:
        abort(404)
    if not view.enrolled:
        progress.enrol(get_session(), current_user.id, view.outline.course_id)
        flash(f"You are now enrolled in {view.outline.title}. Your progress is saved as you read.", "success")
        return redirect(request.path)
    state = progress.record_view(get_session(), current_user.id, view.outline.course_id, shown.id, view.states,
                                 completes=not shown.quizzes)
    previous, following = view.outline.neighbours(shown)
    return render_template("learn/module.html", view=view.with_state(state), module=shown,
                           previous=previous, following=following)


@bp.get("/<course_slug>/assets/<path:asset_path>")
@public
def asset(course_slug: str, asset_path: str):
    try:
        image = learning.asset(get_session(), course_slug, asset_path)
    except NotFound:
        abort(404)
    response = current_app.response_class(image.data, mimetype=image.content_type)
    current = request.args.get("v") == image.sha256[:VERSION_LENGTH]
    response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if image.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    response.set_etag(image.sha256)
    return response.make_conditional(request)


def _dashboard_context() -> dict:
    return {"views": learning.enrolled_courses(get_session(), _outlines(), current_user.id),
            "catalogue_url": url_for("learn.catalogue")}


main.register_dashboard_panel("learn/dashboard_panel.html", _dashboard_context, order=20)
