"""The IT-project dashboard in the native API: investments, projects, the template.

The figures come from the derived dataset every build publishes
(``<publisher>/tablero-proyectos-ti``, catalog/itportfolio/derived.py): the API reads
its tables from the current release's database, once per release, and answers from
that cache. Sync routes: FastAPI runs them in its thread pool. Formulas and bands:
docs/it-dashboard.md.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from catalog.api import models
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.http import json_response, require
from catalog.httperrors import NotFound
from catalog.i18n import _
from catalog.itportfolio.derived import NAME
from catalog.itportfolio.standard import template_zip
from catalog.release import naming

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": models.Error},
    404: {"model": models.Error},
    429: {"model": models.Error},
}
Colour = Literal["green", "yellow", "red"]
ZIP_MEDIA = "application/zip"


class Investment(BaseModel):
    id: str = Field(description="The investment's id (id_inversion).")
    publisher: str = Field(description="The body responsible (publisher slug).")
    name: str
    type: str | None
    funding_source: str | None
    period: str = Field(description="The reporting period of the figures, YYYY-MM.")
    projects: int
    budget: float | None = Field(description="The investment's own planned cost.")
    planned_cost: float | None = Field(
        description="Sum of its projects' planned costs (the baseline of the variance)."
    )
    estimated_cost: float | None = Field(description="Actual cost if finished, else projected.")
    actual_cost: float | None = Field(description="Spent up to the reporting period.")
    cost_variance: float | None = Field(description="estimated - planned (positive: over).")
    cost_variance_pct: float | None
    cost_colour: Colour
    planned_end: str | None
    estimated_end: str | None
    schedule_variance_days: int | None = Field(description="Positive: late.")
    schedule_variance_pct: float | None
    schedule_colour: Colour
    cio_rating: int | None = Field(description="1 (high risk) to 5 (low risk), or null.")
    cio_rating_comment: str | None
    cio_rating_date: str | None
    cio_rating_author: str | None
    cio_rating_stale: bool | None = Field(description="Older than the profile's stale_rating_days.")
    overall: float = Field(description="Overall rating 1-5 (docs/it-dashboard.md).")
    overall_colour: Colour


class InvestmentList(BaseModel):
    period: str | None = Field(description="The latest reporting period.")
    stale: bool = Field(description="The latest period is more than two months old.")
    items: list[Investment]


class Project(BaseModel):
    id: str
    investment: str
    publisher: str | None
    name: str
    status: str | None
    period: str
    planned_start: str | None
    actual_start: str | None
    planned_end: str | None
    projected_end: str | None
    actual_end: str | None
    estimated_end: str | None
    planned_duration_days: int | None
    schedule_variance_days: int | None
    schedule_variance_pct: float | None
    schedule_colour: Colour
    planned_cost: float | None
    projected_cost: float | None
    actual_cost: float | None
    estimated_cost: float | None
    cost_variance: float | None
    cost_variance_pct: float | None
    cost_colour: Colour


class ProjectList(BaseModel):
    investment: str
    items: list[Project]


INVESTMENT_FIELDS = {
    "id": "id_inversion",
    "publisher": "institucion",
    "name": "nombre",
    "type": "tipo",
    "funding_source": "fuente_financiamiento",
    "period": "periodo_reporte",
    "projects": "proyectos",
    "budget": "presupuesto",
    "planned_cost": "costo_planificado",
    "estimated_cost": "costo_estimado",
    "actual_cost": "costo_real",
    "cost_variance": "variacion_costo",
    "cost_variance_pct": "variacion_costo_pct",
    "cost_colour": "color_costo",
    "planned_end": "fin_planificado",
    "estimated_end": "fin_estimado",
    "schedule_variance_days": "variacion_plazo_dias",
    "schedule_variance_pct": "variacion_plazo_pct",
    "schedule_colour": "color_plazo",
    "cio_rating": "calificacion_cio",
    "cio_rating_comment": "comentario_cio",
    "cio_rating_date": "fecha_calificacion_cio",
    "cio_rating_author": "autor_calificacion_cio",
    "cio_rating_stale": "calificacion_cio_vencida",
    "overall": "calificacion_general",
    "overall_colour": "color_general",
}
PROJECT_FIELDS = {
    "id": "id_proyecto",
    "investment": "id_inversion",
    "publisher": "institucion",
    "name": "nombre",
    "status": "estado",
    "period": "periodo_reporte",
    "planned_start": "inicio_planificado",
    "actual_start": "inicio_real",
    "planned_end": "fin_planificado",
    "projected_end": "fin_proyectado",
    "actual_end": "fin_real",
    "estimated_end": "fin_estimado",
    "planned_duration_days": "duracion_planificada_dias",
    "schedule_variance_days": "variacion_plazo_dias",
    "schedule_variance_pct": "variacion_plazo_pct",
    "schedule_colour": "color_plazo",
    "planned_cost": "costo_planificado",
    "projected_cost": "costo_proyectado",
    "actual_cost": "costo_real",
    "estimated_cost": "costo_estimado",
    "cost_variance": "variacion_costo",
    "cost_variance_pct": "variacion_costo_pct",
    "cost_colour": "color_costo",
}
BOOLEAN = {"cio_rating_stale"}


class Portfolio:
    """The dashboard tables of one release, read once."""

    def __init__(
        self,
        release: str,
        investments: list[dict[str, Any]],
        projects: list[dict[str, Any]],
        summary: dict[str, Any] | None,
    ) -> None:
        self.release = release
        self.investments = investments
        self.projects = projects
        self.period = summary.get("periodo_reporte") if summary else None
        self.stale = bool(summary.get("cartera_vencida") in (1, "true", True)) if summary else True


def _rows(conn: sqlite3.Connection, table: str, fields: dict[str, str]) -> list[dict[str, Any]]:
    columns = {r[1] for r in conn.execute(f"pragma table_info({naming.quote(table)})")}
    if not columns:
        return []
    chosen = ", ".join(naming.quote(c) if c in columns else "null" for c in fields.values())
    out = []
    for row in conn.execute(f"select {chosen} from {naming.quote(table)}"):
        item = dict(zip(fields, row, strict=True))
        for key in BOOLEAN & set(item):
            if item[key] is not None:
                item[key] = item[key] in (1, "true", "True", True)
        out.append(item)
    return out


def read(cat: Catalogue) -> Portfolio:
    """The dashboard of a release (empty when no build published one)."""
    entry = cat.named(NAME)
    if entry is None or not cat.database.is_file():
        return Portfolio(cat.release, [], [], None)
    table = {r["name"]: r.get("table") for r in entry["resources"]}
    conn = sqlite3.connect(f"file:{cat.database}?mode=ro", uri=True)
    try:
        investments = _rows(conn, table.get("inversiones") or "", INVESTMENT_FIELDS)
        projects = _rows(conn, table.get("proyectos") or "", PROJECT_FIELDS)
        summary_rows = _rows(
            conn,
            table.get("resumen") or "",
            {"periodo_reporte": "periodo_reporte", "cartera_vencida": "cartera_vencida"},
        )
    finally:
        conn.close()
    investments.sort(key=lambda i: (i["publisher"] or "", i["id"] or ""))
    projects.sort(key=lambda p: (p["investment"] or "", p["id"] or ""))
    return Portfolio(cat.release, investments, projects, summary_rows[0] if summary_rows else None)


class Cache:
    """The portfolio of the current release, read again when another release is swapped in."""

    def __init__(self, releases: Releases) -> None:
        self.releases = releases
        self._cached: Portfolio | None = None
        self._lock = threading.Lock()

    def get(self) -> tuple[Catalogue, Portfolio]:
        cat = require(self.releases.get())
        cached = self._cached
        if cached is not None and cached.release == cat.release:
            return cat, cached
        with self._lock:
            if self._cached is None or self._cached.release != cat.release:
                self._cached = read(cat)
            return cat, self._cached


def add_routes(app: FastAPI, releases: Releases) -> None:
    router = APIRouter(prefix="/api/v1/it", tags=["IT-project dashboard"], responses=ERRORS)
    cache = Cache(releases)
    app.state.itportfolio = cache

    @router.get(
        "/investments",
        response_model=InvestmentList,
        summary="IT investments of the latest reporting period, with variances and ratings",
    )
    def investments(
        request: Request,
        publisher: Annotated[
            str | None, Query(description="Only this body's (publisher slug).", max_length=100)
        ] = None,
        body: Annotated[
            str | None, Query(description="The same as publisher.", max_length=100)
        ] = None,
        rating: Annotated[
            int | None, Query(description="Only this CIO rating (1-5).", ge=1, le=5)
        ] = None,
        colour: Annotated[Colour | None, Query(description="Only this overall colour.")] = None,
    ) -> Response:
        cat, portfolio = cache.get()
        who = publisher or body
        items = [
            i
            for i in portfolio.investments
            if (who is None or i["publisher"] == who)
            and (rating is None or i["cio_rating"] == rating)
            and (colour is None or i["overall_colour"] == colour)
        ]
        payload = {"period": portfolio.period, "stale": portfolio.stale, "items": items}
        return json_response(request, cat, payload)

    @router.get(
        "/projects",
        response_model=ProjectList,
        summary="The projects of one IT investment, with the figures its variances come from",
    )
    def projects(
        request: Request,
        investment: Annotated[
            str, Query(description="The investment's id.", min_length=1, max_length=100)
        ],
        publisher: Annotated[
            str | None, Query(description="The body, when ids repeat.", max_length=100)
        ] = None,
    ) -> Response:
        cat, portfolio = cache.get()
        known = any(
            i["id"] == investment and (publisher is None or i["publisher"] == publisher)
            for i in portfolio.investments
        )
        if not known:
            raise NotFound(
                _("IT investment {investment} was not found."),
                _("See /api/v1/it/investments for the investments."),
                investment=investment[:100],
            )
        items = [
            p
            for p in portfolio.projects
            if p["investment"] == investment and (publisher is None or p["publisher"] == publisher)
        ]
        return json_response(request, cat, {"investment": investment, "items": items})

    @router.get(
        "/template",
        summary="The IT-portfolio Data Package template (ZIP)",
        description=(
            "datapackage.json with conformsTo it-portfolio, the Table Schemas of the standard "
            "and empty CSVs with their header rows. Guide: docs/it-dashboard.md."
        ),
        response_class=Response,
        responses={
            200: {"content": {ZIP_MEDIA: {"schema": {"type": "string", "format": "binary"}}}}
        },
    )
    def template() -> Response:
        return Response(
            template_zip(),
            media_type=ZIP_MEDIA,
            headers={
                "Content-Disposition": 'attachment; filename="cartera-proyectos-ti.zip"',
                "Cache-Control": "public, max-age=3600",
            },
        )

    app.include_router(router)
