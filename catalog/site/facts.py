"""What a dataset's data says about territories: which ones it covers, and key figures.

A field that declares ``"territory": "department"`` or ``"municipality"`` holds
INE codes. The territories a dataset covers are those in its ``spatial``
property plus every valid code found in such fields. Key figures come from the
first measure (a numeric field that is not a year, month, code or territory)
of each table with a territory field: its total (or average, for rates, prices
and percentages) per territory, for the latest year and over the years.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from catalog import territories
from catalog.release.manifest import Column, Manifest, TablePlan
from catalog.release.naming import quote

YEAR_NAMES = {"anio", "año", "ano", "year", "periodo"}
NOT_MEASURES = re.compile(r"^(id|codigo|code|mes|month|dia|day|trimestre|quarter)$|_id$|^id_")
# Averages, not totals, for these: summing rates or prices means nothing.
AVERAGED = re.compile(
    r"tasa|porcentaje|percent|%|indice|índice|precio|price|promedio|average|cobertura|avance|rate",
    re.I,
)
MAX_YEARS = 10


def _year_column(columns: list[Column]) -> str | None:
    for column in columns:
        if column["type"] == "year" or (
            column["type"] == "integer" and column["name"].lower() in YEAR_NAMES
        ):
            return column["name"]
    return None


def _measure(columns: list[Column], skip: set[str]) -> Column | None:
    for column in columns:
        name = column["name"]
        if (
            column["type"] in ("integer", "number")
            and name not in skip
            and not column["territory"]
            and not NOT_MEASURES.search(name.lower())
        ):
            return column
    return None


def _levels(columns: list[Column]) -> dict[str, str]:
    """SQL expressions giving the department and municipality code of each row."""
    found = {c["territory"]: c["name"] for c in columns if c["territory"]}
    levels = {}
    if "municipality" in found:
        levels["municipality"] = quote(found["municipality"])
    if "department" in found:
        levels["department"] = quote(found["department"])
    elif "municipality" in found:
        levels["department"] = f"substr({quote(found['municipality'])}, 1, 2)"
    return levels


def _valid(level: str, code: Any, country: str = territories.DEFAULT_COUNTRY) -> bool:
    return isinstance(code, str) and territories.level(code, country) == level


def _coverage(
    conn: sqlite3.Connection, table: str, levels: dict[str, str], country: str
) -> set[str]:
    codes: set[str] = set()
    for level, expr in levels.items():
        rows = conn.execute(f"select distinct {expr} from {quote(table)}").fetchall()
        codes |= {
            territories.key(code, country) for (code,) in rows if _valid(level, code, country)
        }
    return codes


def _figure(
    conn: sqlite3.Connection, plan: TablePlan, levels: dict[str, str], country: str
) -> dict[str, Any] | None:
    columns = plan["columns"]
    year = _year_column(columns)
    measure = _measure(columns, {year} if year else set())
    if measure is None:
        return None
    text = " ".join(str(measure[k] or "") for k in ("name", "title", "description"))
    aggregate = "avg" if AVERAGED.search(text) else "sum"
    year_expr = quote(year) if year else "null"
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for level, expr in levels.items():
        sql = (
            f"select {expr}, {year_expr}, {aggregate}({quote(measure['name'])}) "
            f"from {quote(plan['name'])} where {quote(measure['name'])} is not null "
            f"group by 1, 2 order by 1, 2"
        )
        for code, when, value in conn.execute(sql):
            if _valid(level, code, country) and value is not None:
                place = territories.key(code, country)
                series = values.setdefault(level, {}).setdefault(place, {"series": []})
                series["series"].append([when, round(value, 2)])
    for by_code in values.values():
        for item in by_code.values():
            item["series"] = item["series"][-MAX_YEARS:]
            item["year"], item["value"] = item["series"][-1]
    return {
        "table": plan["name"],
        "resource": plan["resource"],
        "title": plan["title"] or plan["resource"],
        "measure": measure["title"] or measure["name"],
        "aggregate": aggregate,
        "by_year": year is not None,
        "values": values,
    }


def dataset_facts(
    manifest: Manifest, conn: sqlite3.Connection | None, country: str | None = None
) -> dict[str, Any]:
    """``{"territories": [keys], "figures": [...]}`` for one dataset.

    ``country`` is the country of its codes (``territories.dataset_country``: its
    ``spatial.country`` or its publisher's); territories are named by their keys
    (``0101`` in Guatemala, ``CL-13101`` in Chile). A country without a shipped code
    list has no territories."""
    spatial = manifest["package"].get("spatial") or {}
    if not isinstance(spatial, dict):
        spatial = {}
    country = country or territories.dataset_country(manifest["package"])
    if country not in territories.COUNTRIES:
        return {"territories": [], "figures": []}
    codes = {
        territories.key(c, country)
        for c in list(spatial.get("departments") or []) + list(spatial.get("municipalities") or [])
        if isinstance(c, str) and territories.level(c, country) is not None
    }
    figures = []
    for plan in manifest["tables"]:
        levels = _levels(plan["columns"])
        if not levels or conn is None:
            continue
        try:
            codes |= _coverage(conn, plan["name"], levels, country)
            figure = _figure(conn, plan, levels, country)
        except sqlite3.Error:
            continue  # a table missing from the database has nothing to say
        if figure:
            figures.append(figure)
    # A municipality's department is covered too.
    departments = {territories.department_of(c) for c in codes if territories.is_municipality(c)}
    codes |= {c for c in departments if c}
    return {"territories": sorted(codes), "figures": figures}
