"""Mail preferences (reached from a link in each reminder, no sign-in) and the admin outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import RadioField

from academy.db import get_session
from academy.domain.filters import FilterError, parse_choice, parse_positive_int
from academy.domain.mail import date_in_words
from academy.extensions import csrf, limiter
from academy.models import MailStatus, Role
from academy.services import mail, outbox
from academy.services.errors import NotFound, ServiceError

from .access import public, roles, signed_in
from .errors import render_error
from .forms import ActionForm, BaseForm
from .refusals import refuse
from .requests import current_actor

bp = Blueprint("mail", __name__)
bp.add_app_template_filter(date_in_words, "date_in_words")

#: The HTML part of a message, shown inside a sandboxed frame: no script, no form, nothing fetched
#: but inline styles and images by https (email HTML is styled inline).
MESSAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox; frame-ancestors 'self'"


class PreferencesForm(BaseForm):
    reminders = RadioField("Reminder emails", default="on", choices=[
        ("on", "Send me reminders (certificates about to expire, courses due)"),
        ("off", "No reminders, please"),
    ])


@bp.route("/mail/preferences/<token>", methods=["GET", "POST"])
@limiter.limit("60 per hour")
@csrf.exempt  # RFC 8058 one-click posts carry no CSRF token; the signed token in the URL is the key
@public
def preferences(token: str):
    db = get_session()
    try:
        user = mail.user_for_token(db, current_app, token)
    except NotFound as exc:
        return render_template("mail/link_invalid.html", message=str(exc)), 404
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        mail.set_reminders(db, user.id, False)
        return "Reminders are off.", 200, {"Content-Type": "text/plain; charset=utf-8"}
    form = PreferencesForm(data={"reminders": "on" if mail.reminders_wanted(db, user.id) else "off"})
    if form.validate_on_submit():  # the form still checks its own CSRF token
        wanted = form.reminders.data == "on"
        mail.set_reminders(db, user.id, wanted)
        flash("Reminder emails are on." if wanted else "Reminder emails are off. "
              "Security email (password resets) still reaches you.", "success")
        return redirect(url_for(".preferences", token=token))
    return render_template("mail/preferences.html", form=form, user=user)


@bp.route("/account/email")
@signed_in
def my_preferences():
    """The signed-in person's own preferences page (the same page their reminder emails link to)."""
    return redirect(url_for(".preferences", token=mail.preferences_token(current_app, current_user.id)))


# --- the admin outbox ------------------------------------------------------------------------------

@bp.route("/admin/outbox")
@roles(Role.ADMIN)
def outbox_index():
    try:
        page = parse_positive_int("page", request.args.get("page"), default=1, maximum=100_000)
        status = parse_choice("status", request.args.get("status"), tuple(s.value for s in MailStatus)) or ""
    except FilterError as exc:
        refuse(400, str(exc))
    db = get_session()
    messages, total = outbox.listing(db, status=status or None, page=page)
    return render_template("mail/outbox.html", messages=messages, total=total, page=page, status=status,
                           counts=outbox.counts(db), page_size=outbox.PAGE_SIZE,
                           configured=bool(current_app.config.get("SMTP_URL")))


@bp.route("/admin/outbox/<int:message_id>")
@roles(Role.ADMIN)
def outbox_message(message_id: int):
    try:
        message = outbox.get(get_session(), message_id)
    except NotFound as exc:
        return render_error(404, str(exc))
    return render_template("mail/message.html", message=message, form=ActionForm())


@bp.route("/admin/outbox/<int:message_id>/html")
@roles(Role.ADMIN)
def outbox_message_html(message_id: int):
    try:
        message = outbox.get(get_session(), message_id)
    except NotFound as exc:
        return render_error(404, str(exc))
    response = make_response(message.html_body)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = MESSAGE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@roles(Role.ADMIN)
def outbox_retry(message_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outbox.retry(get_session(), message_id, actor=current_actor())
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash("The message is queued again; the next delivery pass sends it.", "success")
    return redirect(url_for(".outbox_message", message_id=message_id))
