"""The certificate PDF: valid, A4 landscape, text extractable in any script, QR opens the verify page."""

import subprocess
import unicodedata
from datetime import date

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from academy.domain.certificate_pdf import CertificateSheet, long_date, render

VERIFY = "https://academy.example/verify/7KQ2-M9XD-4HWT-B8NC-R3VJ"


def sheet(name="Ada Lovelace", **changes) -> CertificateSheet:
    values = dict(holder_name=name, title="Certificate in MIM Service Models",
                  course_title="Major Incident Management Service Models", code="7KQ2-M9XD-4HWT-B8NC-R3VJ",
                  verify_url=VERIFY, issued_on=date(2026, 11, 27), expires_on=date(2028, 11, 27),
                  first_awarded_on=date(2026, 11, 27), score_percent=92)
    values.update(changes)
    return CertificateSheet(**values)


@pytest.fixture
def pdf_file(tmp_path):
    def write(data: bytes):
        path = tmp_path / "certificate.pdf"
        path.write_bytes(data)
        return path
    return write


def text_of(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_pdf_is_well_formed_a4_landscape_with_everything_on_it(pdf_file):
    path = pdf_file(render(sheet()))
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = text_of(path)
    for expected in ["Ada Lovelace", "7KQ2-M9XD-4HWT-B8NC-R3VJ", "Certificate in MIM Service Models",
                     "Major Incident Management Service Models", "92%", "27 November 2026", "27 November 2028",
                     "MIM Academy", VERIFY]:
        assert expected in text, expected


#: A name in each of twelve scripts, as learners from those places write them.
NAMES = {
    "latin": "Zoë Ōtsuka-Łukasiewicz",
    "greek": "Ελένη Παπαδοπούλου",
    "cyrillic": "Дмитрий Иванов",
    "arabic": "محمد عبد الله",
    "hebrew": "נועה כהן",
    "devanagari": "प्रिया शर्मा",
    "bengali": "সৌমিত্র চট্টোপাধ্যায়",
    "tamil": "கார்த்திக் சுப்பிரமணியம்",
    "thai": "สมชาย ใจดี",
    "chinese": "王小明",
    "japanese": "佐藤 さくら",
    "korean": "김민준",
}


def letters(text: str) -> list[str]:
    """The letters and vowel signs of a text, in order (what must survive a round trip)."""
    return [ch for ch in text if unicodedata.category(ch)[0] in "LM"]


@pytest.mark.parametrize("script", NAMES)
def test_names_in_twelve_scripts_print_and_read_back_with_pdftotext(pdf_file, script):
    name = NAMES[script]
    path = pdf_file(render(sheet(name)))
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    text = unicodedata.normalize("NFC", text_of(path))
    if script in ("arabic", "hebrew"):
        # Right-to-left names come back in visual order; every letter must still be there, in
        # one of the two directions.
        line = next(line for line in text.splitlines() if set(letters(line)) & set(letters(name)))
        found = letters(line)
        assert found in (letters(name), letters(name)[::-1]) or sorted(found) == sorted(letters(name)), line
    else:
        # Spacing may differ where a vowel sign is drawn before its consonant (Indic scripts); the
        # letters themselves must all come back, in order.
        assert "".join(letters(name)) in "".join(letters(text)), text
    assert _font_names(PdfReader(path).pages[0]), "fonts are embedded"


def test_no_glyph_of_a_name_is_missing_from_the_embedded_fonts():
    """Every character of every name is drawn by a shipped face (none falls to a blank box)."""
    from academy.domain.certificate_pdf import FALLBACK_FONTS, FONTS, _characters, _fallbacks_for

    for script, name in NAMES.items():
        faces = [*FONTS.values(), *(FALLBACK_FONTS[f] for f in _fallbacks_for(name))]
        drawn = set().union(*(_characters(face) for face in faces))
        missing = [ch for ch in name if not ch.isspace() and ord(ch) not in drawn]
        assert not missing, (script, missing)


def _font_names(page):
    resources = page["/Resources"]["/Font"]
    return [resources[key].get_object()["/BaseFont"] for key in resources]


def test_chinese_names_use_the_cjk_fallback_font(pdf_file):
    fonts = {str(name) for name in _font_names(PdfReader(pdf_file(render(sheet("王小明")))).pages[0])}
    assert any("Droid" in name for name in fonts), fonts
    latin_only = {str(name) for name in _font_names(PdfReader(pdf_file(render(sheet()))).pages[0])}
    assert not any("Droid" in name for name in latin_only), "the CJK font is embedded only when needed"


def test_the_qr_code_opens_the_verification_page(pdf_file, tmp_path):
    path = pdf_file(render(sheet()))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode] == [VERIFY]


def test_rendering_is_deterministic_and_survives_very_long_names():
    assert render(sheet()) == render(sheet())
    long_name = "Maximiliane Alexandrina Theodora von Hohenzollern-Sigmaringen-Wittelsbach " * 2
    assert render(sheet(long_name.strip(), expires_on=None, score_percent=None)).startswith(b"%PDF-")


def test_a_renewed_certificate_prints_its_first_award_date(pdf_file):
    path = pdf_file(render(sheet(first_awarded_on=date(2024, 11, 2))))
    assert "FIRST AWARDED" in text_of(path) and "2 November 2024" in text_of(path)
    assert "Does not expire" in text_of(pdf_file(render(sheet(expires_on=None))))


def test_long_dates_are_unambiguous():
    assert long_date(date(2026, 3, 7)) == "7 March 2026"
