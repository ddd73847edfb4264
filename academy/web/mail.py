"""Mail preferences (reached from a link in each reminder, no sign-in) and the admin outbox."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from wtforms import RadioField

from academy.db import get_session
from academy.domain.mail import date_in_words
from academy.extensions import csrf, limiter
from academy.services import mail
from academy.services.errors import NotFound

from .access import public
from .forms import BaseForm

bp = Blueprint("mail", __name__)
bp.add_app_template_filter(date_in_words, "date_in_words")


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
