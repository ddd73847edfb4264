"""Export shaping: the documented columns, cleaned text, formula neutralising and the writers."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from academy.domain.exports import (
    COLUMNS,
    CertificateRecord,
    clean_text,
    csv_chunks,
    export_filename,
    jsonl_chunks,
    neutralise_formula,
    parse_filter,
    parse_format,
    record_row,
    write_xlsx,
)
from academy.domain.filters import DateRange, FilterError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                 "\tTabbed", "\rCarriage"]


def record(**changes) -> CertificateRecord:
    values = dict(code="7KQ2-M9XD-4HWT-B8NC-R3VJ", holder_name="Ada Lovelace", email="ada@example.com",
                  organisation="Northbank Financial", course="MIM Service Models", course_version=2, score=91,
                  issued_at=datetime(2026, 3, 1, 9, 42, 7, 123456, tzinfo=UTC),
                  expires_at=datetime(2028, 3, 1, 9, 42, tzinfo=UTC), revoked=False, revocation_reason=None)
    values.update(changes)
    return CertificateRecord(**values)


def row(**changes) -> dict:
    return record_row(record(**changes), now=NOW, base_url="https://academy.example/")


def test_a_row_has_the_documented_columns_in_order_with_iso_dates_and_a_verification_link():
    shaped = row()
    assert tuple(shaped) == COLUMNS
    assert shaped["issued"] == "2026-03-01T09:42:07Z"
    assert shaped["expires"] == "2028-03-01T09:42:00Z"
    assert shaped["status"] == "valid"
    assert shaped["score"] == 91
    assert shaped["verification_url"] == "https://academy.example/verify/7KQ2-M9XD-4HWT-B8NC-R3VJ"


@pytest.mark.parametrize(("changes", "status"), [
    ({"expires_at": None}, "valid"),
    ({"expires_at": NOW}, "expired"),
    ({"revoked": True, "revocation_reason": "Exam misconduct", "expires_at": NOW}, "revoked"),
])
def test_status_is_computed_as_at_the_export(changes, status):
    assert row(**changes)["status"] == status


def test_a_revocation_reason_shows_only_on_revoked_certificates():
    assert row(revoked=True, revocation_reason="Exam misconduct")["revocation_reason"] == "Exam misconduct"
    assert row(revocation_reason="left over")["revocation_reason"] is None


def test_nul_control_characters_and_bidi_overrides_are_removed_but_scripts_stay():
    assert clean_text("Ad\x00a\x07 \u202egnp.exe") == "Ada gnp.exe"
    assert clean_text("محمد عبد الله") == "محمد عبد الله"
    assert clean_text("山田 太郎\u200f") == "山田 太郎\u200f"
    assert row(holder_name="Zo\x00e\u2066")["holder_name"] == "Zoe"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_csv_cells_that_start_like_a_formula_get_an_apostrophe(name):
    assert neutralise_formula(name) == "'" + name
    assert neutralise_formula("Ada " + name) == "Ada " + name


def test_csv_is_rfc4180_with_header_and_neutralised_cells():
    rows = [row(holder_name=name) for name in HOSTILE_NAMES] + [row(organisation=None, score=None)]
    text = "".join(csv_chunks(rows))
    # A byte order mark first, so Excel reads "Zoë" as "Zoë", not "ZoÃ«".
    assert text.startswith("\ufeff" + ",".join(COLUMNS) + "\r\n")
    text = text.removeprefix("\ufeff")
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [p["holder_name"] for p in parsed[:-1]] == ["'" + n for n in HOSTILE_NAMES]
    assert parsed[-1]["organisation"] == "" and parsed[-1]["score"] == ""


def test_csv_comes_out_in_chunks_not_all_at_once():
    chunks = list(csv_chunks(row() for _ in range(1200)))
    assert len(chunks) == 3
    assert sum(chunk.count("\r\n") for chunk in chunks) == 1201


def test_json_lines_keep_values_typed_and_unicode_readable():
    lines = "".join(jsonl_chunks([row(holder_name="Łukasz Żółć"), row(score=None)])).splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["holder_name"] == "Łukasz Żółć" and "Łukasz" in lines[0]
    assert first["score"] == 91 and second["score"] is None
    assert list(first) == list(COLUMNS)


def test_xlsx_cells_are_strings_never_formulas(tmp_path):
    target = tmp_path / "out.xlsx"
    with target.open("wb") as fh:
        count = write_xlsx([row(holder_name=name) for name in HOSTILE_NAMES], fh)
    assert count == len(HOSTILE_NAMES)
    sheet = load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    # XML reads a bare CR back as LF; the text is otherwise exactly what was stored.
    assert [v[1] for v in values[1:]] == [name.replace("\r", "\n") for name in HOSTILE_NAMES]
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    assert values[1][6] == 91  # numbers stay numbers


def test_xlsx_dates_are_real_dates_in_utc(tmp_path):
    target = tmp_path / "out.xlsx"
    with target.open("wb") as fh:
        write_xlsx([row(), row(expires_at=None)], fh)
    sheet = load_workbook(target).active
    issued, expires = COLUMNS.index("issued") + 1, COLUMNS.index("expires") + 1
    cell = sheet.cell(row=2, column=issued)
    assert isinstance(cell.value, datetime) and cell.is_date
    assert cell.value == datetime.fromisoformat(row()["issued"].replace("Z", "")) and cell.number_format == (
        "yyyy-mm-dd hh:mm:ss")
    assert isinstance(sheet.cell(row=2, column=expires).value, datetime)
    assert sheet.cell(row=3, column=expires).value is None


def test_parse_filter_accepts_good_values_and_names_the_field_of_bad_ones():
    flt = parse_filter(course=" mim-service-models ", organisation="Northbank", since="2026-01-01",
                       until="2026-12-31", status="Valid")
    assert flt.course == "mim-service-models" and flt.status == "valid"
    assert flt.dates == DateRange(date(2026, 1, 1), date(2026, 12, 31))
    assert flt.describe() == {"course": "mim-service-models", "organisation": "Northbank", "status": "valid",
                              "since": "2026-01-01", "until": "2026-12-31"}
    assert parse_filter() == parse_filter(course="", organisation=" ", since="", until=None, status="")


@pytest.mark.parametrize(("values", "field"), [
    ({"since": "2026-13-01"}, "since"),
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-1-5"}, "until"),
    ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
    ({"status": "pending"}, "status"),
    ({"course": "x" * 201}, "course"),
    ({"organisation": "Acme\x00"}, "organisation"),
])
def test_parse_filter_refuses_malformed_values_with_a_sentence(values, field):
    with pytest.raises(FilterError) as caught:
        parse_filter(**values)
    assert caught.value.field == field
    assert str(caught.value).endswith(".")


def test_formats_are_checked():
    assert parse_format("XLSX") == "xlsx"
    for bad in ("", "pdf", None):
        with pytest.raises(FilterError):
            parse_format(bad)


def test_file_names_are_plain_ascii():
    assert export_filename("certificates", "csv", date(2026, 11, 27)) == "certificates-2026-11-27.csv"
    assert export_filename("certificates", "json", date(2026, 11, 27)) == "certificates-2026-11-27.jsonl"
    assert export_filename("../Évil\r\nname", "xlsx", date(2026, 1, 2)) == "vil-name-2026-01-02.xlsx"
