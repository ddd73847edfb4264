"""Admin area: people and organisations (certificates, exports and analytics add their own pages)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.models import Role, User
from academy.services import accounts, people
from academy.services.errors import ServiceError

from . import nav
from .access import roles
from .auth import client_ip
from .forms import ActionForm, OrganisationForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
nav.register("Admin", "admin.users", order=90)


@bp.route("/users")
@roles(Role.ADMIN)
def users():
    try:
        page = max(1, int(request.args.get("page", "1")))
        organisation_id = int(request.args["organisation"]) if request.args.get("organisation") else None
    except ValueError:
        abort(400)
    role = request.args.get("role", "")
    if role and role not in {r.value for r in Role}:
        abort(400)
    flt = people.UserFilter(query=request.args.get("q", "")[:200], role=role,
                            organisation_id=organisation_id, page=page)
    db = get_session()
    found, total = people.search_users(db, flt)
    return render_template("admin/users.html", users=found, total=total, flt=flt, roles=list(Role),
                           organisations=people.organisations_with_counts(db), page_size=people.PAGE_SIZE,
                           action_form=ActionForm())


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@roles(Role.ADMIN)
def reset_link(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        token = accounts.issue_reset_link(db, user_id, actor_id=current_user.id, ip=client_ip())
    except ServiceError as exc:
        abort(exc.status)
    user = db.get(User, user_id)
    link = f"{current_app.config['BASE_URL']}{url_for('auth.reset', token=token)}"
    return render_template("admin/reset_link.html", user=user, link=link)


@bp.route("/organisations", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisations():
    form = OrganisationForm()
    db = get_session()
    if form.validate_on_submit():
        try:
            org = accounts.create_organisation(db, form.name.data, actor_id=current_user.id, ip=client_ip())
        except ServiceError as exc:
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            flash(f"Created {org.name}. Its join code is {org.join_code}.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", form=form,
                           organisations=people.organisations_with_counts(db))
