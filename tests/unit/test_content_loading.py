"""Loading a content root: what a valid tree becomes, and every authoring mistake, by file and line."""

from __future__ import annotations

import pytest

from academy.domain import content
from academy.domain.rendering import Heading
from tests.support.content_tree import PNG, ContentTree, FakeLinks


@pytest.fixture
def tree(tmp_path) -> ContentTree:
    return ContentTree(tmp_path).standard()


def load(tree: ContentTree):
    return content.load(tree.root, FakeLinks())


def problems_of(tree: ContentTree) -> list[str]:
    return [str(p) for p in load(tree)[1]]


def course_of(tree: ContentTree) -> content.CourseContent:
    snapshot, problems = load(tree)
    assert problems == []
    return snapshot.courses[0]


# --- a valid tree ----------------------------------------------------------------------------

def test_a_valid_tree_loads_without_problems_and_counts_itself(tree):
    snapshot, problems = load(tree)
    assert problems == []
    assert snapshot.summary(len(problems)) == "1 course, 3 modules, 3 quizzes, 0 problems"


def test_course_front_matter_and_introduction(tree):
    course = course_of(tree)
    assert (course.slug, course.title, course.summary) == ("demo", "Demo course", "A short course for the tests.")
    assert (course.certificate_title, course.valid_for_months) == ("Certified Demonstrator", 12)
    assert course.intro_html == '<p>Welcome. Start with <a href="/c/demo/basics" rel="noopener noreferrer">the ' \
                                'basics</a>.</p>'


def test_certificate_defaults_to_the_course_title_and_no_expiry(tree):
    tree.write("courses/demo/course.md", "---\ntitle: Demo course\nsummary: Short.\n---\n")
    course = course_of(tree)
    assert (course.certificate_title, course.valid_for_months, course.intro_html) == ("Demo course", None, "")


def test_modules_are_ordered_by_number_and_named_without_it(tree):
    tree.rename("courses/demo/03-wrap-up.md", "courses/demo/04-wrap-up.md")
    tree.rename("courses/demo/02-roles.md", "courses/demo/03-roles.md")
    tree.write("courses/demo/02-interlude.md", "---\ntitle: Interlude\n---\nA pause.\n")
    tree.edit("courses/demo/01-basics.md", "02-roles.md", "03-roles.md")
    modules = course_of(tree).modules
    assert [(m.number, m.slug, m.file_name) for m in modules] == [
        (1, "basics", "01-basics.md"), (2, "interlude", "02-interlude.md"), (3, "roles", "03-roles.md"),
        (4, "wrap-up", "04-wrap-up.md")]


def test_a_module_carries_its_front_matter_headings_and_word_count(tree):
    basics = course_of(tree).modules[0]
    assert (basics.title, basics.minutes) == ("The basics", 10)
    assert basics.objectives == ("Name the basics.", "Explain why they matter.")
    assert basics.headings == (Heading(2, "first-things", "First things"), Heading(3, "a-detail", "A detail"))
    assert '<h2 id="first-things">First things</h2>' in basics.html
    assert basics.word_count == 9 + 2 + 7 + 2 + 3


def test_heading_text_is_plain_so_templates_escape_it_once(tree):
    tree.write("courses/demo/02-roles.md", "---\ntitle: Roles\n---\n## Who does what\n\n## Q&A <em>now</em>\n")
    roles = course_of(tree).modules[1]
    assert roles.headings[1] == Heading(2, "qa-now", "Q&A now")


def test_reading_time_is_computed_from_the_words_at_220_a_minute(tree):
    roles = course_of(tree).modules[1]
    assert roles.minutes is None
    assert roles.estimated_minutes == 1
    assert content.estimate_minutes(2200) == 10


def test_a_minutes_claim_no_longer_overrides_the_computed_reading_time(tree):
    words = " ".join(["word"] * 1100)
    tree.write("courses/demo/02-roles.md", f"---\ntitle: Roles\nminutes: 90\n---\n## Who does what\n\n{words}\n")
    assert course_of(tree).modules[1].estimated_minutes == 5


def test_activity_minutes_are_added_to_the_reading_time(tree):
    words = " ".join(["word"] * 1100)
    tree.write("courses/demo/02-roles.md",
               f"---\ntitle: Roles\nactivity_minutes: 12\n---\n## Who does what\n\n{words}\n")
    assert course_of(tree).modules[1].estimated_minutes == 5 + 12


def test_activity_minutes_must_be_a_whole_number(tree):
    tree.write("courses/demo/02-roles.md", "---\ntitle: Roles\nactivity_minutes: lots\n---\nText.\n")
    assert any(p.startswith("courses/demo/02-roles.md:3:") and "activity_minutes" in p for p in problems_of(tree))


def test_relative_links_become_site_urls(tree):
    course = course_of(tree)
    basics, _, wrap_up = course.modules
    diagram = next(a for a in course.assets if a.path == "diagram.svg")
    assert 'href="/c/demo/roles#who-does-what"' in basics.html
    assert f'src="/c/demo/assets/diagram.svg?v={diagram.sha256[:8]}"' in basics.html
    assert 'alt="A box and an arrow"' in basics.html
    assert 'href="/c/demo"' in wrap_up.html


def test_assets_are_typed_and_hashed(tree):
    assets = {a.path: a for a in course_of(tree).assets}
    assert set(assets) == {"diagram.svg", "photo.png"}
    assert assets["photo.png"].content_type == "image/png"
    assert assets["photo.png"].data == PNG
    assert assets["diagram.svg"].content_type == "image/svg+xml"
    assert len(assets["diagram.svg"].sha256) == 64


def test_assets_in_sub_folders_keep_their_path(tree):
    tree.write("courses/demo/assets/maps/world.png", PNG)
    tree.edit("courses/demo/02-roles.md", "The roles", "![A world map](assets/maps/world.png)\n\nThe roles")
    course = course_of(tree)
    assert "maps/world.png" in {a.path for a in course.assets}
    assert "/c/demo/assets/maps/world.png?v=" in course.modules[1].html


def test_quizzes_point_at_modules_with_or_without_the_number(tree):
    quizzes = {q.slug: q for q in course_of(tree).quizzes}
    assert quizzes["basics-check"].module == "basics"
    assert quizzes["roles-check"].module == "roles"
    assert (quizzes["roles-check"].pass_mark, quizzes["roles-check"].title) == (80, "Roles check")
    final = quizzes["final-exam"]
    assert (final.final, final.module, final.attempts, final.time_limit) == (True, None, 3, 30)
    assert final.definition["title"] == "Final exam"
    assert len(final.content_hash) == 64


def test_the_content_hash_is_stable_and_follows_every_file(tree):
    first = course_of(tree).content_hash
    assert course_of(tree).content_hash == first
    for rel, edit in [("courses/demo/02-roles.md", ("one by one", "one at a time")),
                      ("quizzes/demo/basics-check.md", ("Is this", "Is that"))]:
        tree.edit(rel, *edit)
        assert course_of(tree).content_hash != first
        first = course_of(tree).content_hash
    tree.write("courses/demo/assets/photo.png", PNG + b"\x00")
    assert course_of(tree).content_hash != first


def test_hidden_files_are_ignored(tree):
    tree.write("courses/demo/.DS_Store", b"\x00\x01")
    tree.write("courses/demo/assets/.thumbs", b"\x00")
    assert load(tree)[1] == []


def test_several_courses_load_in_name_order(tree):
    tree.write("courses/alpha/course.md", "---\ntitle: Alpha\nsummary: First.\n---\n")
    tree.write("courses/alpha/01-only.md", "---\ntitle: Only\n---\nText.\n")
    snapshot, problems = load(tree)
    assert problems == []
    assert [c.slug for c in snapshot.courses] == ["alpha", "demo"]
    assert snapshot.summary(0) == "2 courses, 4 modules, 3 quizzes, 0 problems"


# --- problems, each with its file and line ---------------------------------------------------

def test_no_courses_folder_is_a_problem(tmp_path):
    assert [str(p) for p in content.load(tmp_path, FakeLinks())[1]] == [f"courses:1: no courses/ folder in {tmp_path}"]


def test_a_course_without_course_md(tree):
    tree.remove("courses/demo/course.md")
    assert problems_of(tree) == [
        "courses/demo/course.md:1: missing: every course folder needs a course.md with a title and summary"]


@pytest.mark.parametrize(("rel", "text", "expected"), [
    ("courses/demo/02-roles.md", "## Who does what\n",
     "courses/demo/02-roles.md:1: missing front matter: the file must start with a '---' line"),
    ("courses/demo/02-roles.md", "---\ntitle: Roles\n## Who does what\n",
     "courses/demo/02-roles.md:1: front matter is not closed: add a '---' line after it"),
    ("courses/demo/02-roles.md", "---\ntitle: [Roles\n---\n## Who does what\n",
     "courses/demo/02-roles.md:2: front matter is not valid YAML"),
    ("courses/demo/02-roles.md", "---\nminutes: 5\n---\n## Who does what\n",
     "courses/demo/02-roles.md:1: front matter needs 'title'"),
    ("courses/demo/02-roles.md", "---\ntitel: Roles\n---\n## Who does what\n",
     "courses/demo/02-roles.md:2: unknown front matter key 'titel'; did you mean 'title'?"),
    ("courses/demo/02-roles.md", "---\ntitle: Roles\nminutes: ten\n---\n## Who does what\n",
     "courses/demo/02-roles.md:3: 'minutes' must be a whole number of minutes between 1 and 600"),
    ("courses/demo/02-roles.md", "---\ntitle: Roles\nobjectives: Learn it\n---\n## Who does what\n",
     "courses/demo/02-roles.md:3: 'objectives' is a list of sentences"),
    ("courses/demo/02-roles.md", "---\ntitle: [Roles, Jobs]\n---\n## Who does what\n",
     "courses/demo/02-roles.md:2: 'title' must be text"),
    ("courses/demo/02-roles.md", "---\ntitle: Roles\n---\n\n",
     "courses/demo/02-roles.md:4: the module has no text after its front matter"),
    ("courses/demo/course.md", "---\ntitle: Demo\n---\nHello.\n",
     "courses/demo/course.md:1: front matter needs 'summary'"),
    ("courses/demo/course.md", "---\ntitle: Demo\nsummary: S.\ncertificate:\n  valid_months: 12\n---\n",
     "courses/demo/course.md:4: unknown certificate key 'valid_months'; did you mean 'valid_for_months'?"),
    ("courses/demo/course.md", "---\ntitle: Demo\nsummary: S.\ncertificate:\n  valid_for_months: soon\n---\n",
     "courses/demo/course.md:4: certificate 'valid_for_months' must be a whole number of months"),
    ("courses/demo/course.md", "---\ntitle: Demo\nsummary: S.\ncertificate: yes\n---\n",
     "courses/demo/course.md:4: 'certificate' has 'title' and 'valid_for_months' lines indented under it"),
])
def test_front_matter_mistakes(tree, rel, text, expected):
    tree.write(rel, text)
    found = problems_of(tree)
    assert any(p.startswith(expected) for p in found), found


def test_a_file_that_is_not_utf8(tree):
    tree.write("courses/demo/02-roles.md", b"---\ntitle: R\xf4les\n---\nText.\n")
    assert problems_of(tree) == ["courses/demo/02-roles.md:2: the file is not UTF-8 text: save it as UTF-8"]


def test_two_modules_with_the_same_name(tree):
    tree.write("courses/demo/04-roles.md", "---\ntitle: Roles again\n---\nText.\n")
    assert problems_of(tree) == ["courses/demo/04-roles.md:1: module name 'roles' is also used by 02-roles.md: "
                                 "module names must be unique in a course"]


def test_two_modules_with_the_same_number(tree):
    tree.write("courses/demo/02-extra.md", "---\ntitle: Extra\n---\nText.\n")
    assert problems_of(tree) == ["courses/demo/02-roles.md:1: module number 02 is also used by 02-extra.md"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("03-wrap-up.md", "04-wrap-up.md", "courses/demo/04-wrap-up.md:1: module numbers must run 01, 02, 03... "
                                       "without gaps: 03 is missing"),
    ("03-wrap-up.md", "07-wrap-up.md", "courses/demo/07-wrap-up.md:1: module numbers must run 01, 02, 03... "
                                       "without gaps: 03 to 06 are missing"),
])
def test_gaps_in_module_numbers(tree, old, new, expected):
    tree.rename(f"courses/demo/{old}", f"courses/demo/{new}")
    assert problems_of(tree) == [expected]


def test_numbering_may_start_at_zero_for_an_introduction(tree):
    tree.write("courses/demo/00-welcome.md", "---\ntitle: Welcome\n---\nHello.\n")
    assert [m.slug for m in course_of(tree).modules] == ["welcome", "basics", "roles", "wrap-up"]


def test_numbering_must_start_at_zero_or_one(tree):
    tree.rename("courses/demo/01-basics.md", "courses/demo/02-basics.md")
    tree.rename("courses/demo/02-roles.md", "courses/demo/03-roles.md")
    tree.rename("courses/demo/03-wrap-up.md", "courses/demo/04-wrap-up.md")
    tree.edit("courses/demo/02-basics.md", "02-roles.md", "03-roles.md")
    tree.edit("courses/demo/course.md", "01-basics.md", "02-basics.md")
    assert problems_of(tree) == ["courses/demo/02-basics.md:1: module numbers must run 01, 02, 03... without gaps: "
                                 "01 is missing"]


@pytest.mark.parametrize(("name", "message"), [
    ("notes.txt", "unexpected file: a course folder holds course.md, NN-<module>.md files, an assets/ folder "
                  "and a resources/ folder"),
    ("4-extra.md", "unexpected file: a course folder holds course.md"),
    ("04-Extra_Module.md", "module file names are NN-<name>.md, the name in lower-case letters, digits and hyphens"),
    ("04-continue.md", "'continue' is reserved for the course's own pages: rename the module"),
])
def test_badly_named_files_in_a_course_folder(tree, name, message):
    tree.write(f"courses/demo/{name}", "---\ntitle: X\n---\nText.\n")
    found = problems_of(tree)
    assert len(found) == 1 and found[0].startswith(f"courses/demo/{name}:1: {message}"), found


def test_a_badly_named_course_folder(tree):
    tree.write("courses/Demo Two/course.md", "---\ntitle: T\nsummary: S\n---\n")
    assert problems_of(tree) == [
        "courses/Demo Two:1: course folder names use lower-case letters, digits and hyphens"]


@pytest.mark.parametrize(("markdown", "line", "message"), [
    ("[next](09-nowhere.md)", 6, "broken link '09-nowhere.md': link to a module by its file name (NN-name.md), "
                                 "to course.md, to assets/..., to resources/..., or give a full https:// address"),
    ("[roles](03-roles.md)", 6, "broken link '03-roles.md'"),
    ("[page](roles.html)", 6, "broken link 'roles.html'"),
    ("[up](../other/01-x.md)", 6, "broken link '../other/01-x.md'"),
    ("[anchor](02-roles.md#nowhere)", 6, "broken link '02-roles.md#nowhere': 02-roles.md has no heading or "
                                         "anchor '#nowhere'"),
    ("![A chart](assets/chart.svg)", 6, "broken image: assets/chart.svg is not in this course's assets/ folder"),
    ("![A chart](assets/diagram.svgz)", 6, "broken image: assets/diagram.svgz is not in this course's assets/ "
                                           "folder; did you mean 'assets/diagram.svg'?"),
    ("![A chart](chart.png)", 6, "broken image 'chart.png': images live in the course's assets/ folder"),
    ("![](assets/diagram.svg)", 6, "image 'assets/diagram.svg' has no alt text"),
    ('<img src="assets/photo.png">', 6, "image 'assets/photo.png' has no alt text"),
    ("![A chart](https://example.com/chart.png)", 6, "image 'https://example.com/chart.png' is on another site"),
])
def test_broken_links_and_images(tree, markdown, line, message):
    tree.write("courses/demo/03-wrap-up.md", f"---\ntitle: Wrap-up\n---\nFirst line.\n\n{markdown}\n")
    found = problems_of(tree)
    assert len(found) == 1 and found[0].startswith(f"courses/demo/03-wrap-up.md:{line}: {message}"), found


def test_a_broken_link_in_the_course_introduction(tree):
    tree.edit("courses/demo/course.md", "01-basics.md", "01-basic.md")
    assert problems_of(tree) == [
        "courses/demo/course.md:8: broken link '01-basic.md': link to a module by its file name (NN-name.md), "
        "to course.md, to assets/..., to resources/..., or give a full https:// address; did you mean '01-basics.md'?"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("anim.gif", b"GIF89a", "unsupported asset type '.gif': use SVG, PNG or JPEG images"),
    ("notes", b"text", "unsupported asset type 'notes': use SVG, PNG or JPEG images"),
    ("fake.png", b"<svg/>", "this file is not a PNG image"),
    ("fake.jpg", PNG, "this file is not a JPEG image"),
    ("broken.svg", b"<svg", "this file is not a valid SVG image"),
    ("html.svg", b"<html><body/></html>", "this file is not an SVG image: its root element is not <svg>"),
    ("entity.svg", b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "SVG files must not have a DOCTYPE or entities"),
])
def test_unsupported_or_mislabelled_assets(tree, name, data, message):
    tree.write(f"courses/demo/assets/{name}", data)
    found = problems_of(tree)
    assert len(found) == 1 and found[0].startswith(f"courses/demo/assets/{name}:1: {message}"), found


def test_an_oversized_image(tree, monkeypatch):
    monkeypatch.setattr("academy.domain.images.MAX_BYTES", 10)
    tree.write("courses/demo/assets/photo.png", PNG)
    found = problems_of(tree)
    assert any(p.startswith("courses/demo/assets/photo.png:1: image is 0 KiB; the limit is") for p in found), found


def test_a_quiz_for_an_unknown_module(tree):
    tree.edit("quizzes/demo/roles-check.md", "module: roles", "module: 02-rolez")
    assert problems_of(tree) == [
        "quizzes/demo/roles-check.md:3: module '02-rolez' is not in courses/demo/; did you mean 'roles'?"]


def test_quizzes_for_an_unknown_course_folder(tree):
    tree.write("quizzes/dmeo/check.md", "---\ntitle: C\nfinal: true\n---\n## Q?\n- [x] A\n- [ ] B\n")
    assert problems_of(tree) == [
        "quizzes/dmeo:1: quizzes for an unknown course: there is no courses/dmeo/; did you mean 'demo'?"]


def test_problems_found_by_the_quiz_parser_are_reported(tree):
    tree.write("quizzes/demo/roles-check.md", "---\ntitle: Roles check\nmodule: roles\n---\n## Who leads?\n"
                                              "- [ ] The Major Incident Manager\n- [ ] Nobody\n")
    found = problems_of(tree)
    assert found and all(p.startswith("quizzes/demo/roles-check.md:") for p in found), found


def test_a_course_has_one_final_exam(tree):
    tree.write("quizzes/demo/second-exam.md", tree.read("quizzes/demo/final-exam.md"))
    assert problems_of(tree) == ["quizzes/demo/second-exam.md:1: a course has one final exam, and "
                                 "quizzes/demo/final-exam.md is already marked 'final: true'"]


def test_odd_files_in_a_quiz_folder(tree):
    tree.write("quizzes/demo/notes.txt", "x")
    tree.write("quizzes/demo/Big Quiz.md", "x")
    assert problems_of(tree) == [
        "quizzes/demo/Big Quiz.md:1: quiz file names use lower-case letters, digits and hyphens",
        "quizzes/demo/notes.txt:1: unexpected file: a quiz folder holds <quiz-name>.md files"]


def test_every_problem_is_reported_at_once_in_order(tree):
    tree.write("courses/demo/02-roles.md", "---\ntitel: Roles\n---\nText.\n")
    tree.write("courses/demo/assets/anim.gif", b"GIF89a")
    tree.edit("quizzes/demo/basics-check.md", "01-basics", "01-basix")
    found = load(tree)[1]
    assert [p.path for p in found] == sorted(p.path for p in found)
    # Unknown key, missing title, the gif, the quiz's module, and 01-basics' link to a heading the
    # rewritten 02-roles.md no longer has (a page with problems still has its links checked).
    assert len(found) == 5


def test_the_repository_course_is_valid():
    from tests.conftest import REPO
    snapshot, problems = content.load(REPO, FakeLinks())
    assert [str(p) for p in problems] == []
    assert snapshot.courses and all(c.modules for c in snapshot.courses)


def test_every_problem_on_a_line_is_reported_not_just_the_first(tree):
    """A broken anchor used to hide behind a broken image in the same module."""
    tree.write("courses/demo/03-wrap-up.md", "---\ntitle: Wrap-up\n---\nFirst line.\n\n"
                                             "![A chart](assets/chart.svg) and [roles](02-roles.md#nowhere)\n")
    found = problems_of(tree)
    assert len(found) == 2, found
    assert found[0].startswith("courses/demo/03-wrap-up.md:6: broken image: assets/chart.svg")
    assert found[1].startswith("courses/demo/03-wrap-up.md:6: broken link '02-roles.md#nowhere'")


def test_an_unrelated_image_name_gets_no_suggestion(tree):
    """Every asset shares the "assets/" prefix, which used to make any file look like a near miss."""
    tree.write("courses/demo/03-wrap-up.md", "---\ntitle: Wrap-up\n---\nFirst line.\n\n"
                                             "![A flow](assets/escalation-flow.svg)\n")
    assert problems_of(tree) == ["courses/demo/03-wrap-up.md:6: broken image: assets/escalation-flow.svg is not in "
                                 "this course's assets/ folder"]


def test_a_missing_alt_text_is_reported_on_the_images_own_line(tree):
    body = "".join(f"Paragraph {n}.\n\n" for n in range(4)) + "![](assets/diagram.svg)\n"
    tree.write("courses/demo/03-wrap-up.md", "---\ntitle: Wrap-up\n---\n" + body)
    assert problems_of(tree)[0].startswith("courses/demo/03-wrap-up.md:12: image 'assets/diagram.svg' has no alt")


def test_a_missing_alt_text_is_reported_where_the_image_lacks_it_not_where_it_first_appears(tree):
    body = "![A box and an arrow](assets/diagram.svg)\n\n" + "More text.\n\n" * 3 + "![](assets/diagram.svg)\n"
    tree.write("courses/demo/03-wrap-up.md", "---\ntitle: Wrap-up\n---\n" + body)
    assert problems_of(tree)[0].startswith("courses/demo/03-wrap-up.md:12: image 'assets/diagram.svg' has no alt")
