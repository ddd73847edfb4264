"""Synthetic people: several scripts, names written the way their cultures write them, reproducible."""

from __future__ import annotations

import random
import unicodedata

from academy.domain import demo


def test_the_same_seed_gives_the_same_people():
    first = [demo.person(random.Random(f"7:{i}")) for i in range(50)]
    again = [demo.person(random.Random(f"7:{i}")) for i in range(50)]
    assert first == again


def test_names_come_from_many_scripts_and_handles_are_plain_ascii():
    people = [demo.person(random.Random(i)) for i in range(2000)]
    scripts = {unicodedata.name(ch).split()[0] for p in people for ch in p.name if ch.isalpha()}
    assert {"LATIN", "ARABIC", "CYRILLIC", "GREEK", "DEVANAGARI", "CJK", "HANGUL"} <= scripts
    assert all(p.handle.isascii() and p.handle.replace(".", "").isalnum() for p in people)


def test_family_names_come_first_where_that_is_the_custom():
    people = {p.name for p in (demo.person(random.Random(i)) for i in range(3000))}
    assert "王伟" in people or any(n.startswith(("王", "李", "张", "陈")) and " " not in n for n in people)
    assert any(n.startswith(("김 ", "이 ", "박 ", "최 ")) for n in people)


def test_company_names_are_distinct_and_domains_are_reserved_for_examples():
    names = demo.company_names(random.Random(1), 60)
    assert len(set(names)) == 60
    assert demo.email_domain("Orchard Lane Retail Group") == "orchard-lane-retail-group.example"


def test_demo_answers_follow_a_2pl_ability_model():
    from academy.domain.demo import ItemModel, item_model

    item = ItemModel(difficulty=0.0, discrimination=1.0, seed="q")
    assert item.p_correct(0.5) == 0.5  # ability equal to the difficulty: even odds
    assert item.p_correct(0.9) > item.p_correct(0.7) > item.p_correct(0.3)
    assert item_model("quiz:q1") == item_model("quiz:q1")  # every learner meets the same item
    assert item_model("quiz:q1").pull(["b", "c"]) == item_model("quiz:q1").pull(["b", "c"])
