"""Parsing the filters people type into report forms, command options and API query strings.

The same sentences reach an admin on a page, an operator in a terminal and a client in a problem
document, so every parser here raises :class:`FilterError` naming the field and saying how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


class FilterError(ValueError):
    """A filter value that cannot be used; ``str(error)`` is a sentence for the person who typed it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar dates (UTC); either end may be open."""

    since: date | None = None
    until: date | None = None

    def start(self) -> datetime | None:
        """The first moment of the range (UTC), or None when open."""
        return datetime.combine(self.since, time.min, UTC) if self.since else None

    def end(self) -> datetime | None:
        """The first moment *after* the range (UTC), or None when open: compare with ``<``."""
        if self.until is None or self.until == date.max:
            return None
        return datetime.combine(self.until + timedelta(days=1), time.min, UTC)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_date(field: str, raw: str | None) -> date | None:
    """``YYYY-MM-DD`` as a date; empty means no limit."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(field, f"{field.capitalize()} must be a date written YYYY-MM-DD, "
                                 f"like 2026-01-31 (got {_shown(raw)}).") from None


def parse_date_range(since: str | None, until: str | None) -> DateRange:
    """Both ends of a date range; the start may not come after the end."""
    start, end = parse_date("since", since), parse_date("until", until)
    if start and end and start > end:
        raise FilterError("until", f"The end date ({end}) is before the start date ({start}).")
    return DateRange(start, end)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_text(field: str, raw: str | None, *, max_length: int = 200) -> str:
    """Free text to search or match on, trimmed; control characters (NUL, CR, LF, ...) are refused."""
    value = (raw or "").strip()
    if len(value) > max_length or _CONTROL.search(value):
        raise FilterError(field, f"{field.capitalize()} must be at most {max_length} printable characters.")
    return value


def parse_choice(field: str, raw: str | None, choices: tuple[str, ...]) -> str | None:
    """One of ``choices`` (case-insensitive), or None when empty."""
    value = (raw or "").strip().lower()
    if not value:
        return None
    if value not in choices:
        raise FilterError(field, f"{field.capitalize()} must be one of {', '.join(choices)} (got {_shown(raw)}).")
    return value


def parse_positive_int(field: str, raw: str | None, *, default: int, maximum: int) -> int:
    """A whole number from 1 to ``maximum``; empty means ``default``."""
    value = (raw or "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= maximum:
        raise FilterError(field, f"{field.capitalize()} must be a whole number from 1 to {maximum} "
                                 f"(got {_shown(raw)}).")
    return int(value)


def _shown(raw: str | None) -> str:
    """The offending value, short and printable, for the message."""
    text = "".join(ch if ch.isprintable() else "?" for ch in (raw or ""))
    return repr(text[:40] + ("…" if len(text) > 40 else ""))
