"""How dates read on every page: one set of template filters, so a format changes in one place.

``long_date``: ``7 March 2026`` (certificates, as on the PDF); ``day``: ``7 Mar 2026``;
``day_time``: ``7 Mar 2026, 14:05``; ``clock``: ``14:05``. Times are UTC, as stored. Each
shows nothing for a missing date, so a template says what an absent date means.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from academy.domain import certificate_pdf


def long_date(moment: date | None) -> str:
    if moment is None:
        return ""
    return certificate_pdf.long_date(moment.date() if isinstance(moment, datetime) else moment)


def day(moment: date | None) -> str:
    return f"{moment.day} {moment:%b %Y}" if moment else ""


def day_time(moment: datetime | None) -> str:
    return f"{day(moment)}, {moment:%H:%M}" if moment else ""


def clock(moment: datetime | None) -> str:
    return f"{moment:%H:%M}" if moment else ""


def init_app(app: Flask) -> None:
    for name, format_date in {"long_date": long_date, "day": day, "day_time": day_time, "clock": clock}.items():
        app.add_template_filter(format_date, name)
