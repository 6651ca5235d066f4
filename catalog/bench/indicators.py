"""``make bench``, indicators part: every ficha and indicator page of the demo, with maps.

Figures:

- ``compute_s``: the demo's declared indicators computed from its release database;
- ``pages_s``: every indicator page (both languages, with their maps), every ficha
  (22 departments and 340 municipalities, both languages) and every locator map
  rendered, from scratch: the goal is at most 20 s;
- ``municipal_map_kb``: the largest municipal choropleth (goal: at most 150 KB);
- ``pages``: how many files that made.

It builds the demo catalogue once (``catalog build``) into its work folder, then
times the indicator side of the site alone, as the site builder runs it.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from catalog.build import build
from catalog.indicators import maps
from catalog.indicators.compute import compute_all
from catalog.release.layout import DB_FILE, SQL
from catalog.site import indicators as indicator_pages
from catalog.site.jobs import connect
from catalog.site.pages import Site
from catalog.site.writer import SiteWriter

REPO = Path(__file__).resolve().parents[2]


def run(work: Path) -> dict[str, Any]:
    out = work / "build"
    build(REPO, out)
    release = (out / "current").resolve()
    database = release / SQL / DB_FILE
    conn = connect(database)
    assert conn is not None
    from catalog.release.reader import open_release

    index = open_release(release).index
    manifests = _manifests(out, [d["id"] for d in index["datasets"]])
    started = time.perf_counter()
    computed = compute_all(manifests.values(), conn)
    compute_s = time.perf_counter() - started

    maps.shapes.cache_clear()  # draw from the boundaries, as a fresh build does
    maps._topology.cache_clear()
    site = work / "site"
    writer = SiteWriter(site, None)
    started = time.perf_counter()
    pages = Site(writer, {}, manifests, {}, {}, {}, {}, conn, date(2026, 1, 15))
    pages.indicators = computed
    pages.indicator_files()
    for lang in ("es", "en"):
        pages.indicator_list(lang)
        for code in pages.locators:
            pages.page(
                f"ficha/{code}/",
                lang,
                "territory.html",
                code,
                place={"code": code, "name": code},
                department=None,
                municipalities=[],
                items=[],
                figures=[],
                indicators=indicator_pages.ficha(computed, code, lang),
                locator=pages.locators[code],
            )
    pages_s = time.perf_counter() - started
    conn.close()
    largest = max(
        (p.stat().st_size for p in (site / "indicadores").glob("*/index.html")), default=0
    )
    municipal = [
        maps.choropleth(
            "municipality",
            {r["code"]: r["value"] for r in indicator_pages.ranking(i, "municipality")},
            title=i["id"],
            describe=lambda code, value: f"{code}: {value}",
            link=lambda code: f"/territories/{code}/",
            legend=lambda low, high: f"{low} – {high}",
            no_data="Sin datos",
            ident="m",
        )
        for i in computed
        if i["level"] == "municipality"
    ]
    return {
        "indicators": len(computed),
        "compute_s": round(compute_s, 3),
        "pages_s": round(pages_s, 2),
        "pages": writer.written,
        "municipal_map_kb": round(max((len(s.encode()) for s in municipal), default=0) / 1024, 1),
        "largest_indicator_page_kb": round(largest / 1024, 1),
        "goal_met": pages_s <= 20,
    }


def _manifests(out: Path, ids: list[str]) -> dict[str, Any]:
    import json

    found: dict[str, Any] = {}
    for path in sorted((out / "state").rglob("manifest.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("dataset") in ids:
            found[manifest["dataset"]] = manifest
    return found
