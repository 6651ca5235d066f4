"""Active transparency in the native API: the obligations of a jurisdiction and one
body's compliance for a month, computed from the current release (docs/api.md).

Sync routes: FastAPI runs them in its thread pool, so computing a release's
fulfilments (once per release, then cached) never holds the event loop.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from catalog import clock
from catalog.api import models
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.http import json_response, lang_of, require
from catalog.errors import CatalogError
from catalog.httperrors import Invalid, NotFound
from catalog.i18n import _
from catalog.jurisdictions import jurisdictions
from catalog.transparency.deadlines import Calendar
from catalog.transparency.fulfilment import Fulfilments, compliance, country_of, fulfilments
from catalog.transparency.obligations import obligations

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": models.Error},
    404: {"model": models.Error},
    429: {"model": models.Error},
}
Lang = Annotated[Literal["es", "en"] | None, Query(description="Language of titles and messages.")]
StateName = Literal["on-time", "late", "due", "overdue", "not-applicable"]


class ObligationItem(BaseModel):
    id: str = Field(description="The item's id, as datasets cite it (GT-LAIP-10.4).")
    title: str
    frequency: Literal["permanent-on-change", "monthly", "quarterly", "annual"]
    applies_to: list[str] = Field(description='Kinds of body it applies to, or ["all"].')
    due: dict[str, object] = Field(description="{days, count: business|calendar, after}.")
    reference: str = Field(description="The legal reference.")
    lawyer_check: str | None = Field(description="A reading a lawyer should confirm, if any.")
    template: str | None = Field(description="Its Table Schema template (none yet).")


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
    evidence: str | None = Field(description="The page of the dataset that meets it.")


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


def add_routes(app: FastAPI, releases: Releases) -> None:
    router = APIRouter(prefix="/api/v1", tags=["Active transparency"], responses=ERRORS)
    cache: dict[str, Fulfilments] = {}
    lock = threading.Lock()

    def found(cat: Catalogue) -> Fulfilments:
        with lock:
            if cat.release not in cache:
                cache.clear()
                cache[cat.release] = fulfilments(cat.datasets, cat.generated)
            return cache[cat.release]

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
                "template": None,
            }
            for o in obligations(code)
        ]
        return json_response(request, None, {"jurisdiction": code, "items": items})

    @router.get(
        "/publishers/{slug}/compliance",
        response_model=Compliance,
        summary="One body's active-transparency compliance for a month",
    )
    def publisher_compliance(
        request: Request,
        slug: str,
        period: Annotated[
            str | None,
            Query(description="The month, YYYY-MM (the current month by default).", max_length=20),
        ] = None,
        lang: Lang = None,
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
        today = Calendar.of(code).today(clock.now())
        month = period if period is not None else today.strftime("%Y-%m")
        try:
            body = compliance(slug, publisher, month, found(cat), today, lang_of(request))
        except CatalogError as error:
            raise _invalid(error, "period") from None
        return json_response(request, None, body)

    app.include_router(router)
