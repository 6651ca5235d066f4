"""Consistency checks of an IT-portfolio dataset, run by ``catalog validate``.

They run after the Table Schema checks passed (types, required cells and keys are
right), on datasets that declare ``"conformsTo": "it-portfolio"``, and find what a
schema cannot say: a table or column of the standard missing, an end before its
start, a negative cost, a milestone outside its project's dates, an unknown body or
investment or project id, and totals that do not add up. Each finding says how to fix
it (Spanish by default; msgids in English, catalog/locale/*/LC_MESSAGES/itportfolio.po).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from catalog.findings import Finding
from catalog.i18n import _
from catalog.itportfolio.compute import typed
from catalog.itportfolio.standard import COST_FIELDS, PERIOD, TABLES, field_names
from catalog.tables import Table, TableError, read_resource

MAX_PER_CHECK = 50  # findings of one kind and table: enough to see the pattern
TOLERANCE = 0.005  # totals may differ by rounding: half a percent
ROW = "_fila"

# (table, start column, end column) pairs where the end must not come before the start
SPANS = (
    ("inversiones", "fecha_inicio", "fecha_fin"),
    ("proyectos", "inicio_planificado", "fin_planificado"),
    ("proyectos", "inicio_real", "fin_real"),
    ("contratos", "fecha_inicio", "fecha_fin"),
)
# (table, column, referenced table, referenced column)
REFERENCES = (
    ("proyectos", "id_inversion", "inversiones", "id_inversion"),
    ("metricas", "id_inversion", "inversiones", "id_inversion"),
    ("contratos", "id_inversion", "inversiones", "id_inversion"),
    ("hitos", "id_proyecto", "proyectos", "id_proyecto"),
    ("costos_mensuales", "id_proyecto", "proyectos", "id_proyecto"),
    ("contratos", "id_proyecto", "proyectos", "id_proyecto"),
)


def check_package(
    package: dict[str, Any],
    folder: Path,
    root: Path | None,
    tables: dict[str, Table] | None = None,
) -> list[Finding]:
    """The findings of the consistency checks of one IT-portfolio package (its descriptor
    with schemas inline, as validate resolves it); ``root`` is the content root whose
    ``publishers/`` names the known bodies (not looked up when None)."""
    resources = {r.get("name"): r for r in package.get("resources") or [] if isinstance(r, dict)}
    findings = _structure(resources)
    if findings:
        return findings
    frames: dict[str, pl.DataFrame] = {}
    for spec in TABLES:
        resource = resources.get(spec.name)
        if resource is None:
            continue
        try:
            table = (tables or {}).get(spec.name) or read_resource(folder, resource)
        except TableError:
            continue  # validate reported it
        frame = table.frame.with_columns(table.row_numbers.alias(ROW))
        frames[spec.name] = typed(frame, spec.name)
    checks = [_spans, _negative, _milestones, _references, _totals]
    for check in checks:
        findings += check(frames)
    findings += _bodies(frames, root)
    return findings


def _finding(
    kind: str, table: str, row: int | None, field: str | None, text: str, hint: str, **params: Any
) -> Finding:
    return Finding(
        type=kind,
        resource=table,
        rowNumber=row,
        fieldName=field,
        text=text,
        hint=hint,
        params={"table": table, "row": row, "field": field, **params},
    )


def _structure(resources: dict[Any, dict[str, Any]]) -> list[Finding]:
    findings = []
    for spec in TABLES:
        resource = resources.get(spec.name)
        if resource is None:
            if spec.required:
                findings.append(
                    _finding(
                        "it-portfolio-structure",
                        spec.name,
                        None,
                        None,
                        _("The IT portfolio has no resource named {table}."),
                        _(
                            "Add the {table} table of the IT-portfolio standard (template: "
                            "/api/v1/it/template), or remove conformsTo it-portfolio."
                        ),
                    )
                )
            continue
        schema = resource.get("schema")
        have = {f.get("name") for f in (schema or {}).get("fields", []) if isinstance(f, dict)}
        missing = [name for name in field_names(spec.name) if name not in have]
        if missing:
            findings.append(
                _finding(
                    "it-portfolio-structure",
                    spec.name,
                    None,
                    missing[0],
                    _("Table {table} lacks the columns {columns} of the IT-portfolio standard."),
                    _(
                        "Use the Table Schema of the standard for {table} (from /api/v1/it/template)."
                    ),
                    columns=", ".join(missing),
                )
            )
    return findings


def _rows(frame: pl.DataFrame, mask: pl.Expr) -> list[dict[str, Any]]:
    return frame.filter(mask).head(MAX_PER_CHECK).to_dicts()


def _spans(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    findings = []
    for table, start, end in SPANS:
        frame = frames.get(table)
        if frame is None:
            continue
        for row in _rows(frame, pl.col(end) < pl.col(start)):
            findings.append(
                _finding(
                    "it-portfolio-dates",
                    table,
                    row[ROW],
                    end,
                    _(
                        "Row {row} of {table}: {field} ({end}) comes before {start_field} ({start})."
                    ),
                    _("Correct one of the two dates: an end cannot come before its start."),
                    end=str(row[end]),
                    start=str(row[start]),
                    start_field=start,
                )
            )
    return findings


def _negative(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    findings = []
    for table, columns in COST_FIELDS.items():
        frame = frames.get(table)
        if frame is None:
            continue
        for column in columns:
            for row in _rows(frame, pl.col(column) < 0):
                findings.append(
                    _finding(
                        "it-portfolio-negative-cost",
                        table,
                        row[ROW],
                        column,
                        _("Row {row} of {table}: {field} is negative ({value})."),
                        _(
                            "Costs are amounts spent or planned, zero or more; record a "
                            "refund as a lower actual cost."
                        ),
                        value=str(row[column]),
                    )
                )
    return findings


def _milestones(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    milestones, projects = frames.get("hitos"), frames.get("proyectos")
    if milestones is None or projects is None:
        return []
    spans = projects.select(
        PERIOD,
        "id_proyecto",
        pl.col("inicio_planificado").alias("_start"),
        pl.max_horizontal("fin_planificado", "fin_proyectado", "fin_real").alias("_end"),
        pl.min_horizontal("inicio_planificado", "inicio_real").alias("_first"),
    )
    joined = milestones.join(spans, on=[PERIOD, "id_proyecto"], how="inner")
    findings = []
    for column in ("fecha_planificada", "fecha_proyectada", "fecha_real"):
        outside = (pl.col(column) < pl.col("_first")) | (pl.col(column) > pl.col("_end"))
        for row in _rows(joined, outside):
            findings.append(
                _finding(
                    "it-portfolio-milestone-outside",
                    "hitos",
                    row[ROW],
                    column,
                    _(
                        "Row {row} of {table}: milestone {milestone} falls on {date}, outside "
                        "its project {project} ({start} to {end})."
                    ),
                    _(
                        "Correct the milestone's date, or the project's dates in proyectos "
                        "for the same reporting period."
                    ),
                    milestone=str(row["id_hito"]),
                    date=str(row[column]),
                    project=str(row["id_proyecto"]),
                    start=str(row["_first"]),
                    end=str(row["_end"]),
                )
            )
    return findings


def _references(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    findings = []
    for table, column, target, key in REFERENCES:
        frame, other = frames.get(table), frames.get(target)
        if frame is None or other is None:
            continue
        known = other.select(PERIOD, pl.col(key).alias(column)).unique()
        missing = frame.filter(pl.col(column).is_not_null()).join(
            known, on=[PERIOD, column], how="anti"
        )
        for row in missing.head(MAX_PER_CHECK).to_dicts():
            findings.append(
                _finding(
                    "it-portfolio-unknown-id",
                    table,
                    row[ROW],
                    column,
                    _(
                        "Row {row} of {table}: {field} {value} is not in {target} for "
                        "period {period}."
                    ),
                    _(
                        "Add it to {target} for the same reporting period, or correct the "
                        "identifier."
                    ),
                    value=str(row[column]),
                    target=target,
                    period=str(row[PERIOD]),
                )
            )
    return findings


def _totals(frames: dict[str, pl.DataFrame]) -> list[Finding]:
    findings: list[Finding] = []
    investments, projects = frames.get("inversiones"), frames.get("proyectos")
    if investments is not None and projects is not None:
        sums = projects.group_by(PERIOD, "id_inversion").agg(
            pl.col("costo_planificado").sum().alias("_projects")
        )
        over = investments.join(sums, on=[PERIOD, "id_inversion"]).filter(
            pl.col("_projects") > pl.col("costo_planificado") * (1 + TOLERANCE) + 0.01
        )
        for row in over.head(MAX_PER_CHECK).to_dicts():
            findings.append(
                _finding(
                    "it-portfolio-totals",
                    "inversiones",
                    row[ROW],
                    "costo_planificado",
                    _(
                        "Row {row} of {table}: the planned costs of the projects of investment "
                        "{investment} add up to {projects}, more than its planned cost {total} "
                        "(period {period})."
                    ),
                    _(
                        "Correct the investment's planned cost or the projects' planned costs "
                        "so the projects fit in the investment."
                    ),
                    investment=str(row["id_inversion"]),
                    projects=f"{row['_projects']:.2f}",
                    total=f"{row['costo_planificado']:.2f}",
                    period=str(row[PERIOD]),
                )
            )
    monthly = frames.get("costos_mensuales")
    if monthly is not None and projects is not None:
        sums = monthly.group_by(PERIOD, "id_proyecto").agg(
            pl.col("costo_real").sum().alias("_months")
        )
        joined = projects.join(sums, on=[PERIOD, "id_proyecto"])
        off = joined.filter(
            pl.col("costo_real").is_not_null()
            & (
                (pl.col("_months") - pl.col("costo_real")).abs()
                > pl.col("costo_real").abs() * TOLERANCE + 1
            )
        )
        for row in off.head(MAX_PER_CHECK).to_dicts():
            findings.append(
                _finding(
                    "it-portfolio-totals",
                    "proyectos",
                    row[ROW],
                    "costo_real",
                    _(
                        "Row {row} of {table}: the monthly actual costs of project {project} "
                        "add up to {months}, not its actual cost {total} (period {period})."
                    ),
                    _(
                        "Each reporting period carries every month of the project up to the "
                        "period: correct costos_mensuales or the project's costo_real."
                    ),
                    project=str(row["id_proyecto"]),
                    months=f"{row['_months']:.2f}",
                    total=f"{row['costo_real']:.2f}",
                    period=str(row[PERIOD]),
                )
            )
    return findings


def _bodies(frames: dict[str, pl.DataFrame], root: Path | None) -> list[Finding]:
    investments = frames.get("inversiones")
    if investments is None or root is None or not (root / "publishers").is_dir():
        return []
    known = {p.stem for p in (root / "publishers").glob("*.yaml")}
    unknown = investments.filter(
        pl.col("institucion").is_not_null() & ~pl.col("institucion").is_in(sorted(known))
    ).unique("institucion", keep="first", maintain_order=True)
    return [
        _finding(
            "it-portfolio-unknown-body",
            "inversiones",
            row[ROW],
            "institucion",
            _("Row {row} of {table}: body {value} is not a publisher of the catalogue."),
            _(
                "Use the identifier of a body in publishers/ (the file name without .yaml), "
                "or add the body first."
            ),
            value=str(row["institucion"]),
        )
        for row in unknown.head(MAX_PER_CHECK).to_dicts()
    ]
