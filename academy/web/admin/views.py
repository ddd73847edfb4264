"""Admin area: people, organisations, the audit log and API tokens.

Exports and analytics have their own blueprints; certificates add their own tab. Every change made
here goes through a service that audit-logs it with the admin's id and address.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.domain.filters import FilterError, parse_choice, parse_date_range, parse_positive_int, parse_text
from academy.models import Role, User, utcnow
from academy.services import accounts, api_tokens, people
from academy.services import audit as audit_log  # the view `audit` below owns the plain name
from academy.services import organisations as managed
from academy.services.errors import Conflict, InvalidInput, ServiceError
from academy.services.pagination import Page

from ..access import roles
from ..forms import ActionForm, OrganisationForm, attach_errors
from ..manage.forms import AppointManagerForm
from ..refusals import refuse
from ..requests import current_actor
from .forms import ApiTokenForm, MoveOrganisationForm, RenameOrganisationForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_PAGE = 100_000
#: Enrolments listed on an organisation's page (the figures above the list count them all).
LEARNERS_SHOWN = 100


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


bp.add_app_template_filter(audit_log.detail_items, "audit_detail")


@bp.route("")
@bp.route("/")
@roles(Role.ADMIN)
def home():
    """The admin area's front door: its first page, the people."""
    return redirect(url_for(".users"))


# --- users ------------------------------------------------------------------------------------

@bp.route("/users")
@roles(Role.ADMIN)
def users():
    try:
        page = parse_positive_int("page", request.args.get("page"), default=1, maximum=MAX_PAGE)
        organisation = parse_positive_int("organisation", request.args.get("organisation"), default=0,
                                          maximum=2**31 - 1)
        role = parse_choice("role", request.args.get("role"), tuple(r.value for r in Role)) or ""
        status = parse_choice("status", request.args.get("status"), tuple(s.value for s in people.Status)) or ""
        query = parse_text("search", request.args.get("q"))
    except FilterError as exc:
        refuse(400, str(exc))
    flt = people.UserFilter(query=query, role=role, organisation_id=organisation or None, status=status, page=page)
    db = get_session()
    return render_template("admin/users.html", result=people.search_users(db, flt), flt=flt, roles=list(Role),
                           statuses=list(people.Status), organisations=people.organisations_with_counts(db))


@bp.route("/users/<int:user_id>")
@roles(Role.ADMIN)
def user(user_id: int):
    db = get_session()
    person = people.get_user(db, user_id)
    return render_template("admin/user.html", person=person, role_form=RoleForm(role=person.role),
                           move_form=_move_form(db, person.organisation_id),
                           courses=people.learner_courses(db, person.id),
                           certificates=people.certificates_of(db, person.id, utcnow()),
                           events=audit_log.for_target(db, f"user:{person.id}"), labels=audit_log.ACTION_LABELS,
                           is_self=person.id == current_user.id)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles(Role.ADMIN)
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = people.change_role(get_session(), user_id, form.role.data, actor=current_actor())
    except (InvalidInput, Conflict) as exc:
        flash(str(exc), "error")
    else:
        article = "an" if changed.role[0] in "aeiou" else "a"
        flash(f"{changed.name} is now {article} {changed.role}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


def _move_form(db, organisation_id: int | None = None) -> MoveOrganisationForm:
    form = MoveOrganisationForm(organisation=str(organisation_id or ""))
    form.organisation.choices = [("", "No organisation")] + [
        (str(org.id), org.name) for org, _count in people.organisations_with_counts(db)]
    return form


@bp.route("/users/<int:user_id>/organisation", methods=["POST"])
@roles(Role.ADMIN)
def move_organisation(user_id: int):
    form = _move_form(get_session())
    if not form.validate_on_submit():
        abort(400)
    target = int(form.organisation.data) if form.organisation.data else None
    try:
        moved = people.move_to_organisation(get_session(), user_id, target, actor=current_actor())
    except (InvalidInput, Conflict) as exc:
        flash(str(exc), "error")
    else:
        where = moved.organisation.name if moved.organisation else "no organisation"
        flash(f"{moved.name} now belongs to {where}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles(Role.ADMIN)
def deactivate(user_id: int):
    return _set_active(user_id, active=False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.ADMIN)
def reactivate(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    _require_action_form()
    try:
        changed = people.set_active(get_session(), user_id, active, actor=current_actor())
    except (InvalidInput, Conflict) as exc:
        flash(str(exc), "error")
    else:
        if active:
            flash(f"{changed.name} can sign in again.", "success")
        else:
            flash(f"{changed.name} is deactivated and has been signed out everywhere.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@roles(Role.ADMIN)
def reset_link(user_id: int):
    _require_action_form()
    db = get_session()
    token = accounts.issue_reset_link(db, user_id, actor=current_actor())
    person = db.get(User, user_id)
    link = f"{current_app.config['BASE_URL']}{url_for('auth.reset', token=token)}"
    return render_template("admin/reset_link.html", user=person, link=link)


# --- organisations ----------------------------------------------------------------------------

@bp.route("/organisations", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisations():
    form = OrganisationForm()
    db = get_session()
    if form.validate_on_submit():
        try:
            org = accounts.create_organisation(db, form.name.data, actor=current_actor())
        except (InvalidInput, Conflict) as exc:
            attach_errors(form, exc, field="name")
        else:
            flash(f"Created {org.name}. Its join code is {org.join_code}.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisations.html", form=form,
                           organisations=people.organisations_with_counts(db))


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisation(organisation_id: int):
    db = get_session()
    org = people.get_organisation(db, organisation_id)
    form = RenameOrganisationForm()
    if form.validate_on_submit():
        try:
            people.rename_organisation(db, org.id, form.name.data, actor=current_actor())
        except (InvalidInput, Conflict) as exc:
            attach_errors(form, exc, field="name")
        else:
            flash(f"Renamed to {org.name}.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    elif request.method == "GET":
        form.name.data = org.name
    return render_template("admin/organisation.html", org=org, form=form, learners_shown=LEARNERS_SHOWN,
                           overview=people.organisation_overview(db, org.id, utcnow()),
                           managers=managed.managers_of(db, org.id), appoint=AppointManagerForm())


@bp.route("/organisations/<int:organisation_id>/managers", methods=["POST"])
@roles(Role.ADMIN)
def appoint_manager(organisation_id: int):
    form = AppointManagerForm()
    if not form.validate_on_submit():
        flash("Enter the email address of an existing account.", "error")
    else:
        try:
            user = managed.appoint_manager(get_session(), organisation_id, form.email.data,
                                                 actor=current_actor())
        except ServiceError as exc:
            if exc.status == 404:
                raise
            flash(str(exc), "error")
        else:
            flash(f"{user.name} now manages this organisation.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))


@bp.route("/organisations/<int:organisation_id>/managers/<int:user_id>/remove", methods=["POST"])
@roles(Role.ADMIN)
def remove_manager(organisation_id: int, user_id: int):
    _require_action_form()
    managed.remove_manager(get_session(), organisation_id, user_id, actor=current_actor())
    flash("That person no longer manages this organisation.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))


@bp.route("/organisations/<int:organisation_id>/join-code", methods=["POST"])
@roles(Role.ADMIN)
def regenerate_join_code(organisation_id: int):
    _require_action_form()
    org = people.regenerate_join_code(get_session(), organisation_id, actor=current_actor())
    flash(f"New join code for {org.name}: {org.join_code}. The old code no longer works.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))


# --- audit log --------------------------------------------------------------------------------

@bp.route("/audit")
@roles(Role.ADMIN)
def audit():
    db = get_session()
    args = request.args
    errors: dict[str, str] = {}
    flt = audit_log.AuditFilter()
    try:
        dates = parse_date_range(args.get("since"), args.get("until"))
        page = parse_positive_int("page", args.get("page"), default=1, maximum=MAX_PAGE)
        flt = audit_log.AuditFilter(action=parse_text("action", args.get("action"), max_length=64),
                                    actor=parse_text("actor", args.get("actor")), dates=dates, page=page)
    except FilterError as exc:
        errors[exc.field] = str(exc)
    result = audit_log.search(db, flt) if not errors else Page([], 0)
    return render_template("admin/audit.html", result=result, flt=flt, args=args, errors=errors,
                           actions=audit_log.actions(db), labels=audit_log.ACTION_LABELS), 400 if errors else 200


# --- API tokens -------------------------------------------------------------------------------

@bp.route("/api-tokens", methods=["GET", "POST"])
@roles(Role.ADMIN)
def tokens():
    form = ApiTokenForm()
    db = get_session()
    created = secret = None
    if form.validate_on_submit():
        try:
            created, secret = api_tokens.create(db, form.name.data, actor=current_actor())
        except (InvalidInput, Conflict) as exc:
            attach_errors(form, exc, field="name")
        else:
            form = ApiTokenForm(formdata=None)
    return render_template("admin/api_tokens.html", form=form, tokens=api_tokens.all_tokens(db),
                           created=created, secret=secret), 400 if form.errors else 200


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@roles(Role.ADMIN)
def revoke_token(token_id: int):
    _require_action_form()
    token = api_tokens.revoke(get_session(), token_id, actor=current_actor())
    flash(f"Revoked the token “{token.name}”. Requests with it are now refused.", "success")
    return redirect(url_for("admin.tokens"))
