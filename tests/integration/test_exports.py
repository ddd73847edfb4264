"""Certification records: the filtered query, and `flask certificates export` in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from academy.domain.exports import COLUMNS, CertificateFilter, parse_filter
from academy.domain.filters import DateRange
from academy.models import AuditEvent, Certificate, Organisation, User, utcnow
from academy.services import exports
from academy.services.actors import OPERATOR
from academy.services.errors import InvalidInput
from tests.support import reporting


@pytest.fixture
def seeded(app, runner, content_dir, db):
    reporting.seed(app, runner, content_dir, learners=60)
    certificates = db.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certificates) >= 6
    # One expired, one revoked, the rest valid, whatever the seed made.
    now = utcnow()
    db.execute(update(Certificate).values(expires_at=None, revoked_at=None, revoked_reason=None))
    db.execute(update(Certificate).where(Certificate.id == certificates[0].id)
               .values(expires_at=now - timedelta(days=1), revoked_at=None))
    db.execute(update(Certificate).where(Certificate.id == certificates[1].id)
               .values(revoked_at=now, revoked_reason="Exam misconduct"))
    db.commit()
    return certificates


def records(db, **typed):
    return list(exports.records(db, exports.resolve(db, parse_filter(**typed)), utcnow()))


def test_every_certificate_is_exported_once_in_id_order(db, seeded):
    assert [r.code for r in records(db)] == [c.code for c in seeded]


def test_filter_by_organisation_name_or_id(db, seeded):
    organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
    members = set(db.scalars(select(User.id).where(User.organisation_id == organisation.id)))
    expected = {c.code for c in seeded if c.user_id in members}
    assert {r.code for r in records(db, organisation=organisation.name.upper())} == expected
    assert {r.code for r in records(db, organisation=str(organisation.id))} == expected
    assert all(r.organisation == organisation.name for r in records(db, organisation=str(organisation.id)))


def test_filter_by_status_today(db, seeded):
    statuses = {s: {r.code for r in records(db, status=s)} for s in ("valid", "expired", "revoked")}
    assert statuses["expired"] == {seeded[0].code} and statuses["revoked"] == {seeded[1].code}
    assert statuses["valid"] == {c.code for c in seeded[2:]}


def test_filter_by_issue_dates_inclusive(db, seeded):
    day = seeded[3].issued_at.date()
    same_day = {c.code for c in seeded if c.issued_at.date() == day}
    assert {r.code for r in records(db, since=day.isoformat(), until=day.isoformat())} == same_day
    after = {r.code for r in records(db, since=(day + timedelta(days=1)).isoformat())}
    assert after == {c.code for c in seeded if c.issued_at.date() > day}


def test_filter_by_course_and_refuse_unknown_names(db, seeded):
    assert len(records(db, course="demo")) == len(seeded)
    with pytest.raises(InvalidInput) as caught:
        exports.resolve(db, CertificateFilter(course="no-such-course"))
    assert "course" in caught.value.field_errors
    with pytest.raises(InvalidInput):
        exports.resolve(db, CertificateFilter(organisation="Nobody Ltd"))


def test_one_export_use_case_checks_the_typed_filter_logs_and_writes(db, seeded):
    with pytest.raises(InvalidInput) as caught:
        exports.certificate_filter(db, since="2026-13-45")
    assert list(caught.value.field_errors) == ["since"]
    resolved = exports.certificate_filter(db, course="demo", status="valid")
    export = exports.start_export(db, resolved, "csv", base_url="https://academy.example", now=utcnow(),
                                  actor=OPERATOR, via="cli")
    logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "export.certificates")).all()
    assert len(logged) == 1 and '"via": "cli"' in logged[0].detail
    text = io.StringIO()
    export.write(export.rows(db), text)
    assert text.getvalue().startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    lines = list(csv.DictReader(io.StringIO(text.getvalue().removeprefix("\ufeff"))))
    assert {line["code"] for line in lines} <= {c.code for c in seeded} and lines
    assert export.filename.startswith("certificates-") and export.filename.endswith(".csv")


def test_pages_continue_after_the_last_id(db, seeded):
    resolved = exports.resolve(db, CertificateFilter())
    first, after = exports.page(db, resolved, utcnow(), after_id=0, limit=4)
    rest, end = exports.page(db, resolved, utcnow(), after_id=after, limit=1000)
    assert [r.code for r in first + rest] == [c.code for c in seeded] and end is None


def test_a_far_future_until_date_is_no_limit(db, seeded):
    resolved = exports.ResolvedFilter(CertificateFilter(dates=DateRange(until=date.max)))
    assert exports.count(db, resolved, utcnow()) == len(seeded)


# --- the command ------------------------------------------------------------------------------

def test_csv_goes_to_standard_output_with_the_documented_header(runner, seeded):
    result = runner.invoke(args=["certificates", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(seeded)
    assert {r["status"] for r in rows} == {"valid", "expired", "revoked"}
    assert rows[0]["verification_url"] == f"http://localhost/verify/{seeded[0].code}"


def test_json_lines_with_filters(runner, db, seeded):
    result = runner.invoke(args=["certificates", "export", "--format", "json", "--status", "revoked"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["code"] == seeded[1].code and record["revocation_reason"] == "Exam misconduct"


def test_xlsx_is_written_to_the_file_named(runner, seeded, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "certificates.xlsx"
    result = runner.invoke(args=["certificates", "export", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(seeded)} certificates to {target}" in result.output
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == len(seeded) + 1
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdf"], "'pdf' is not one of"),
    (["--format", "xlsx"], "give -o FILE"),
    (["--format", "csv", "--since", "2026-02-30"], "YYYY-MM-DD"),
    (["--format", "csv", "--since", "2026-03-01", "--until", "2026-02-01"], "before the start date"),
    (["--format", "csv", "--status", "lost"], "'lost' is not one of"),
    (["--format", "csv", "--course", "nope"], "no course with the slug 'nope'"),
    (["--format", "csv", "--organisation", "Nobody Ltd"], "no organisation named 'Nobody Ltd'"),
])
def test_malformed_options_exit_2_with_a_message_and_export_nothing(runner, db, seeded, args, message):
    result = runner.invoke(args=["certificates", "export", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "export.certificates")) is None


def test_every_export_is_audit_logged_with_its_filters(runner, db, seeded):
    runner.invoke(args=["certificates", "export", "--format", "json", "--status", "valid", "--since", "2020-01-01"])
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.certificates"))
    assert json.loads(event.detail) == {"filters": {"since": "2020-01-01", "status": "valid"}, "format": "json",
                                        "via": "cli"}


def test_hostile_names_are_neutralised_in_csv_and_kept_as_text_in_xlsx(runner, db, seeded, tmp_path):
    hostile = ['=HYPERLINK("http://evil.example","Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "\tTabbed",
               "-1+1", "‮evil\x07"]
    for certificate, name in zip(seeded, hostile, strict=False):
        db.execute(update(Certificate).where(Certificate.id == certificate.id).values(holder_name=name))
    db.commit()
    result = runner.invoke(args=["certificates", "export", "--format", "csv"])
    exported = io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")
    names = [r["holder_name"] for r in csv.DictReader(exported)][:len(hostile)]
    assert names[:5] == ["'" + n for n in hostile[:5]] and names[5] == "evil"
    target = tmp_path / "out.xlsx"
    runner.invoke(args=["certificates", "export", "--format", "xlsx", "-o", str(target)])
    sheet = load_workbook(target).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2, max_row=len(hostile) + 1)]
    assert [c.value for c in cells[:5]] == hostile[:5] and all(c.data_type == "s" for c in cells)
