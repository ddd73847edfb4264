"""An xAPI 1.0.3 statement validator for the parts the exporter uses.

A JSON Schema checks the shape (required properties, types, allowed keys, the ranges the
specification gives); :func:`problems` adds what a schema cannot say well: IRIs are absolute,
timestamps and durations are ISO 8601, language-map keys are RFC 5646 tags, a raw score lies
between its min and max, and an agent has exactly one identifier.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
INTERACTION_TYPES = ["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"]

_LANGUAGE_MAP = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}
_ACTIVITY = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "objectType": {"const": "Activity"},
        "id": {"type": "string"},
        "definition": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": _LANGUAGE_MAP,
                "description": _LANGUAGE_MAP,
                "type": {"type": "string"},
                "interactionType": {"enum": INTERACTION_TYPES},
                "correctResponsesPattern": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "actor", "verb", "object", "timestamp", "version"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "actor": {
            "type": "object",
            "required": ["objectType"],
            "additionalProperties": False,
            "properties": {
                "objectType": {"const": "Agent"},
                "name": {"type": "string"},
                "mbox": {"type": "string", "pattern": "^mailto:"},
                "mbox_sha1sum": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
                "account": {"type": "object", "required": ["homePage", "name"], "additionalProperties": False,
                            "properties": {"homePage": {"type": "string"}, "name": {"type": "string"}}},
            },
        },
        "verb": {"type": "object", "required": ["id", "display"], "additionalProperties": False,
                 "properties": {"id": {"type": "string"}, "display": _LANGUAGE_MAP}},
        "object": _ACTIVITY,
        "result": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "object", "additionalProperties": False,
                          "properties": {"scaled": {"type": "number", "minimum": -1, "maximum": 1},
                                         "raw": {"type": "number"}, "min": {"type": "number"},
                                         "max": {"type": "number"}}},
                "success": {"type": "boolean"},
                "completion": {"type": "boolean"},
                "response": {"type": "string"},
                "duration": {"type": "string"},
            },
        },
        "context": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "platform": {"type": "string"},
                "language": {"type": "string"},
                "contextActivities": {
                    "type": "object", "additionalProperties": False,
                    "properties": {kind: {"type": "array", "items": _ACTIVITY}
                                   for kind in ("parent", "grouping", "category", "other")},
                },
            },
        },
        "timestamp": {"type": "string"},
        "version": {"type": "string", "pattern": r"^1\.0(\.\d+)?$"},
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def _is_iri(value: str) -> bool:
    parts = urlsplit(value)
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme or "") or any(ch.isspace() for ch in value):
        return False
    return bool(parts.netloc) if parts.scheme in ("http", "https") else bool(parts.path)


def _language_maps(node: Any, path: str, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("display", "name", "description") and isinstance(value, dict):
                found += [f"{path}.{key}: {tag!r} is not a language tag"
                          for tag in value if not LANGUAGE_TAG.match(tag)]
            else:
                _language_maps(value, f"{path}.{key}", found)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _language_maps(item, f"{path}[{i}]", found)


def _activities(statement: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [("object", statement["object"])]
    for kind, items in statement.get("context", {}).get("contextActivities", {}).items():
        found += [(f"context.{kind}[{i}]", a) for i, a in enumerate(items)]
    return found


def problems(statement: dict[str, Any]) -> list[str]:
    """Everything wrong with ``statement`` under the rules above; empty when it is valid."""
    found = [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in _VALIDATOR.iter_errors(statement)]
    if found:
        return found
    if not UUID.match(statement["id"]):
        found.append(f"id {statement['id']!r} is not a lower-case UUID")
    actor = statement["actor"]
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor]
    if len(identifiers) != 1:
        found.append(f"an Agent needs exactly one identifier, not {identifiers}")
    if "account" in actor and not _is_iri(actor["account"]["homePage"]):
        found.append("actor.account.homePage is not an IRI")
    if not _is_iri(statement["verb"]["id"]):
        found.append("verb.id is not an IRI")
    for where, activity in _activities(statement):
        if not _is_iri(activity["id"]):
            found.append(f"{where}.id {activity['id']!r} is not an IRI")
        if "type" in activity.get("definition", {}) and not _is_iri(activity["definition"]["type"]):
            found.append(f"{where}.definition.type is not an IRI")
    _language_maps(statement, "", found)
    if not TIMESTAMP.match(statement["timestamp"]):
        found.append(f"timestamp {statement['timestamp']!r} is not ISO 8601 with a time zone")
    result = statement.get("result", {})
    if "duration" in result and not DURATION.match(result["duration"]):
        found.append(f"result.duration {result['duration']!r} is not an ISO 8601 duration")
    score = result.get("score", {})
    if "raw" in score and not score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"]):
        found.append("result.score.raw is not between min and max")
    if "min" in score and "max" in score and score["min"] > score["max"]:
        found.append("result.score.min is above max")
    language = statement.get("context", {}).get("language")
    if language is not None and not LANGUAGE_TAG.match(language):
        found.append("context.language is not a language tag")
    return found
