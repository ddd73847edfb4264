"""Home page, dashboard and the health check."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from academy.db import get_session

from . import learn, manage, quiz
from .access import public, signed_in
from .certificates import views as certificates

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/home.html")


#: The dashboard's sections, top to bottom: a template and the function that supplies its values.
DASHBOARD_PANELS: tuple[tuple[str, Callable[[], dict]], ...] = (
    ("manage/_dashboard_manager.html", manage.manager_panel_context),
    ("manage/_dashboard_due.html", manage.due_panel_context),
    ("learn/dashboard_panel.html", learn.dashboard_context),
    ("quiz/dashboard_panel.html", quiz.dashboard_context),
    ("certificates/_dashboard_panel.html", certificates.dashboard_context),
)


@bp.route("/dashboard")
@signed_in
def dashboard():
    panels = [(template, context()) for template, context in DASHBOARD_PANELS]
    return render_template("main/dashboard.html", panels=panels)


@bp.route("/healthz")
@public
def healthz():
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database is "unhealthy", never a 500
        return jsonify(status="unavailable", database="unreachable", error=type(exc).__name__), 503, {
            "Retry-After": "5"}
    return jsonify(status="ok", database="ok")
