"""The CIO ratings as an open dataset: ``datasets/<publisher>/calificaciones-cio/``.

Written by ``catalog requests export`` (opendata.export calls ``export_ratings``)
into the folder of generated content; the build reads it (catalog/build/itportfolio.py
``read_ratings``) to compute the dashboard, and publishes it like any dataset. One
row per rating, every rating ever recorded (the history): institucion, inversion,
calificacion, comentario, fecha, autor (the role and initials, never the e-mail),
datos_de_ejemplo. Comments are public by design: the rating form says so.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from catalog import clock
from catalog.generated import csv_resource, descriptor, schema, write_package
from catalog.itportfolio.derived import RATINGS_DATASET
from catalog.transparency.cio import MAX_COMMENT, CioService
from catalog.transparency.workspace import Workspace

TABLE = "calificaciones"  # RATINGS_FILE, data/calificaciones.csv, as the build reads it
COLUMNS = [
    ("institucion", "string", "Institución", "Institución de la inversión (identificador)."),
    ("inversion", "string", "Inversión", "Identificador de la inversión (id_inversion)."),
    ("calificacion", "integer", "Calificación", "1 (riesgo alto) a 5 (riesgo bajo)."),
    ("comentario", "string", "Comentario", "Comentario público del CIO."),
    ("fecha", "date", "Fecha", "Día de la calificación."),
    ("autor", "string", "Autor", "Rol e iniciales de quien calificó (nunca su correo)."),
    ("datos_de_ejemplo", "boolean", "Datos de ejemplo", "Si la fila es de la demostración."),
]
README = """# Calificaciones CIO de las inversiones en tecnología

Generado en cada publicación por el espacio de trabajo de transparencia
(`catalog requests export`). Una fila por calificación: el jefe de informática (CIO)
de cada institución califica cada inversión de 1 (riesgo alto) a 5 (riesgo bajo) con
un comentario público. Se conservan todas las calificaciones, con su fecha y su autor
(rol e iniciales); ninguna se edita ni se borra. El tablero de proyectos de
tecnología usa la más reciente de cada inversión y muestra su antigüedad.
{sample}"""
SAMPLE = "\nLas filas con `datos_de_ejemplo` verdadero son datos de ejemplo de la demostración.\n"


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    writer.writerows(rows)
    return buffer.getvalue()


def _descriptor(
    publisher: str, info: dict[str, Any], first: str | None, last: str | None, sample: bool
) -> dict:
    # Dated by the newest rating, not the export day: unchanged ratings, unchanged files.
    today = last or clock.today().isoformat()
    rating = {"minimum": 1, "maximum": 5, "required": True}
    return descriptor(
        name=RATINGS_DATASET,
        title="Calificaciones CIO de las inversiones en tecnología"
        + (" (datos de ejemplo)" if sample else ""),
        description=(
            "Cada calificación de riesgo (1 a 5) que el CIO de una institución dio a una "
            "inversión en tecnología, con su comentario público, fecha y autor (rol e "
            "iniciales). Historial completo: ninguna calificación se edita ni se borra."
        ),
        publisher=publisher,
        info=info,
        keywords=["tecnología", "proyectos TI", "calificación CIO", "tablero"],
        themes=["TECH", "GOVE"],
        today=today,
        issued=min(first, today) if first else today,
        resources=[
            csv_resource(TABLE, "Calificaciones CIO", schema(COLUMNS, (), {"calificacion": rating}))
        ],
    )


def export_ratings(
    workspace: Workspace,
    root: Path,
    publisher: str,
    info: dict[str, Any],
    into: Path | None = None,
) -> tuple[Path, int]:
    """Write the dataset under ``<into or root>/datasets/<publisher>/calificaciones-cio/``;
    returns (folder, rows). Unchanged ratings leave the files untouched."""
    ratings = CioService(workspace).all()
    rows = [
        [
            r.publisher,
            r.investment,
            r.rating,
            " ".join(r.comment.split())[:MAX_COMMENT],  # one line per rating
            r.rated_on.isoformat(),
            r.author,
            "true" if r.sample else "false",
        ]
        for r in ratings
    ]
    sample = any(r.sample for r in ratings)
    folder = (into or root) / "datasets" / publisher / RATINGS_DATASET
    first = min((r.rated_on.isoformat() for r in ratings), default=None)
    last = max((r.rated_on.isoformat() for r in ratings), default=None)
    package = _descriptor(publisher, info, first, last, sample)
    readme = README.format(sample=SAMPLE if sample else "")
    write_package(folder, package, {TABLE: _csv(rows)}, readme)
    return folder, len(rows)
