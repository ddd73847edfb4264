"""Report filters typed by people: dates, choices and page numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from academy.domain.filters import DateRange, FilterError, parse_choice, parse_date_range, parse_positive_int


def test_a_date_range_is_inclusive_in_utc_and_either_end_may_be_open():
    days = parse_date_range("2026-01-01", "2026-01-31")
    assert days.start() == datetime(2026, 1, 1, tzinfo=UTC)
    assert days.end() == datetime(2026, 2, 1, tzinfo=UTC)
    assert parse_date_range("", "  ") == DateRange()
    assert DateRange().start() is None and DateRange().end() is None


def test_the_last_representable_day_does_not_overflow():
    assert DateRange(until=date.max).end() is None


@pytest.mark.parametrize("raw", ["2026-02-30", "26-01-01", "2026/01/01", "20260101", "\x00", "٢٠٢٦-٠١-٠١"])
def test_malformed_dates_are_refused_with_the_expected_form(raw):
    with pytest.raises(FilterError, match="YYYY-MM-DD"):
        parse_date_range(raw, None)


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(FilterError, match="before the start") as caught:
        parse_date_range("2026-05-01", "2026-04-30")
    assert caught.value.field == "until"


def test_choices_are_case_insensitive_and_empty_means_any():
    assert parse_choice("status", " Revoked ", ("valid", "revoked")) == "revoked"
    assert parse_choice("status", "", ("valid",)) is None
    with pytest.raises(FilterError, match="one of valid, revoked"):
        parse_choice("status", "gone", ("valid", "revoked"))


@pytest.mark.parametrize("raw", ["0", "-1", "501", "1e3", "²", "abc", "9" * 40])
def test_page_sizes_and_numbers_must_be_whole_numbers_in_range(raw):
    with pytest.raises(FilterError, match="from 1 to 500"):
        parse_positive_int("limit", raw, default=100, maximum=500)


def test_an_empty_number_takes_the_default():
    assert parse_positive_int("limit", None, default=100, maximum=500) == 100
    assert parse_positive_int("limit", "500", default=100, maximum=500) == 500
