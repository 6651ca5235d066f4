"""Active transparency in the native API: the obligations of a jurisdiction and one
body's compliance for a month, computed from the current release and the officers'
approved records (docs/api.md).

The compliance comes from ``ComplianceSource`` (catalog/transparency/active_source.py),
the computation the public pages show: cached per release, records and day. Sync
routes: FastAPI runs them in its thread pool, so computing never holds the event loop.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from catalog import urls
from catalog.api import models
from catalog.api.catalogue import Releases
from catalog.api.http import json_response, lang_of, require
from catalog.errors import CatalogError
from catalog.httperrors import Invalid, NotFound
from catalog.i18n import _
from catalog.jurisdictions import jurisdictions
from catalog.transparency.active_source import (
    ComplianceSource,
    Declarations,
    Snapshot,
    declarations_of,
)
from catalog.transparency.fulfilment import country_of
from catalog.transparency.obligations import Obligation, obligations

if TYPE_CHECKING:  # imported when used: the workspace is heavy
    from catalog.transparency.workspace import Workspace, WorkspaceSource

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": models.Error},
    404: {"model": models.Error},
    429: {"model": models.Error},
}
Lang = Annotated[Literal["es", "en"] | None, Query(description="Language of titles and messages.")]
StateName = Literal["on-time", "late", "due", "overdue", "not-applicable"]
TEMPLATE_PATH = "/api/v1/transparency/templates/"
CSV_MEDIA = "text/csv; charset=utf-8"
CSV_COLUMNS: tuple[str, ...] = (
    *("publisher", "month", "obligation", "title", "period"),
    *("state", "due", "published", "evidence"),
)


class ObligationItem(BaseModel):
    id: str = Field(description="The item's id, as datasets cite it (GT-LAIP-10.4).")
    title: str
    frequency: Literal["permanent-on-change", "monthly", "quarterly", "annual"]
    applies_to: list[str] = Field(description='Kinds of body it applies to, or ["all"].')
    due: dict[str, object] = Field(description="{days, count: business|calendar, after}.")
    reference: str = Field(description="The legal reference.")
    lawyer_check: str | None = Field(description="A reading a lawyer should confirm, if any.")
    template: str | None = Field(
        description="The absolute URL of its Table Schema template "
        "(/api/v1/transparency/templates/<id>), or null for an item without one."
    )


class ObligationList(BaseModel):
    jurisdiction: str
    items: list[ObligationItem]


class ComplianceItem(BaseModel):
    obligation: str
    title: str
    period: str = Field(
        description="The item's own period holding the month: YYYY-MM, YYYY-Qn, YYYY."
    )
    state: StateName
    due: str = Field(description="The last day a publication is on time (ISO date).")
    published: str | None = Field(description="When the evidence was published (ISO date).")
    evidence: str | None = Field(
        description="What meets it: the dataset's page, the document or the link."
    )


class Compliance(BaseModel):
    publisher: str
    period: str
    score: float | None = Field(
        description="Percent: on-time 1, late 0.5, overdue 0; due and not-applicable not counted."
    )
    items: list[ComplianceItem]


def _invalid(error: CatalogError, field: str) -> Invalid:
    params: dict[str, Any] = dict(error.params)
    return Invalid(error.text, error.hint, fields={field: error.text}, **params)


def template_url(item: Obligation) -> str | None:
    """The absolute URL of an item's Table Schema template, None without one."""
    return urls.absolute(TEMPLATE_PATH + item.id) if item.template else None


def _cell_text(value: object) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def compliance_csv(body: dict[str, Any]) -> bytes:
    """One body's month (the JSON shape) as CSV: one row per item, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in body["items"]:
        row = [body["publisher"], body["period"], *(item[k] for k in CSV_COLUMNS[2:])]
        writer.writerow([_cell_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")[:1000].lower()
    return "text/csv" in accept and "application/json" not in accept


def source_for(
    releases: Releases, workspace: Workspace | WorkspaceSource | None
) -> ComplianceSource:
    """The API's compliance: the current release, and the workspace's approved records
    when the API was given a workspace (``catalog serve`` gives it one)."""

    def snapshot() -> Snapshot | None:
        cat = releases.get()
        if cat is None:
            return None
        # Compliance reads only the datasets that cite an obligation (fulfilment.py).
        return Snapshot(cat.release, cat.publishers, cat.cited(), cat.generated)

    declarations: Declarations | None = None
    if workspace is not None:
        from catalog.transparency.workspace import WorkspaceSource

        made = WorkspaceSource.of(workspace)

        def declarations() -> tuple[str, list]:
            return declarations_of(made())()

    return ComplianceSource(snapshot, declarations)


def add_routes(
    app: FastAPI,
    releases: Releases,
    workspace: Workspace | WorkspaceSource | None = None,
) -> None:
    router = APIRouter(prefix="/api/v1", tags=["Active transparency"], responses=ERRORS)
    source = source_for(releases, workspace)
    app.state.compliance = source

    @router.get(
        "/transparency/obligations",
        response_model=ObligationList,
        summary="Active-transparency obligations of a jurisdiction",
    )
    def obligation_list(
        request: Request,
        jurisdiction: Annotated[str, Query(description="GT, CL or PY.", max_length=20)],
        lang: Lang = None,
    ) -> Response:
        code = jurisdiction.strip().upper()
        if code not in jurisdictions():
            raise Invalid(
                _("No jurisdiction profile for {code}."),
                _("Use one of: {allowed}."),
                fields={"jurisdiction": _("No jurisdiction profile for {code}.")},
                code=jurisdiction[:20],
                allowed=", ".join(jurisdictions()),
            )
        language = lang_of(request)
        items = [
            {
                "id": o.id,
                "title": o.label(language),
                "frequency": o.frequency,
                "applies_to": list(o.applies_to),
                "due": {"days": o.due.days, "count": o.due.count, "after": o.due.after},
                "reference": o.reference,
                "lawyer_check": o.lawyer_check,
                "template": template_url(o),
            }
            for o in obligations(code)
        ]
        return json_response(request, None, {"jurisdiction": code, "items": items})

    @router.get(
        "/publishers/{slug}/compliance",
        response_model=Compliance,
        summary="One body's active-transparency compliance for a month (JSON or CSV)",
        description=(
            "Each item that applies to the body, in the item's own period holding the month, "
            "with its state, due date, publication date and evidence, and the body's score. "
            "CSV with `format=csv` or `Accept: text/csv`: one row per item, columns "
            + ", ".join(CSV_COLUMNS)
            + "."
        ),
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    def publisher_compliance(
        request: Request,
        slug: str,
        period: Annotated[
            str | None,
            Query(description="The month, YYYY-MM (the current month by default).", max_length=20),
        ] = None,
        lang: Lang = None,
        format: Annotated[
            Literal["json", "csv"] | None,
            Query(description="json (default) or csv; Accept: text/csv also gives CSV."),
        ] = None,
    ) -> Response:
        cat = require(releases.get())
        publisher = cat.publishers.get(slug)
        if publisher is None:
            raise NotFound(
                _("Publisher {slug} was not found."),
                _("See /api/v1/publishers for the publishers."),
                slug=slug[:100],
            )
        code = country_of(publisher)
        if code not in jurisdictions():  # the build checks publishers: not expected
            raise NotFound(
                _("Publisher {slug} answers to {code}, which has no jurisdiction profile."),
                _("Profiles are the YAML files in catalog/jurisdictions/: {allowed}."),
                slug=slug[:100],
                code=code[:20],
                allowed=", ".join(jurisdictions()),
            )
        month = period if period is not None else source.today(code).strftime("%Y-%m")
        try:
            found, month = source.for_publisher(slug, month)
        except CatalogError as error:
            raise _invalid(error, "period") from None
        body = found.for_month(slug, month, lang_of(request))
        if _wants_csv(request, format):
            name = f"{slug[:100]}-{month}.csv"
            return Response(
                compliance_csv(body),
                media_type=CSV_MEDIA,
                headers={
                    "Cache-Control": "no-store",
                    "Content-Language": lang_of(request),
                    "Content-Disposition": f'attachment; filename="{name}"',
                    "Vary": "Accept, Accept-Language",
                },
            )
        response = json_response(request, None, body)
        response.headers["Vary"] = "Accept, Accept-Language"
        return response

    app.include_router(router)
