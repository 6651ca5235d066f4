"""A simple bar chart as inline SVG: no script, no external request, prints well.

The chart is an image with a text alternative (``role="img"`` and an
``aria-label`` listing every value), so a screen reader gets the numbers too.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

WIDTH, HEIGHT = 360, 170
TOP, BOTTOM, SIDE = 22, 24, 6


def bar_chart(points: list[tuple[Any, float]], label: str, fmt: Any) -> Markup:
    """Bars for ``[(x, value), ...]``; ``fmt`` formats a value for reading."""
    if not points:
        return Markup("")
    top = max((v for _x, v in points), default=0) or 1
    slot = (WIDTH - 2 * SIDE) / len(points)
    bar = max(4.0, slot * 0.7)
    usable = HEIGHT - TOP - BOTTOM
    parts = []
    for i, (x, value) in enumerate(points):
        h = max(1.0, usable * max(value, 0) / top)
        left = SIDE + i * slot + (slot - bar) / 2
        centre = left + bar / 2
        parts.append(
            f'<rect class="bar" x="{left:.1f}" y="{TOP + usable - h:.1f}" '
            f'width="{bar:.1f}" height="{h:.1f}"></rect>'
            f'<text class="value" x="{centre:.1f}" y="{TOP + usable - h - 5:.1f}">'
            f"{escape(fmt(value))}</text>"
            f'<text class="axis" x="{centre:.1f}" y="{HEIGHT - 7}">{escape(str(x))}</text>'
        )
    described = "; ".join(f"{x}: {fmt(v)}" for x, v in points)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}. {escape(described)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<line class="base" x1="0" x2="{WIDTH}" y1="{HEIGHT - BOTTOM}" '
        f'y2="{HEIGHT - BOTTOM}"></line>' + "".join(parts) + "</svg>"
    )
