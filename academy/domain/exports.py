"""Certification records for export: the filter, the row, and the CSV, JSON Lines and XLSX writers.

``docs/exports.md`` is the contract with the people and systems that read these files: the
columns below, in this order, with these meanings. Changing them breaks someone's import.

Every text cell is cleaned the same way in every format: NUL and other control characters (except
tab, CR and LF) are removed, and so are the bidirectional override and isolate controls that could
make a cell display something other than what it holds. CSV cells that a spreadsheet would read
as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe; XLSX
cells are written as explicit strings, so nothing in them is ever evaluated.

Everything here streams: rows go in one at a time and text comes out in chunks, so exporting
100,000 records needs no more memory than exporting ten.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any, NamedTuple

from . import xlsx
from .certification import Status, status_at
from .filters import DateRange, FilterError, parse_choice, parse_date_range, parse_text

#: The columns of every export, in order (documented in docs/exports.md).
COLUMNS = ("code", "holder_name", "email", "organisation", "course", "course_version", "score", "issued",
           "expires", "status", "revocation_reason", "verification_url")
FORMATS = ("csv", "xlsx", "json")
STATUSES = tuple(s.value for s in Status)
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "json": "jsonl", "xlsx": "xlsx"}
#: Rows buffered before a chunk of text is handed on: large enough to keep writes few, small enough
#: that memory stays flat.
CHUNK_ROWS = 500

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the filter -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CertificateFilter:
    """Which certificates to export, as typed: names and slugs are resolved by the service."""

    course: str | None = None
    #: An organisation's name or its numeric id.
    organisation: str | None = None
    dates: DateRange = DateRange()
    #: A :class:`~academy.domain.certification.Status` value.
    status: str | None = None

    def describe(self) -> dict[str, str]:
        """The filters that were set, as plain strings (for the audit log)."""
        values = {"course": self.course, "organisation": self.organisation, "status": self.status,
                  "since": self.dates.since and self.dates.since.isoformat(),
                  "until": self.dates.until and self.dates.until.isoformat()}
        return {k: v for k, v in values.items() if v}


#: The filter's fields as people type them: the download form's, the CLI's options, the API's parameters.
FILTER_FIELDS = ("course", "organisation", "since", "until", "status")


def parse_filter(*, course: str | None = None, organisation: str | None = None, since: str | None = None,
                 until: str | None = None, status: str | None = None) -> CertificateFilter:
    """A :class:`CertificateFilter` from typed values; :class:`FilterError` says what is wrong."""
    return CertificateFilter(course=parse_text("course", course) or None,
                             organisation=parse_text("organisation", organisation) or None,
                             dates=parse_date_range(since, until), status=parse_choice("status", status, STATUSES))


def parse_format(raw: str | None) -> str:
    """One of :data:`FORMATS`."""
    value = parse_choice("format", raw, FORMATS)
    if value is None:
        raise FilterError("format", f"Format must be one of {', '.join(FORMATS)}.")
    return value


# --- the row ----------------------------------------------------------------------------------

class CertificateRecord(NamedTuple):
    """One certificate with what the export says about it, as plain values (immutable; a named tuple
    because an export makes 100,000 of them, and a frozen dataclass costs four times as much to build)."""

    code: str
    holder_name: str
    email: str
    organisation: str | None
    course: str
    course_version: int
    score: int | None
    issued_at: datetime
    expires_at: datetime | None
    revoked: bool
    revocation_reason: str | None


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, e.g. ``2026-11-27T09:42:00Z``."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def clean_text(value: str) -> str:
    """``value`` without control characters or bidirectional overrides (see the module docstring)."""
    if value.isascii() and value.isprintable():  # most values: nothing to remove, and this test is C-fast
        return value
    return _UNSAFE.sub("", value)


def record_row(record: CertificateRecord, *, now: datetime, base_url: str) -> dict[str, Any]:
    """The export row for ``record``: text cleaned, dates as ISO 8601, status as at ``now``."""
    status = status_at(expires_at=record.expires_at, revoked=record.revoked, now=now)
    row: dict[str, Any] = {
        "code": record.code,
        "holder_name": record.holder_name,
        "email": record.email,
        "organisation": record.organisation,
        "course": record.course,
        "course_version": record.course_version,
        "score": record.score,
        "issued": timestamp(record.issued_at),
        "expires": timestamp(record.expires_at),
        "status": status.value,
        "revocation_reason": record.revocation_reason if record.revoked else None,
        "verification_url": f"{base_url.rstrip('/')}/verify/{record.code}",
    }
    return {key: clean_text(value) if isinstance(value, str) else value for key, value in row.items()}


def neutralise_formula(value: str) -> str:
    """A CSV cell that no spreadsheet will evaluate: a leading apostrophe before formula starters."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# --- the writers ------------------------------------------------------------------------------

#: A byte order mark opens the CSV: without it Excel reads UTF-8 as Windows-1252 ("ZoÃ«" for "Zoë").
CSV_BOM = "\ufeff"


def csv_chunks(rows: Iterable[dict[str, Any]], *, columns: tuple[str, ...] = COLUMNS) -> Iterator[str]:
    """RFC 4180 CSV (UTF-8 with a BOM, CRLF), header first, in chunks of :data:`CHUNK_ROWS` rows."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(row[column]) for column in columns])
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return neutralise_formula(value) if isinstance(value, str) else value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def jsonl_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """JSON Lines: one object per row with :data:`COLUMNS` as keys, in chunks."""
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def write_xlsx(rows: Iterable[dict[str, Any]], target: IO[bytes], *, title: str = "Certificates",
               columns: tuple[str, ...] = COLUMNS) -> int:
    """Write an XLSX workbook to ``target`` row by row, in constant memory (``domain.xlsx``); returns the
    row count. Text cells are always strings (never evaluated); timestamps are real dates in UTC."""
    widths = (26, 28, 32, 28, 40, 10, 8, 22, 22, 10, 30, 60) if columns == COLUMNS else ()
    dates = frozenset(i for i, column in enumerate(columns) if column in DATE_COLUMNS)
    return xlsx.write_table(target, ([row[column] for column in columns] for row in rows), header=columns,
                            title=title, widths=widths, date_columns=dates)


#: Columns of ISO 8601 timestamps: real dates in a workbook, so they sort and filter as dates.
DATE_COLUMNS = frozenset({"issued", "expires"})
#: Spreadsheets have no time zones: the value is UTC, shown unambiguously.
XLSX_DATE_FORMAT = xlsx.DATE_FORMAT


#: The columns of an organisation's assignment export (documented in docs/exports.md).
ASSIGNMENT_COLUMNS = ("holder_name", "email", "organisation", "course", "assigned_to", "due", "assignment_status",
                      "recertification", "certificate_status", "certificate_expires")


def assignment_row(*, holder_name: str, email: str, organisation: str, course: str, everyone: bool, due: date,
                   status: str, recertification: bool, certificate_status: str | None,
                   certificate_expires: datetime | None) -> dict[str, Any]:
    """One person's standing on one assigned course, text cleaned, dates as ISO 8601."""
    row: dict[str, Any] = {
        "holder_name": holder_name, "email": email, "organisation": organisation, "course": course,
        "assigned_to": "organisation" if everyone else "person", "due": due.isoformat(),
        "assignment_status": status, "recertification": "yes" if recertification else "no",
        "certificate_status": certificate_status, "certificate_expires": timestamp(certificate_expires),
    }
    return {key: clean_text(value) if isinstance(value, str) else value for key, value in row.items()}


#: The streaming text writers by format (XLSX is binary and written to a file by :func:`write_xlsx`).
TEXT_WRITERS = {"csv": csv_chunks, "json": jsonl_chunks}


def export_filename(kind: str, fmt: str, today: date) -> str:
    """A safe ASCII attachment name, e.g. ``certificates-2026-11-27.csv``."""
    stem = re.sub(r"[^a-z0-9-]+", "-", kind.lower()).strip("-") or "export"
    return f"{stem}-{today.isoformat()}.{EXTENSIONS[fmt]}"
