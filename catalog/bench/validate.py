"""``catalog validate`` against ``frictionless validate`` on the same large package.

Both run as subprocesses, one after the other, each under a small wrapper that
reports its wall time and peak resident memory (``ru_maxrss`` of the child).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from catalog.bench.data import make_large_package

# Runs a command and prints its peak RSS in kilobytes (Linux ru_maxrss) on stderr's last line.
WRAPPER = (
    "import resource, subprocess, sys;"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
    "sys.exit(code)"
)


def package_folder(workdir: Path) -> Path:
    return workdir / "datasets" / "bench" / "grande"


def run(workdir: Path, rows: int = 1_000_000) -> dict:
    """Validate the same package with both tools; the figures for docs/benchmarks.md."""
    folder = package_folder(workdir)
    if not _has_rows(folder, rows):
        make_large_package(folder, rows)
    ours = measure([sys.executable, "-m", "catalog", "validate", str(folder), "--json"])
    theirs = measure(
        [sys.executable, "-m", "frictionless", "validate", str(folder / "datapackage.json")]
    )
    return {
        "rows": rows,
        "catalog validate seconds": round(ours["seconds"], 2),
        "frictionless validate seconds": round(theirs["seconds"], 2),
        "catalog validate rows per second": int(rows / ours["seconds"]),
        "frictionless validate rows per second": int(rows / theirs["seconds"]),
        "speed-up (times faster)": round(theirs["seconds"] / ours["seconds"], 1),
        "catalog validate peak MB": round(ours["peak_mb"], 1),
        "frictionless validate peak MB": round(theirs["peak_mb"], 1),
        "catalog validate exit status": ours["exit"],
        "frictionless validate exit status": theirs["exit"],
    }


def measure(command: list[str]) -> dict:
    """Wall time, peak RSS (MB) and exit status of one command."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    peak_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "exit": done.returncode}


def _has_rows(folder: Path, rows: int) -> bool:
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        return False
    title = json.loads(descriptor.read_text(encoding="utf-8"))["resources"][0].get("title", "")
    return f"({rows:,} filas)" in title


if __name__ == "__main__":
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench-work")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(json.dumps(run(work, count), indent=2))
