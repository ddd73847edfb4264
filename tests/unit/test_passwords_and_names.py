"""A password built from the user's name is refused; bidi controls leave names; disguised off-site links."""

from __future__ import annotations

import pytest

from academy.domain import content, names, passwords
from tests.support.content_tree import FakeLinks


@pytest.mark.parametrize("password", ["Alice SmithAlice Smith", "alice smith alice smith", "ALICESMITH2024!!",
                                      "smith alice smith alice", "Alice Smith the best"])
def test_a_password_containing_or_made_of_the_name_is_refused(password):
    assert "Do not use your name or email address in your password." in passwords.problems(
        password, name="Alice Smith")


def test_a_passphrase_unrelated_to_the_name_is_accepted():
    assert passwords.problems("Bridge opened at 09:42, all hands", name="Alice Smith") == []
    assert passwords.problems("Bridge opened at 09:42, all hands", name="Al") == []


def test_bidi_controls_are_removed_but_right_to_left_text_stays():
    assert names.without_bidi_controls("Alice \u202eecilA\u202c") == "Alice ecilA"
    assert names.without_bidi_controls("مريم الحسيني") == "مريم الحسيني"
    assert names.has_bidi_controls("x\u2066y") and not names.has_bidi_controls("שלום")


@pytest.mark.parametrize("url", ["//evil.example", "/\\evil.example", "//evil.example/path", " //evil.example"])
def test_disguised_off_site_links_are_refused_by_the_checker(tmp_path, url):
    from tests.support.content_tree import ContentTree
    tree = ContentTree(tmp_path)
    tree.standard()
    tree.write("courses/demo/03-wrap-up.md", f"---\ntitle: Wrap-up\n---\nFine.\n\nSee [this]({url}).\n")
    snapshot, problems = content.load(tree.root, FakeLinks())
    assert [(p.path, p.line) for p in problems] == [("courses/demo/03-wrap-up.md", 6)]
    assert "would take readers to another site" in problems[0].message
