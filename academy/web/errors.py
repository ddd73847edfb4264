"""Error pages in the site's layout, with a reference id and never a stack trace."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from academy.extensions import login_manager
from academy.services.errors import ServiceError

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back, reload the page and try again."),
    401: ("Please sign in", "You need to sign in to do that."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is nothing at this address. Check the link, or start from the home page."),
    405: ("Not allowed", "That action is not available here."),
    409: ("Conflict", "This was changed by someone else in the meantime. Reload and try again."),
    413: ("Too large", "What you sent is larger than this site accepts. Send something smaller."),
    429: ("Slow down", "Too many attempts in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged."),
    503: ("Temporarily unavailable",
          "The service cannot reach its database just now. Please try again in a few seconds."),
}


#: A route's own sentence for its 429 (the sign-in page says how an owner gets in), by endpoint.
THROTTLE_MESSAGES: dict[str, str] = {}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int, detail: str | None = None, *, headers: dict | None = None,
                 log_exception: bool = False):
    """The error page (or JSON problem for the API) for ``code``, with a reference id in the log."""
    reference = secrets.token_hex(4).upper()
    if log_exception:
        current_app.logger.exception("unhandled error %s on %s %s", reference, request.method, request.path)
    elif code >= 500:
        current_app.logger.warning("error %s (%s) on %s %s", reference, code, request.method, request.path)
    title, message = MESSAGES.get(code, MESSAGES[500])
    if detail:
        message = detail
    headers = dict(headers or {})
    if _wants_json():
        body = jsonify(type="about:blank", title=title, status=code, detail=message, reference=reference)
        body.status_code = code
        body.headers["Content-Type"] = "application/problem+json"
        body.headers.update(headers)
        return body
    return render_template("errors/error.html", code=code, title=title, message=message,
                           reference=reference), code, headers


def _discard_broken_session() -> None:
    """Drop the request's DB session so the error page itself never touches the database."""
    g.db_down = True
    # Flask-Login's template context loads the user eagerly: make it anonymous for this page.
    g._login_user = login_manager.anonymous_user()
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
            session.close()
        except Exception:  # the connection is already gone; nothing left to clean
            session.invalidate()


def json_errors(view: Callable) -> Callable:
    """Mark a view that scripts call: its refusals answer ``{"error": sentence}`` instead of a page."""
    view.json_errors = True
    return view


def _script_wants_json() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "json_errors", False) or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        """Every refusal a service raises that its view does not handle: its status and its sentence."""
        if not _wants_json() and _script_wants_json():
            return jsonify(error=str(exc)), exc.status
        return render_error(exc.status, str(exc))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        app.logger.info("CSRF refused on %s: %s", request.path, exc.description)
        return render_error(400, "This form has expired or was not sent from this site. "
                                 "Go back, reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        headers = {}
        if exc.code == 503:
            headers["Retry-After"] = "5"
        if exc.code == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        detail = exc.description if getattr(exc, "show_detail", False) else None
        if exc.code == 429:
            detail = THROTTLE_MESSAGES.get(
                request.endpoint or "", "Too many attempts in a short time. Please wait a minute before trying again.")
        return render_error(exc.code or 500, detail, headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc: Exception):
        # Unreachable server, dropped connection or a SQLite lock held past the busy timeout.
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                           str(exc).splitlines()[0][:300])
        _discard_broken_session()
        return render_error(503, headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        _discard_broken_session()
        return render_error(500, log_exception=True)
