"""``make bench``, site part: the static catalogue of a 5,000-dataset catalogue.

Figures:

- ``site_build_s``: ``write_site`` from scratch (pages in both languages, the
  downloads of every table, search index, territory pages);
- ``files_written``: files of that first build;
- ``rebuild_one_changed_s`` / ``rebuild_files_written`` / ``rebuild_files_reused``:
  the same site written again, reusing the previous one, after one dataset's
  title changed: only the pages that show that dataset are written again;
- ``rebuild_nothing_changed_s``: the same with nothing changed.

The catalogue is synthetic: manifests as the build makes them, over one SQLite
file with a small table per dataset (five rows with a department code).
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any, cast

from catalog.build.site import write_site
from catalog.release.manifest import Manifest
from catalog.release.naming import quote, table_name

DATASETS = 5000
PUBLISHERS = 50
THEMES = ["SOCI", "EDUC", "HEAL", "ECON", "GOVE", "REGI", "JUST", "AGRI"]
FREQUENCIES = ["annual", "quarterly", "monthly", "irregular"]
TODAY = date(2026, 1, 15)
# Every key a published column has (release.manifest.Column), as a real build writes it.
_COLUMN = {"format": None, "territory": None, "enum": False, "pattern": False}
_COLUMN |= {"required": False, "unique": False}
COLUMNS = [
    {**_COLUMN, "name": "anio", "type": "integer", "title": "Año", "description": "Año."},
    {
        **_COLUMN,
        "name": "departamento",
        "type": "string",
        "title": "Departamento",
        "description": "Código INE del departamento.",
        "territory": "department",
    },
    {**_COLUMN, "name": "valor", "type": "integer", "title": "Valor", "description": "Cantidad."},
]


def manifest(i: int) -> Manifest:
    publisher, name = f"pub-{i % PUBLISHERS:02d}", f"conjunto-{i:05d}"
    keys = ("name", "type", "title", "description", "territory")
    fields = [{k: c[k] for k in keys if c.get(k)} for c in COLUMNS]
    package = {
        "name": name,
        "title": f"Conjunto de datos de prueba número {i}",
        "description": f"Datos sintéticos del conjunto {i} para medir la construcción del sitio.",
        "keywords": ["prueba", f"grupo {i % 37}"],
        "themes": [THEMES[i % len(THEMES)]],
        "licenses": [{"name": "CC-BY-4.0"}],
        "publisher": publisher,
        "frequency": FREQUENCIES[i % len(FREQUENCIES)],
        "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@example.gob.gt"},
        "version": "1.0.0",
        "issued": f"20{20 + i % 5}-0{1 + i % 9}-15",
        "modified": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "temporal": {"start": "2020-01-01", "end": "2024-12-31"},
        "spatial": {"country": "GT", "departments": [f"{1 + i % 22:02d}"]},
        "resources": [
            {
                "name": "datos",
                "path": "data/datos.csv",
                "format": "csv",
                "schema": {"fields": fields},
            }
        ],
    }
    plan = {
        "name": table_name(publisher, name, "datos"),
        "resource": "datos",
        "title": "Datos",
        "columns": [{**c, "sqltype": "TEXT"} for c in COLUMNS],
        "rows": 5,
    }
    # A table plan with what the site reads of one (no keys, indexes or full-text columns).
    return cast(
        Manifest,
        {
            "dataset": f"{publisher}/{name}",
            "publisher": publisher,
            "name": name,
            "package": package,
            "readme": f"# Conjunto {i}\n\nDatos sintéticos para el benchmark del sitio.\n",
            "queries": {},
            "tables": [plan],
            # What a build records: the digest of the published rows (made by _database).
            "content_hash": hashlib.sha256(f"rows of {i}".encode()).hexdigest(),
        },
    )


def _database(path: Path, manifests: list[Manifest]) -> None:
    conn = sqlite3.connect(path)
    for i, m in enumerate(manifests):
        table = quote(m["tables"][0]["name"])
        conn.execute(f"create table {table} (anio integer, departamento text, valor integer)")
        conn.executemany(
            f"insert into {table} values (?, ?, ?)",
            [(2020 + y, f"{1 + (i + y) % 22:02d}", 10 * i + y) for y in range(5)],
        )
    conn.commit()
    conn.close()


def _publishers() -> dict[str, dict[str, Any]]:
    return {
        f"pub-{n:02d}": {
            "name": f"Institución de prueba {n}",
            "kind": "ministry",
            "jurisdiction": {"country": "GT"},
            "email": f"uip{n}@example.gob.gt",
        }
        for n in range(PUBLISHERS)
    }


def run(workdir: Path, datasets: int = DATASETS) -> dict[str, Any]:
    work = workdir / "site-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    manifests = [manifest(i) for i in range(datasets)]
    publishers = _publishers()
    database = work / "catalogo.db"
    _database(database, manifests)

    def timed(name: str, items: list[Manifest], previous: str | None) -> tuple[float, Any]:
        start = time.perf_counter()
        writer = write_site(
            work / name / "site",
            items,
            publishers,
            "es",
            database=database,
            previous=work / previous / "site" if previous else None,
            today=TODAY,
        )
        return time.perf_counter() - start, writer

    first_s, first = timed("one", manifests, None)
    same_s, same = timed("two", manifests, "one")
    changed = copy.deepcopy(manifests)
    changed[datasets // 2]["package"]["title"] = "Conjunto de datos con título cambiado"
    again_s, again = timed("three", changed, "two")
    figures = {
        "datasets": datasets,
        "site_build_s": first_s,
        "files_written": first.written,
        "rebuild_nothing_changed_s": same_s,
        "rebuild_nothing_changed_files_written": same.written,
        "rebuild_one_changed_s": again_s,
        "rebuild_files_written": again.written,
        "rebuild_files_reused": again.reused,
    }
    shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    import sys
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else DATASETS
    with tempfile.TemporaryDirectory() as tmp:
        for key, value in run(Path(tmp), count).items():
            print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
