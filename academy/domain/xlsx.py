"""A streaming XLSX writer for one table: a header row, then rows of text, numbers and dates.

Exports of 100,000 records need a workbook written row by row in constant memory, and fast:
openpyxl's write-only mode and XlsxWriter's ``constant_memory`` mode both build a cell object or
make a call per cell (1.2 million of them). This writer formats each row as one piece of
SpreadsheetML text and deflates it straight into the zip, so a row costs about what a CSV line does.

What it writes is deliberately small and safe:
- text is always an inline string cell (``t="inlineStr"``): a value starting with ``=`` is text,
  never a formula, whatever reads the file;
- numbers are numbers; dates are real dates (serial numbers with a date format, UTC);
- the header is bold and frozen, columns may have widths.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, Any
from xml.sax.saxutils import quoteattr

#: Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and CR; surrogates; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Rows gathered before a write to the zip stream.
BATCH = 500

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
# Cell styles: 0 plain, 1 bold (the header), 2 a date.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def _text(value: str) -> str:
    if value.isascii() and value.isprintable():  # the common case: no control characters, no CR
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _NOT_XML.sub("", value)
    if "\r" in value:  # XML readers turn CR into LF anyway: store what they will read
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _string_cell(value: str, style: str = "") -> str:
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{_text(value)}</t></is></c>'


def _cell(value: Any) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, str):  # _string_cell inlined: this runs for most of a million cells
        return f'<c t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    return _string_cell(str(value))


def _date_cell(value: str | datetime | None) -> str:
    """An ISO 8601 timestamp (or a datetime) as a real date, in UTC."""
    if not value:
        return "<c/>"
    # The exports' own form, "2026-11-27T09:42:00Z", is UTC already: no time-zone arithmetic.
    text = isinstance(value, str)
    moment = datetime.fromisoformat(value[:-1] if value.endswith("Z") else value) if text else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    delta = moment - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return f'<c s="2"><v>{serial!r}</v></c>'


def write_table(target: IO[bytes], rows: Iterable[Sequence[Any]], *, header: Sequence[str], title: str,
                widths: Sequence[float] = (), date_columns: frozenset[int] = frozenset()) -> int:
    """Write a one-sheet workbook to ``target``: ``header`` in bold (frozen), then ``rows``.

    Values in ``date_columns`` (indexes) are ISO 8601 timestamps or datetimes, stored as dates.
    Returns the number of rows written after the header.
    """
    title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1"
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
            + '<row r="1">' + "".join(_string_cell(h, ' s="1"') for h in header) + "</row>")
    writers = [_date_cell if i in date_columns else _cell for i in range(len(header))]
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                         f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>')
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode())
            batch: list[str] = []
            for count, row in enumerate(rows, start=1):
                batch.append(f'<row r="{count + 1}">'
                             + "".join([write(value) for write, value in zip(writers, row, strict=True)])
                             + "</row>")
                if len(batch) == BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            batch.append("</sheetData></worksheet>")
            sheet.write("".join(batch).encode())
    return count
