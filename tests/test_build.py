"""catalog build: tables, types, keys, FTS, catalogue tables, incremental and atomic builds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from catalog.build import build
from catalog.errors import CatalogError

MIDES = """\
name: Ministerio de Desarrollo Social
acronym: MIDES
kind: ministry
jurisdiction: {country: GT}
website: https://www.mides.gob.gt
email: uip@mides.gob.gt
description: Rector de las políticas de desarrollo social.
"""

MIXCO = """\
name: Municipalidad de Mixco
kind: municipality
jurisdiction: {country: GT, department: "01", municipality: "0108"}
website: https://www.munimixco.gob.gt
email: informacion@munimixco.gob.gt
"""


def _package(publisher: str, name: str, title: str, resources: list[dict]) -> dict:
    return {
        "name": name,
        "title": title,
        "description": f"{title}: datos de ejemplo para las pruebas.",
        "keywords": ["ejemplo", "pruebas"],
        "themes": ["SOCI"],
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "publisher": publisher,
        "frequency": "annual",
        "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@mides.gob.gt"},
        "version": "1.0.0",
        "issued": "2024-01-15",
        "modified": "2024-06-30",
        "resources": resources,
    }


DEPARTAMENTOS = "codigo,nombre\n01,Guatemala\n05,Escuintla\n16,Alta Verapaz\n"
COBERTURA = """\
id,anio,departamento,programa,beneficiarios,monto,fecha,observaciones
1,2023,01,Bono Social,1200,350000.50,2023-03-01,Entrega en la cabecera departamental
2,2023,05,Bono Social,800,240000.00,2023-03-15,Pago por transferencia bancaria
3,2023,16,Bolsa Social,1500,410000.25,2023-04-01,Distribución en escuelas rurales
4,2024,01,Bolsa Social,1300,390000.00,2024-02-01,Entrega en centros comunitarios
5,2024,16,Bono Social,1700,505000.75,2024-02-20,Pago por transferencia en agencias
6,2024,05,Bono Social,900,270000.00,2024-03-05,Educación y salud como corresponsabilidad
"""

BONO_RESOURCES = [
    {
        "name": "departamentos", "path": "data/departamentos.csv", "format": "csv",
        "title": "Departamentos",
        "schema": {
            "fields": [
                {"name": "codigo", "type": "string", "territory": "department",
                 "description": "Código INE del departamento"},
                {"name": "nombre", "type": "string", "description": "Nombre del departamento"},
            ],
            "primaryKey": "codigo",
        },
    },
    {
        "name": "cobertura", "path": "data/cobertura.csv", "format": "csv",
        "title": "Cobertura por departamento", "description": "Beneficiarios por año.",
        "schema": {
            "fields": [
                {"name": "id", "type": "integer"},
                {"name": "anio", "type": "integer", "description": "Año de la entrega"},
                {"name": "departamento", "type": "string", "territory": "department",
                 "description": "Código INE del departamento"},
                {"name": "programa", "type": "string",
                 "constraints": {"enum": ["Bono Social", "Bolsa Social"]}},
                {"name": "beneficiarios", "type": "integer",
                 "description": "Hogares beneficiarios"},
                {"name": "monto", "type": "number", "description": "Monto entregado (GTQ)"},
                {"name": "fecha", "type": "date"},
                {"name": "observaciones", "type": "string"},
            ],
            "primaryKey": "id",
            "foreignKeys": [{"fields": "departamento",
                             "reference": {"resource": "departamentos", "fields": "codigo"}}],
        },
    },
]

QUERIES = """\
# Name this dataset's tables by resource name; the build rewrites them.
cobertura_por_departamento:
  title: Cobertura por departamento
  sql: >
    select d.nombre, sum(c.beneficiarios) as beneficiarios
    from cobertura c join departamentos d on d.codigo = c.departamento
    group by d.nombre order by d.nombre
"""

LICENCIAS = """\
numero,tipo,zona,fecha,descripcion
101,Construcción,1,2024-01-10,Ampliación de vivienda de dos niveles
102,Remodelación,3,2024-01-12,Cambio de fachada y techo
103,Construcción,1,2024-02-01,Local comercial con parqueo
"""

LICENCIAS_RESOURCES = [
    {
        "name": "licencias", "path": "data/licencias.csv", "format": "csv",
        "schema": {
            "fields": [
                {"name": "numero", "type": "integer"},
                {"name": "tipo", "type": "string",
                 "constraints": {"enum": ["Construcción", "Remodelación"]}},
                {"name": "zona", "type": "integer"},
                {"name": "fecha", "type": "date"},
                {"name": "descripcion", "type": "string", "description": "Obra autorizada"},
            ],
            "primaryKey": "numero",
        },
    },
]


def write_dataset(root: Path, publisher: str, name: str, title: str,
                  resources: list[dict], files: dict[str, str]) -> Path:
    folder = root / "datasets" / publisher / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    package = _package(publisher, name, title, resources)
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1),
                                             encoding="utf-8")
    for rel, text in files.items():
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def write_content(root: Path) -> Path:
    """A small content tree: two publishers, two datasets (one with two related tables)."""
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    (root / "publishers" / "mides.yaml").write_text(MIDES, encoding="utf-8")
    (root / "publishers" / "muni-mixco.yaml").write_text(MIXCO, encoding="utf-8")
    write_dataset(root, "mides", "bono-social", "Bono Social", BONO_RESOURCES, {
        "data/departamentos.csv": DEPARTAMENTOS, "data/cobertura.csv": COBERTURA,
        "README.md": "# Bono Social\n\nEntregas del **Bono Social**.\n\n<script>alert(1)</script>\n",
        "queries.yaml": QUERIES,
    })
    write_dataset(root, "muni-mixco", "licencias", "Licencias de construcción",
                  LICENCIAS_RESOURCES, {"data/licencias.csv": LICENCIAS})
    return root


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


def statuses(report) -> dict[str, str]:
    return {d.dataset: d.status for d in report.datasets}


def connect(out: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(out / "sql" / "catalogo.db")
    conn.row_factory = sqlite3.Row
    return conn


def columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {r["name"]: r["type"] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def test_first_build_publishes_valid_datasets(content: Path, tmp_path: Path):
    out = tmp_path / "build"
    report = build(content, out)
    assert statuses(report) == {"mides/bono-social": "published", "muni-mixco/licencias": "published"}, \
        [f.message("en") for d in report.datasets for f in d.findings]
    assert report.all_published and report.changed
    with connect(out) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert {"mides__bono_social__cobertura", "mides__bono_social__departamentos",
                "muni_mixco__licencias__licencias"} <= tables
