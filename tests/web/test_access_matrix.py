"""Every route, for every kind of visitor: deny by default, sign-in where needed, roles enforced.

The matrix is built from the app's own URL map and each view's declared access rule, so a new
route is covered the moment it is added.
"""

from __future__ import annotations

import pytest

from academy.models import Role
from academy.web.access import PUBLIC, access_of, check_all_routes_declared

SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x.txt",
                 "uuid": "00000000-0000-0000-0000-000000000000"}
PERSONAS = ["anonymous", Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN]


def sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kind = {"integer": "int", "boundedint": "int", "unicode": "string"}.get(kind, kind)
        values[name] = SAMPLE_VALUES.get(kind, "x")
    return rule.build(values, append_unknown=False)[1]


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield rule, method


def test_every_route_declares_who_may_use_it(app):
    check_all_routes_declared(app)
    assert all(access_of(app, rule.endpoint) is not None for rule, _ in routes(app))


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(app, client_as, persona):
    client = app.test_client() if persona == "anonymous" else client_as(persona)
    checked = 0
    for rule, method in routes(app):
        access = access_of(app, rule.endpoint)
        url = sample_url(rule)
        response = client.open(url, method=method)
        label = f"{persona} {method} {url} ({rule.endpoint})"
        if access == PUBLIC:
            assert response.status_code not in (401, 403), label
        elif persona == "anonymous":
            if method == "GET" and not url.startswith("/api/"):
                assert response.status_code == 302 and "/login" in response.headers["Location"], label
            else:
                assert response.status_code == 401, label
        elif persona not in access:
            assert response.status_code == 403, label
        else:
            assert response.status_code not in (401, 403), label
        checked += 1
    assert checked >= 8
