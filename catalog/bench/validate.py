"""``catalog validate`` against ``frictionless validate`` and DuckDB on the same large package.

Side by side on the same 1,000,000-row file: ``catalog validate`` (every Table Schema
check, keys and the privacy gate), ``frictionless validate`` (the reference), and
DuckDB's typed ``read_csv`` of the file (parsing and typing only: the native floor that
no validator can beat). Then ``catalog validate`` on the file repeated to 10,000,000
rows, to show that memory stays bounded (the file is validated in blocks) and time
grows linearly. Each command runs as a subprocess under a small wrapper that reports
its wall time and peak resident memory (``ru_maxrss`` of the child). The two quick
commands (``catalog validate`` and DuckDB on 1,000,000 rows) run REPEAT times and the
fastest run counts, as benchmark tools do on a shared machine; Frictionless, half a
minute, and the long run count once. ``huge=True`` (``--huge``) adds a file of about
5 GB (HUGE_BYTES), validated once, which takes a few minutes and as much free disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from catalog.bench.data import HEADER, make_large_package, make_scaled_package

# Runs a command and prints, on stderr's last line, its peak RSS in kilobytes (Linux
# ru_maxrss) and the CPU seconds it used (user + system, every thread).
WRAPPER = (
    "import resource, subprocess, sys;"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN);"
    "print(used.ru_maxrss, used.ru_utime + used.ru_stime, file=sys.stderr);"
    "sys.exit(code)"
)
# DuckDB reads the CSV with the schema's types and touches every column (an aggregate of
# each), so that it parses and casts every cell, as a validator must.
DUCKDB = """
import sys, duckdb
types = {TYPES}
columns = ", ".join(f"'{{n}}': '{{t}}'" for n, t in types.items())
aggregates = ", ".join(f'max("{{n}}")' for n in types)
duckdb.sql(
    f"select count(*), {{aggregates}} from read_csv('{{sys.argv[1]}}', header = true, "
    f"columns = {{{{{{columns}}}}}})"
).fetchall()
"""
DUCKDB_TYPES = {
    "id": "BIGINT",
    "anio": "BIGINT",
    "mes": "BIGINT",
    "fecha_corte": "DATE",
    "departamento": "VARCHAR",
    "municipio": "VARCHAR",
    "programa": "VARCHAR",
    "area": "VARCHAR",
    "hogares": "BIGINT",
    "beneficiarios": "BIGINT",
    "monto_quetzales": "DOUBLE",
}
SCALE = 10  # the long run: the 1,000,000-row file ten times
REPEAT = 3  # runs of each quick command; the fastest counts
HUGE_BYTES = 5 * 10**9  # the optional huge run: the file repeated to about this size


def package_folder(workdir: Path) -> Path:
    return workdir / "datasets" / "bench" / "grande"


def run(workdir: Path, rows: int = 1_000_000, scale: int = SCALE, *, huge: bool = False) -> dict:
    """The figures for docs/benchmarks.md: the three tools on ``rows`` rows, then
    ``catalog validate`` on ``rows * scale`` rows (and on about 5 GB with ``huge``)."""
    folder = package_folder(workdir)
    if not _has_rows(folder, rows):
        make_large_package(folder, rows)
    csv = folder / "data" / "cobertura.csv"
    validate = [sys.executable, "-m", "catalog", "validate", str(folder), "--json"]
    script = DUCKDB.format(TYPES=repr({n: DUCKDB_TYPES[n] for n in HEADER}))
    duckdb = [sys.executable, "-c", script, str(csv)]
    ours, duck = fastest(validate), fastest(duckdb)
    theirs = measure(
        [sys.executable, "-m", "frictionless", "validate", str(folder / "datapackage.json")]
    )
    figures: dict = {
        "rows": rows,
        "file MB": round(csv.stat().st_size / 1e6, 1),
        "catalog validate seconds": round(ours["seconds"], 2),
        "frictionless validate seconds": round(theirs["seconds"], 2),
        "duckdb typed read_csv seconds": round(duck["seconds"], 2),
        "catalog validate rows per second": int(rows / ours["seconds"]),
        "frictionless validate rows per second": int(rows / theirs["seconds"]),
        "speed-up over frictionless (times faster)": round(theirs["seconds"] / ours["seconds"], 1),
        "catalog validate / duckdb read_csv (times the time)": round(
            ours["seconds"] / duck["seconds"], 2
        ),
        "catalog validate CPU seconds": round(ours["cpu"], 2),
        "frictionless validate CPU seconds": round(theirs["cpu"], 2),
        "duckdb read_csv CPU seconds": round(duck["cpu"], 2),
        "speed-up over frictionless in CPU time": round(theirs["cpu"] / max(ours["cpu"], 0.01), 1),
        "catalog validate / duckdb read_csv in CPU time": round(
            ours["cpu"] / max(duck["cpu"], 0.01), 2
        ),
        "catalog validate peak MB": round(ours["peak_mb"], 1),
        "frictionless validate peak MB": round(theirs["peak_mb"], 1),
        "duckdb read_csv peak MB": round(duck["peak_mb"], 1),
        "runs of catalog validate and of DuckDB (the fastest counts)": REPEAT,
        "catalog validate exit status": ours["exit"],
        "frictionless validate exit status": theirs["exit"],
        "duckdb exit status": duck["exit"],
    }
    if scale > 1:
        long = workdir / "datasets" / "bench" / "larga"
        started = time.perf_counter()
        make_scaled_package(long, folder, scale)
        made = time.perf_counter() - started
        big = measure([sys.executable, "-m", "catalog", "validate", str(long), "--json"])
        per_million = big["seconds"] / (rows * scale / 1e6)
        figures.update(
            {
                "long run rows": rows * scale,
                "long run file MB": round((long / "data" / "cobertura.csv").stat().st_size / 1e6),
                "long run generated in seconds": round(made, 1),
                "long run catalog validate seconds": round(big["seconds"], 2),
                "long run catalog validate CPU seconds": round(big["cpu"], 2),
                "long run catalog validate peak MB": round(big["peak_mb"], 1),
                "long run catalog validate exit status": big["exit"],
                "seconds per million rows, short run": round(ours["seconds"] / (rows / 1e6), 2),
                "seconds per million rows, long run": round(per_million, 2),
            }
        )
    if huge:
        figures.update(huge_run(workdir, folder, rows))
    return figures


def huge_run(workdir: Path, source: Path, rows: int) -> dict:
    """``catalog validate`` on the file repeated to about HUGE_BYTES (the issue's 5 GB)."""
    import shutil

    factor = max(1, round(HUGE_BYTES / (source / "data" / "cobertura.csv").stat().st_size))
    folder = workdir / "datasets" / "bench" / "enorme"
    free = shutil.disk_usage(workdir).free
    if free < 1.2 * HUGE_BYTES:
        return {"huge run skipped: free disk GB": round(free / 1e9, 1)}
    make_scaled_package(folder, source, factor)
    try:
        done = measure([sys.executable, "-m", "catalog", "validate", str(folder), "--json"])
        size = (folder / "data" / "cobertura.csv").stat().st_size
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "huge run rows": rows * factor,
        "huge run file GB": round(size / 1e9, 2),
        "huge run catalog validate seconds": round(done["seconds"], 1),
        "huge run catalog validate peak MB": round(done["peak_mb"], 1),
        "huge run catalog validate exit status": done["exit"],
        "seconds per million rows, huge run": round(done["seconds"] / (rows * factor / 1e6), 2),
    }


def fastest(command: list[str], times: int = REPEAT) -> dict:
    """The fastest of ``times`` runs of a command (its peak memory: the highest of all)."""
    runs = [measure(command) for _ in range(times)]
    best = min(runs, key=lambda run: run["seconds"])
    return {**best, "peak_mb": max(run["peak_mb"] for run in runs)}


def measure(command: list[str]) -> dict:
    """Wall time, CPU time, peak RSS (MB) and exit status of one command."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    last = lines[-1].split() if lines else []
    peak_kb = int(last[0]) if last and last[0].isdigit() else 0
    cpu = float(last[1]) if len(last) > 1 else 0.0
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "exit": done.returncode}


def _has_rows(folder: Path, rows: int) -> bool:
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        return False
    title = json.loads(descriptor.read_text(encoding="utf-8"))["resources"][0].get("title", "")
    return f"({rows:,} filas)" in title


if __name__ == "__main__":
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench-work")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    times = int(sys.argv[3]) if len(sys.argv) > 3 else SCALE
    print(json.dumps(run(work, count, times, huge="--huge" in sys.argv), indent=2))
