"""Schemathesis against /api/v1/openapi.json with a valid token: no 5xx, and every response conforms.

Every default check runs except ``positive_data_acceptance``: a filter can be well-formed for the
schema and still name no course or organisation, or carry a cursor this API never issued; those
are 400 problems by design (the same answers the export gives), not schema violations.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from academy.db import session_scope
from academy.models import Role
from academy.services import api_tokens
from academy.services.actors import Actor
from tests.support import reporting


@pytest.fixture
def api_schema(app, runner, content_dir, make_user):
    reporting.seed(app, runner, content_dir, learners=15)
    admin = make_user(Role.ADMIN)
    with session_scope(app) as session:
        _, secret = api_tokens.create(session, "schemathesis", actor=Actor(admin.id))
    # Given as the document's bearer scheme, so schemathesis also knows which requests lack it.
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"bearerAuth": {"bearer": secret}}}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_document(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
