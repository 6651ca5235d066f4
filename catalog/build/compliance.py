"""The active-transparency compliance table, published as a catalogue dataset by every build.

Every build computes, with ``catalog.transparency.compliance``, the state of each
(body, applicable item, period) of the window from what it publishes (the datasets
that cite items, with the day each version was published) and the officers'
approved records (the ``declaraciones-transparencia-activa`` dataset that
``catalog requests export`` writes), and publishes it as
``<operator>/cumplimiento-transparencia-activa``: validated, loaded into SQLite
and downloadable like any dataset. The operator is the publisher of the
declarations dataset, the body that runs the portal; without that dataset (a build
of content alone) there is no operator and no compliance dataset.

The dataset is written into a folder of generated content the build owns (under
its state folder) only when its text changed, so an unchanged table keeps its hash
and costs nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from catalog.content import DatasetRef
from catalog.generated import csv_resource, descriptor, schema, write_package
from catalog.release.index import DatasetEntry
from catalog.transparency.compliance import (
    DECLARATIONS_DATASET,
    Compliance,
    compute,
    read_declarations,
    window_months,
)
from catalog.transparency.obligations import find

NAME = "cumplimiento-transparencia-activa"
TABLE = "cumplimiento"  # data/cumplimiento.csv
STATES = ["on-time", "late", "due", "overdue", "not-applicable"]
SOURCES = ["dataset", "document", "link", "not-applicable"]
# name, type, title, description (Spanish: the portal's language of record)
COLUMNS = [
    ("institucion", "string", "Institución", "Institución obligada (identificador del catálogo)."),
    ("jurisdiccion", "string", "Jurisdicción", "País cuya ley rige la obligación (GT, CL, PY)."),
    ("obligacion", "string", "Obligación", "Identificador del ítem de transparencia activa."),
    ("titulo", "string", "Título", "El ítem, como lo nombra la ley."),
    ("periodo", "string", "Periodo", "Mes (AAAA-MM), trimestre (AAAA-Tn) o año (AAAA)."),
    (
        "estado",
        "string",
        "Estado",
        "on-time (a tiempo), late (tarde), due (en plazo), overdue (vencido), "
        "not-applicable (no aplica, declarado).",
    ),
    ("fecha_limite", "date", "Fecha límite", "Último día para publicar a tiempo."),
    ("fecha_publicacion", "date", "Fecha de publicación", "Cuándo se publicó la evidencia."),
    ("evidencia", "string", "Evidencia", "Dirección de la publicación que cumple el ítem."),
    ("fuente", "string", "Fuente", "dataset, document, link o not-applicable."),
    ("motivo", "string", "Motivo", "Por qué no aplica, cuando se declaró así."),
    ("datos_de_ejemplo", "boolean", "Datos de ejemplo", "Si la evidencia es de la demostración."),
]
CONSTRAINTS: dict[str, dict[str, Any]] = {
    "institucion": {"required": True},
    "obligacion": {"required": True},
    "periodo": {"required": True},
    "estado": {"required": True, "enum": STATES},
    "fecha_limite": {"required": True},
    "fuente": {"enum": SOURCES},
}
README = """# Cumplimiento de transparencia activa

Generado por el portal en cada publicación (`catalog build`). Una fila por
institución, ítem de transparencia activa que le aplica y periodo de la ventana
(los últimos {months} meses): su estado, la fecha límite, cuándo se publicó y la
evidencia (el conjunto de datos del catálogo, el documento o el enlace que lo
cumple), o el motivo declarado por el oficial cuando el ítem no aplica.

Cómo se calcula y cómo se puntúa: `docs/scoring.md` del proyecto y
`/transparencia/activa/` en el portal. Las filas con `datos_de_ejemplo`
verdadero son datos de la demostración.
"""


def operator_of(refs: list[DatasetRef]) -> DatasetRef | None:
    """The declarations dataset, whose publisher runs the portal (None without one)."""
    found = [r for r in refs if r.name == DECLARATIONS_DATASET]
    return found[0] if found else None


def write_dataset(
    root: Path,
    declarations: DatasetRef,
    operator: dict[str, Any],
    publishers: dict[str, dict[str, Any]],
    datasets: list[DatasetEntry],
    today: date,
    generated: str,
) -> DatasetRef:
    """Write the compliance dataset under ``root/datasets/<operator>/`` and return it."""
    csv_path = declarations.folder / "data" / "declaraciones.csv"
    records = read_declarations(csv_path) if csv_path.is_file() else []
    months = window_months()
    table = compute(publishers, datasets, records, today, months=months, generated=generated)
    folder = root / "datasets" / declarations.publisher / NAME
    package = _descriptor(declarations.publisher, operator, table)
    write_package(folder, package, {TABLE: _csv(table)}, README.format(months=months))
    return DatasetRef(declarations.publisher, NAME, folder)


def _csv(table: Compliance) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    titles: dict[str, str] = {}
    for row in table.rows():
        if row["obligation"] not in titles:
            item = find(row["obligation"])
            titles[row["obligation"]] = item.label("es") if item else row["obligation"]
        writer.writerow(
            [
                row["publisher"],
                row["jurisdiction"],
                row["obligation"],
                titles[row["obligation"]],
                row["period"],
                row["state"],
                row["due"],
                row["published"] or "",
                row["evidence"] or "",
                row["source"] or "",
                row["reason"] or "",
                "true" if row["sample"] else "false",
            ]
        )
    return buffer.getvalue()


def _descriptor(publisher: str, info: dict[str, Any], table: Compliance) -> dict[str, Any]:
    today, first = table.today.isoformat(), f"{table.months[0]}-01"
    return descriptor(
        name=NAME,
        title="Cumplimiento de transparencia activa por institución",
        description=(
            "Estado de cada ítem de transparencia activa que la ley obliga a publicar, "
            "por institución y periodo: a tiempo, tarde, en plazo, vencido o no aplica, "
            "con la fecha límite, la fecha de publicación y la evidencia."
        ),
        publisher=publisher,
        info=info,
        keywords=["transparencia activa", "información pública de oficio", "cumplimiento"],
        themes=["GOVE"],
        today=today,
        issued=first,
        temporal=(first, today),
        resources=[
            csv_resource(
                TABLE,
                "Cumplimiento por institución, ítem y periodo",
                schema(COLUMNS, ["institucion", "obligacion", "periodo"], CONSTRAINTS),
            )
        ],
    )
