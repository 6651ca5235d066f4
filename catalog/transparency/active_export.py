"""Exports of active transparency.

- For an oversight body's audit (``catalog obligations export``, and the officers'
  download): one body's compliance cells over a range of months, with the item's
  title, the due date, the state, the evidence and a summary of each period's
  history, as CSV or XLSX. Text cells that a spreadsheet would run as a formula are
  neutralised as the catalogue's downloads do (``catalog.site.downloads``).
- The open dataset (``catalog requests export`` writes it beside the request log):
  ``datasets/<publisher>/declaraciones-transparencia-activa/``, one row per approved
  record (document, link or not-applicable declaration) of every body. The build
  reads it back with ``compliance.read_declarations``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from catalog import clock
from catalog.errors import CatalogError
from catalog.generated import csv_resource, descriptor, schema, write_package
from catalog.i18n import _, translate
from catalog.site.downloads import is_dangerous, neutralise
from catalog.transparency.active import ACTION_LABELS
from catalog.transparency.compliance import check_month, compute
from catalog.transparency.obligations import parse_period
from catalog.transparency.workspace import Workspace

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AUDIT_COLUMNS = [
    ("institucion", _("Public body")),
    ("obligacion", _("Item")),
    ("titulo", _("Title")),
    ("periodo", _("Period")),
    ("vence", _("Due")),
    ("estado", _("State")),
    ("fecha_publicacion", _("Published")),
    ("fuente", _("Source")),
    ("evidencia", _("Evidence")),
    ("motivo", _("Reason")),
    ("datos_de_ejemplo", _("Sample data")),
    ("historial", _("History")),
]


# ------------------------------------------------------------------ the audit export


def audit_rows(
    workspace: Workspace, publisher: str, first: str, last: str, lang: str = "es"
) -> list[dict[str, Any]]:
    """One body's cells whose period lies in the months ``first``..``last`` (``YYYY-MM``)."""
    service = workspace.active
    if publisher not in service.publishers():
        raise CatalogError(
            _("Unknown public body: {publisher}."),
            _("Give the slug of a publisher of the current release."),
            publisher=publisher[:100],
        )
    today = service.today(publisher)
    start, end = check_month(first, today), check_month(last, today)
    if start.start > end.start:
        raise CatalogError(
            _("The range starts ({first}) after it ends ({last})."),
            _("Give --from before --to."),
            first=start.key,
            last=end.key,
        )
    computed = compute(
        service.publishers(),
        _datasets(workspace),
        service.declarations(),
        today,
        only=publisher,
        first_month=start.key,
    )
    titles = {item.id: item.label(lang) for item in computed.items_of(publisher)}
    histories = _histories(workspace, publisher, lang)
    rows = []
    for cell in computed.cells:
        period = parse_period(cell.period)
        if period.end < start.start or period.start > end.end:
            continue
        rows.append(
            {
                "institucion": cell.publisher,
                "obligacion": cell.obligation,
                "titulo": titles.get(cell.obligation, cell.obligation),
                "periodo": cell.period,
                "vence": cell.due.isoformat(),
                "estado": cell.state,
                "fecha_publicacion": cell.published.isoformat() if cell.published else "",
                "fuente": cell.source or "",
                "evidencia": cell.evidence or "",
                "motivo": cell.reason or "",
                "datos_de_ejemplo": cell.sample,
                "historial": histories.get((cell.obligation, cell.period), ""),
            }
        )
    rows.sort(key=lambda r: (r["obligacion"], r["periodo"]))
    return rows


def _datasets(workspace: Workspace) -> list[Any]:
    current = workspace.directory.current
    release = current() if current is not None else None
    return list(release.index["datasets"]) if release else []


def _histories(workspace: Workspace, publisher: str, lang: str) -> dict[tuple[str, str], str]:
    """(item, period) → "2025-06-03 Recorded (Ana); 2025-06-04 Approved (Luis)"."""
    found: dict[tuple[str, str], list[str]] = {}
    items = {i.id for i in workspace.active.items_of(publisher)}
    for item in sorted(items):
        for e in reversed(workspace.active.history(publisher, item, limit=2000)):
            if not e["period"]:
                continue
            label = translate(ACTION_LABELS.get(e["action"], e["action"]), lang)
            who = f" ({e['user']})" if e["user"] else ""
            found.setdefault((item, e["period"]), []).append(
                f"{e['at'].date().isoformat()} {label}{who}"
            )
    return {k: "; ".join(v)[:2000] for k, v in found.items()}


def export_bytes(
    workspace: Workspace, publisher: str, first: str, last: str, kind: str, lang: str = "es"
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one body's audit export."""
    if kind not in FORMATS:
        raise CatalogError(
            _("Unknown format: {format}."),
            _("Use csv or xlsx."),
            format=str(kind)[:20],
        )
    rows = audit_rows(workspace, publisher, first, last, lang)
    name = f"transparencia-activa-{publisher}-{first}-{last}.{kind}"
    headers = [translate(label, lang) for _key, label in AUDIT_COLUMNS]
    keys = [key for key, _label in AUDIT_COLUMNS]
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_csv_cell(row[k]) for k in keys])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS[kind], name
    book = Workbook(write_only=True)
    sheet = book.create_sheet(publisher[:31])
    bold = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row[k]) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), FORMATS[kind], name


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(str(value))


def _xlsx_cell(sheet: Any, value: object) -> object:
    if isinstance(value, bool):
        return value
    text = str(value)
    if is_dangerous(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula, whatever it starts with
        cell.quotePrefix = True
        return cell
    return text


def write_audit(
    workspace: Workspace, publisher: str, first: str, last: str, kind: str, output: Path
) -> int:
    """Write the audit export to ``output``; returns its number of rows."""
    data, _media, _name = export_bytes(workspace, publisher, first, last, kind)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return len(audit_rows(workspace, publisher, first, last))


# ------------------------------------------------------------------ the open dataset

NAME = "declaraciones-transparencia-activa"
COLUMNS = [
    ("institucion", "string", "Institución", "Institución obligada (identificador del catálogo)."),
    ("obligacion", "string", "Obligación", "Identificador del ítem de la ley (GT-LAIP-10.1...)."),
    (
        "periodo",
        "string",
        "Período",
        "Mes (AAAA-MM), trimestre (AAAA-Qn), año (AAAA) o * (publicación permanente).",
    ),
    ("tipo", "string", "Tipo", "documento, enlace o no-aplica."),
    ("fecha_publicacion", "date", "Fecha de publicación", "Día en que se aprobó y publicó."),
    ("url", "string", "Dirección", "Dirección del documento o del enlace publicado."),
    ("sha256", "string", "SHA-256", "Huella SHA-256 del documento publicado."),
    ("motivo", "string", "Motivo", "Por qué el ítem no aplica a la institución en el período."),
    ("datos_de_ejemplo", "boolean", "Datos de ejemplo", "Si la fila es de la demostración."),
]
TYPES = {"document": "documento", "link": "enlace", "not-applicable": "no-aplica"}
KINDS = {v: k for k, v in TYPES.items()}
README = """# Declaraciones de transparencia activa

Generado en cada publicación por el espacio de trabajo de transparencia
(`catalog requests export`). Una fila por publicación aprobada por los oficiales
de información: un documento (con su huella SHA-256), un enlace o una declaración
de que el ítem no aplica a la institución en el período (con su motivo). La
fecha de publicación es el día de la aprobación.

Las publicaciones que cumplen con un conjunto de datos del catálogo no están
aquí: están en el propio catálogo. Las filas con `datos_de_ejemplo` verdadero son
datos de demostración, no información oficial.
"""


def _schema() -> dict[str, Any]:
    required = {"required": True}
    return schema(
        COLUMNS,
        ["institucion", "obligacion", "periodo"],
        {
            "institucion": required,
            "obligacion": required,
            "periodo": {**required, "pattern": r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?|\*"},
            "tipo": {**required, "enum": list(TYPES.values())},
            "fecha_publicacion": required,
            "sha256": {"pattern": "[0-9a-f]{64}"},
        },
    )


def export_declarations(
    workspace: Workspace, root: Path, publisher: str, info: dict[str, Any], into: Path | None
) -> tuple[Path, int]:
    """Write the approved records as a dataset of ``publisher``; returns (folder, rows)."""
    declarations = sorted(
        workspace.active.declarations(), key=lambda d: (d.publisher, d.obligation, d.period)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c[0] for c in COLUMNS])
    for d in declarations:
        writer.writerow(
            [
                d.publisher,
                d.obligation,
                d.period,
                TYPES[d.kind],
                d.published.isoformat(),
                d.url or "",
                d.sha256 or "",
                d.reason or "",
                "true" if d.sample else "false",
            ]
        )
    days = [d.published.isoformat() for d in declarations]
    package = descriptor(
        name=NAME,
        title="Declaraciones de transparencia activa",
        description=(
            "Publicaciones de oficio aprobadas por los oficiales de información de cada "
            "institución: documentos, enlaces y declaraciones de no aplicación, con su fecha."
        ),
        publisher=publisher,
        info=info,
        keywords=["transparencia activa", "información pública de oficio", "cumplimiento"],
        themes=["GOVE"],
        today=clock.today().isoformat(),
        issued=min(days) if days else None,
        temporal=(min(days), max(days)) if days else None,
        resources=[
            csv_resource("declaraciones", "Declaraciones de transparencia activa", _schema())
        ],
    )
    folder = (into or root) / "datasets" / publisher / NAME
    write_package(folder, package, {"declaraciones": buffer.getvalue()}, README)
    return folder, len(declarations)
