"""Bar charts as inline SVG: no plotting package, no script, no external file.

Each chart carries its own text alternative (`<title>` and `<desc>` named by `aria-labelledby`),
and suppressed values are drawn as dashed outlines marked "s", never as a height.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

BAR, SUPPRESSED_STROKE, AXIS, GRID = "#3b6ea8", "#8a8a8a", "#444", "#e3e3e3"
BAR_WIDTH, GAP, LEFT, TOP, PLOT_HEIGHT = 34, 14, 56, 16, 170


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


def describe(labels: Sequence[str], values: Sequence[int | None]) -> str:
    """The chart's data in words, for its <desc>."""
    return "; ".join(f"{label}: {'suppressed' if v is None else f'{v:,}'}" for label, v in zip(labels, values))


def bar_chart(chart_id: str, labels: Sequence[str], values: Sequence[int | None], title: str) -> str:
    """An <svg> bar chart; `values` None are suppressed. `chart_id` makes the ids unique in a page."""
    shown = [v for v in values if v is not None]
    step = nice_ceiling(max(shown, default=1) / 4)  # four gridlines at round numbers
    top = 4 * step
    slanted = len(labels) > 6 or max((len(label) for label in labels), default=0) > 8
    label_room = 8 + (min(max((len(label) for label in labels), default=0), 24) * 5 if slanted else 14)
    width = LEFT + len(labels) * (BAR_WIDTH + GAP) + GAP
    height = TOP + PLOT_HEIGHT + label_room + 8
    base = TOP + PLOT_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(labels, values))}</desc>',
    ]
    for line in range(5):
        tick = top * line / 4
        y = base - PLOT_HEIGHT * line / 4
        parts.append(f'<line x1="{LEFT}" x2="{width - GAP / 2}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{AXIS}">'
                     f'{tick:,.0f}</text>')
    for n, (label, value) in enumerate(zip(labels, values)):
        x = LEFT + GAP + n * (BAR_WIDTH + GAP)
        middle = x + BAR_WIDTH / 2
        if value is None:
            stub = PLOT_HEIGHT * 0.12
            parts.append(f'<rect x="{x}" y="{base - stub:.1f}" width="{BAR_WIDTH}" height="{stub:.1f}" fill="none" '
                         f'stroke="{SUPPRESSED_STROKE}" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{middle}" y="{base - stub - 4:.1f}" text-anchor="middle" font-size="11" '
                         f'fill="{SUPPRESSED_STROKE}">s</text>')
        else:
            h = PLOT_HEIGHT * value / top
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{BAR_WIDTH}" height="{h:.1f}" fill="{BAR}"/>')
            parts.append(f'<text x="{middle}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="11" '
                         f'fill="{AXIS}">{value:,}</text>')
        shown_label = escape(label if len(label) <= 24 else label[:23] + "…")
        if slanted:
            parts.append(f'<text transform="translate({middle},{base + 12}) rotate(-40)" text-anchor="end" '
                         f'font-size="11" fill="{AXIS}">{shown_label}</text>')
        else:
            parts.append(f'<text x="{middle}" y="{base + 16}" text-anchor="middle" font-size="11" '
                         f'fill="{AXIS}">{shown_label}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{width - GAP / 2}" y1="{base}" y2="{base}" stroke="{AXIS}"/>')
    parts.append("</svg>")
    return "".join(parts)
