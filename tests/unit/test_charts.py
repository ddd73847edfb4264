"""Chart geometry: round axes, points inside the frame, bars scaled to their maximum."""

from __future__ import annotations

import pytest

from academy.domain import charts


@pytest.mark.parametrize(("value", "expected"), [(0, (4, 1)), (1, (1, 1)), (7, (8, 2)), (37, (40, 10)),
                                                 (100, (100, 25)), (1234, (1500, 500))])
def test_axes_end_on_a_round_number_at_or_above_the_largest_value(value, expected):
    assert charts.nice_ceiling(value) == expected


def test_a_line_chart_puts_every_point_inside_its_frame_and_labels_at_most_a_few_weeks():
    labels = [f"w{i}" for i in range(26)]
    chart = charts.line_chart(labels, [("Enrolments", [4 * i for i in range(26)]), ("Certificates", [0] * 26)])
    frame = chart.frame
    assert frame.maximum == 100 and [t.label for t in frame.y_ticks] == ["0", "25", "50", "75", "100"]
    for line in chart.lines:
        assert len(line.markers) == 26
        assert all(frame.left <= x <= frame.right and frame.top <= y <= frame.bottom for x, y, _ in line.markers)
    assert chart.lines[1].markers[0][1] == frame.bottom  # zero sits on the axis
    assert chart.lines[0].markers[-1][1] == frame.top  # the maximum touches the top
    assert [line.css for line in chart.lines] == ["series-1", "series-2"]
    assert len(chart.x_ticks) <= 8 and chart.x_ticks[0].label == "w0"


def test_a_single_week_and_an_empty_chart_still_draw():
    single = charts.line_chart(["w0"], [("A", [3])])
    assert single.lines[0].markers[0][0] == (single.frame.left + single.frame.right) / 2
    empty = charts.line_chart([], [("A", [])])
    assert empty.lines[0].points == "" and empty.frame.maximum == 4


def test_columns_stand_on_the_axis_with_heights_in_proportion():
    chart = charts.column_chart([("0-9", 0), ("10-19", 50), ("20-29", 100)])
    zero, half, full = chart.columns
    assert zero.height == 0 and zero.y == chart.frame.bottom
    assert full.y == chart.frame.top and half.height == pytest.approx(full.height / 2, abs=0.1)
    assert zero.x < half.x < full.x and all(c.width > 0 for c in chart.columns)


def test_bars_are_shares_of_the_maximum():
    bars = charts.bars([("Quiz A", 75, "100 attempts"), ("Quiz B", 0, "")], maximum=100)
    assert [(b.label, b.share, b.note) for b in bars] == [("Quiz A", 75, "100 attempts"), ("Quiz B", 0, "")]
    assert charts.bars([("x", 5, ""), ("y", 10, "")])[0].share == 50
    assert charts.bars([("x", 0, "")])[0].share == 0
