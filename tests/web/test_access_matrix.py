"""Every route, for every kind of visitor: deny by default, sign-in where needed, roles enforced.

The matrix is built from the app's own URL map and each view's declared access rule, so a new
route is covered the moment it is added.
"""

from __future__ import annotations

import pytest

from academy.models import Role
from academy.web.access import PUBLIC, access_of, check_all_routes_declared
from tests.support.organisations import appoint, make_organisation

SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x.txt",
                 "uuid": "00000000-0000-0000-0000-000000000000"}
#: "manager": a learner who manages organisation 1 (the id every sample URL uses).
PERSONAS = ["anonymous", Role.LEARNER, "manager", Role.INSTRUCTOR, Role.ADMIN]


def sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kind = {"integer": "int", "boundedint": "int", "unicode": "string", "plainstring": "string",
                "plainpath": "path"}.get(kind, kind)
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


def _client_for(app, client_as, db, persona):
    if persona == "anonymous":
        return app.test_client()
    if persona != "manager":
        return client_as(persona)
    organisation_id = make_organisation(db, "Managed Ltd")
    assert organisation_id == 1, "sample URLs name organisation 1"
    client = client_as(Role.LEARNER, organisation_id=organisation_id)
    appoint(db, organisation_id, client.user.id)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(app, client_as, db, persona):
    client = _client_for(app, client_as, db, persona)
    role = Role.LEARNER if persona == "manager" else persona
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
        elif role not in access:
            assert response.status_code == 403, label
        else:
            assert response.status_code not in (401, 403), label
        checked += 1
    assert checked >= 8
