"""``make bench``, build part: loading into SQLite against ``sqlite-utils insert --csv``.

Figures, measured in one run on the same package:

- ``sqlite_utils_insert_s``: ``sqlite-utils insert db table file.csv --csv`` (the anchor;
  every column TEXT, no index);
- ``our_load_s``: our loading of the dataset: read, cast to the schema's types,
  insert, then primary/foreign keys, indexes and full-text index in the release
  database (what ``catalog build`` does after validation);
- ``full_build_s``: ``catalog build`` from scratch of a root holding only that
  dataset (validation, loading, release, site, swap);
- ``incremental_*``: a catalogue of many small datasets plus the big one, built
  once, then rebuilt with nothing changed, then with one small dataset changed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from catalog.build import build
from catalog.build.compose import Version, compose_database
from catalog.build.publish import tabular
from catalog.build.sqlite import load_tables, table_plan
from catalog.content import read_json
from catalog.release.manifest import TablePlan
from catalog.release.naming import table_name

SMALL_DATASETS = 200
PUBLISHER = """\
name: Publicador de prueba (benchmark)
kind: ministry
jurisdiction: {country: GT}
email: datos@example.gob.gt
"""


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _sqlite_utils(csv: Path, db: Path) -> float:
    exe = Path(sys.executable).with_name("sqlite-utils")
    command = [str(exe), "insert", str(db), "data", str(csv), "--csv"]
    seconds, _ = _timed(lambda: subprocess.run(command, check=True, capture_output=True))
    return seconds


def _resources(package_dir: Path) -> list[dict[str, Any]]:
    """The tabular resources, with schemas given by path read in."""
    package = read_json(package_dir / "datapackage.json")
    for resource in package.get("resources", []):
        if isinstance(resource.get("schema"), str):
            resource["schema"] = read_json(package_dir / resource["schema"])
    return tabular(package)


def _our_load(package_dir: Path, db: Path) -> tuple[float, int]:
    """Read, type and load every table of the package, then compose it with its indexes."""
    from catalog.tables import read_resource, typed_frame

    resources = _resources(package_dir)
    names = {r["name"]: table_name("bench", package_dir.name, r["name"]) for r in resources}
    plans = [table_plan(r, names[r["name"]], names) for r in resources]
    by_name = {r["name"]: r for r in resources}
    snapshot = db.with_name("snapshot.db")

    def frames(plan: TablePlan) -> Any:
        resource = by_name[plan["resource"]]
        return typed_frame(read_resource(package_dir, resource), resource["schema"])

    def load() -> None:
        load_tables(snapshot, plans, frames)
        compose_database(db, {"bench": Version("x", snapshot, plans)}, None, {})

    seconds, _ = _timed(load)
    return seconds, sum(p["rows"] for p in plans)


def _small_package(i: int) -> dict[str, Any]:
    return {
        "name": f"serie-{i:03d}",
        "title": f"Serie de prueba {i}",
        "description": "Datos de ejemplo para medir la construcción incremental.",
        "keywords": ["benchmark"],
        "themes": ["GOVE"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "publisher": "bench",
        "frequency": "annual",
        "contactPoint": {"name": "Unidad de datos", "email": "datos@example.gob.gt"},
        "version": "1.0.0",
        "issued": "2024-01-01",
        "modified": "2024-01-01",
        "resources": [
            {
                "name": "valores",
                "path": "data/valores.csv",
                "format": "csv",
                "schema": {
                    "fields": [
                        {"name": "anio", "type": "integer"},
                        {"name": "valor", "type": "number"},
                    ],
                    "primaryKey": "anio",
                },
            }
        ],
    }


def _write_small(root: Path, i: int, bump: int = 0) -> None:
    folder = root / "datasets" / "bench" / f"serie-{i:03d}"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(_small_package(i)), encoding="utf-8")
    rows = "\n".join(f"{2000 + y},{(i + 1) * (y + 1) + bump}.5" for y in range(20))
    (folder / "data" / "valores.csv").write_text(f"anio,valor\n{rows}\n", encoding="utf-8")


def _root_with(package_dir: Path, root: Path) -> Path:
    """A content root holding the big package (linked, not copied) and its publisher."""
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    (root / "publishers" / "bench.yaml").write_text(PUBLISHER, encoding="utf-8")
    (root / "datasets" / "bench").mkdir(parents=True, exist_ok=True)
    link = root / "datasets" / "bench" / package_dir.name
    if not link.exists():
        link.symlink_to(package_dir.resolve(), target_is_directory=True)
    return root


def _csv_of(package_dir: Path) -> Path:
    return package_dir / _resources(package_dir)[0]["path"]


def run(package_dir: Path, workdir: Path) -> dict[str, Any]:
    """Time the build of ``package_dir`` against sqlite-utils, and an incremental rebuild."""
    work = Path(tempfile.mkdtemp(prefix="build-bench-", dir=workdir))
    try:
        figures: dict[str, Any] = {}
        csv = _csv_of(package_dir)
        figures["sqlite_utils_insert_s"] = _sqlite_utils(csv, work / "sqlite-utils.db")
        figures["our_load_s"], rows = _our_load(package_dir, work / "ours.db")
        figures["rows"] = rows
        figures["speedup_vs_sqlite_utils"] = (
            figures["sqlite_utils_insert_s"] / figures["our_load_s"]
        )
        root = _root_with(package_dir, work / "root-one")
        figures["full_build_s"], report = _timed(lambda: build(root, work / "out-one"))
        figures["full_build_published"] = report.count("published")
        figures.update(_incremental(package_dir, work))
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _incremental(package_dir: Path, work: Path) -> dict[str, Any]:
    root = _root_with(package_dir, work / "root-many")
    for i in range(SMALL_DATASETS):
        _write_small(root, i)
    out = work / "out-many"
    first, report = _timed(lambda: build(root, out))
    nothing, again = _timed(lambda: build(root, out))
    _write_small(root, SMALL_DATASETS // 2, bump=7)
    one, changed = _timed(lambda: build(root, out))
    return {
        "incremental_datasets": len(report.datasets),
        "incremental_first_build_s": first,
        "incremental_no_change_s": nothing,
        "incremental_no_change_unchanged": again.count("unchanged"),
        "incremental_one_changed_s": one,
        "incremental_one_changed_published": changed.count("published"),
    }
