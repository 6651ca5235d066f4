"""The IT-project dashboard's tables, published as a catalogue dataset by every build.

The build gathers the datasets that declare the IT-portfolio standard
(``"conformsTo": "it-portfolio"``) and are published (their last good snapshot: a
portfolio whose new version fails validation keeps counting with its previous one),
reads the CIO ratings the workspace exports (the ``calificaciones-cio`` dataset in an
extra content folder, as the declarations dataset is for compliance) and computes the
dashboard with ``catalog.itportfolio`` for today in the default jurisdiction. It
publishes the result as ``<publisher>/tablero-proyectos-ti``: the publisher is the
portal's operator (the declarations dataset's publisher) when there is one, else the
publisher of the first portfolio dataset. Without any portfolio there is no dataset.

Files are written with ``catalog.generated.write_package`` under the build's generated-content folder,
so an unchanged dashboard keeps its hash and costs nothing.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from catalog.content import DatasetRef
from catalog.generated import csv_resource, descriptor, schema, write_package
from catalog.itportfolio import CioRating, Portfolio, Settings, compute, declares
from catalog.itportfolio.derived import NAME, RATINGS_DATASET, RATINGS_FILE, TABLES, frames
from catalog.release import naming
from catalog.release.manifest import Manifest

__all__ = ["Settings", "is_portfolio", "ratings_of", "write_dataset"]
SOURCE_TABLES = {
    "inversiones": "investments",
    "proyectos": "projects",
    "costos_mensuales": "monthly_costs",
    "hitos": "milestones",
}
README = """# Tablero de proyectos de tecnología

Generado por el portal en cada publicación (`catalog build`) a partir de las carteras de
proyectos TI publicadas con el estándar `it-portfolio` ({sources}) y de las calificaciones
de los CIO. Variación de costo y de plazo por proyecto e inversión, en monto y porcentaje;
colores (verde bajo {green} %, amarillo de {green} a {red} %, rojo desde {red} %, sobre la
variación absoluta); calificación general; gasto por institución, tipo, financiamiento y
año; historial por periodo y qué cambió desde el periodo anterior.

Fórmulas y reglas: `docs/it-dashboard.md` del proyecto. {sample}
"""
SAMPLE_NOTE = "Las cifras de las carteras de la demostración son datos de ejemplo."


def is_portfolio(manifest: Manifest) -> bool:
    return declares(manifest.get("package"))


def read_snapshot(database: Path, manifest: Manifest) -> dict[str, pl.DataFrame]:
    """The standard's tables of one published snapshot (by resource name)."""
    found: dict[str, pl.DataFrame] = {}
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        for plan in manifest["tables"]:
            if plan["resource"] not in SOURCE_TABLES:
                continue
            cursor = conn.execute(f"select * from {naming.quote(plan['name'])}")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            found[plan["resource"]] = pl.DataFrame(
                rows, schema=names, orient="row", infer_schema_length=None
            )
    finally:
        conn.close()
    return found


def read_ratings(path: Path) -> list[CioRating]:
    """The CIO ratings of the workspace's export (institucion, inversion, calificacion,
    comentario, fecha, autor, datos_de_ejemplo); a row that does not read is skipped."""
    found = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                rating = int(row.get("calificacion") or "")
                when = date.fromisoformat(row.get("fecha") or "")
            except ValueError:
                continue
            if not (1 <= rating <= 5) or not row.get("institucion") or not row.get("inversion"):
                continue
            found.append(
                CioRating(
                    row["institucion"],
                    row["inversion"],
                    rating,
                    row.get("comentario") or "",
                    when,
                    row.get("autor") or "",
                )
            )
    return found


def ratings_of(refs: list[DatasetRef], passed: set[str]) -> list[CioRating]:
    found: list[CioRating] = []
    for ref in refs:
        if ref.name == RATINGS_DATASET and ref.id in passed:
            path = ref.folder / RATINGS_FILE
            if path.is_file():
                found += read_ratings(path)
    return found


def write_dataset(
    root: Path,
    publisher: str,
    info: dict[str, Any],
    sources: list[tuple[Manifest, Path]],
    ratings: list[CioRating],
    settings: Settings,
    today: date,
) -> DatasetRef:
    """Compute the dashboard of the ``sources`` (manifest, snapshot database) and write
    it under ``root/datasets/<publisher>/tablero-proyectos-ti``."""
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in SOURCE_TABLES}
    for manifest, database in sources:
        for name, frame in read_snapshot(database, manifest).items():
            parts[name].append(frame.with_columns(pl.all().cast(pl.Utf8)))
    joined = {
        SOURCE_TABLES[name]: pl.concat(found, how="diagonal") if found else None
        for name, found in parts.items()
    }
    portfolio = Portfolio(
        investments=joined["investments"] if joined["investments"] is not None else _empty(),
        projects=joined["projects"] if joined["projects"] is not None else _empty(),
        monthly_costs=joined["monthly_costs"],
        milestones=joined["milestones"],
    )
    dashboard = compute(portfolio, ratings, settings, today)
    folder = root / "datasets" / publisher / NAME
    sample = any(_is_sample(m) for m, _db in sources)
    readme = README.format(
        sources=", ".join(m["dataset"] for m, _db in sources),
        green=_number(settings.bands.green),
        red=_number(settings.bands.red),
        sample=SAMPLE_NOTE if sample else "",
    )
    tables = {name: _csv(frame) for name, frame in frames(dashboard).items()}
    package = _descriptor(publisher, info, dashboard.period, today, sample)
    write_package(folder, package, tables, readme)
    return DatasetRef(publisher, NAME, folder)


def _empty() -> pl.DataFrame:
    return pl.DataFrame({"periodo_reporte": []}, schema={"periodo_reporte": pl.Utf8})


def _number(value: float) -> str:
    return f"{value:g}"


def _is_sample(manifest: Manifest) -> bool:
    text = json.dumps(manifest["package"].get("title", ""), ensure_ascii=False).lower()
    return "datos de ejemplo" in text


def _csv(frame: pl.DataFrame) -> str:
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    rounded = frame.with_columns([pl.col(c).round(2) for c in floats])
    return rounded.write_csv(line_terminator="\n", date_format="%Y-%m-%d")


def _descriptor(
    publisher: str, info: dict[str, Any], period: str | None, today: date, sample: bool
) -> dict[str, Any]:
    label = " (datos de ejemplo)" if sample else ""
    start = min(f"{period}-01", today.isoformat()) if period else today.isoformat()
    return descriptor(
        name=NAME,
        title=f"Tablero de proyectos de tecnología del Estado{label}",
        description=(
            "Variación de costo y de plazo, colores, calificaciones CIO y calificación general "
            "de cada inversión y proyecto de tecnología, gasto por institución, tipo, "
            "financiamiento y año, historial por periodo y cambios desde el periodo anterior."
        ),
        publisher=publisher,
        info=info,
        keywords=["tecnología", "proyectos TI", "tablero", "gobierno electrónico"],
        themes=["TECH", "GOVE"],
        today=today.isoformat(),
        issued=start,
        resources=[
            csv_resource(
                table.name,
                table.title,
                schema(
                    [(c.name, c.type, c.title, c.description) for c in table.columns],
                    table.primary_key or (),
                ),
                table.description,
            )
            for table in TABLES
        ],
    )
