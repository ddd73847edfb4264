"""Course resources (job aids) for learners: a printable page, a PDF and, for tables to fill in, an XLSX."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from academy.db import get_session
from academy.services import resources
from academy.services.errors import NotFound

from .access import signed_in
from .errors import render_error
from .responses import content_disposition

bp = Blueprint("resources", __name__, url_prefix="/courses/<course_slug>/resources")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<resource_slug>")
@signed_in
def page(course_slug: str, resource_slug: str):
    try:
        found = resources.resource(get_session(), course_slug, resource_slug)
    except NotFound:
        abort(404)
    return render_template("resources/page.html", resource=found)


@bp.get("/<resource_slug>.pdf")
@signed_in
def pdf(course_slug: str, resource_slug: str):
    try:
        found, data = resources.pdf(get_session(), course_slug, resource_slug)
    except NotFound:
        abort(404)
    return _download(data, "application/pdf", f"{found.slug}.pdf")


@bp.get("/<resource_slug>.xlsx")
@signed_in
def workbook(course_slug: str, resource_slug: str):
    try:
        found, data = resources.workbook(get_session(), course_slug, resource_slug)
    except NotFound as exc:
        return render_error(404, str(exc))
    return _download(data, XLSX, f"{found.slug}.xlsx")


def _download(data: bytes, mimetype: str, name: str):
    response = current_app.response_class(data, mimetype=mimetype, headers=content_disposition(name))
    response.headers["Cache-Control"] = "private, no-cache"
    return response
