"""The read-only token API under ``/api/v1/``: certificates and learners' progress as JSON.

Clients send ``Authorization: Bearer <token>`` (tokens are made at ``/admin/api-tokens``). Browser
sessions never count here, so the API needs no CSRF protection and a page cannot make a visitor's
browser call it. Errors are RFC 9457 problem documents (``web/errors.py`` renders them for
``/api/`` paths). ``/api/v1/openapi.json`` describes everything.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user

from academy.db import get_session
from academy.domain import certificate_codes
from academy.domain.exports import FILTER_FIELDS, STATUSES, record_row, timestamp
from academy.domain.filters import FilterError, parse_positive_int
from academy.extensions import csrf
from academy.models import utcnow
from academy.services import api_tokens, exports, people
from academy.services.errors import ServiceError

from . import openapi
from .access import api_token, public
from .refusals import refuse

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

REALM = 'Bearer realm="MIM Academy API"'


@bp.before_request
def authenticate() -> None:
    """Let the request through only with a live token (the OpenAPI document is public)."""
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        if not header and current_user.is_authenticated:
            refuse(403, "The API does not accept a browser sign-in. Send an API token in the "
                        "Authorization header (Bearer); admins create tokens under Admin, API tokens.")
        refuse(401, "Send an API token in the Authorization header: 'Authorization: Bearer <token>'.")
    checked = api_tokens.check(get_session(), presented.strip())
    if checked.token is None:
        refuse(401, checked.problem)


@bp.after_request
def challenge(response):
    """Tell clients refused for want of a token how to authenticate (RFC 6750)."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = REALM
    response.headers["Cache-Control"] = "no-store"
    return response


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{after_id}".encode()).decode().rstrip("=")


def _decode_cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    version, _, value = text.partition(":")
    if version != "v1" or not value.isdigit() or len(value) > 10:
        refuse(400, "The cursor is not valid. Use the 'next' link of the previous page, or start without one.")
    return int(value)


#: The query parameters ``/certificates`` knows; anything else is likely a typo and is refused.
LIST_PARAMETERS = ("course", "organisation", "since", "until", "status", "limit", "cursor")


def _strict_query() -> None:
    """Refuse what the forms forgive but the OpenAPI document does not allow: unknown parameters
    (a misspelt filter must not silently return everything), empty or padded values, and a status
    in another case."""
    unknown = sorted(set(request.args) - set(LIST_PARAMETERS))
    if unknown:
        refuse(400, f"Unknown query parameter {unknown[0]!r}; the parameters are {', '.join(LIST_PARAMETERS)}.")
    for name, value in request.args.items(multi=True):
        if not value or value != value.strip():
            refuse(400, f"The parameter '{name}' is empty or has spaces around it: give a value or leave it out.")
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        refuse(400, f"Status must be one of {', '.join(STATUSES)}.")


@bp.get("/certificates")
@api_token
def certificates():
    _strict_query()
    args = request.args
    try:
        limit = parse_positive_int("limit", args.get("limit"), default=openapi.DEFAULT_LIMIT, maximum=openapi.MAX_LIMIT)
    except FilterError as exc:
        refuse(400, str(exc))
    after_id = _decode_cursor(args.get("cursor"))
    db = get_session()
    try:
        resolved = exports.certificate_filter(db, **{name: args.get(name) for name in FILTER_FIELDS})
    except ServiceError as exc:
        refuse(400, str(exc))
    now = utcnow()
    records, last_id = exports.page(db, resolved, now, after_id=after_id, limit=limit)
    next_url = None
    if last_id is not None:
        query = {k: v for k, v in args.items() if k != "cursor"}
        # From ACADEMY_BASE_URL, never the request's Host header (which a client or proxy may forge).
        next_url = _base_url() + url_for("api.certificates", **query, cursor=_encode_cursor(last_id))
    response = jsonify(data=[record_row(r, now=now, base_url=_base_url()) for r in records], next=next_url)
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.get("/certificates/<code>")
@api_token
def certificate(code: str):
    parsed = certificate_codes.parse(code)
    now = utcnow()
    record = exports.record_by_code(get_session(), parsed, now) if parsed else None
    if record is None:
        refuse(404, "There is no certificate with this code.")
    return jsonify(record_row(record, now=now, base_url=_base_url()))


@bp.get(f"/learners/<int(max={openapi.MAX_ID}):learner_id>/progress")
@api_token
def learner_progress(learner_id: int):
    db = get_session()
    try:
        person = people.get_user(db, learner_id)
    except ServiceError:
        refuse(404, "There is no learner with this id.")
    now = utcnow()
    return jsonify(
        learner={"id": person.id, "name": person.name, "email": person.email,
                 "organisation": person.organisation.name if person.organisation else None},
        courses=[_course_json(c) for c in people.learner_courses(db, person.id)],
        certificates=[record_row(line.record, now=now, base_url=_base_url())
                      for line in people.certificates_of(db, person.id, now)])


def _course_json(course: people.CourseProgress) -> dict:
    return {
        "course": course.course_slug,
        "title": course.course_title,
        "enrolled": timestamp(course.enrolled_at),
        "modules_total": course.summary.total,
        "modules_completed": course.summary.done,
        "percent": course.summary.percent,
        "status": course.summary.status.value,
        "last_activity": timestamp(course.summary.last_activity_at),
    }


@bp.get("/openapi.json", endpoint="openapi")
@public
def openapi_document():
    server = _base_url() + url_for("api.certificates").removesuffix("/certificates")
    return jsonify(openapi.document(server_url=server))
