"""Authoring in the browser, for instructors and admins: courses, the editor, publishing and history.

Every page works without JavaScript; ``static/js/editor.js`` adds the live preview and the
validation messages beside the text as the instructor types. Which course a person may edit is the
service's rule (:func:`academy.services.authoring.editable_course`); the route rule only keeps
learners and visitors out.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from academy.db import get_session
from academy.domain import course_zip, diffs
from academy.domain.course_files import Kind, module_slugs
from academy.domain.problems import Problem
from academy.models import Role
from academy.services import authoring, course_transfer, previews, releases
from academy.services.errors import InvalidInput

from ...links import PreviewLinks, SiteLinks
from ..access import roles
from ..errors import json_errors
from ..forms import ActionForm, attach_errors
from ..quiz import posted_answers
from ..requests import current_actor
from ..responses import content_disposition, send_image
from .forms import (
    AssetForm,
    CourseForm,
    EditForm,
    EditorForm,
    GiftForm,
    PreviewForm,
    QuizForm,
    TitleForm,
    ZipForm,
)

bp = Blueprint("author", __name__, url_prefix="/author")
AUTHORS = (Role.INSTRUCTOR, Role.ADMIN)
FINAL_EXAM = "final"


def _preview_links() -> PreviewLinks:
    return PreviewLinks(current_app)


def _course(slug: str):
    return authoring.editable_course(get_session(), slug, current_actor())


def _to_course(slug: str) -> Response:
    return redirect(url_for(".course", slug=slug))


# --- Courses ----------------------------------------------------------------------------------------

#: Refused-import problems carried to the next page in the (signed, size-limited) session cookie.
MAX_CARRIED_PROBLEMS = 20


@bp.get("/")
@roles(*AUTHORS)
def index():
    carried = session.pop("import_problems", None) or []
    problems = [Problem(path, line, message) for path, line, message in carried]
    return _index_page(CourseForm(formdata=None), problems)


def _index_page(course_form: CourseForm, problems=(), status: int = 200):
    cards = authoring.editable_courses(get_session(), current_actor())
    return render_template("author/index.html", cards=cards, course_form=course_form,
                           import_form=ZipForm(formdata=None), problems=problems), status


@bp.post("/courses")
@roles(*AUTHORS)
def create_course():
    form = CourseForm()
    if form.validate_on_submit():
        try:
            authoring.create_course(get_session(), form.slug.data, form.title.data, form.summary.data,
                                    current_actor())
        except InvalidInput as exc:
            attach_errors(form, exc, field="title")
        else:
            flash(f"Created {form.title.data}. Write its introduction, add modules, then publish.", "success")
            return _to_course(form.slug.data)
    return _index_page(form, status=400)


@bp.post("/import")
@roles(*AUTHORS)
def import_course():
    form = ZipForm()
    if not form.validate_on_submit():
        flash("Choose a zip file to import.", "error")
        return redirect(url_for(".index"))
    limits = course_zip.Limits(max_total_bytes=current_app.config["IMPORT_MAX_BYTES"])
    try:
        report = course_transfer.import_zip(get_session(), form.file.data.read(), current_actor(),
                                            SiteLinks(current_app), limits=limits)
    except releases.ContentProblems as exc:
        # Redirect rather than answer the POST, so a reload never uploads the zip again.
        shown = exc.problems[:MAX_CARRIED_PROBLEMS]
        more = len(exc.problems) - len(shown)
        session["import_problems"] = [[p.path, p.line, p.message] for p in shown] + (
            [["the zip", 0, f"and {more} more problem{'s' if more != 1 else ''}: run `flask --app app content "
                            "check` on the unpacked files to see them all"]] if more else [])
        flash(str(exc), "error")
        return redirect(url_for(".index"), 303)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    changed = len(report.changed)
    flash(f"Imported {report.slug}: {changed} file{'s' if changed != 1 else ''} changed, as drafts. Review the "
          "changes, then publish." if changed else f"{report.slug} already reads exactly as the zip.", "success")
    return redirect(url_for(".publish_page", slug=report.slug) if changed else url_for(".course", slug=report.slug))


@bp.get("/courses/<slug>")
@roles(*AUTHORS)
def course(slug: str):
    db = get_session()
    course = _course(slug)
    states = authoring.file_states(db, course)
    history = releases.history(db, course)
    tree = authoring.working_tree(db, course)
    quiz_form = QuizForm(formdata=None)
    quiz_form.module.choices = [SelectChoice(m, m) for m in module_slugs(tree, slug)] + [
        SelectChoice(FINAL_EXAM, "Final exam")]
    return render_template(
        "author/course.html", course=course, states=states, latest=history[0] if history else None,
        drafts=sum(s.draft is not None for s in states), editors=authoring.editors(db, course),
        module_form=TitleForm(formdata=None, prefix="module"), quiz_form=quiz_form,
        resource_form=TitleForm(formdata=None, prefix="resource"),
        asset_form=AssetForm(formdata=None, prefix="asset"), editor_form=EditorForm(formdata=None),
        action_form=ActionForm())


@bp.post("/courses/<slug>/modules")
@roles(*AUTHORS)
def add_module(slug: str):
    form = TitleForm(prefix="module")
    if not form.validate_on_submit():
        flash("Give the new module a title.", "error")
        return _to_course(slug)
    path = authoring.add_module(get_session(), slug, form.title.data, current_actor())
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.post("/courses/<slug>/resources")
@roles(*AUTHORS)
def add_resource(slug: str):
    form = TitleForm(prefix="resource")
    if not form.validate_on_submit():
        flash("Give the new resource a title.", "error")
        return _to_course(slug)
    path = authoring.add_resource(get_session(), slug, form.title.data, current_actor())
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.post("/courses/<slug>/quizzes")
@roles(*AUTHORS)
def add_quiz(slug: str):
    form = QuizForm()
    if not form.validate_on_submit():
        flash("Give the new quiz a title and choose what it checks.", "error")
        return _to_course(slug)
    module = None if form.module.data == FINAL_EXAM else form.module.data
    path = authoring.add_quiz(get_session(), slug, form.title.data, module, current_actor())
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.post("/courses/<slug>/assets")
@roles(*AUTHORS)
def upload_asset(slug: str):
    form = AssetForm(prefix="asset")
    if not form.validate_on_submit():
        flash("Choose an image to upload.", "error")
        return _to_course(slug)
    upload = form.file.data
    try:
        path = authoring.upload_asset(get_session(), slug, upload.filename or "", upload.read(), current_actor(),
                                      max_bytes=current_app.config["MAX_ASSET_BYTES"])
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        name = path.rsplit("/", 1)[1]
        flash(f"Uploaded {name} as a draft. Show it in a module with ![What it shows](assets/{name}).", "success")
    return _to_course(slug)


@bp.get("/courses/<slug>/assets/<path:name>")
@roles(*AUTHORS)
def draft_asset(slug: str, name: str):
    return send_image(authoring.asset(get_session(), _course(slug), name))


@bp.post("/courses/<slug>/discard/<path:path>")
@roles(*AUTHORS)
def discard(slug: str, path: str):
    if ActionForm().validate_on_submit():
        authoring.discard_draft(get_session(), slug, path, current_actor())
        flash(f"Discarded the draft of {path}.", "success")
    return _to_course(slug)


@bp.post("/courses/<slug>/remove/<path:path>")
@roles(*AUTHORS)
def remove(slug: str, path: str):
    if ActionForm().validate_on_submit():
        authoring.remove_file(get_session(), slug, path, current_actor())
        flash(f"{path} will be removed when you publish.", "success")
    return _to_course(slug)


@bp.post("/courses/<slug>/editors")
@roles(Role.ADMIN)
def assign_editor(slug: str):
    form = EditorForm()
    if form.validate_on_submit():
        try:
            user = authoring.assign_editor(get_session(), slug, form.email.data, current_actor())
        except InvalidInput as exc:
            flash(str(exc), "error")
        else:
            flash(f"{user.name} can now edit this course.", "success")
    else:
        flash("Enter the instructor's email address.", "error")
    return _to_course(slug)


@bp.post("/courses/<slug>/editors/<int:user_id>/remove")
@roles(Role.ADMIN)
def remove_editor(slug: str, user_id: int):
    if ActionForm().validate_on_submit():
        authoring.remove_editor(get_session(), slug, user_id, current_actor())
        flash("The instructor no longer edits this course.", "success")
    return _to_course(slug)


# --- The editor ---------------------------------------------------------------------------------------

@bp.route("/courses/<slug>/edit/<path:path>", methods=["GET", "POST"])
@roles(*AUTHORS)
def edit(slug: str, path: str):
    """The editor. Save writes first thing in the request (see ``academy.db.begin_write``)."""
    db = get_session()
    form = EditForm()
    conflict, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        elif request.form.get("action") == "save":
            try:
                authoring.save_draft(db, slug, path, form.text.data, form.revision.data, current_actor())
            except authoring.EditConflict as exc:
                conflict, status = exc, 409
                form.revision.data = exc.revision
            else:
                flash("Draft saved. Learners see it once the course is published.", "success")
                return redirect(url_for(".edit", slug=slug, path=path))
    course = _course(slug)
    opened = authoring.open_file(db, course, path)
    if request.method == "GET":
        form.text.data, form.revision.data = opened.text, opened.revision
    preview = previews.preview_file(db, course, path, form.text.data or "", _preview_links())
    return render_template(
        "author/editor.html", course=course, opened=opened, form=form, preview=preview, conflict=conflict,
        conflict_diff=diffs.diff_texts(path, conflict.current, form.text.data) if conflict else None), status


@bp.post("/preview")
@roles(*AUTHORS)
@json_errors
def live_preview():
    """The editor script's preview: rendered HTML and problems, as JSON."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify(error="The preview request was refused: reload the page."), 400
    course = _course(form.course.data)
    preview = previews.preview_file(get_session(), course, form.path.data, form.text.data or "", _preview_links())
    return jsonify(html=render_template("author/_preview.html", preview=preview),
                   checks=render_template("author/_problems.html", preview=preview),
                   problems=[{"line": p.line, "message": p.message} for p in preview.problems])


@bp.route("/courses/<slug>/gift/<path:path>", methods=["GET", "POST"])
@roles(*AUTHORS)
def gift_import(slug: str, path: str):
    course = _course(slug)
    form = GiftForm()
    result = None
    if form.validate_on_submit():
        try:
            result = course_transfer.gift_preview(get_session(), slug, path, form.file.data.read(), current_actor(),
                                                  replace=form.mode.data == "replace")
        except InvalidInput as exc:
            attach_errors(form, exc, field="file")
    save_form = EditForm(formdata=None, data={"text": result.text, "revision": result.revision}) if result else None
    return render_template("author/gift.html", course=course, path=path, form=form, result=result,
                           save_form=save_form, mode=form.mode.data), 400 if form.errors else 200


# --- Publishing and history -------------------------------------------------------------------------

@bp.get("/courses/<slug>/publish")
@roles(*AUTHORS)
def publish_page(slug: str):
    return _publish_page(slug)


def _publish_page(slug: str, problems=None, status: int = 200):
    """The changes drafts make and the problems that stop publishing (checked now unless given)."""
    db = get_session()
    course = _course(slug)
    content = None
    if problems is None:
        content, problems = previews.preview_course(db, course, _preview_links())
    return render_template("author/publish.html", course=course, changes=releases.changes(db, course),
                           problems=problems, warnings=content.warnings if content is not None else (),
                           form=ActionForm()), status


@bp.post("/courses/<slug>/publish")
@roles(*AUTHORS)
def publish(slug: str):
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".publish_page", slug=slug))
    try:
        version = releases.publish(get_session(), slug, current_actor(), SiteLinks(current_app))
    except releases.ContentProblems as exc:
        flash(str(exc), "error")
        return _publish_page(slug, exc.problems, status=422)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return _to_course(slug)
    flash(f"Published version {version.number}. Learners see it now.", "success")
    return _to_course(slug)


@bp.get("/courses/<slug>/history")
@roles(*AUTHORS)
def history(slug: str):
    db = get_session()
    course = _course(slug)
    return render_template("author/history.html", course=course, versions=releases.history(db, course),
                           form=ActionForm())


@bp.get("/courses/<slug>/compare")
@roles(*AUTHORS)
def compare(slug: str):
    course = _course(slug)
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        flash("Choose two versions to compare.", "error")
        return redirect(url_for(".history", slug=slug))
    return render_template("author/compare.html", course=course, old=old, new=new,
                           changes=releases.compare(get_session(), course, old, new))


@bp.post("/courses/<slug>/versions/<int:number>/restore")
@roles(*AUTHORS)
def restore(slug: str, number: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".history", slug=slug))
    try:
        version = releases.restore(get_session(), slug, number, current_actor(), SiteLinks(current_app))
    except releases.ContentProblems as exc:
        flash(str(exc), "error")
        return _publish_page(slug, exc.problems, status=422)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(url_for(".history", slug=slug))
    flash(f"Restored version {number} as version {version.number}. Learners see it now.", "success")
    return redirect(url_for(".history", slug=slug))


@bp.get("/courses/<slug>/export.zip")
@roles(*AUTHORS)
def export(slug: str):
    name, data = course_transfer.export_zip(get_session(), slug, current_actor(), request.args.get("version", type=int))
    return current_app.response_class(data, mimetype="application/zip", headers=content_disposition(name))


# --- Preview as a learner -----------------------------------------------------------------------------

@bp.get("/courses/<slug>/preview")
@roles(*AUTHORS)
def preview_course(slug: str):
    course = _course(slug)
    view, problems = previews.preview_course_page(get_session(), course, _preview_links())
    return render_template("author/preview_course.html", course=course, view=view, problems=problems,
                           links=_preview_links())


@bp.get("/courses/<slug>/preview/<module>")
@roles(*AUTHORS)
def preview_module(slug: str, module: str):
    course = _course(slug)
    preview = previews.preview_module(get_session(), course, module, _preview_links())
    return render_template("author/preview_module.html", course=course, view=preview.view, module=preview.module,
                           links=_preview_links(), edit_path=preview.path)


@bp.get("/courses/<slug>/preview/resources/<resource>")
@roles(*AUTHORS)
def preview_resource(slug: str, resource: str):
    course = _course(slug)
    content, shown = previews.preview_resource(get_session(), course, resource, _preview_links())
    return render_template("author/preview_resource.html", course=course, content=content, resource=shown)


@bp.route("/courses/<slug>/preview/quizzes/<quiz>", methods=["GET", "POST"])
@roles(*AUTHORS)
def preview_quiz(slug: str, quiz: str):
    course = _course(slug)
    definition = previews.preview_quiz(get_session(), course, quiz, _preview_links())
    if request.method == "GET" or not ActionForm().validate_on_submit():
        run = previews.start_quiz(definition, secrets.randbelow(2**31))
    else:
        answers = posted_answers()
        choice = tuple(request.form["choose"].split(":", 2)) if request.form.get("choose", "").count(":") == 2 else None
        run = previews.continue_quiz(definition, request.form.get("state", ""), answers, choice=choice,
                                     submit=request.form.get("action") == "submit")
    return render_template("author/preview_quiz.html", course=course, quiz_slug=quiz, run=run)


def _kind_label(kind: Kind) -> str:
    return {Kind.COURSE: "Course page", Kind.MODULE: "Module", Kind.QUIZ: "Quiz", Kind.ASSET: "Image",
            Kind.RESOURCE: "Resource"}[kind]


bp.add_app_template_filter(_kind_label, "kind_label")
