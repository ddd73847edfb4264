"""Admin downloads: certification records (CSV, XLSX, JSON Lines) and learning records (xAPI).

The page is a filter form; its submit is a GET to a download route, so a refused filter comes
back to the form with a 400 and the reason beside the field. Text formats stream row by row;
XLSX is written to a temporary file first (openpyxl's write-only mode) and then sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, render_template, request, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from academy.db import get_session, session_scope
from academy.domain import exports as shaping
from academy.domain.filters import FilterError
from academy.models import Course, CourseVersion, Role, utcnow
from academy.services import exports, people
from academy.services.errors import InvalidInput

from ..access import roles
from ..requests import current_actor
from ..responses import content_disposition

bp = Blueprint("exports", __name__, url_prefix="/admin/exports")


def _courses() -> list[tuple[str, str]]:
    """(slug, title) of every published course, for the course filter."""
    return list(get_session().execute(
        select(Course.slug, CourseVersion.title).join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .order_by(CourseVersion.title)))


def _form(errors: dict[str, str] | None = None, status: int = 200, form: str = ""):
    organisations = [(org.id, org.name) for org in people.organisations(get_session())]
    return render_template("admin/exports.html", args=request.args, errors=errors or {}, failed_form=form,
                           courses=_courses(), organisations=organisations,
                           statuses=[(s, s.title()) for s in shaping.STATUSES], columns=shaping.COLUMNS), status


def _streamed(chunks: Callable[[Session], Iterator[str]]) -> Iterator[str]:
    """``chunks(session)`` in a database session of its own, closed when the download ends.

    The request's session is closed when the view returns, before the body is sent; the rows are
    read while it is being sent, so they need a session that lives exactly as long as the stream
    (and is closed too when the client goes away: Werkzeug closes the generator).
    """
    app = current_app._get_current_object()

    def generate() -> Iterator[str]:
        with session_scope(app) as session:
            yield from chunks(session)

    return generate()


@bp.get("")
@roles(Role.ADMIN)
def index():
    return _form()


@bp.get("/certificates")
@roles(Role.ADMIN)
def certificates():
    args = request.args
    db = get_session()
    try:
        fmt = shaping.parse_format(args.get("format"))
        resolved = exports.certificate_filter(db, **{name: args.get(name) for name in shaping.FILTER_FIELDS})
    except FilterError as exc:
        return _form({exc.field: str(exc)}, 400, "certificates")
    except InvalidInput as exc:
        return _form({field: messages[0] for field, messages in exc.field_errors.items()}, 400, "certificates")
    export = exports.start_export(db, resolved, fmt, base_url=current_app.config["BASE_URL"], now=utcnow(),
                                  actor=current_actor())
    if export.binary:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it, which deletes it)
        export.write(export.rows(db), spool)
        spool.seek(0)
        return send_file(spool, mimetype=export.media_type, as_attachment=True, download_name=export.filename)
    body = _streamed(lambda session: export.chunks(export.rows(session)))
    return Response(body, content_type=export.media_type, headers=content_disposition(export.filename))


@bp.get("/xapi")
@roles(Role.ADMIN)
def xapi_statements():
    args = request.args
    try:
        export = exports.start_xapi_export(get_session(), course=args.get("course"), since=args.get("since"),
                                           until=args.get("until"), base_url=current_app.config["BASE_URL"],
                                           now=utcnow(), actor=current_actor())
    except InvalidInput as exc:
        return _form({f"xapi_{field}": messages[0] for field, messages in exc.field_errors.items()}, 400, "xapi")
    return Response(_streamed(export.lines), content_type=export.media_type,
                    headers=content_disposition(export.filename))
