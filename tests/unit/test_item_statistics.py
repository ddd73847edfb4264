"""Item statistics against figures computed by hand."""

from __future__ import annotations

import math

import pytest

from academy.domain.item_statistics import (
    ItemSums,
    OptionSums,
    QuizSums,
    discrimination,
    facility,
    item_statistics,
    reliability,
)

#: Five attempts at a fixed three-item quiz (rows: attempts; columns: items q1, q2, q3).
MATRIX = [
    [1, 1, 1],
    [1, 1, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
]


def sums(column: int) -> ItemSums:
    xs = [row[column] for row in MATRIX]
    ts = [sum(row) for row in MATRIX]
    return ItemSums(f"q{column + 1}", len(xs), 1, sum(xs), sum(x * x for x in xs), sum(ts), sum(t * t for t in ts),
                    sum(x * t for x, t in zip(xs, ts, strict=True)))


def test_facility_is_the_share_right():
    assert [facility(sums(i)) for i in range(3)] == [0.6, 0.6, 0.2]


def test_discrimination_is_the_corrected_point_biserial():
    # q1 against the rest (q2 + q3): x = 1,1,1,0,0 and y = 2,1,0,1,0.
    # mean x 0.6, mean y 0.8; cov = (0.4*1.2 + 0.4*0.2 + 0.4*-0.8 - 0.6*0.2 - 0.6*-0.8)/5 = 0.12
    # var x = 0.24, var y = (1.44 + 0.04 + 0.64 + 0.04 + 0.64)/5 = 0.56; r = 0.12 / sqrt(0.24*0.56)
    assert discrimination(sums(0)) == pytest.approx(0.12 / math.sqrt(0.24 * 0.56))
    assert discrimination(sums(0)) == pytest.approx(0.3273, abs=1e-4)


def test_an_item_that_nobody_or_everybody_gets_right_has_no_discrimination():
    assert discrimination(ItemSums("q", 4, 1, 4, 4, 8, 20, 8)) is None


def test_kr20_for_a_fixed_form():
    # Item variances p*q: 0.24, 0.24, 0.16 -> sum 0.64. Totals 3,2,1,1,0: mean 1.4, variance 1.04.
    # KR-20 = 3/2 * (1 - 0.64/1.04) = 0.5769...
    totals = [sum(row) for row in MATRIX]
    test = QuizSums(5, sum(totals), sum(t * t for t in totals), 3)
    assert reliability([sums(i) for i in range(3)], test) == pytest.approx(1.5 * (1 - 0.64 / 1.04))


def test_a_distractor_chosen_by_higher_scorers_than_the_key_is_flagged():
    item = ItemSums("q", 40, 1, 20, 20, 400, 5000, 150)
    chosen = {"a": OptionSums("q", "a", 20, 20 * 40.0), "b": OptionSums("q", "b", 15, 15 * 75.0),
              "c": OptionSums("q", "c", 5, 5 * 20.0)}
    stats = item_statistics(item, [("a", True), ("b", False), ("c", False)], chosen)
    assert [o.flagged for o in stats.options] == [False, True, False]
    assert [round(o.share, 3) for o in stats.options] == [0.5, 0.375, 0.125]
    assert stats.options[1].mean_score == 75.0
    assert "distractor b is chosen by higher scorers than the key" in stats.flags


def test_few_answers_get_no_flags():
    stats = item_statistics(ItemSums("q", 5, 1, 0, 0, 10, 30, 0), [("a", True), ("b", False)],
                            {"b": OptionSums("q", "b", 5, 250.0)})
    assert stats.facility == 0.0 and stats.flags == ()


def test_hard_and_weak_items_are_flagged():
    # 40 answers, 4 right, and the right ones have lower totals than average.
    stats = item_statistics(ItemSums("q", 40, 1, 4, 4, 400, 4400, 20), [("a", True), ("b", False)], {})
    assert stats.facility == 0.1
    assert stats.flags[0] == "very hard: check the key and the teaching"
    assert stats.flags[1].startswith("negative discrimination")
