"""Worksheet blocks: parsing with line-numbered problems, scoring, reachability (pure domain)."""

from __future__ import annotations

import pytest

from academy.domain import worksheets
from tests.support.worksheets import SHEET


def parse(text: str = SHEET):
    return worksheets.parse(text, "courses/x/01-a.md", 10)


def sheet() -> worksheets.Worksheet:
    found, problems = parse()
    assert problems == []
    return found


def test_a_worksheet_reads_its_outcomes_criteria_and_options():
    found = sheet()
    assert (found.key, found.title) == ("pick-a-pet", "Which pet suits you?")
    assert [o.key for o in found.outcomes] == ["cat", "dog"]
    assert [c.key for c in found.criteria] == ["time", "garden"]
    assert [o.key for o in found.criteria[1].options] == ["yes", "no"]
    assert found.criteria[1].options[1].reason == "No"


def test_the_recommendation_adds_the_weights_of_the_chosen_options():
    result = worksheets.score(sheet(), {"time": "lots", "garden": "yes"})
    assert result.outcome.key == "dog"
    assert [(o.key, p) for o, p in result.ranking] == [("dog", 5), ("cat", 1)]
    assert [r.reason for r in result.reasons] == ["Lots of time lets you walk a dog.", "A garden gives a dog room."]
    assert result.against == ()


def test_the_answers_that_pointed_elsewhere_are_the_trade_off():
    result = worksheets.score(sheet(), {"time": "little", "garden": "yes"})
    assert result.outcome.key == "cat"
    assert result.outcome.trade_off == "It ignores you when it likes."
    assert [r.answer for r in result.against] == ["Yes"]


def test_a_tie_goes_to_the_outcome_listed_first():
    found, problems = parse(SHEET.replace("weights: {dog: 2}", "weights: {dog: 3}"))
    assert problems == []
    result = worksheets.score(found, {"time": "little", "garden": "yes"})
    assert [(o.key, p) for o, p in result.ranking] == [("cat", 3), ("dog", 3)]
    assert result.outcome.key == "cat"


def test_every_question_must_be_answered():
    with pytest.raises(worksheets.AnswerError, match="1 still unanswered.*Do you have a garden"):
        worksheets.score(sheet(), {"time": "lots"})


def test_an_unknown_option_counts_as_unanswered():
    with pytest.raises(worksheets.AnswerError):
        worksheets.score(sheet(), {"time": "forever", "garden": "yes"})


def test_a_weight_for_an_unknown_outcome_is_reported_on_its_line():
    _, problems = parse(SHEET.replace("weights: {dog: 2}", "weights: {dgo: 2}"))
    assert any(p.line == 10 + 29 and "unknown outcome 'dgo'; did you mean 'dog'" in p.message for p in problems)


def test_an_outcome_no_answers_can_reach_is_reported():
    text = SHEET.replace("weights: {dog: 3, cat: 1}", "weights: {cat: 1}").replace(
        "weights: {dog: 2}", "weights: {cat: 2}")
    found, problems = parse(text)
    assert found is None
    assert [(p.line, p.message) for p in problems] == [
        (10 + 8, "worksheet: outcome 'dog' is never recommended, whatever the answers: give it more weight "
                 "in some options")]


def test_a_criterion_whose_options_weigh_the_same_maps_to_no_outcome():
    text = SHEET.replace("weights: {dog: 2}", "weights: {cat: 1}")
    _, problems = parse(text)
    assert any("criterion 'garden' maps to no outcome" in p.message and p.line == 10 + 24 for p in problems)


@pytest.mark.parametrize(("change", "message"), [
    (("id: pick-a-pet\n", ""), "the worksheet needs 'id'"),
    (("    trade_off: You walk in the rain.\n", ""), "outcome 'dog' needs 'trade_off'"),
    (("id: pick-a-pet", "id: Pick A Pet"), "must use lower-case letters"),
    (("intro:", "intor:"), "unknown key 'intor' in the worksheet; did you mean 'intro'?"),
    (("weights: {cat: 3}", "weights: {cat: many}"), "must be a whole number from 0 to 100"),
    (("id: garden", "id: time"), "two of the criterions share the id 'time'"),
    (("title: Which pet suits you?", "title: [unclosed"), "not valid YAML"),
])
def test_authoring_mistakes_are_sentences(change, message):
    found, problems = parse(SHEET.replace(*change, 1))
    assert found is None
    assert any(message in p.message for p in problems), problems


def test_a_large_worksheet_is_checked_without_trying_every_combination():
    options = "\n".join(f"      - label: Option {i}\n        weights: {{cat: {i % 3}, dog: {(i + 1) % 3}}}"
                        for i in range(4))
    criteria = "\n".join(f"  - id: c{n}\n    question: Question {n}?\n    options:\n{options}" for n in range(12))
    text = SHEET.split("criteria:")[0] + "criteria:\n" + criteria + "\n"
    found, problems = parse(text)
    assert problems == [] and worksheets.reachable(found) == {"cat", "dog"}


def test_blocks_are_found_and_replaced_by_slots_keeping_the_line_count():
    body = f"Intro\n\n```worksheet\n{SHEET}```\n\nAfter\n"
    assert worksheets.find_blocks(body) == [(2, SHEET)]
    replaced = worksheets.replace_blocks(body, ["pick-a-pet"])
    assert replaced.count("\n") == body.count("\n")
    assert worksheets.SLOT.format(key="pick-a-pet") in replaced
    assert worksheets.split_html("<p>a</p>" + worksheets.SLOT.format(key="k") + "<p>b</p>") == [
        ("<p>a</p>", "k"), ("<p>b</p>", None)]


def test_a_worksheet_survives_the_round_trip_through_storage():
    found = sheet()
    assert worksheets.Worksheet.from_dict(found.to_dict()) == found
