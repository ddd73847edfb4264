"""Course trees in memory: classifying paths, checking a tree like files, zips in and out, diffs."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from academy.domain import course_files, course_zip, diffs
from academy.domain.course_files import Kind
from tests.support.content_tree import FakeLinks

REPO = Path(__file__).resolve().parents[2]
COURSE = "mim-service-models"


def repo_tree(course: str = COURSE) -> dict[str, bytes]:
    """The flagship course's files, as the browser editor holds them."""
    tree = {}
    for folder in (REPO / "courses" / course, REPO / "quizzes" / course):
        for path in folder.rglob("*"):
            if path.is_file():
                tree[path.relative_to(REPO).as_posix()] = path.read_bytes()
    return tree


SMALL = {
    "courses/demo/course.md": b"---\ntitle: Demo\nsummary: A demo.\n---\nHello.\n",
    "courses/demo/01-intro.md": b"---\ntitle: Intro\n---\nRead [the next one](02-next.md).\n",
    "courses/demo/02-next.md": b"---\ntitle: Next\n---\n![A box](assets/box.svg)\n",
    "courses/demo/assets/box.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
    "quizzes/demo/intro.md": b"---\ntitle: Intro quiz\nmodule: 01-intro\n---\n## Yes?\n- [x] Yes\n- [ ] No\n",
}


@pytest.mark.parametrize(("path", "kind", "name"), [
    ("courses/demo/course.md", Kind.COURSE, "course.md"),
    ("courses/demo/01-intro.md", Kind.MODULE, "01-intro.md"),
    ("quizzes/demo/final-exam.md", Kind.QUIZ, "final-exam.md"),
    ("courses/demo/assets/box.svg", Kind.ASSET, "box.svg"),
    ("courses/demo/assets/maps/world.png", Kind.ASSET, "maps/world.png"),
])
def test_paths_of_a_course_are_classified(path, kind, name):
    assert course_files.classify("demo", path) == course_files.FileRef(path, kind, name)


@pytest.mark.parametrize("path", [
    "courses/other/course.md", "courses/demo/intro.md", "courses/demo/01-Intro.md", "courses/demo/01-assets.md",
    "quizzes/demo/Final.md", "quizzes/demo/x/y.md", "courses/demo/assets/notes.txt", "courses/demo/assets/.x.svg",
    "courses/demo", "../courses/demo/course.md",
])
def test_paths_outside_the_layout_have_no_place(path):
    assert course_files.classify("demo", path) is None


def test_uploaded_file_names_are_made_safe():
    assert course_files.asset_name("C:\\Users\\me\\My Diagram (v2).SVG") == "my-diagram-v2.svg"
    assert course_files.asset_name("../../etc/passwd.png") == "passwd.png"
    assert course_files.is_valid_asset_name("my-diagram-v2.svg")
    assert not course_files.is_valid_asset_name("x.gif")


def test_a_tree_is_checked_exactly_like_files():
    snapshot, problems = course_files.check(repo_tree(), FakeLinks())
    assert problems == []
    assert [len(c.modules) for c in snapshot.courses] == [7]


def test_problems_in_a_tree_carry_the_files_path_and_line():
    tree = {**SMALL, "courses/demo/01-intro.md": b"---\ntitle: Intro\n---\nSee [gone](03-gone.md).\n"}
    _, problems = course_files.check(tree, FakeLinks())
    assert [(p.path, p.line) for p in problems] == [("courses/demo/01-intro.md", 4)]


def test_a_preview_tree_leaves_out_other_quizzes():
    tree = {**SMALL, "quizzes/demo/other.md": b"broken"}
    preview = course_files.for_preview(tree, "demo", "quizzes/demo/intro.md")
    assert "quizzes/demo/other.md" not in preview and "quizzes/demo/intro.md" in preview
    assert course_files.check(preview, FakeLinks())[1] == []


def test_unsafe_paths_are_never_written():
    with pytest.raises(ValueError):
        course_files.check({"courses/../../x": b""}, FakeLinks())


def test_module_numbers_and_slugs():
    assert course_files.module_slugs(SMALL, "demo") == ["intro", "next"]
    assert course_files.next_module_number(SMALL, "demo") == 3


# --- zips ------------------------------------------------------------------------------------------

def test_export_is_reproducible_and_sorted():
    first = course_zip.write(repo_tree())
    assert first == course_zip.write(dict(reversed(list(repo_tree().items()))))
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == sorted(names) and names[0].startswith("courses/")


def test_export_then_import_gives_identical_files():
    tree = repo_tree()
    slug, files = course_zip.read(course_zip.write(tree))
    assert slug == COURSE and files == tree


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def refusal(data: bytes, limits: course_zip.Limits = course_zip.Limits()) -> str:
    with pytest.raises(course_zip.ZipRefused) as caught:
        course_zip.read(data, limits)
    return str(caught.value)


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("entry", "message"), [
    ("courses/demo/../../../etc/cron.d/x", "'..'"),
    ("/etc/passwd", "absolute"),
    ("C:/Windows/x.md", "absolute"),
    ("courses\\demo\\course.md", "absolute"),
    ("README.md", "outside the layout"),
    (symlink("courses/demo/assets/link.svg"), "symbolic links"),
])
def test_hostile_entries_are_refused(entry, message):
    data = zip_of([("courses/demo/course.md", b"x"), (entry, b"/etc/passwd")])
    assert message in refusal(data)


def test_not_a_zip_too_many_files_and_bombs_are_refused():
    assert "not a zip" in refusal(b"<html>not a zip</html>")
    many = zip_of([(f"courses/demo/assets/{n}.svg", b"") for n in range(6)])
    assert "holds 6 files; the limit is 5" in refusal(many, course_zip.Limits(max_files=5))
    bomb = zip_of([("courses/demo/01-a.md", b"0" * 5_000_000)])
    assert len(bomb) < 10_000
    assert "unpacks to 4.8 MB; the limit is 1.0 MB" in refusal(bomb, course_zip.Limits(max_total_bytes=2**20))


def test_a_zip_holds_one_course():
    assert "several courses" in refusal(zip_of([("courses/a/course.md", b""), ("quizzes/b/q.md", b"")]))
    assert "no course files" in refusal(zip_of([("__MACOSX/._x", b"")]))


def test_hidden_files_and_macos_folders_are_ignored():
    data = zip_of([("courses/demo/course.md", b"x"), ("courses/demo/.DS_Store", b"?"), ("__MACOSX/courses/x", b"")])
    assert course_zip.read(data) == ("demo", {"courses/demo/course.md": b"x"})


def test_a_lying_size_in_the_index_is_refused():
    data = bytearray(zip_of([("courses/demo/course.md", b"0" * 1000)]))
    # The central directory's uncompressed size (offset 24 in its record) now claims 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    assert "course.md" in refusal(bytes(data))


# --- diffs -----------------------------------------------------------------------------------------

def test_a_diff_shows_changed_lines_with_their_numbers():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")
    [diff] = diffs.diff_trees({"a.md": old.encode()}, {"a.md": new.encode()})
    [hunk] = diff.hunks
    assert hunk.header == "@@ -7,7 +7,7 @@"
    changed = [(line.kind, line.old, line.new, line.text) for line in hunk.lines if line.kind != "same"]
    assert changed == [("removed", 10, None, "line 10"), ("added", None, 10, "line ten")]
    assert (diff.added, diff.removed) == (1, 1)


def test_added_removed_and_binary_files():
    found = diffs.diff_trees({"gone.md": b"a\n", "same.md": b"s", "img.png": b"\x89PNG\xff"},
                             {"new.md": b"b\n", "same.md": b"s", "img.png": b"\x89PNG\xfe\xff"})
    assert [(d.path, d.status, d.binary) for d in found] == [
        ("gone.md", "removed", False), ("img.png", "changed", True), ("new.md", "added", False)]
    assert found[1].old_size == 5 and found[1].new_size == 6
