"""The anonymized request log as an open dataset of the catalogue.

``export`` writes ``datasets/<publisher>/registro-solicitudes-acceso/`` (a Data
Package: ``datapackage.json``, ``README.md``, ``data/solicitudes.csv``) into a
folder of generated content (``catalog requests export --into DIR``), which the
build publishes beside the committed content (``catalog build --extra-content
DIR``): the workspace produces content, the build reads content, and neither
reads the other's files. Only non-identifying columns are written: no name, no
e-mail, no free text (subjects may hold personal data); it passes ``catalog
validate`` and its privacy gate.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from catalog import clock
from catalog.content import is_slug, read_yaml
from catalog.errors import CatalogError
from catalog.generated import csv_resource, descriptor, schema, write_package
from catalog.i18n import _
from catalog.transparency.models import InfoRequest
from catalog.transparency.states import HIDDEN
from catalog.transparency.workspace import Workspace

NAME = "registro-solicitudes-acceso"
COLUMNS = [
    ("codigo", "string", "Código de seguimiento", "Código público de la solicitud."),
    (
        "institucion",
        "string",
        "Institución",
        "Institución que recibió la solicitud (identificador del catálogo).",
    ),
    ("jurisdiccion", "string", "Jurisdicción", "País cuya ley rige la solicitud (GT, CL, PY)."),
    ("fecha_recepcion", "date", "Fecha de recepción", "Día hábil en que se tiene por recibida."),
    (
        "fecha_limite",
        "date",
        "Fecha límite",
        "Vencimiento del plazo legal vigente (con prórroga, si la hubo).",
    ),
    ("estado", "string", "Estado", "Estado actual de la solicitud."),
    ("resultado", "string", "Resultado", "Resultado de la respuesta, si la hay."),
    ("prorrogada", "boolean", "Prorrogada", "Si el plazo se prorrogó."),
    ("fecha_respuesta", "date", "Fecha de respuesta", "Día en que se respondió o remitió."),
    (
        "dias_habiles_respuesta",
        "integer",
        "Días hábiles de respuesta",
        "Días hábiles desde la recepción hasta la respuesta.",
    ),
    ("fuera_de_plazo", "boolean", "Fuera de plazo", "Si se respondió después del plazo."),
    ("formato_preferido", "string", "Formato preferido", "Formato en que se pidió la información."),
    (
        "respuesta_publicada",
        "boolean",
        "Respuesta publicada",
        "Si la respuesta (censurada) es pública.",
    ),
]


def _row(request: InfoRequest) -> list[object]:
    def flag(value: bool | None) -> str:
        return "" if value is None else ("true" if value else "false")

    return [
        request.tracking_code,
        request.publisher,
        request.jurisdiction,
        request.start_on.isoformat(),
        request.due_on.isoformat(),
        request.status,
        request.outcome or "",
        flag(request.extensions > 0),
        request.answered_at.date().isoformat() if request.answered_at else "",
        "" if request.answer_days is None else request.answer_days,
        flag(request.answered_late),
        request.preferred_format or "",
        flag(request.published_at is not None),
    ]


def _descriptor(publisher: str, info: dict, first: str | None, last: str | None) -> dict:
    return descriptor(
        name=NAME,
        title="Registro de solicitudes de acceso a la información (anonimizado)",
        description=(
            "Cada solicitud de acceso a la información recibida en el portal: fechas, plazo, "
            "estado y resultado. Sin datos de los solicitantes."
        ),
        publisher=publisher,
        info=info,
        keywords=["acceso a la información", "solicitudes", "transparencia pasiva"],
        themes=["GOVE"],
        today=clock.today().isoformat(),
        issued=first,
        temporal=(first, last) if first and last else None,
        resources=[
            csv_resource(
                "solicitudes", "Solicitudes de acceso a la información", schema(COLUMNS, ["codigo"])
            )
        ],
    )


README = """# Registro de solicitudes de acceso a la información

Generado en cada publicación por el espacio de trabajo de transparencia
(`catalog requests export`). Una fila por solicitud: código público, institución,
fechas, plazo legal en días hábiles, estado y resultado.

No contiene el nombre ni el correo de los solicitantes, ni el texto de las
solicitudes: el texto publicado de cada respuesta, ya censurado, está en su
página pública `/transparencia/solicitudes/<código>`.
"""


def export(
    workspace: Workspace, root: Path, publisher: str, into: Path | None = None
) -> tuple[Path, int]:
    """Write the dataset under ``<into or root>/datasets/<publisher>/``; returns (folder, rows).

    ``root`` is the content root whose ``publishers/`` names the publisher (its contact
    point comes from there); ``into``, a folder of generated content, keeps the content
    repository exactly as committed.
    """
    path = root / "publishers" / f"{publisher}.yaml"
    if not is_slug(publisher) or not path.is_file():
        raise CatalogError(
            _("Unknown publisher: {publisher}."),
            _("Give the slug of a file in {root}/publishers/."),
            publisher=publisher,
            root=str(root),
        )
    found = read_yaml(path)
    info = found if isinstance(found, dict) else {}
    with workspace.db.read() as session:
        rows = session.scalars(
            # Filings whose e-mail was never confirmed were never requests.
            select(InfoRequest)
            .where(InfoRequest.status.not_in(HIDDEN))
            .order_by(InfoRequest.start_on, InfoRequest.tracking_code)
        ).all()
        lines = [_row(r) for r in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    writer.writerows(lines)
    first = str(lines[0][3]) if lines else None
    last = max(str(line[3]) for line in lines) if lines else None
    folder = (into or root) / "datasets" / publisher / NAME
    package = _descriptor(publisher, info, first, last)
    write_package(folder, package, {"solicitudes": buffer.getvalue()}, README)
    # Beside the request log: the approved active-transparency records (active_export.py).
    from catalog.transparency.active_export import export_declarations

    export_declarations(workspace, root, publisher, info, into)
    # And the CIO ratings of the IT investments (cio_export.py).
    from catalog.transparency.cio_export import export_ratings

    export_ratings(workspace, root, publisher, info, into)
    return folder, len(lines)
