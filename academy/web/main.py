"""Home page, dashboard and the health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from academy.db import get_session

from . import nav
from .access import public, signed_in

bp = Blueprint("main", __name__)
nav.register("Dashboard", "main.dashboard", order=10)


@bp.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/home.html")


@dataclass(frozen=True)
class DashboardPanel:
    order: int
    template: str
    context: Callable[[], dict]


_PANELS: list[DashboardPanel] = []


def register_dashboard_panel(template: str, context: Callable[[], dict], order: int = 50) -> None:
    """Let a feature add a section to the dashboard: ``context()`` supplies its template's values."""
    if all(p.template != template for p in _PANELS):
        _PANELS.append(DashboardPanel(order, template, context))
        _PANELS.sort(key=lambda p: p.order)


@bp.route("/dashboard")
@signed_in
def dashboard():
    panels = [(panel.template, panel.context()) for panel in _PANELS]
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
