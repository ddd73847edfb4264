"""The OpenAPI 3.1 description of ``/api/v1/``, served at ``/api/v1/openapi.json``.

Written by hand next to the views it describes, from the same constants (columns, statuses,
limits), and checked against the running API by schemathesis in the test suite.
"""

from __future__ import annotations

from typing import Any

from academy.domain.exports import COLUMNS, STATUSES
from academy.domain.progress import Status as ProgressStatus

API_VERSION = "1.0.0"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
#: Largest id the database's integer keys hold; larger ones in a URL simply find nothing.
MAX_ID = 2**31 - 1
_PROBLEM = {"$ref": "#/components/responses/Problem"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _certificate_schema() -> dict[str, Any]:
    properties = {
        "code": {"type": "string", "description": "The certificate's public code.",
                 "examples": ["7KQ2-M9XD-4HWT-B8NC-R3VJ"]},
        "holder_name": {"type": "string", "description": "The holder's name as printed on the certificate."},
        "email": {"type": "string", "description": "The holder's email address today."},
        "organisation": {**_NULLABLE_STRING, "description": "The holder's organisation today."},
        "course": {"type": "string", "description": "The course title as at issue."},
        "course_version": {"type": "integer", "minimum": 1, "description": "The course version completed."},
        "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                  "description": "The final exam score in percent; null without a final exam."},
        "issued": {"type": "string", "format": "date-time"},
        "expires": {**_NULLABLE_TIME, "description": "Null when the certificate never expires."},
        "status": {"type": "string", "enum": list(STATUSES)},
        "revocation_reason": {**_NULLABLE_STRING, "description": "Set when the status is revoked."},
        "verification_url": {"type": "string", "format": "uri"},
    }
    return {"type": "object", "required": list(COLUMNS), "properties": properties, "additionalProperties": False}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def document(*, server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with ``server_url`` (e.g. ``https://academy.example/api/v1``) as server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MIM Academy API",
            "version": API_VERSION,
            "summary": "Certification records and learner progress, read-only.",
            "description": ("Authenticate with an API token created by an administrator under Admin, "
                            "API tokens: `Authorization: Bearer <token>`. Errors are RFC 9457 problem "
                            "documents. Lists are paginated with an opaque cursor: follow `next`."),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/certificates": {
                "get": {
                    "operationId": "listCertificates",
                    "summary": "Certificates matching the filters, oldest first",
                    "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in
                                   ("course", "organisation", "since", "until", "status", "limit", "cursor")],
                    "responses": {
                        "200": {"description": "A page of certificates.",
                                "headers": {"Link": {"description": "RFC 8288 link to the next page.",
                                                     "schema": {"type": "string"}}},
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/CertificatePage"}}}},
                        "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM,
                    },
                },
            },
            "/certificates/{code}": {
                "get": {
                    "operationId": "getCertificate",
                    "summary": "One certificate by its code",
                    "parameters": [{"name": "code", "in": "path", "required": True,
                                    "description": "The code; case, spaces and dashes are forgiven.",
                                    "schema": {"type": "string", "maxLength": 64}}],
                    "responses": {
                        "200": {"description": "The certificate.", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Certificate"}}}},
                        "401": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM,
                    },
                },
            },
            "/learners/{learner_id}/progress": {
                "get": {
                    "operationId": "getLearnerProgress",
                    "summary": "A learner's progress in each enrolled course, and their certificates",
                    "parameters": [{"name": "learner_id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                    "responses": {
                        "200": {"description": "The learner's progress.", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/LearnerProgress"}}}},
                        "401": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "An API token from Admin, API tokens."}},
            "parameters": {
                "course": _query("course", "A course slug, e.g. mim-service-models.",
                                 {"type": "string", "maxLength": 200}),
                "organisation": _query("organisation", "An organisation's name or numeric id.",
                                       {"type": "string", "maxLength": 200}),
                "since": _query("since", "Issued on or after this date (UTC).", {"type": "string", "format": "date"}),
                "until": _query("until", "Issued on or before this date (UTC).", {"type": "string", "format": "date"}),
                "status": _query("status", "The status today.", {"type": "string", "enum": list(STATUSES)}),
                "limit": _query("limit", "Certificates per page.",
                                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
                "cursor": _query("cursor", "Where to continue: taken from the previous page's `next`.",
                                 {"type": "string", "maxLength": 100}),
            },
            "schemas": {
                "Certificate": _certificate_schema(),
                "CertificatePage": {
                    "type": "object", "required": ["data", "next"], "additionalProperties": False,
                    "properties": {
                        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Certificate"}},
                        "next": {"type": ["string", "null"], "format": "uri",
                                 "description": "The next page; null on the last one."},
                    },
                },
                "CourseProgress": {
                    "type": "object", "additionalProperties": False,
                    "required": ["course", "title", "enrolled", "modules_total", "modules_completed", "percent",
                                 "status", "last_activity"],
                    "properties": {
                        "course": {"type": "string", "description": "The course slug."},
                        "title": {"type": "string"},
                        "enrolled": {"type": "string", "format": "date-time"},
                        "modules_total": {"type": "integer", "minimum": 0},
                        "modules_completed": {"type": "integer", "minimum": 0},
                        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                        "status": {"type": "string", "enum": [s.value for s in ProgressStatus]},
                        "last_activity": _NULLABLE_TIME,
                    },
                },
                "LearnerProgress": {
                    "type": "object", "required": ["learner", "courses", "certificates"],
                    "additionalProperties": False,
                    "properties": {
                        "learner": {
                            "type": "object", "required": ["id", "name", "email", "organisation"],
                            "additionalProperties": False,
                            "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                           "email": {"type": "string"}, "organisation": _NULLABLE_STRING},
                        },
                        "courses": {"type": "array", "items": {"$ref": "#/components/schemas/CourseProgress"}},
                        "certificates": {"type": "array", "items": {"$ref": "#/components/schemas/Certificate"}},
                    },
                },
                "Problem": {
                    "type": "object", "required": ["type", "title", "status", "detail"],
                    "description": "RFC 9457 problem details.",
                    "properties": {
                        "type": {"type": "string", "description": "about:blank: the status says it all."},
                        "title": {"type": "string"},
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "detail": {"type": "string", "description": "What went wrong, for a person."},
                        "reference": {"type": "string", "description": "Quote it to support; it is in the log."},
                    },
                },
            },
            "responses": {
                "Problem": {"description": "The request was refused; the detail says why.",
                            "content": {"application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
        },
    }
