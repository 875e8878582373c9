"""Charts drawn on the server as SVG (no script, nothing fetched): stacked bars and lines over days.

The geometry is worked out here; ``templates/includes/chart.html`` draws it, with each bar's and
point's numbers in its tooltip and the whole table of numbers beside it for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from command_center.trends import Series

WIDTH, HEIGHT = 720, 200
# Room for the value axis on the left and the day labels below.
LEFT, BOTTOM, TOP = 40, 22, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Line:
    series: int
    points: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class DayLabel:
    x: float
    label: str


@dataclass
class Chart:
    title: str
    series: Series
    kind: str  # "bars" (stacked) or "lines"
    unit: str = ""
    # What the legend says beside each key: the window's "sum", the "last" day's value, or nothing.
    legend_value: str = "sum"
    # What the chart leaves out or how it counts, said under it.
    note: str = ""

    def __post_init__(self):
        self.width, self.height = WIDTH, HEIGHT
        self.plot_height = HEIGHT - BOTTOM - TOP
        self.step = (WIDTH - LEFT) / max(1, len(self.series.days))
        self.top = _nice_ceiling(self._largest())
        self.ticks = [Tick(self._y(value), _number(value)) for value in (0, self.top / 2, self.top)]
        every = max(1, math.ceil(len(self.series.days) / 8))
        self.day_labels = [
            DayLabel(LEFT + (n + 0.5) * self.step, day.strftime("%b %-d"))
            for n, day in enumerate(self.series.days)
            if n % every == 0
        ]
        self.legend = [
            (
                self.series.color(key),
                key,
                self.series.labels[key],
                self.series.links.get(key, ""),
                self._legend_value(key),
            )
            for key in self.series.keys
        ]
        self.bars = self._bars() if self.kind == "bars" else []
        self.lines = self._lines() if self.kind == "lines" else []
        self.rows = [
            (day, [self.series.values.get(day, {}).get(key, "") for key in self.series.keys])
            for day in self.series.days
        ]
        self.empty = self._largest() == 0

    def _legend_value(self, key: str) -> str:
        if self.legend_value == "sum":
            return _number(self.series.total(key))
        if self.legend_value == "last" and self.series.days:
            return _number(self.series.values.get(self.series.days[-1], {}).get(key, 0))
        return ""

    def _largest(self) -> float:
        per_day = self.series.values.values()
        if self.kind == "bars":
            return max((sum(values.values()) for values in per_day), default=0)
        return max((max(values.values(), default=0) for values in per_day), default=0)

    def _y(self, value: float) -> float:
        return TOP + self.plot_height * (1 - value / self.top)

    def _bars(self) -> list[Bar]:
        bars, width = [], max(1.0, self.step * 0.8)
        for n, day in enumerate(self.series.days):
            base = 0.0
            for key in self.series.keys:
                value = self.series.values.get(day, {}).get(key, 0)
                if not value:
                    continue
                top = base + value
                bars.append(
                    Bar(
                        round(LEFT + n * self.step + (self.step - width) / 2, 2),
                        round(self._y(top), 2),
                        round(width, 2),
                        round(self._y(base) - self._y(top), 2),
                        self.series.color(key),
                        f"{day:%b %-d}: {_number(value)} {self.series.labels[key].lower()}{self.unit}",
                    )
                )
                base = top
        return bars

    def _lines(self) -> list[Line]:
        lines = []
        for key in self.series.keys:
            points = [
                (LEFT + (n + 0.5) * self.step, self._y(self.series.values[day][key]))
                for n, day in enumerate(self.series.days)
                if key in self.series.values.get(day, {})
            ]
            if points:
                lines.append(
                    Line(
                        self.series.color(key), " ".join(f"{x:.1f},{y:.1f}" for x, y in points), self.series.labels[key]
                    )
                )
        return lines


def _nice_ceiling(value: float) -> float:
    """1, 2, 5 or 10 times a power of ten, at or above ``value``: axis labels people read at a glance."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
