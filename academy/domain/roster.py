"""People to invite, read from an uploaded CSV or XLSX file.

The file has a header row naming its columns: ``name`` and ``email`` (required) and ``courses``
(optional: course slugs separated by ``;`` or ``,``). Columns may come in any order; others are
ignored. Every data row becomes a :class:`RosterRow` with its line number, so the report can say
what happened to each. A file that cannot be read at all raises :class:`RosterError` with a sentence.

Cells are read as text and never evaluated: an XLSX formula is refused as a name, and so is any
name that a spreadsheet would take for a formula when the data is exported again.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from .exports import clean_text

#: Largest file accepted, in bytes.
MAX_BYTES = 1_000_000
#: Most people in one file.
MAX_ROWS = 2000
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_FORMULA_START = ("=", "+", "-", "@")
_HEADERS = {"name": "name", "full name": "name", "email": "email", "e-mail": "email", "email address": "email",
            "courses": "courses", "course": "courses"}


class RosterError(ValueError):
    """The file cannot be read; ``str()`` says why in a sentence for the uploader."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    #: Lower-cased and trimmed.
    email: str
    courses: tuple[str, ...] = ()

    @property
    def email_valid(self) -> bool:
        return len(self.email) <= 254 and bool(EMAIL_RE.match(self.email))

    @property
    def name_problem(self) -> str | None:
        """Why the name cannot be used, or None."""
        if not self.name:
            return "The name is empty."
        if len(self.name) > 200:
            return "The name is longer than 200 characters."
        if self.name.startswith(_FORMULA_START):
            return "The name starts like a spreadsheet formula."
        return None


def read(filename: str, data: bytes) -> list[RosterRow]:
    """The rows of an uploaded roster (CSV or XLSX, told apart by the file's name and content)."""
    if not data:
        raise RosterError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise RosterError(f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it into smaller files.")
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise RosterError("Upload a .csv or .xlsx file.")
    return _shape(rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError("The CSV file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise RosterError(f"Line {reader.line_num} of the CSV file cannot be read ({exc}).") from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RosterError("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if value is None else str(value) for value in values]
    finally:
        workbook.close()


def _shape(rows: Iterator[tuple[int, list[str]]]) -> list[RosterRow]:
    header: dict[str, int] | None = None
    found: list[RosterRow] = []
    for line, cells in rows:
        cells = [clean_text(cell).strip() for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = _header(cells)
            continue
        if len(found) >= MAX_ROWS:
            raise RosterError(f"The file has more than {MAX_ROWS} people; split it into smaller files.")
        found.append(_row(line, cells, header))
    if header is None:
        raise RosterError("The file has no header row; its first row must name the columns name and email.")
    return found


def _header(cells: list[str]) -> dict[str, int]:
    header: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADERS.get(cell.lower())
        if key and key not in header:
            header[key] = index
    missing = [column for column in ("name", "email") if column not in header]
    if missing:
        raise RosterError("The first row must name the columns name and email (and optionally courses); "
                          f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.")
    return header


def _row(line: int, cells: list[str], header: dict[str, int]) -> RosterRow:
    def value(column: str) -> str:
        index = header.get(column)
        return cells[index] if index is not None and index < len(cells) else ""
    courses = tuple(dict.fromkeys(part.strip().lower() for part in re.split(r"[;,]", value("courses"))
                                  if part.strip()))
    return RosterRow(line=line, name=value("name")[:300], email=value("email").lower()[:300], courses=courses)
