"""The certificate as a printable PDF: A4 landscape, fonts embedded, a QR code to verify it.

:func:`render` takes a :class:`CertificateSheet` (plain values) and returns the PDF's bytes. The
fonts ship in ``academy/data/fonts`` (see its README): DejaVu Serif and Sans for Latin, Greek,
Cyrillic, Arabic and Hebrew; Noto Sans for Devanagari, Bengali, Tamil and Thai; NanumSquare for
Korean; Droid Sans Fallback for Chinese and Japanese. Text is shaped with HarfBuzz, so Arabic letters join and run right
to left and Indic syllables are built from their parts. Rendering the same sheet twice gives
the same bytes (the PDF's dates come from the sheet), so the file can be cached by its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
#: The faces the design uses.
FONTS = {
    ("serif", "B"): "DejaVuSerif-Bold.ttf",
    ("serif", "I"): "DejaVuSerif-Italic.ttf",
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
}
#: Faces for scripts DejaVu does not draw, tried in this order after DejaVu Sans. Each is loaded
#: only when the certificate's text needs it (the CJK face is large), so a PDF embeds no more.
FALLBACK_FONTS = {
    "devanagari": "NotoSansDevanagari-Bold.ttf",
    "bengali": "NotoSansBengali-Bold.ttf",
    "tamil": "NotoSansTamil-Bold.ttf",
    "thai": "NotoSansThai-Bold.ttf",
    "cjk": "DroidSansFallbackFull.ttf",
    # After the CJK face, so Chinese characters keep Chinese shapes; Droid lacks Hangul syllables.
    "hangul": "NanumSquareB.ttf",
}

PAGE_W, PAGE_H = 297.0, 210.0
NAVY = (30, 58, 95)
TEAL = (15, 118, 110)
INK = (23, 32, 43)
MUTED = (85, 96, 110)
GOLD = (180, 132, 40)
#: Millimetres per typographic point.
PT = 25.4 / 72


@dataclass(frozen=True)
class CertificateSheet:
    """What the printed certificate says."""

    holder_name: str
    title: str
    course_title: str
    code: str
    verify_url: str
    issued_on: date
    expires_on: date | None = None
    #: The first award, when this certificate renews an earlier one.
    first_awarded_on: date | None = None
    score_percent: int | None = None
    issuer: str = "MIM Academy"


def long_date(day: date) -> str:
    """``7 March 2026``: unambiguous in every English-speaking country."""
    return f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=64)
def render(sheet: CertificateSheet) -> bytes:
    """The certificate's PDF (the same sheet gives the same bytes, so recent ones are kept)."""
    pdf = _new_document(sheet)
    pdf.add_page()
    _frame(pdf)
    _brand(pdf, PAGE_W / 2, 22)
    _headline(pdf, sheet)
    _details(pdf, sheet)
    _seal(pdf, PAGE_W / 2, 158, sheet.issuer)
    _qr(pdf, sheet.verify_url, x=PAGE_W - 30 - 32, y=141, size=32)
    _footer(pdf, sheet)
    return bytes(pdf.output())


def _new_document(sheet: CertificateSheet) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for (family, style), file_name in FONTS.items():
        pdf.add_font(family, style, str(FONT_DIR / file_name))
    fallbacks = ["sans"]
    for family in _fallbacks_for(sheet.holder_name + sheet.title + sheet.course_title):
        pdf.add_font(family, "", str(FONT_DIR / FALLBACK_FONTS[family]))
        fallbacks.append(family)
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.set_text_shaping(True)
    pdf.set_lang("en")
    pdf.set_title(f"{sheet.title}: {sheet.holder_name}")
    pdf.set_author(sheet.issuer)
    pdf.set_subject(f"Certificate {sheet.code}. Verify at {sheet.verify_url}")
    pdf.set_creator(sheet.issuer)
    pdf.set_producer(sheet.issuer)
    pdf.set_creation_date(datetime.combine(sheet.issued_on, time(), tzinfo=UTC))
    return pdf


@cache
def _characters(file_name: str) -> frozenset[int]:
    """Every code point a font file draws (read once from its character map)."""
    with TTFont(FONT_DIR / file_name, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _fallbacks_for(text: str) -> list[str]:
    """The fallback families ``text`` needs: those drawing a character no face before them draws."""
    missing = {ord(ch) for ch in text if ch.isprintable() and not ch.isspace()}
    for file_name in FONTS.values():
        missing -= _characters(file_name)
    needed = []
    for family, file_name in FALLBACK_FONTS.items():
        if missing & _characters(file_name):
            needed.append(family)
            missing -= _characters(file_name)
    return needed


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(9, 9, PAGE_W - 18, PAGE_H - 18)
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(0.35)
    pdf.rect(12.5, 12.5, PAGE_W - 25, PAGE_H - 25)
    # Small diamonds on the inner frame's corners.
    pdf.set_fill_color(*GOLD)
    for cx, cy in ((12.5, 12.5), (PAGE_W - 12.5, 12.5), (12.5, PAGE_H - 12.5), (PAGE_W - 12.5, PAGE_H - 12.5)):
        pdf.polyline([(cx, cy - 2.2), (cx + 2.2, cy), (cx, cy + 2.2), (cx - 2.2, cy)], polygon=True, style="F")


def _mark(pdf: FPDF, x: float, y: float, size: float) -> None:
    """The MIM Academy mark (as in the site header): a rounded square with an M."""
    pdf.set_fill_color(*NAVY)
    pdf.rect(x, y, size, size, style="F", round_corners=True, corner_radius=size * 7 / 32)
    unit = size / 32
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(2.6 * unit)
    points = [(7, 22), (7, 10), (12, 17), (16, 10), (20, 17), (25, 10), (25, 22)]
    pdf.polyline([(x + px * unit, y + py * unit) for px, py in points])


def _brand(pdf: FPDF, centre_x: float, top: float) -> None:
    size = 11
    pdf.set_font("sans", "B", 12)
    # Wide enough to read as small capitals, narrow enough that text extraction keeps the words.
    pdf.set_char_spacing(0.7)
    label = "MIM ACADEMY"
    width = pdf.get_string_width(label)
    left = centre_x - (size + 3 + width) / 2
    _mark(pdf, left, top, size)
    pdf.set_text_color(*NAVY)
    pdf.set_xy(left + size + 3, top)
    pdf.cell(width, size, label)
    pdf.set_char_spacing(0)


def _centred(pdf: FPDF, y: float, text: str, family: str, style: str, size: float, colour,
             *, max_width: float = 240, min_size: float | None = None) -> float:
    """Write centred text at ``y``, shrinking the type (down to ``min_size``) to keep it on one line
    and wrapping only beyond that; returns the y below it."""
    floor = min_size or size
    pdf.set_font(family, style, size)
    while size > floor and pdf.get_string_width(text) > max_width:
        size -= 1
        pdf.set_font(family, style, size)
    pdf.set_text_color(*colour)
    pdf.set_xy((PAGE_W - max_width) / 2, y)
    pdf.multi_cell(max_width, size * PT * 1.3, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.get_y()


def _headline(pdf: FPDF, sheet: CertificateSheet) -> None:
    pdf.set_char_spacing(0.7)
    _centred(pdf, 50, "CERTIFICATE", "sans", "B", 10, TEAL)
    pdf.set_char_spacing(0)
    y = _centred(pdf, 57, sheet.title, "serif", "B", 25, NAVY, max_width=230, min_size=16)
    y = _centred(pdf, y + 4, "This certifies that", "serif", "I", 13, MUTED)
    y = _centred(pdf, y + 2, sheet.holder_name, "serif", "B", 34, INK, max_width=235, min_size=16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(PAGE_W / 2 - 70, y + 1.5, PAGE_W / 2 + 70, y + 1.5)
    achievement = f"has completed the course “{sheet.course_title}”, passing every module quiz and the final exam"
    if sheet.score_percent is not None:
        achievement += f" with a score of {sheet.score_percent}%"
    _centred(pdf, y + 6, achievement + ".", "sans", "", 12, INK, max_width=200)


def _details(pdf: FPDF, sheet: CertificateSheet) -> None:
    rows = [("Issued", long_date(sheet.issued_on))]
    if sheet.first_awarded_on and sheet.first_awarded_on != sheet.issued_on:
        rows.append(("First awarded", long_date(sheet.first_awarded_on)))
    rows.append(("Valid until", long_date(sheet.expires_on) if sheet.expires_on else "Does not expire"))
    rows.append(("Certificate code", sheet.code))
    x, y = 30, 141
    for label, value in rows:
        pdf.set_xy(x, y)
        pdf.set_font("sans", "", 8)
        pdf.set_text_color(*MUTED)
        pdf.set_char_spacing(0.6)
        pdf.cell(75, 4, label.upper())
        pdf.set_char_spacing(0)
        pdf.set_xy(x, y + 4)
        pdf.set_font("sans", "B", 10.5)
        pdf.set_text_color(*INK)
        pdf.cell(75, 5, value)
        y += 10


def _seal(pdf: FPDF, cx: float, cy: float, issuer: str) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.8)
    pdf.circle(cx, cy, 17)
    pdf.set_line_width(0.3)
    pdf.circle(cx, cy, 14.8)
    _mark(pdf, cx - 6, cy - 10.5, 12)
    pdf.set_text_color(*NAVY)
    pdf.set_font("sans", "B", 6.5)
    pdf.set_char_spacing(0.8)
    pdf.set_xy(cx - 14, cy + 3)
    pdf.cell(28, 3.5, "VERIFIABLE", align="C")
    pdf.set_xy(cx - 14, cy + 6.5)
    pdf.cell(28, 3.5, "CREDENTIAL", align="C")
    pdf.set_char_spacing(0)
    pdf.set_font("sans", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(cx - 40, cy + 19)
    pdf.cell(80, 4, "Issued by", align="C")
    pdf.set_font("sans", "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.set_xy(cx - 40, cy + 23)
    pdf.cell(80, 5, issuer, align="C")


def _qr(pdf: FPDF, url: str, *, x: float, y: float, size: float) -> None:
    """The verification URL as a QR code, drawn as vector squares (crisp at any print size)."""
    qr = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # A hair of overlap hides seams between neighbouring squares in some viewers.
                pdf.rect(x + start * module, y + r * module, (c - start) * module + 0.02, module + 0.02, style="F")
            else:
                c += 1
    pdf.set_font("sans", "B", 8)
    pdf.set_text_color(*NAVY)
    pdf.set_xy(x - 4, y + size + 0.5)
    pdf.cell(size + 8, 4, "Scan to verify", align="C")


def _footer(pdf: FPDF, sheet: CertificateSheet) -> None:
    pdf.set_font("sans", "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(20, PAGE_H - 20.5)
    pdf.cell(PAGE_W - 40, 4, f"Check that this certificate is genuine and still valid at {sheet.verify_url}",
             align="C")
