"""Exports from the admin area: a filter form, streamed downloads with safe names, clear refusals."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from academy.domain.exports import COLUMNS
from academy.models import AuditEvent, Certificate
from tests.support import reporting
from tests.support.xapi import problems


@pytest.fixture
def seeded(app, runner, content_dir, db):
    """The seeded certificates' ids and codes; the read is ended so later commits are visible."""
    reporting.seed(app, runner, content_dir, learners=30)
    rows = db.execute(select(Certificate.id, Certificate.code).order_by(Certificate.id)).all()
    db.rollback()
    return rows


def test_the_form_offers_formats_filters_and_the_columns(admin_client, seeded):
    page = admin_client.get("/admin/exports").text
    for text in ("Certification records", "Learning records (xAPI)", 'value="xlsx"', "Demo course", *COLUMNS):
        assert text in page


def test_csv_streams_as_an_attachment_with_a_dated_ascii_name(admin_client, seeded):
    response = admin_client.get("/admin/exports/certificates?format=csv&course=demo")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="certificates-{date.today().isoformat()}.csv"'
    assert response.text.startswith("\ufeffcode,")  # the BOM makes Excel read UTF-8
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"), newline="")))
    assert [r["code"] for r in rows] == [c.code for c in seeded]


def test_json_lines_and_xlsx(admin_client, seeded):
    lines = admin_client.get("/admin/exports/certificates?format=json").text.splitlines()
    assert [json.loads(line)["code"] for line in lines] == [c.code for c in seeded]
    response = admin_client.get("/admin/exports/certificates?format=xlsx&status=valid")
    assert re.fullmatch(r'attachment; filename="?certificates-\d{4}-\d{2}-\d{2}\.xlsx"?',
                        response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert next(sheet.iter_rows(values_only=True)) == COLUMNS


@pytest.mark.parametrize(("query", "message"), [
    ("format=pdf", "Format must be one of csv, xlsx, json"),
    ("format=csv&since=2026-02-30", "YYYY-MM-DD"),
    ("format=csv&since=2026-03-01&until=2026-01-01", "before the start date"),
    ("format=csv&status=lapsed", "Status must be one of valid, expired, revoked"),
    ("format=csv&course=no-such-course", "There is no course with the slug"),
    ("format=csv&organisation=Nobody", "There is no organisation named"),
])
def test_malformed_filters_come_back_to_the_form_with_a_400_and_the_reason(admin_client, db, query, message):
    response = admin_client.get(f"/admin/exports/certificates?{query}")
    assert response.status_code == 400 and message in response.text
    assert "The export was not made" in response.text
    assert db.scalar(select(AuditEvent).where(AuditEvent.action.like("export.%"))) is None


def test_each_download_is_audit_logged_with_its_filters_and_address(admin_client, db, seeded):
    admin_client.get("/admin/exports/certificates?format=csv&status=valid&course=demo&since=")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.certificates"))
    assert event.actor_id == admin_client.user.id and event.ip == "127.0.0.1"
    assert json.loads(event.detail) == {"filters": {"course": "demo", "status": "valid"}, "format": "csv",
                                        "via": "web"}


def test_hostile_holder_names_cannot_become_spreadsheet_formulas(admin_client, db, seeded):
    db.execute(update(Certificate).where(Certificate.id == seeded[0].id)
               .values(holder_name='=HYPERLINK("http://evil.example","Click me")'))
    db.execute(update(Certificate).where(Certificate.id == seeded[1].id).values(holder_name="@SUM(A1)\x1b"))
    db.commit()
    exported = admin_client.get("/admin/exports/certificates?format=csv").text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert rows[0]["holder_name"] == "'=HYPERLINK(\"http://evil.example\",\"Click me\")"
    assert rows[1]["holder_name"] == "'@SUM(A1)"
    sheet = load_workbook(io.BytesIO(admin_client.get("/admin/exports/certificates?format=xlsx").data)).active
    cell = sheet["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_xapi_statements_download_as_valid_json_lines(admin_client, db, seeded):
    response = admin_client.get("/admin/exports/xapi?course=demo")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="xapi-statements-')
    statements = [json.loads(line) for line in response.text.splitlines()]
    assert statements and all(problems(s) == [] for s in statements)
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "export.xapi"))


def test_xapi_filters_are_checked_too(admin_client):
    response = admin_client.get("/admin/exports/xapi?since=soon")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.text


def test_only_admins_download(instructor_client, learner_client, client):
    for c in (instructor_client, learner_client):
        assert c.get("/admin/exports/certificates?format=csv").status_code == 403
    assert client.get("/admin/exports/certificates?format=csv").status_code == 302
