"""A large, realistic, deterministic Data Package for the benchmarks.

Monthly coverage of Guatemalan social programmes by municipality: 11 columns with
integers, numbers, enums, patterns, a date and a primary key. Aggregated counts
only, no personal identifiers, and no declared quasi-identifiers, so the privacy
gate has nothing to block. SAMPLE DATA: the figures are random.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from catalog import territories

PROGRAMMES = [
    "Bono Social",
    "Bolsa Social",
    "Comedores Sociales",
    "Beca Social",
    "Jóvenes Protagonistas",
]
AREAS = ["urbana", "rural"]
HEADER = [
    "id",
    "anio",
    "mes",
    "fecha_corte",
    "departamento",
    "municipio",
    "programa",
    "area",
    "hogares",
    "beneficiarios",
    "monto_quetzales",
]
CHUNK = 50_000


def schema() -> dict:
    """The Table Schema of the generated table."""
    return {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
            {"name": "anio", "type": "integer", "constraints": {"minimum": 2015, "maximum": 2030}},
            {"name": "mes", "type": "integer", "constraints": {"minimum": 1, "maximum": 12}},
            {"name": "fecha_corte", "type": "date"},
            {
                "name": "departamento",
                "type": "string",
                "territory": "department",
                "constraints": {"pattern": "[0-9]{2}"},
            },
            {
                "name": "municipio",
                "type": "string",
                "territory": "municipality",
                "constraints": {"required": True, "pattern": "[0-9]{4}"},
            },
            {"name": "programa", "type": "string", "constraints": {"enum": PROGRAMMES}},
            {"name": "area", "type": "string", "constraints": {"enum": AREAS}},
            {"name": "hogares", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "beneficiarios", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "monto_quetzales", "type": "number", "constraints": {"minimum": 0}},
        ],
        "primaryKey": ["id"],
    }


def descriptor(name: str, publisher: str, rows: int) -> dict:
    return {
        "name": name,
        "title": "Cobertura mensual de programas sociales por municipio (datos de prueba)",
        "description": "Datos de ejemplo generados para medir la validación y la carga: "
        "hogares y personas beneficiarias por programa, municipio y mes.",
        "publisher": publisher,
        "keywords": ["programas sociales", "cobertura", "benchmark"],
        "themes": ["SOCI"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "monthly",
        "contactPoint": {
            "name": "Unidad de Información Pública",
            "email": "informacion@bench.example.gt",
        },
        "version": "1.0.0",
        "issued": "2024-01-15",
        "modified": "2024-12-31",
        "temporal": {"start": "2015-01-01", "end": "2024-12-31"},
        "spatial": {"country": "GT"},
        "resources": [
            {
                "name": "cobertura",
                "title": f"Cobertura mensual ({rows:,} filas)",
                "path": "data/cobertura.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": schema(),
            }
        ],
    }


def make_large_package(folder: Path, rows: int) -> Path:
    """Write a dataset folder with ``rows`` rows (same content for the same ``rows``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    publisher = folder.parent.name or "bench"
    package = descriptor(folder.name, publisher, rows)
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "README.md").write_text(
        f"# {package['title']}\n\nDatos de prueba (no reales) para `make bench`.\n",
        encoding="utf-8",
    )
    _write_publisher(folder, publisher)
    with (folder / "data" / "cobertura.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for lines in _chunks(rows):
            fh.write(lines)
    return folder


def _chunks(rows: int):
    rng = random.Random(20240131)
    municipalities = [m["code"] for m in territories.municipalities()] or ["0101"]
    buffer: list[str] = []
    for number in range(1, rows + 1):
        year = 2015 + rng.randrange(10)
        month = 1 + rng.randrange(12)
        municipality = municipalities[rng.randrange(len(municipalities))]
        households = rng.randrange(0, 5000)
        people = households * (1 + rng.randrange(6))
        amount = households * rng.choice((150, 200, 250, 300)) + rng.randrange(100) / 100
        buffer.append(
            f"{number},{year},{month},{year}-{month:02d}-28,{municipality[:2]},{municipality},"
            f"{PROGRAMMES[rng.randrange(5)]},{AREAS[rng.randrange(2)]},{households},{people},"
            f"{amount:.2f}\n"
        )
        if len(buffer) == CHUNK:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _write_publisher(folder: Path, slug: str) -> None:
    """A publisher file for the generated dataset when it sits in a content tree."""
    datasets = folder.parent.parent
    if datasets.name != "datasets":
        return
    publishers = datasets.parent / "publishers"
    publishers.mkdir(exist_ok=True)
    target = publishers / f"{slug}.yaml"
    if not target.exists():
        target.write_text(
            "name: Oficina de pruebas de rendimiento\n"
            "acronym: BENCH\n"
            "kind: secretariat\n"
            "jurisdiction:\n  country: GT\n"
            "website: https://bench.example.gt\n"
            "email: informacion@bench.example.gt\n"
            "description: Publicador ficticio de los datos de prueba de make bench.\n",
            encoding="utf-8",
        )


def make_scaled_package(folder: Path, source: Path, factor: int) -> Path:
    """A package ``factor`` times as long as the one at ``source``: its rows repeated
    with fresh ids (so the primary key still holds), written block by block.

    Much faster than drawing new rows, for the 10,000,000-row run of the benchmark;
    the cells are copied as text, so the file is exactly as realistic as its source.
    """
    import polars as pl

    rows = sum(1 for _ in (source / "data" / "cobertura.csv").open("rb")) - 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    package = descriptor(folder.name, folder.parent.name or "bench", rows * factor)
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "README.md").write_text(
        f"# {package['title']}\n\nDatos de prueba (no reales) para `make bench`.\n",
        encoding="utf-8",
    )
    frame = pl.read_csv(
        source / "data" / "cobertura.csv",
        schema={name: pl.Int64 if name == "id" else pl.Utf8 for name in HEADER},
    )
    with (folder / "data" / "cobertura.csv").open("wb") as fh:
        fh.write((",".join(HEADER) + "\n").encode("utf-8"))
        for block in range(factor):
            part = frame.with_columns(pl.col("id") + block * rows)
            part.write_csv(fh, include_header=False, quote_style="never")
    return folder
