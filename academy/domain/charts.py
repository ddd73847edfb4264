"""Chart geometry for server-rendered SVG: scales, ticks, lines, columns and bars.

Templates draw what these functions compute (``templates/analytics/_charts.html``); nothing here
knows about HTML. Coordinates are in the SVG's own units (its ``viewBox``), so a chart scales
with the page. Colours are left to CSS classes, so the charts follow the light and dark themes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Room for the axis labels inside the viewBox.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 12, 12, 30


@dataclass(frozen=True)
class Tick:
    #: Position along the axis, in SVG units.
    at: float
    label: str


def nice_ceiling(value: float, ticks: int = 4) -> tuple[int, int]:
    """A round axis maximum at or above the count ``value`` and the whole step between gridlines.

    >>> nice_ceiling(37)
    (40, 10)
    """
    if value <= 0:
        return ticks, 1
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = max(1, math.ceil(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)))
    return step * math.ceil(value / step), step


def _label(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Frame:
    """The plotting area and the value axis of a chart with vertical values."""

    width: int
    height: int
    maximum: float
    y_ticks: tuple[Tick, ...]

    @property
    def left(self) -> int:
        return MARGIN_LEFT

    @property
    def right(self) -> int:
        return self.width - MARGIN_RIGHT

    @property
    def top(self) -> int:
        return MARGIN_TOP

    @property
    def bottom(self) -> int:
        return self.height - MARGIN_BOTTOM

    def y(self, value: float) -> float:
        return round(self.bottom - (self.bottom - self.top) * (value / self.maximum if self.maximum else 0), 1)


def _frame(width: int, height: int, largest: float, *, percent: bool = False) -> Frame:
    maximum, step = (100, 25) if percent else nice_ceiling(largest)
    frame = Frame(width, height, maximum, ())
    count = round(maximum / step)
    suffix = "%" if percent else ""
    ticks = tuple(Tick(frame.y(i * step), _label(i * step) + suffix) for i in range(count + 1))
    return Frame(width, height, maximum, ticks)


@dataclass(frozen=True)
class Line:
    name: str
    #: CSS class naming the series' colour, e.g. "series-1".
    css: str
    #: The ``points`` attribute of the polyline.
    points: str
    #: (x, y, value) of each point, for markers and titles.
    markers: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class LineChart:
    frame: Frame
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, width: int = 720,
               height: int = 260, max_x_labels: int = 8) -> LineChart:
    """Lines over evenly spaced ``labels`` (e.g. weeks); each series is (name, values)."""
    largest = max((v for _, values in series for v in values), default=0)
    frame = _frame(width, height, largest)
    count = len(labels)
    span = frame.right - frame.left

    def x(i: int) -> float:
        return round(frame.left + (span * i / (count - 1) if count > 1 else span / 2), 1)

    lines = []
    for n, (name, values) in enumerate(series, start=1):
        markers = tuple((x(i), frame.y(v), v) for i, v in enumerate(values))
        lines.append(Line(name, f"series-{n}", " ".join(f"{px},{py}" for px, py, _ in markers), markers))
    every = max(1, math.ceil(count / max_x_labels))
    x_ticks = tuple(Tick(x(i), labels[i]) for i in range(0, count, every))
    return LineChart(frame, tuple(lines), x_ticks)


@dataclass(frozen=True)
class Column:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    frame: Frame
    columns: tuple[Column, ...]


def column_chart(items: Sequence[tuple[str, float]], *, width: int = 760, height: int = 240,
                 gap: float = 0.2) -> ColumnChart:
    """Vertical columns, one per (label, value), e.g. a score histogram."""
    frame = _frame(width, height, max((v for _, v in items), default=0))
    slot = (frame.right - frame.left) / max(1, len(items))
    columns = []
    for i, (label, value) in enumerate(items):
        top = frame.y(value)
        columns.append(Column(label, value, round(frame.left + slot * (i + gap / 2), 1), top,
                              round(slot * (1 - gap), 1), round(frame.bottom - top, 1)))
    return ColumnChart(frame, tuple(columns))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: Width as a percentage of the track (0-100), for a bar drawn in a 100-unit-wide viewBox.
    share: float
    note: str = ""


def bars(items: Sequence[tuple[str, float, str]], *, maximum: float | None = None) -> tuple[Bar, ...]:
    """Horizontal bars for (label, value, note), scaled to ``maximum`` (default: the largest value)."""
    top = maximum if maximum is not None else max((v for _, v, _ in items), default=0)
    return tuple(Bar(label, value, round(100 * value / top, 2) if top else 0, note) for label, value, note in items)
