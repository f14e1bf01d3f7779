"""Geometry of the Analytics page's charts, drawn by the template as inline SVG.

No script and no inline style (the CSP forbids both): the template writes these numbers into
SVG attributes, colours come from classes in static/ui.css. Every bar carries its value as a
`<title>`, and every number is also in a table on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
TICKS = (0, 25, 50, 75, 100)
ROW, LABEL_WIDTH = 30, 160


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # the CSS class: which series
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]
    grid: tuple[Label, ...]  # horizontal lines at `y`, `text` = the percentage


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def rate_bars(periods: list[tuple[str, float | None, float | None]]) -> Chart:
    """Per period (label, attendance rate, no-show rate) two vertical bars on a 0–100 % axis;
    a rate that is None (nothing marked) draws no bar."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(periods), 1)
    bar_w = min(slot * 0.35, 40)
    bars, labels = [], []
    for index, (label, attendance, no_show) in enumerate(periods):
        centre = LEFT + slot * (index + 0.5)
        for offset, kind, value in ((-bar_w, "attendance", attendance), (0, "no-show", no_show)):
            if value is None:
                continue
            height = plot_h * value
            bars.append(
                Bar(
                    centre + offset,
                    TOP + plot_h - height,
                    bar_w,
                    height,
                    kind,
                    f"{label}: {_percent(value)}",
                )
            )
        labels.append(Label(centre, HEIGHT - BOTTOM + 18, label))
    grid = tuple(Label(LEFT, TOP + plot_h * (1 - tick / 100), f"{tick} %", "end") for tick in TICKS)
    return Chart(WIDTH, HEIGHT, tuple(bars), tuple(labels), grid)


def horizontal_bars(items: list[tuple[str, str, int]]) -> Chart:
    """(label, CSS class, count) as horizontal bars scaled to the largest count."""
    most = max((count for _, _, count in items), default=0) or 1
    plot_w = WIDTH - LABEL_WIDTH - 60
    bars, labels = [], []
    for index, (label, kind, count) in enumerate(items):
        y = TOP + index * ROW
        width = plot_w * count / most
        bars.append(Bar(LABEL_WIDTH, y, width, ROW - 8, kind, f"{label}: {count}"))
        labels.append(Label(LABEL_WIDTH - 8, y + ROW / 2, label, "end"))
        labels.append(Label(LABEL_WIDTH + width + 6, y + ROW / 2, str(count), "start"))
    return Chart(WIDTH, TOP * 2 + ROW * len(items), tuple(bars), tuple(labels), ())
