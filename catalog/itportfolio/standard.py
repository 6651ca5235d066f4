"""The IT-portfolio Data Package standard: its marker, tables, Table Schemas and template.

A dataset declares that it follows the standard with ``"conformsTo": "it-portfolio"``
in its ``datapackage.json`` (a string, or a list that holds it). It then has the
resources ``inversiones`` and ``proyectos`` and may have ``hitos``,
``costos_mensuales``, ``metricas`` and ``contratos``, each following the Table Schema
of the same name in ``schemas/`` beside this module. Every table carries the reporting
period (``periodo_reporte``, YYYY-MM): one dataset holds every monthly or quarterly
snapshot, and the dashboard compares them (docs/it-dashboard.md).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MARKER = "it-portfolio"
VERSION = "1.0"
SCHEMAS = Path(__file__).parent / "schemas"
PERIOD = "periodo_reporte"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class TableSpec:
    """One table of the standard: its resource name, whether it is required, its titles."""

    name: str
    title: str
    description: str
    required: bool


TABLES = (
    TableSpec(
        "inversiones", "Inversiones en tecnología", "Una fila por inversión y periodo.", True
    ),
    TableSpec(
        "proyectos",
        "Proyectos de las inversiones",
        "Una fila por proyecto y periodo, con fechas y costos planificados, proyectados y reales.",
        True,
    ),
    TableSpec("hitos", "Hitos de los proyectos", "Una fila por hito y periodo.", False),
    TableSpec(
        "costos_mensuales",
        "Costos mensuales",
        "Costo planificado y ejecutado de cada proyecto por mes; cada periodo trae los meses "
        "desde el inicio del proyecto hasta el periodo.",
        False,
    ),
    TableSpec(
        "metricas",
        "Métricas de desempeño",
        "Métricas de resultado de cada inversión: línea base, meta y valor actual.",
        False,
    ),
    TableSpec(
        "contratos",
        "Contratos",
        "Contratos de las inversiones, enlazados con el sistema de compras públicas.",
        False,
    ),
)
TABLE_NAMES = tuple(t.name for t in TABLES)
COST_FIELDS = {
    "inversiones": ("costo_planificado", "costo_proyectado"),
    "proyectos": ("costo_planificado", "costo_proyectado", "costo_real"),
    "hitos": ("costo_planificado", "costo_real"),
    "costos_mensuales": ("costo_planificado", "costo_real"),
    "contratos": ("monto",),
}


def declares(descriptor: object) -> bool:
    """Whether a Data Package descriptor says it follows the IT-portfolio standard."""
    if not isinstance(descriptor, dict):
        return False
    value = descriptor.get("conformsTo")
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.strip().lower() == MARKER for v in values)


@cache
def _schema(name: str) -> str:
    return (SCHEMAS / f"{name}.json").read_text(encoding="utf-8")


def schema(name: str) -> dict[str, Any]:
    """The Table Schema of one table of the standard (a fresh copy); KeyError if unknown."""
    if name not in TABLE_NAMES:
        raise KeyError(name)
    loaded: dict[str, Any] = json.loads(_schema(name))
    return loaded


def field_names(name: str) -> list[str]:
    return [f["name"] for f in schema(name)["fields"]]


def template_descriptor() -> dict[str, Any]:
    """The skeleton ``datapackage.json`` a body fills in (schemas by path, as in the zip)."""
    return {
        "name": "cartera-proyectos-ti",
        "title": "Cartera de proyectos de tecnología de <institución>",
        "description": (
            "Inversiones y proyectos de tecnología de la institución, con fechas y costos "
            "planificados, proyectados y reales, por periodo de reporte (AAAA-MM)."
        ),
        "conformsTo": MARKER,
        "publisher": "<institucion>",
        "keywords": ["tecnología", "proyectos TI", "gobierno electrónico"],
        "themes": ["TECH", "GOVE"],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0 International",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "frequency": "monthly",
        "contactPoint": {"name": "Unidad de Tecnología", "email": "ti@institucion.gob.gt"},
        "version": "1.0.0",
        "issued": "2026-01-01",
        "modified": "2026-01-01",
        "resources": [
            {
                "name": t.name,
                "title": t.title,
                "description": t.description,
                "path": f"data/{t.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": f"schemas/{t.name}.json",
            }
            for t in TABLES
        ],
    }


TEMPLATE_README = """# Cartera de proyectos de tecnología: plantilla

Plantilla del estándar de cartera de proyectos TI (`conformsTo: "it-portfolio"`, versión {version}).

1. Cambie `<institucion>` en `datapackage.json` por el identificador de su institución en el
   catálogo y complete título, contacto y fechas.
2. Llene los CSV de `data/` (la primera fila son los nombres de columna): `inversiones.csv` y
   `proyectos.csv` son obligatorios; `hitos`, `costos_mensuales`, `metricas` y `contratos`
   son opcionales (quite del descriptor los que no use).
3. Cada mes (o trimestre) agregue las filas del nuevo `periodo_reporte` (AAAA-MM) sin borrar
   las anteriores: el tablero compara los periodos.
4. Revise con `catalog validate <carpeta>` y publique como cualquier conjunto de datos.

Las columnas, las reglas y las fórmulas del tablero: `docs/it-dashboard.md`.
"""


def template_zip() -> bytes:
    """The template as a ZIP (datapackage.json, README.md, schemas/*.json, data/*.csv
    with the header row); byte-for-byte the same on every call."""
    files: dict[str, str] = {
        "datapackage.json": json.dumps(template_descriptor(), ensure_ascii=False, indent=2) + "\n",
        "README.md": TEMPLATE_README.format(version=VERSION),
    }
    for name in TABLE_NAMES:
        files[f"schemas/{name}.json"] = _schema(name)
        files[f"data/{name}.csv"] = ",".join(field_names(name)) + "\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            info = zipfile.ZipInfo(f"cartera-proyectos-ti/{path}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()
