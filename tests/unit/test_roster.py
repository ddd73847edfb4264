"""Reading the people to invite from an uploaded CSV or XLSX file."""

import io

import pytest
from openpyxl import Workbook

from academy.domain import roster


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_csv_with_any_column_order_and_optional_courses():
    data = "Email,Name,Courses\r\nANA@Example.com , Ana Lima ,incident-basics; other\r\nbo@example.com,Bo,\r\n"
    rows = roster.read("team.csv", data.encode())
    assert rows == [roster.RosterRow(2, "Ana Lima", "ana@example.com", ("incident-basics", "other")),
                    roster.RosterRow(3, "Bo", "bo@example.com", ())]


def test_a_semicolon_separated_csv_with_a_byte_order_mark():
    rows = roster.read("team.csv", "\ufeffname;email\nAna;ana@example.com\n".encode())
    assert [(r.name, r.email) for r in rows] == [("Ana", "ana@example.com")]


def test_an_xlsx_sheet_is_read_as_text_and_formulas_are_never_evaluated():
    rows = roster.read("team.xlsx", xlsx([["name", "email"], ["Ana", "ana@example.com"],
                                          ["=HYPERLINK(\"http://evil\")", "eve@example.com"]]))
    assert rows[0].name == "Ana" and rows[0].name_problem is None
    assert rows[1].name.startswith("=")
    assert rows[1].name_problem == "The name starts like a spreadsheet formula."


def test_blank_lines_are_skipped_and_line_numbers_kept():
    rows = roster.read("t.csv", b"name,email\n\nAna,ana@example.com\n")
    assert rows[0].line == 3


def test_addresses_are_checked_per_row():
    rows = roster.read("t.csv", b"name,email\nAna,not-an-address\nBo,bo@example.com\n")
    assert [r.email_valid for r in rows] == [False, True]


def test_control_and_bidi_characters_are_removed():
    rows = roster.read("t.csv", "name,email\nA\u202ena\x07,ana@example.com\n".encode())
    assert rows[0].name == "Ana"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("t.csv", b"", "The file is empty."),
    ("t.csv", b"first,last\nAna,Lima\n", "name and email are missing"),
    ("t.csv", b"\xff\xfe\x00n\x00a", "not UTF-8"),
    ("t.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
    ("t.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    ("t.csv", b"\n\n", "no header row"),
])
def test_a_malformed_file_gets_a_clear_sentence(name, data, message):
    with pytest.raises(roster.RosterError, match=message):
        roster.read(name, data)


def test_size_and_row_limits():
    with pytest.raises(roster.RosterError, match="larger than"):
        roster.read("t.csv", b"name,email\n" + b"x" * (roster.MAX_BYTES + 1))
    many = "name,email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(roster.MAX_ROWS + 1))
    with pytest.raises(roster.RosterError, match="more than"):
        roster.read("t.csv", many.encode())
