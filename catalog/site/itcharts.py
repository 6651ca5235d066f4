"""The IT dashboard's charts as inline SVG: no script, no external request, no style
attribute (the site's CSP forbids inline styles; classes and presentation attributes
only).

Each chart is an image with a text alternative (``role="img"``, an ``aria-label``
naming every value) and is never read by colour alone: bars carry their value and
a word, lines differ by dash pattern and markers by shape, and a legend in words
follows every chart. The page shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH = 640
MAX_BARS = 30
MAX_MILESTONES = 40


def _svg(height: float, label: str, body: str, css: str = "chart it-chart") -> Markup:
    return Markup(
        f'<svg class="{css}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def variance_chart(
    bars: list[tuple[str, float, str, str]],
    title: str,
    limits: tuple[float, float],
    fmt: Callable[[float], str],
) -> Markup:
    """Horizontal bars of variance percents, centred on zero: ``[(label, percent,
    colour, colour word)]``; dashed lines mark the bands (``limits``: green, red)."""
    bars = bars[:MAX_BARS]
    if not bars:
        return Markup("")
    row, top, left, right = 22, 24, 230, 90
    height = top + row * len(bars) + 10
    span = max([abs(p) for _l, p, _c, _w in bars] + [limits[1] * 1.2, 1.0])
    centre = left + (WIDTH - left - right) / 2
    scale = (WIDTH - left - right) / 2 / span
    parts = []
    for limit in limits:
        for sign in (-1, 1):
            x = centre + sign * limit * scale
            parts.append(
                f'<line class="band" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" '
                f'y2="{height - 6}" stroke-dasharray="3 3"></line>'
                f'<text class="axis" x="{x:.1f}" y="{top - 9}">{escape(fmt(sign * limit))} %</text>'
            )
    parts.append(
        f'<line class="base" x1="{centre:.1f}" x2="{centre:.1f}" y1="{top - 6}" '
        f'y2="{height - 6}"></line>'
    )
    described = []
    for i, (label, percent, colour, word) in enumerate(bars):
        y = top + i * row
        width = max(1.0, abs(percent) * scale)
        x = centre if percent >= 0 else centre - width
        short = label if len(label) <= 34 else label[:33] + "…"
        value = f"{fmt(percent)} % ({word})"
        end = x + width + 4 if percent >= 0 else x - 4
        anchor = "start" if percent >= 0 else "end"
        parts.append(
            f'<text class="label" x="{left - 8}" y="{y + 14}">{escape(short)}</text>'
            f'<rect class="risk-bar {escape(colour)}" x="{x:.1f}" y="{y + 3}" '
            f'width="{width:.1f}" height="{row - 8}"></rect>'
            f'<text class="value {anchor}" x="{end:.1f}" y="{y + 14}">'
            f"{escape(value)}</text>"
        )
        described.append(f"{label}: {value}")
    return _svg(height, f"{title}. " + "; ".join(described), "".join(parts))


def timeline(
    milestones: list[dict],
    title: str,
    words: dict[str, str],
    long_date: Callable[[date], str],
) -> Markup:
    """Milestones on a time axis: ``[{"name", "planned", "estimate", "actual"}]`` (dates
    or None). Planned: a hollow circle; projected: a hollow diamond; done: a filled
    square; a line joins the planned date and the expected one."""
    milestones = milestones[:MAX_MILESTONES]
    days = [
        d for m in milestones for d in (m["planned"], m["estimate"], m["actual"]) if d is not None
    ]
    if not days:
        return Markup("")
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    row, top, left, right = 24, 30, 230, 30
    height = top + row * len(milestones) + 16

    def x(value: date) -> float:
        return left + (value - first).days / span * (WIDTH - left - right)

    parts = [
        f'<text class="axis start" x="{left}" y="14">{escape(long_date(first))}</text>'
        f'<text class="axis end" x="{WIDTH - right}" y="14">'
        f"{escape(long_date(last))}</text>"
    ]
    described = []
    for i, m in enumerate(milestones):
        y = top + i * row + 8
        name = str(m["name"])
        short = name if len(name) <= 34 else name[:33] + "…"
        parts.append(f'<text class="label" x="{left - 8}" y="{y + 4}">{escape(short)}</text>')
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y}" y2="{y}"></line>'
        )
        seen = [f"{words['planned']} {long_date(m['planned'])}"] if m["planned"] else []
        expected = m["actual"] or m["estimate"]
        if m["planned"] and expected:
            parts.append(
                f'<line class="slip" x1="{x(m["planned"]):.1f}" x2="{x(expected):.1f}" '
                f'y1="{y}" y2="{y}"></line>'
            )
        if m["planned"]:
            parts.append(
                f'<circle class="planned" cx="{x(m["planned"]):.1f}" cy="{y}" r="5"></circle>'
            )
        if m["actual"]:
            cx = x(m["actual"])
            parts.append(
                f'<rect class="done" x="{cx - 5:.1f}" y="{y - 5}" width="10" height="10"></rect>'
            )
            seen.append(f"{words['actual']} {long_date(m['actual'])}")
        elif m["estimate"]:
            cx = x(m["estimate"])
            parts.append(
                f'<path class="projected" d="M{cx:.1f} {y - 6} L{cx + 6:.1f} {y} '
                f'L{cx:.1f} {y + 6} L{cx - 6:.1f} {y} Z"></path>'
            )
            seen.append(f"{words['projected']} {long_date(m['estimate'])}")
        described.append(f"{name}: " + ", ".join(seen))
    return _svg(height, f"{title}. " + "; ".join(described), "".join(parts))


def cost_curve(
    months: list[tuple[str, float, float | None]],
    title: str,
    words: dict[str, str],
    fmt: Callable[[float], str],
) -> Markup:
    """Cumulative planned (dashed line, circles) and actual cost (solid line, squares)
    by month: ``[(YYYY-MM, planned to date, actual to date or None)]``."""
    if not months:
        return Markup("")
    top, bottom, left, right = 20, 34, 110, 30
    height = 240
    peak = max([p for _m, p, _a in months] + [a or 0 for _m, _p, a in months] + [1.0])
    step = (WIDTH - left - right) / max(len(months) - 1, 1)
    usable = height - top - bottom

    def point(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + usable - usable * value / peak

    planned = [point(i, p) for i, (_m, p, _a) in enumerate(months)]
    actual = [point(i, a) for i, (_m, _p, a) in enumerate(months) if a is not None]
    parts = [
        f'<line class="base" x1="{left}" x2="{WIDTH - right}" y1="{top + usable}" '
        f'y2="{top + usable}"></line>',
        f'<text class="axis end" x="{left - 6}" y="{top + 4}">{escape(fmt(peak))}</text>',
        f'<text class="axis end" x="{left - 6}" y="{top + usable}">0</text>',
    ]
    every = max(1, len(months) // 6)
    last_index = len(months) - 1
    labels = {i for i in range(0, last_index, every) if last_index - i >= every / 2}
    labels |= {0, last_index}
    for i in sorted(labels):
        px, _py = point(i, 0)
        parts.append(
            f'<text class="axis" x="{px:.1f}" y="{height - 12}">{escape(months[i][0])}</text>'
        )
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py in planned)
    parts.append(
        f'<polyline class="planned-line" points="{line}" stroke-dasharray="6 4"></polyline>'
    )
    parts += [
        f'<circle class="planned" cx="{px:.1f}" cy="{py:.1f}" r="3"></circle>' for px, py in planned
    ]
    if actual:
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in actual)
        parts.append(f'<polyline class="actual-line" points="{line}"></polyline>')
        parts += [
            f'<rect class="done" x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6"></rect>'
            for px, py in actual
        ]
    last = months[-1]
    spent = next((a for _m, _p, a in reversed(months) if a is not None), None)
    described = f"{words['planned']}: {fmt(last[1])} ({last[0]})"
    if spent is not None:
        described += f"; {words['actual']}: {fmt(spent)}"
    return _svg(height, f"{title}. {described}", "".join(parts))
