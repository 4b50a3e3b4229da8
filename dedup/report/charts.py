"""Geometry for the inline-SVG horizontal bar charts (no charting library, no network)."""

from __future__ import annotations

from dedup.report.data import Bar, BarChart

WIDTH = 560
LABEL_WIDTH = 220
VALUE_WIDTH = 60  # room right of the longest bar for its number
BAR_HEIGHT = 22
GAP = 8


def bar_chart(title: str, items: list[tuple[str, int, str]]) -> BarChart:
    """Bars for ``(label, value, css class)`` items, longest bar = largest value."""
    top = max((value for _, value, _ in items), default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            css=css,
            y=i * (BAR_HEIGHT + GAP),
            # A non-zero value always gets a visible sliver.
            width=max(2.0, span * value / top) if top and value else 0.0,
        )
        for i, (label, value, css) in enumerate(items)
    ]
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP)
    return BarChart(title, bars, WIDTH, height, LABEL_WIDTH, BAR_HEIGHT)
