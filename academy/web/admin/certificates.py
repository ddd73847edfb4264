"""Admin pages for certificates: find one, revoke it or reissue it (both audit-logged)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from academy.db import get_session
from academy.domain.filters import FilterError, parse_positive_int
from academy.models import Role
from academy.services import certificates
from academy.services.errors import ServiceError

from ..access import roles
from ..certificates.forms import ReissueForm, RevokeForm
from ..certificates.views import site
from ..errors import render_error
from ..forms import attach_errors
from ..requests import current_actor

#: Pages of search results one may ask for (a bigger number is refused, not sent to the database).
MAX_PAGE = 100_000

bp = Blueprint("admin_certificates", __name__, url_prefix="/admin/certificates")


@bp.route("")
@roles(Role.ADMIN)
def index():
    try:
        page = parse_positive_int("page", request.args.get("page"), default=1, maximum=MAX_PAGE)
    except FilterError as exc:
        return render_error(400, str(exc))
    query = request.args.get("q", "")[:200]
    return render_template("admin/certificates.html", result=certificates.search(get_session(), query, page=page),
                           query=query)


@bp.route("/<code>")
@roles(Role.ADMIN)
def detail(code: str):
    certificate = certificates.get(get_session(), code)
    if certificate.code != code:
        return redirect(url_for(".detail", code=certificate.code))
    return _detail(certificate, RevokeForm(prefix="revoke"),
                   ReissueForm(prefix="reissue", holder_name=certificate.user.name))


def _detail(certificate, revoke_form: RevokeForm, reissue_form: ReissueForm, status: int = 200):
    return render_template("admin/certificate.html", standing=certificates.standing(certificate),
                           revoke_form=revoke_form, reissue_form=reissue_form,
                           verify_url=site().verify_url(certificate.code)), status


@bp.route("/<code>/revoke", methods=["POST"])
@roles(Role.ADMIN)
def revoke(code: str):
    db = get_session()
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit() and form.confirmed.data != "yes":
        # Revoking cannot be undone: show what verifiers will read, and ask once more.
        form.confirmed.data = "yes"
        return render_template("admin/revoke_confirm.html", certificate=certificates.get(db, code), form=form)
    if form.validate_on_submit():
        try:
            certificate = certificates.revoke(db, code, form.reason.data, note=form.note.data or "",
                                              actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc, field="reason")
        else:
            flash(f"Certificate {certificate.code} is revoked. Verifiers now see the public reason; "
                  "the private note stays with admins.", "success")
            return redirect(url_for(".detail", code=certificate.code))
    certificate = certificates.get(db, code)
    return _detail(certificate, form, ReissueForm(prefix="reissue", holder_name=certificate.user.name), 400)


@bp.route("/<code>/reissue", methods=["POST"])
@roles(Role.ADMIN)
def reissue(code: str):
    db = get_session()
    form = ReissueForm(prefix="reissue")
    if form.validate_on_submit():
        try:
            new = certificates.reissue(db, code, holder_name=form.holder_name.data, reason=form.reason.data,
                                       actor=current_actor())
        except ServiceError as exc:
            attach_errors(form, exc, field="reason")
        else:
            flash(f"Reissued as {new.code}. The old certificate now shows as revoked and points to the new one.",
                  "success")
            return redirect(url_for(".detail", code=new.code))
    return _detail(certificates.get(db, code), RevokeForm(prefix="revoke"), form, 400)
