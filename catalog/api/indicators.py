"""Social indicators in the native API: the list, and the values of one indicator by
territory and period (docs/indicators.md).

The indicators of a release are those its site build computed
(``site/indicadores/datos.json``, read by catalog.indicators.published), loaded once
per release. Sync routes: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from catalog.api import models
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.http import json_response, lang_of, require
from catalog.httperrors import Invalid, NotFound
from catalog.i18n import _
from catalog.indicators.published import load, values_rows

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": models.Error},
    404: {"model": models.Error},
    429: {"model": models.Error},
}
Lang = Annotated[Literal["es", "en"] | None, Query(description="Language of names.")]


class IndicatorItem(BaseModel):
    id: str = Field(description="The indicator's id (desnutricion-aguda).")
    name: str = Field(description="Its name in the language asked for.")
    unit: str
    polarity: Literal["higher-better", "lower-better"]
    dataset: str = Field(description="The dataset it is computed from (publisher/name).")
    theme: str
    level: Literal["department", "municipality"] = Field(
        description="The finest territorial level of its values."
    )
    latest: int | str | None = Field(description="The latest period with values.")
    url: str = Field(description="Its page on the static catalogue.")


class IndicatorList(BaseModel):
    items: list[IndicatorItem]


class ValueItem(BaseModel):
    territory: str = Field(description="INE code (01, 0101) or GT for the country.")
    name: str
    level: Literal["department", "municipality", "national"]
    period: int | str
    value: float
    rank: int | None = Field(description="Rank among the territories of its level (1 is best).")
    of: int | None = Field(description="How many territories of its level have a value.")
    department_value: float | None
    national_value: float | None


class ValueList(BaseModel):
    indicator: str
    items: list[ValueItem]


class _Cache:
    """The indicators of the current release, loaded once per release."""

    def __init__(self) -> None:
        self.release: str | None = None
        self.items: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def get(self, catalogue: Catalogue) -> dict[str, dict[str, Any]]:
        with self.lock:
            if self.release != catalogue.release:
                site = catalogue.database.parent.parent / "site"
                self.items = {i["id"]: i for i in load(site)}
                self.release = catalogue.release
            return self.items


def add_routes(app: FastAPI, releases: Releases) -> None:
    router = APIRouter(prefix="/api/v1", tags=["indicators"])
    cache = _Cache()

    @router.get(
        "/indicators",
        response_model=IndicatorList,
        responses=ERRORS,
        summary="The social indicators the datasets declare",
    )
    def indicator_list(request: Request, lang: Lang = None) -> Response:
        cat = require(releases.get())
        language = lang_of(request)
        items = [
            {
                "id": i["id"],
                "name": i["name"].get(language) or i["name"].get("es"),
                "unit": i["unit"].get(language) or i["unit"].get("es"),
                "polarity": i["polarity"],
                "dataset": i["dataset"],
                "theme": i["theme"],
                "level": i["level"],
                "latest": i.get("latest"),
                "url": f"/indicadores/{i['id']}/",
            }
            for i in cache.get(cat).values()
        ]
        return json_response(request, cat, {"items": items})

    @router.get(
        "/indicators/{indicator_id}/values",
        response_model=ValueList,
        responses=ERRORS,
        summary="An indicator's values by territory and period, ranked and compared",
    )
    def indicator_values(
        request: Request,
        indicator_id: Annotated[str, Path(max_length=100)],
        territory: Annotated[
            str | None,
            Query(max_length=10, description="An INE code (16, 1601) or GT for the country."),
        ] = None,
        period: Annotated[int | None, Query(ge=1900, le=2100, description="A year.")] = None,
        lang: Lang = None,
    ) -> Response:
        cat = require(releases.get())
        indicator = cache.get(cat).get(indicator_id)
        if indicator is None:
            raise NotFound(
                _("There is no indicator {id}."),
                _("GET /api/v1/indicators lists them."),
                id=indicator_id,
            )
        if territory is not None and not (territory == "GT" or territory.isdigit()):
            raise Invalid(
                _("The territory {value} is not an INE code."),
                _("Give a department (16), a municipality (1601) or GT."),
                fields={"territory": _("not an INE code")},
                value=territory,
            )
        rows = values_rows(indicator, territory, period)
        items = [
            {
                "territory": r["code"],
                "name": r["name"],
                "level": r["level"],
                "period": r["period"],
                "value": r["value"],
                "rank": r["rank"],
                "of": r["of"],
                "department_value": r["department_value"],
                "national_value": r["national_value"],
            }
            for r in rows
        ]
        return json_response(request, cat, {"indicator": indicator_id, "items": items})

    app.include_router(router)
