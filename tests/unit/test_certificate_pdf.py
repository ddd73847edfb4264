"""The certificate PDF: valid, A4 landscape, text extractable in any script, QR opens the verify page."""

import subprocess
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


NAMES = ["Ελένη Παπαδοπούλου", "Дмитрий Иванов", "محمد عبد الله", "王小明", "Zoë Ōtsuka-Łukasiewicz"]


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_are_embedded_as_real_text(pdf_file, name):
    path = pdf_file(render(sheet(name)))
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    text = text_of(path)
    # Arabic is stored in visual order with bidi marks; compare the letters themselves.
    letters = [ch for ch in name if ch.isalpha()]
    extracted = [ch for ch in text if ch.isalpha()]
    if name.startswith("محمد"):
        assert all(ch in extracted for ch in letters)
    else:
        assert name in text
    fonts = {str(f) for page in PdfReader(path).pages for f in _font_names(page)}
    assert fonts, "fonts are embedded"


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
