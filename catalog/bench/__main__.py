"""``make bench``: run every benchmark side by side with its anchor and write docs/benchmarks.md.

Speed is measured here, never asserted in tests. Each part returns a dict of
figures; this module only orchestrates and writes the page.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from catalog.bench import build as build_bench
from catalog.bench import data
from catalog.bench import validate as validate_bench

REPO = Path(__file__).resolve().parents[2]


def _machine() -> str:
    cpus = os.cpu_count() or 1
    memory = ""
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    except ImportError:  # pragma: no cover - psutil is a dependency
        pass
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def _table(rows: list[tuple[str, str]]) -> str:
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def _fmt(figures: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in figures.items():
        if isinstance(value, float):
            value = f"{value:,.2f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        out.append((key.replace("_", " "), str(value)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=REPO / "bench-work")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    package = data.make_large_package(args.work / "datasets" / "bench" / "grande", args.rows)
    print(f"generated {args.rows:,} rows in {package}", flush=True)

    validate_figures = validate_bench.run(args.work, rows=args.rows)
    print(validate_figures, flush=True)
    build_figures = build_bench.run(package, args.work)
    print(build_figures, flush=True)

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""# Benchmarks

Written by `make bench` on {stamp} ({_machine()}). Each figure is measured in
one run, side by side with its anchor, on the same generated package:
{args.rows:,} rows, 11 columns, a realistic Table Schema (integers, numbers,
enums, a pattern, a date, a primary key).

## Validation: `catalog validate` against `frictionless validate`

Goal: at least 10x faster than Frictionless, peak memory at most 400 MB.

{_table(_fmt(validate_figures))}

## Build: loading into SQLite against `sqlite-utils insert --csv`

Goal: at least 3x faster than sqlite-utils; an incremental rebuild after one
change among many takes seconds.

{_table(_fmt(build_figures))}
"""
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out}")
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
