"""Organisation managers' pages: their people in a matrix, one person, invitations, assignments, downloads.

Every page takes the organisation from the URL and asks ``organisations.require_access``: a manager
of another organisation (or anyone else) gets 404, never a hint that the page exists. Admins may
open every organisation's pages. The invitation link (``/invitations/<token>``) lives here too.
"""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from academy.db import get_session
from academy.domain import assignments as rules
from academy.domain import exports as shaping
from academy.domain.filters import FilterError, parse_choice, parse_positive_int, parse_text
from academy.domain.roster import MAX_ROWS
from academy.extensions import limiter
from academy.models import Organisation, Role, utcnow
from academy.services import assignments, exports, invitations, manager_exports, organisations
from academy.services.errors import ServiceError

from ..access import public, signed_in
from ..auth import sign_in
from ..forms import ActionForm, attach_errors
from ..requests import current_actor
from .forms import AcceptForm, AssignForm, InviteForm, UploadForm

bp = Blueprint("manage", __name__)


#: Session key: whether the signed-in person manages an organisation (only decides the header link;
#: every manager page checks access itself). Kept in the signed cookie so pages spend no query on it.
MANAGES_KEY = "manages"


def is_manager(user) -> bool:
    """Whether the header shows "My organisation": read once per session, refreshed on the dashboard."""
    if user is None:
        return False
    if MANAGES_KEY not in session:
        session[MANAGES_KEY] = organisations.manages_any(get_session(), user.id)
    return bool(session[MANAGES_KEY])



def _organisation(organisation_id: int):
    return organisations.require_access(get_session(), organisation_id, current_actor())


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.get("/manage")
@signed_in
def index():
    managed = organisations.managed_organisations(get_session(), current_user.id)
    if len(managed) == 1 and current_user.role != Role.ADMIN.value:
        return redirect(url_for("manage.organisation", organisation_id=managed[0].id))
    return render_template("manage/index.html", organisations=managed)


@bp.get("/manage/<int:organisation_id>")
@signed_in
def organisation(organisation_id: int):
    org = _organisation(organisation_id)
    args = request.args
    db = get_session()
    courses = organisations.published_courses(db)
    try:
        flt = organisations.MatrixFilter(
            query=parse_text("q", args.get("q"), max_length=100),
            course=parse_choice("course", args.get("course"), tuple(c.slug for c in courses)) or "",
            status=parse_choice("status", args.get("status"), tuple(c.value for c in rules.Cell)) or "",
            page=parse_positive_int("page", args.get("page"), default=1, maximum=100_000))
        found = organisations.matrix(db, org.id, flt, utcnow())
        error, status = None, 200
    except (FilterError, ServiceError) as exc:
        flt, found, error, status = organisations.MatrixFilter(), None, str(exc), 400
    return render_template("manage/organisation.html", org=org, flt=flt, matrix=found, error=error, courses=courses,
                           cells=list(rules.Cell), today=utcnow().date()), status


@bp.get("/manage/<int:organisation_id>/people/<int:user_id>")
@signed_in
def person(organisation_id: int, user_id: int):
    org = _organisation(organisation_id)
    found = organisations.person(get_session(), org.id, user_id, utcnow())
    return render_template("manage/person.html", org=org, person=found, today=utcnow().date())


# --- invitations --------------------------------------------------------------------------------

def _course_choices() -> list[tuple[str, str]]:
    return [(c.slug, c.title) for c in organisations.published_courses(get_session())]


def _invitations_page(org, invite: InviteForm, upload: UploadForm, status: int = 200):
    return render_template("manage/invitations.html", org=org, invite=invite, upload=upload, max_rows=MAX_ROWS,
                           pending=invitations.pending(get_session(), org.id)), status


@bp.route("/manage/<int:organisation_id>/invitations", methods=["GET", "POST"])
@signed_in
def invite(organisation_id: int):
    org = _organisation(organisation_id)
    form, upload = InviteForm(prefix="invite"), UploadForm(prefix="upload")
    form.courses.choices = _course_choices()
    if form.validate_on_submit():
        try:
            line = invitations.invite_one(get_session(), org.id, name=form.name.data, email=form.email.data,
                                          courses=tuple(form.courses.data or ()), due_days=form.due_days.data,
                                          actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            if line.outcome is invitations.Outcome.CREATED:
                flash(f"Invitation sent to {line.email}. The link works for 14 days.", "success")
                return redirect(url_for("manage.invite", organisation_id=org.id))
            form.email.errors = [*form.email.errors, f"Not invited: {line.outcome}. {line.detail}".strip()]
    return _invitations_page(org, form, upload, 400 if request.method == "POST" else 200)


@bp.post("/manage/<int:organisation_id>/invitations/upload")
@signed_in
def upload(organisation_id: int):
    org = _organisation(organisation_id)
    form, upload_form = InviteForm(prefix="invite", formdata=None), UploadForm(prefix="upload")
    form.courses.choices = _course_choices()
    if upload_form.validate_on_submit():
        data = upload_form.file.data
        try:
            report = invitations.invite_file(get_session(), org.id, data.filename or "", data.read(),
                                             due_days=upload_form.due_days.data, actor=current_actor())
        except ServiceError as exc:
            upload_form.file.errors = [*upload_form.file.errors, str(exc)]
        else:
            return render_template("manage/report.html", org=org, report=report)
    return _invitations_page(org, form, upload_form, 400)


@bp.post("/manage/<int:organisation_id>/invitations/<int:invitation_id>/withdraw")
@signed_in
def withdraw(organisation_id: int, invitation_id: int):
    org = _organisation(organisation_id)
    _require_action_form()
    invitations.withdraw(get_session(), org.id, invitation_id, actor=current_actor())
    flash("The invitation is withdrawn; its link no longer works.", "success")
    return redirect(url_for("manage.invite", organisation_id=org.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def accept(token: str):
    db = get_session()
    try:
        invitation = invitations.live(db, token)
    except ServiceError as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    organisation_name = db.get(Organisation, invitation.organisation_id).name
    form = AcceptForm()
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = invitations.accept(db, token, name=form.name.data, password=form.password.data,
                                      actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc)
        else:
            sign_in(user)
            flash(f"Welcome to MIM Academy. You are now a member of {organisation_name}.", "success")
            return redirect(url_for("main.dashboard"))
    return render_template("manage/accept.html", form=form, email=invitation.email,
                           organisation=organisation_name), 400 if form.errors else 200


# --- assignments --------------------------------------------------------------------------------

@bp.route("/manage/<int:organisation_id>/assignments", methods=["GET", "POST"])
@signed_in
def assignments_page(organisation_id: int):
    org = _organisation(organisation_id)
    db = get_session()
    form = AssignForm()
    form.course.choices = _course_choices()
    if form.validate_on_submit():
        try:
            user_ids = assignments.members_by_email(db, org.id, form.people.data or "")
            told = assignments.assign(db, org.id, form.course.data, user_ids=user_ids, due_on=form.due_on.data,
                                      due_days=form.due_days.data, actor=current_actor())
        except ServiceError as exc:
            db.rollback()
            attach_errors(form, exc)
        else:
            flash(f"Course assigned; {told} {'person was' if told == 1 else 'people were'} told by email." if told
                  else "Course assigned; the people concerned are told by email at the next reminder scan.",
                  "success")
            return redirect(url_for("manage.assignments_page", organisation_id=org.id))
    return render_template("manage/assignments.html", org=org, form=form,
                           assignments=assignments.listed(db, org.id)), 400 if form.errors else 200


@bp.post("/manage/<int:organisation_id>/assignments/<int:assignment_id>/remove")
@signed_in
def remove_assignment(organisation_id: int, assignment_id: int):
    org = _organisation(organisation_id)
    _require_action_form()
    assignments.remove(get_session(), org.id, assignment_id, actor=current_actor())
    flash("The assignment is withdrawn. People keep their progress.", "success")
    return redirect(url_for("manage.assignments_page", organisation_id=org.id))


# --- downloads ----------------------------------------------------------------------------------

@bp.get("/manage/<int:organisation_id>/export/<kind>")
@signed_in
def export(organisation_id: int, kind: str):
    org = _organisation(organisation_id)
    if kind not in ("certificates", "assignments"):
        abort(404)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = get_session()
    exports.log_export(db, f"organisation_{kind}", fmt, {"organisation": str(org.id)}, actor=current_actor())
    now = utcnow()
    filename = shaping.export_filename(f"{org.name}-{kind}", fmt, now.date())
    rows, columns = manager_exports.rows(db, org.id, kind, now, current_app.config["BASE_URL"])
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it, which deletes it)
        shaping.write_xlsx(rows, spool, title=kind.title(), columns=columns)
        spool.seek(0)
        return send_file(spool, mimetype=shaping.MEDIA_TYPES[fmt], as_attachment=True, download_name=filename)
    body = "".join(shaping.csv_chunks(rows, columns=columns))
    return Response(body, content_type=shaping.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- dashboard ----------------------------------------------------------------------------------

def due_panel_context() -> dict:
    return {"due": assignments.due_for(get_session(), current_user.id, utcnow()), "today": utcnow().date()}


def manager_panel_context() -> dict:
    managed = organisations.managed_organisations(get_session(), current_user.id)
    if session.get(MANAGES_KEY) != bool(managed):  # only a change rewrites the cookie
        session[MANAGES_KEY] = bool(managed)  # an appointment made meanwhile shows in the header from here on
    return {"managed": managed}

