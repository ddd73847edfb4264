"""Course resources and worksheet blocks as the content loader reads them, and the PDF and XLSX forms."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from academy.domain import content, resources
from tests.support.content_tree import ContentTree, FakeLinks
from tests.support.worksheets import JOB_AID, MODULE

AID = "courses/demo/resources/pet-care.md"


@pytest.fixture
def tree(tmp_path) -> ContentTree:
    return ContentTree(tmp_path).standard().write(AID, JOB_AID)


def load(tree: ContentTree):
    return content.load(tree.root, FakeLinks())


def problems_of(tree: ContentTree) -> list[str]:
    return [str(p) for p in load(tree)[1]]


def course_of(tree: ContentTree) -> content.CourseContent:
    snapshot, problems = load(tree)
    assert problems == []
    return snapshot.courses[0]


def test_a_resource_is_loaded_with_its_front_matter_and_tables(tree):
    (aid,) = course_of(tree).resources
    assert (aid.slug, aid.title, aid.kind, aid.kind_label) == ("pet-care", "Pet care chart", "fillable",
                                                              "Form to fill in")
    assert aid.tables == ((("Day", "Who feeds", "Who walks"), ("Monday", "", ""), ("=SUM(A1)", "", "")),)
    assert 'href="/c/demo/basics"' in aid.html
    assert aid.has_workbook


def test_resources_are_part_of_the_course_files_and_its_hash(tree):
    before = course_of(tree)
    assert AID in before.files
    tree.edit(AID, "Monday", "Tuesday")
    assert course_of(tree).content_hash != before.content_hash


def test_modules_link_to_resources_and_broken_resource_links_are_reported(tree):
    tree.edit("courses/demo/01-basics.md", "First things", "First things: [chart](resources/pet-care.md)")
    assert 'href="/c/demo/resources/pet-care"' in course_of(tree).modules[0].html
    tree.edit("courses/demo/01-basics.md", "resources/pet-care.md", "resources/pet-cares.md")
    (problem,) = problems_of(tree)
    assert problem.startswith("courses/demo/01-basics.md:") and "resources/pet-cares.md is not in this course's " \
        "resources/ folder; did you mean 'resources/pet-care.md'?" in problem


@pytest.mark.parametrize(("change", "message"), [
    (("kind: fillable", "kind: filable"), f"{AID}:4: unknown kind 'filable'; did you mean 'fillable'?"),
    (("summary: Who feeds the pet, day by day.\n", ""), f"{AID}:1: front matter needs 'summary'"),
    (("title: Pet care chart", "titel: Pet care chart"), f"{AID}:2: unknown front matter key 'titel'"),
    (("| Day | Who feeds | Who walks |\n|---|---|---|\n| Monday | | |\n| =SUM(A1) | | |\n", ""),
     f"{AID}:6: a 'fillable' resource needs a table to fill in"),
    (("See [the module](../01-basics.md).", "![](assets/none.svg)"), f"{AID}:6: broken image"),
])
def test_resource_mistakes_come_with_path_and_line(tree, change, message):
    tree.edit(AID, *change)
    assert any(p.startswith(message) for p in problems_of(tree)), problems_of(tree)


def test_only_markdown_files_with_plain_names_belong_in_resources(tree):
    tree.write("courses/demo/resources/Notes.txt", "x")
    assert problems_of(tree) == ["courses/demo/resources/Notes.txt:1: unexpected file: resources/ holds <name>.md "
                                 "files, the name in lower-case letters, digits and hyphens"]


def test_resource_html_is_sanitised(tree):
    tree.edit(AID, "Fill in one row per day.", '<script>alert(1)</script><a href="javascript:alert(1)">x</a>')
    (aid,) = course_of(tree).resources
    assert "<script" not in aid.html and "javascript:" not in aid.html


def test_a_module_embeds_a_worksheet_and_counts_its_activity_minutes(tree):
    tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what"))
    module = course_of(tree).modules[1]
    assert [w.key for w in module.worksheets] == ["pick-a-pet"]
    assert 'id="worksheet-slot-pick-a-pet"' in module.html
    assert "```" not in module.html and "weights" not in module.html
    assert module.estimated_minutes == 1 + 5


def test_worksheet_problems_carry_the_module_file_line(tree):
    tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what")
               .replace("weights: {dog: 2}", "weights: {dgo: 2}"))
    problems = problems_of(tree)
    # The fence opens on line 9 of the file; the bad weight is 29 lines into the block.
    assert any(p.startswith("courses/demo/02-roles.md:39: worksheet: option 'Yes'") for p in problems), problems


def test_worksheet_ids_are_unique_in_a_course(tree):
    tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what"))
    tree.write("courses/demo/03-wrap-up.md", MODULE.replace("title: Pets", "title: Wrap-up"))
    assert any("worksheet id 'pick-a-pet' is also used in 02-roles.md" in p for p in problems_of(tree))


def test_the_pdf_holds_the_title_summary_and_table(tree):
    (aid,) = course_of(tree).resources
    data = resources.pdf(aid.title, aid.summary, aid.html, "Demo course")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for expected in ("Demo course", "Pet care chart", "Who feeds the pet, day by day.", "Who walks", "Monday"):
        assert expected in text


def test_the_workbook_has_the_header_and_rows_and_never_a_formula(tree):
    (aid,) = course_of(tree).resources
    book = load_workbook(io.BytesIO(resources.workbook(aid.title, aid.tables)))
    sheet = book.active
    assert sheet.title == "Pet care chart"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Day", "Who feeds", "Who walks"]
    assert rows[1][0] == "Monday"
    assert rows[2][0] == "'=SUM(A1)" and sheet["A3"].data_type == "s"
    assert sheet["A1"].font.bold


def test_the_check_summary_counts_worksheets_and_resources(tree):
    tree.write("courses/demo/02-roles.md", MODULE.replace("## After", "## Who does what"))
    snapshot, problems = load(tree)
    assert snapshot.summary(len(problems)) == "1 course, 3 modules, 1 worksheet, 1 resource, 3 quizzes, 0 problems"
