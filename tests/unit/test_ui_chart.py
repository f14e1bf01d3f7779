"""The Analytics charts' geometry (service/ui/chart.py): bars proportional to their values,
inside the drawing, and no bar for a rate that does not exist."""

from __future__ import annotations

import pytest

from service.ui.chart import BOTTOM, HEIGHT, TOP, horizontal_bars, rate_bars


def test_rate_bars_stand_on_the_axis_with_heights_proportional_to_the_rates() -> None:
    chart = rate_bars([("2034-W02", 0.5, 0.5), ("2034-W03", 0.75, 0.25), ("2034-W04", None, None)])
    plot = HEIGHT - TOP - BOTTOM
    assert [(b.kind, b.height) for b in chart.bars] == [
        ("attendance", pytest.approx(plot * 0.5)),
        ("no-show", pytest.approx(plot * 0.5)),
        ("attendance", pytest.approx(plot * 0.75)),
        ("no-show", pytest.approx(plot * 0.25)),
    ]
    assert {round(b.y + b.height, 6) for b in chart.bars} == {HEIGHT - BOTTOM}
    assert all(b.x >= 0 and b.x + b.width <= chart.width for b in chart.bars)
    assert [label.text for label in chart.labels] == ["2034-W02", "2034-W03", "2034-W04"]
    assert chart.bars[2].title == "2034-W03: 75.0 %"
    assert [g.text for g in chart.grid] == ["0 %", "25 %", "50 %", "75 %", "100 %"]


def test_horizontal_bars_scale_to_the_largest_count_and_survive_all_zero() -> None:
    chart = horizontal_bars([("Booked", "booked", 8), ("Attended", "attendance", 2)])
    assert chart.bars[1].width == pytest.approx(chart.bars[0].width / 4)
    assert all(b.x + b.width <= chart.width for b in chart.bars)
    assert [label.text for label in chart.labels] == ["Booked", "8", "Attended", "2"]
    empty = horizontal_bars([("Booked", "booked", 0)])
    assert empty.bars[0].width == 0
