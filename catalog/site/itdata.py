"""What the public IT-project dashboard shows, read from a release.

The figures come from the derived dataset every build publishes
(``<operator>/tablero-proyectos-ti``, catalog/itportfolio/derived.py: resumen,
inversiones, proyectos, historial_inversiones, cambios, gasto, calificaciones_cio),
read from the release's SQLite database; the details of one investment's page (its
milestones, monthly costs and contracts) from the IT-portfolio datasets themselves
(``"conformsTo": "it-portfolio"``), latest reporting period only. Projects turning
red between the last two periods are computed with ``catalog.itportfolio.compute``
over the portfolio's project rows, with the bands of the operator's jurisdiction.

Pure reading: nothing here writes or renders (catalog/site/itdashboard.py does).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from catalog.itportfolio import Settings, declares
from catalog.itportfolio.compute import projects_table, typed
from catalog.itportfolio.derived import NAME, RATINGS_DATASET
from catalog.release import naming
from catalog.release.manifest import Manifest

DETAIL_TABLES = ("inversiones", "proyectos", "hitos", "costos_mensuales", "contratos")
MAX_TEXT = 2000  # a comment or a description shown on a page
MAX_NAME = 300
PROCUREMENT_COLUMN = "nog"  # Guatecompras' operation number, in a procurement table
DIGITS = re.compile(r"\d{4,20}")


@dataclass
class DashboardData:
    """The dashboard of one release; empty lists when the release has none."""

    dataset: str  # the derived dataset's id (publisher/name)
    summary: dict[str, Any]
    investments: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    history: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    spending: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    tables: dict[str, str]  # derived resource -> table in the release database
    milestones: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by project
    monthly: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by project
    contracts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by investment
    sources: dict[str, list[str]] = field(default_factory=dict)  # investment -> dataset ids
    source_tables: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset -> tables
    procurement: dict[str, str] = field(default_factory=dict)  # procurement id -> SQL link
    turned_red: list[dict[str, Any]] = field(default_factory=list)  # projects, last 2 periods
    ratings_dataset: str | None = None  # the workspace's export, when published

    @property
    def period(self) -> str | None:
        value = self.summary.get("periodo_reporte")
        return value if isinstance(value, str) else None


def _rows(conn: sqlite3.Connection, table: str, where: str = "", *args: Any) -> list[dict]:
    try:
        cursor = conn.execute(f"select * from {naming.quote(table)} {where}", args)
    except sqlite3.Error:
        return []
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _tables(manifest: Manifest) -> dict[str, str]:
    return {plan["resource"]: plan["name"] for plan in manifest["tables"]}


def flag(value: Any) -> bool:
    """A boolean cell as SQLite keeps it (1, "true", ...)."""
    return value in (1, True, "1", "true", "True")


def load(
    manifests: dict[str, Manifest],
    conn: sqlite3.Connection | None,
    publishers: dict[str, dict[str, Any]],
) -> DashboardData | None:
    """The dashboard of the release, or None when no build published one."""
    derived = next((m for m in manifests.values() if m["name"] == NAME), None)
    if derived is None or conn is None:
        return None
    tables = _tables(derived)
    summary = _rows(conn, tables.get("resumen", ""))
    data = DashboardData(
        dataset=derived["dataset"],
        summary=summary[0] if summary else {},
        investments=_rows(conn, tables.get("inversiones", "")),
        projects=_rows(conn, tables.get("proyectos", "")),
        history=_rows(conn, tables.get("historial_inversiones", "")),
        changes=_rows(conn, tables.get("cambios", "")),
        spending=_rows(conn, tables.get("gasto", "")),
        ratings=_rows(conn, tables.get("calificaciones_cio", "")),
        tables=tables,
    )
    for rating in data.ratings:
        rating["comentario_cio"] = str(rating.get("comentario_cio") or "")[:MAX_TEXT]
    ratings = next((m for m in manifests.values() if m["name"] == RATINGS_DATASET), None)
    data.ratings_dataset = ratings["dataset"] if ratings else None
    portfolios = [m for m in manifests.values() if declares(m.get("package"))]
    _details(data, portfolios, conn)
    data.procurement = _procurement(data, manifests, conn)
    settings = _settings(derived["publisher"], publishers)
    data.turned_red = _turned_red(portfolios, conn, settings, data)
    return data


def _settings(owner: str, publishers: dict[str, dict[str, Any]]) -> Settings:
    from catalog.errors import CatalogError

    country = ((publishers.get(owner) or {}).get("jurisdiction") or {}).get("country")
    try:
        return Settings.of_jurisdiction(country if isinstance(country, str) else "GT")
    except CatalogError:
        return Settings.of_jurisdiction("GT")


def _details(data: DashboardData, portfolios: list[Manifest], conn: sqlite3.Connection) -> None:
    """Milestones, monthly costs and contracts of the latest period, and which portfolio
    dataset reports each investment."""
    period = data.period
    if period is None:
        return
    project_of: dict[str, str] = {}
    for manifest in sorted(portfolios, key=lambda m: m["dataset"]):
        tables = {k: v for k, v in _tables(manifest).items() if k in DETAIL_TABLES}
        data.source_tables[manifest["dataset"]] = tables
        where = "where periodo_reporte = ?"
        for row in _rows(conn, tables.get("inversiones", ""), where, period):
            data.sources.setdefault(str(row.get("id_inversion")), []).append(manifest["dataset"])
        for row in _rows(conn, tables.get("proyectos", ""), where, period):
            project_of[str(row.get("id_proyecto"))] = str(row.get("id_inversion"))
        for row in _rows(conn, tables.get("hitos", ""), where, period):
            data.milestones.setdefault(str(row.get("id_proyecto")), []).append(row)
        for row in _rows(conn, tables.get("costos_mensuales", ""), where, period):
            data.monthly.setdefault(str(row.get("id_proyecto")), []).append(row)
        for row in _rows(conn, tables.get("contratos", ""), where, period):
            data.contracts.setdefault(str(row.get("id_inversion")), []).append(row)
    for rows in data.milestones.values():
        rows.sort(key=lambda r: (str(r.get("fecha_planificada") or ""), str(r.get("id_hito"))))
    for rows in data.monthly.values():
        rows.sort(key=lambda r: str(r.get("mes") or ""))


def procurement_key(value: Any) -> str | None:
    """The number of a procurement id (``NOG-20007919`` → ``20007919``), or None."""
    found = DIGITS.search(str(value or ""))
    return found.group(0) if found else None


def _procurement(
    data: DashboardData, manifests: dict[str, Manifest], conn: sqlite3.Connection
) -> dict[str, str]:
    """Procurement id → the /sql/ address of its row, for the ids a published
    procurement table (a table with a ``nog`` column) holds."""
    wanted = sorted(
        {
            key
            for rows in data.contracts.values()
            for row in rows
            if (key := procurement_key(row.get("id_adquisicion")))
        }
    )
    found: dict[str, str] = {}
    if not wanted:
        return found
    for manifest in sorted(manifests.values(), key=lambda m: m["dataset"]):
        for plan in manifest["tables"]:
            if not any(c["name"] == PROCUREMENT_COLUMN for c in plan["columns"]):
                continue
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = (
                    f"select {PROCUREMENT_COLUMN} from {naming.quote(plan['name'])} "
                    f"where {PROCUREMENT_COLUMN} in ({marks})"
                )
                try:
                    hits = conn.execute(query, chunk).fetchall()
                except sqlite3.Error:
                    continue
                for (value,) in hits:
                    found.setdefault(str(value), f"/sql/catalogo/{plan['name']}?nog={value}")
    return found


def _turned_red(
    portfolios: list[Manifest],
    conn: sqlite3.Connection,
    settings: Settings,
    data: DashboardData,
) -> list[dict[str, Any]]:
    """Projects whose cost or schedule colour is red in the latest period and was not
    in the one before (computed with the dashboard's own formulas)."""
    period, previous = data.period, data.summary.get("periodo_anterior")
    if period is None or not isinstance(previous, str):
        return []
    frames = []
    for manifest in portfolios:
        table = _tables(manifest).get("proyectos")
        if not table:
            continue
        rows = _rows(conn, table, "where periodo_reporte in (?, ?)", previous, period)
        if rows:
            frames.append(
                pl.DataFrame(rows, infer_schema_length=None).with_columns(pl.all().cast(pl.Utf8))
            )
    if not frames:
        return []
    projects = projects_table(typed(pl.concat(frames, how="diagonal"), "proyectos"), settings.bands)
    red = (pl.col("color_costo") == "red") | (pl.col("color_plazo") == "red")
    keys = ["id_inversion", "id_proyecto"]
    now = projects.filter((pl.col("periodo_reporte") == period) & red)
    before = projects.filter(pl.col("periodo_reporte") == previous).select(
        *keys, red.alias("_was_red")
    )
    turned = now.join(before, on=keys, how="left").filter(~pl.col("_was_red").fill_null(False))
    out = []
    for row in turned.sort(keys).iter_rows(named=True):
        out.append(
            {
                "id_inversion": row["id_inversion"],
                "id_proyecto": row["id_proyecto"],
                "nombre": str(row.get("nombre") or "")[:MAX_NAME],
                "periodo_reporte": period,
                "color_costo": row["color_costo"],
                "color_plazo": row["color_plazo"],
                "variacion_costo_pct": row["variacion_costo_pct"],
                "variacion_plazo_dias": row["variacion_plazo_dias"],
            }
        )
    return out


def by_key(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, list[dict[str, Any]]]:
    grouped: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[tuple(row.get(k) for k in keys)].append(row)
    return grouped


def day(value: Any) -> date | None:
    """A date cell (``YYYY-MM-DD``) or None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
