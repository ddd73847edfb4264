"""Course resources (job aids): Markdown files under ``courses/<slug>/resources/``, offered as a
printable page, a PDF and, for tables meant to be filled in, an XLSX workbook.

The page is the resource's rendered, sanitised HTML. The PDF and the workbook are built from that
same HTML, so the three forms never disagree: the PDF through fpdf2's HTML writer with the fonts
the certificate uses, the workbook from the HTML tables (header row, then the rows, one sheet per
table). The format is described for authors in ``docs/authoring.md``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from fpdf import FPDF, TextStyle
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

RESOURCES_DIR = "resources"
RESOURCE_KEYS = {"title", "summary", "kind"}
#: What a resource is, as the course page labels it. Only ``fillable`` resources get an XLSX.
KINDS = {
    "reference": "Reference",
    "checklist": "Checklist",
    "template": "Template",
    "script": "Script",
    "fillable": "Form to fill in",
}
FILLABLE = "fillable"
NAVY = (30, 58, 95)
FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
#: Characters a spreadsheet treats as the start of a formula; such cells are written as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ResourceContent:
    """One resource of a course version, rendered."""

    slug: str
    file_name: str
    title: str
    summary: str
    kind: str
    html: str
    #: The tables of the body, each a list of rows of cell text; the first row is the header.
    tables: tuple[tuple[tuple[str, ...], ...], ...]

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind.title())

    @property
    def has_workbook(self) -> bool:
        return self.kind == FILLABLE and bool(self.tables)


def tables_of(html: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The tables in rendered HTML as rows of plain cell text (headers included)."""
    scan = _TableScan()
    scan.feed(html)
    return tuple(tuple(tuple(row) for row in table) for table in scan.tables)


#: Tables with more columns than this are laid out on a landscape page.
PORTRAIT_COLUMNS = 4


def pdf(title: str, summary: str, html: str, course_title: str) -> bytes:
    """The resource as an A4 PDF: its title, summary and body, fonts embedded (landscape for wide tables)."""
    wide = any(len(table[0]) > PORTRAIT_COLUMNS for table in tables_of(html) if table)
    document = FPDF(orientation="L" if wide else "P", format="A4")
    document.set_title(title)
    document.set_creator("MIM Academy")
    for style, file_name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"),
                             ("I", "DejaVuSerif-Italic.ttf"), ("BI", "DejaVuSans-Bold.ttf")):
        document.add_font("sans", style, str(FONT_DIR / file_name))
    document.set_margins(18, 16, 18)
    document.set_auto_page_break(True, margin=16)
    document.add_page()
    document.set_font("sans", "", 8)
    document.set_text_color(90, 90, 90)
    document.cell(0, 5, course_title, new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(0, 0, 0)
    document.set_font("sans", "B", 16)
    document.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    document.set_font("sans", "", 10)
    document.multi_cell(0, 5, summary, align="L", new_x="LMARGIN", new_y="NEXT")
    document.ln(2)
    document.set_font("sans", "", 8 if wide else 10)
    document.write_html(_for_pdf(html, padding=1.4 if wide else 1.8), font_family="sans",
                        tag_styles=_tag_styles(), li_prefix_color=NAVY, table_line_separators=True)
    return bytes(document.output())


def _tag_styles() -> dict[str, TextStyle]:
    """The site's sober navy headings and grey quotations instead of fpdf2's red defaults."""
    heading = {"h1": 15, "h2": 13, "h3": 11.5, "h4": 10.5, "h5": 10, "h6": 10}
    styles = {tag: TextStyle(font_style="B", font_size_pt=size, color=NAVY, t_margin=4, b_margin=1.5)
              for tag, size in heading.items()}
    styles["blockquote"] = TextStyle(color=(40, 40, 40), l_margin=6, t_margin=2, b_margin=2)
    return styles


def _for_pdf(html: str, padding: float) -> str:
    """HTML that fpdf2's writer lays out well: cells aligned left, admonition titles bold, no back-links."""
    html = re.sub(r"<(td|th)(\s[^>]*)?>", lambda m: f'<{m.group(1)} align="left">' if "align=" not in (m.group(2) or "")
                  else m.group(0), html)
    # A grid with room to write in: these tables are meant to be filled in on paper.
    html = html.replace("<table>", f'<table border="1" cellpadding="{padding}" width="100%">')
    html = html.replace("</table>\n<table", "</table>\n<p>\u00a0</p>\n<table")
    html = re.sub(r"<table.*?</table>", _column_widths, html, flags=re.S)
    # Blank cells keep a line's height, so a blank row is a row to write in.
    html = re.sub(r'(<td align="left">)(</td>)', "\\1\u00a0\\2", html)
    html = re.sub(r'<p class="admonition-title">(.*?)</p>', r"<p><b>\1</b></p>", html, flags=re.S)
    html = re.sub(r'<a[^>]*class="footnote-backref"[^>]*>.*?</a>', "", html, flags=re.S)
    return html


def _column_widths(match: re.Match[str]) -> str:
    """Give each header cell a width in proportion to its column's longest text (within limits)."""
    table = match.group(0)
    rows = tables_of(table)[0] if tables_of(table) else ()
    if not rows:
        return table
    longest = [max(len(row[i]) if i < len(row) else 0 for row in rows) for i in range(len(rows[0]))]
    weights = [min(max(n, 16), 60) for n in longest]
    widths = iter(round(100 * w / sum(weights)) for w in weights)
    return re.sub(r'<th align="left">', lambda _: f'<th align="left" width="{next(widths, 10)}%">', table)


def workbook(title: str, tables: tuple[tuple[tuple[str, ...], ...], ...]) -> bytes:
    """An XLSX with one sheet per table: the header row in bold, then the rows, ready to fill in."""
    book = Workbook()
    book.remove(book.active)
    for number, table in enumerate(tables, start=1):
        sheet = book.create_sheet(_sheet_title(title if len(tables) == 1 else f"Table {number}"))
        for row in table:
            sheet.append([_safe_cell(text) for text in row])
        for cell in sheet[1] if table else ():
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E8EEF4")
        for column in sheet.columns:
            width = max((len(str(c.value or "")) for c in column), default=10)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 14), 60)
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip()
    return cleaned[:31] or "Sheet"


def _safe_cell(text: str) -> str:
    """Cell text that a spreadsheet shows as written, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


class _TableScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif tag == "tr" and self._depth == 1:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split(" ")).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._depth == 1:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(re.sub(r"\s+", " ", data))
