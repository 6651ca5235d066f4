"""``make bench``: run every benchmark side by side with its anchor and write docs/benchmarks.md.

Speed is measured here, never asserted in tests. Each part is a module of
``catalog.bench`` with ``run(...) -> dict`` of figures; this module only runs
them in order and writes the page. A part that fails is reported on the page
with its error, and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog import clock

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Part:
    key: str
    title: str
    goal: str
    run: Callable[[Path, argparse.Namespace], dict[str, Any]]


def _validate(_work: Path, args: argparse.Namespace) -> dict[str, Any]:
    from catalog.bench import validate

    # finds the package made in main()
    return validate.run(args.work, rows=args.rows, huge=args.huge)


def _build(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    from catalog.bench import build

    return build.run(args.package, work)


def _simple(module: str) -> Callable[[Path, argparse.Namespace], dict[str, Any]]:
    def run(work: Path, _args: argparse.Namespace) -> dict[str, Any]:
        return importlib.import_module(f"catalog.bench.{module}").run(work)

    return run


PARTS = [
    Part(
        "validate",
        "Validation: `catalog validate` against `frictionless validate` and DuckDB",
        "1,000,000 rows: at least 15x faster than Frictionless and within 3x of DuckDB's typed "
        "read_csv, peak memory at most 400 MB; 10,000,000 rows: peak at most 600 MB, time "
        "linear in the rows.",
        _validate,
    ),
    Part(
        "build",
        "Build: loading into SQLite against `sqlite-utils insert --csv`",
        "at least 3x faster than sqlite-utils; a rebuild after one change among many takes seconds.",
        _build,
    ),
    Part(
        "site",
        "Static site of a 5,000-dataset catalogue",
        "the site builds in at most 60 s; a rebuild after one dataset changes touches only the pages that show it.",
        _simple("site"),
    ),
    Part(
        "standards",
        "Open-metadata documents (DCAT-AP, DCAT-US, feeds, sitemap) for 5,000 datasets",
        "a small share of the site's 60 s budget.",
        _simple("standards"),
    ),
    Part(
        "api",
        "API: `package_show` and `package_search` on 10,000 datasets, beside Datasette",
        "package_search p95 under 25 ms and at least 3x Datasette's throughput on the same query.",
        _simple("api"),
    ),
    Part(
        "isolation",
        "Isolation: Datasette's heavy and failing queries beside the rest of the portal",
        "while 20 heavy queries and bursts of 100 failing /sql/ requests run, the home page, a "
        "dataset page, package_search and the workspace keep p95 under 100 ms; the query of "
        "100 values of 9 MB is refused, the server's memory growing by megabytes, not gigabytes.",
        _simple("isolation"),
    ),
    Part(
        "itportfolio",
        "IT-project dashboard: 5,000 projects x 24 monthly snapshots",
        "variances, colours, ratings, history, changes and spending computed in at most 10 s.",
        _simple("itportfolio"),
    ),
    Part(
        "indicators",
        "Social indicators: every ficha and indicator page of the demo, with maps",
        "all fichas and indicator pages with their maps render in at most 20 s; the municipal "
        "map SVG is at most 150 KB.",
        _simple("indicators"),
    ),
    Part(
        "requests",
        "Access requests: filing and statistics, on SQLite and PostgreSQL",
        "filing p95 under 50 ms on both; the statistics page over 100,000 requests under 200 ms.",
        _simple("requests"),
    ),
    Part(
        "active",
        "Active transparency: compliance of 500 bodies, and the matrix page",
        "compliance for 500 bodies × 29 items × 24 months computed in at most 5 s; the matrix "
        "page p95 at most 100 ms, served by catalog serve.",
        _simple("active"),
    ),
    Part(
        "harvest",
        "Harvesting: 1,000 datasets from a local CKAN-compatible source",
        "every dataset listed, downloaded, given a schema, validated with the privacy gate and "
        "written; an incremental rerun that finds nothing modified takes seconds.",
        _simple("harvest"),
    ),
    Part(
        "fullbuild",
        "National scale: `catalog build` of 50,000 small datasets from scratch",
        "time and peak memory measured at 5,000, 12,500 and 50,000 datasets; memory does "
        "not grow with the number of datasets beyond the index itself.",
        _simple("fullbuild"),
    ),
    Part(
        "scale",
        "National scale: 50,000 datasets (search, API, Datasette; the site's builds)",
        "a search transfers at most 300 KB, facets included; package_search p95 under 25 ms "
        "and at most 300 MB per API worker; Datasette's /sql/ home and a table page p95 under "
        "200 ms; the site from scratch in at most 5 min, rebuilt in 2 s (nothing changed) "
        "and 3 s (one dataset changed).",
        _simple("scale"),
    ),
]


def _machine() -> str:
    import psutil

    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}"
    )


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested figures ({"filing sqlite": {"p95_ms": 11.9}}) become rows of their own."""
    flat: dict[str, Any] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name} "))
        else:
            flat[name] = value
    return flat


def _section(part: Part, figures: dict[str, Any] | None, error: str | None, seconds: float) -> str:
    lines = [f"## {part.title}", "", f"Goal: {part.goal}", ""]
    if error:
        lines += ["This part failed in this run:", "", "```", error.strip(), "```"]
    else:
        lines += ["| measure | value |", "|---|---|"]
        rows = _flatten(figures or {}).items()
        lines += [f"| {k.replace('_', ' ')} | {_value(v)} |" for k, v in rows]
    lines += ["", f"(part took {seconds:.0f} s)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large package")
    parser.add_argument(
        "--huge",
        action="store_true",
        help="validate a file of about 5 GB too (a few minutes, and as much free disk)",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated parts: " + ", ".join(p.key for p in PARTS)
    )
    parser.add_argument("--work", type=Path, default=REPO / "bench-work")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    chosen = [p for p in PARTS if not args.only or p.key in args.only.split(",")]

    from catalog.bench import data

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    if any(p.key in ("validate", "build") for p in chosen):
        args.package = data.make_large_package(
            args.work / "datasets" / "bench" / "grande", args.rows
        )
        print(f"generated {args.rows:,} rows in {args.package}", flush=True)

    sections = []
    for part in chosen:
        print(f"== {part.key}", flush=True)
        started, figures, error = time.perf_counter(), None, None
        (args.work / part.key).mkdir(parents=True, exist_ok=True)
        try:
            figures = part.run(args.work / part.key, args)
        except Exception:  # noqa: BLE001 - one failing part must not hide the others
            error = traceback.format_exc(limit=5)
        print(figures or error, flush=True)
        sections.append(_section(part, figures, error, time.perf_counter() - started))

    stamp = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    page = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {stamp} ({_machine()}). Every figure below comes from\n"
        "one run in which the project and its anchor ran side by side on the same input.\n"
        f"The large package has {args.rows:,} rows and 11 columns with a realistic Table Schema\n"
        "(integers, numbers, enums, a pattern, a date, a primary key).\n\n" + "\n".join(sections)
    )
    if not args.only:
        args.out.write_text(page, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(page)
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
