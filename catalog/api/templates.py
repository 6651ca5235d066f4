"""The Table Schema templates of the active-transparency items, for download (docs/api.md).

``GET /api/v1/transparency/templates/{obligation_id}`` answers the template of a
structured item (``GT-LAIP-10.4``) as it is in
``catalog/jurisdictions/templates/<code>/<name>.json``: a Frictionless Table Schema a
publisher copies into the resource of the dataset that cites the item, so that
``catalog validate`` finds it conforming. An unknown item, or one fulfilled without a
template (a document, or a dataset of free form), is a 404 in the API's error envelope.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, FastAPI
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from catalog.api import models
from catalog.api.http import lang_of
from catalog.httperrors import JSON, NotFound
from catalog.i18n import _
from catalog.transparency.obligations import find
from catalog.transparency.templates import template_of

MAX_AGE = 3600  # the templates change only with the code


class TemplateField(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The column's name, as the citing dataset must spell it.")
    type: str = Field(description="Its Table Schema type (integer may stand for number).")
    title: str | None = None
    description: str | None = None
    constraints: dict[str, Any] | None = Field(
        None, description="Constraints the dataset's field must keep at least as strictly."
    )


class Template(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The template's name (the profile's `template`).")
    title: str | None = None
    description: str | None = None
    fields: list[TemplateField]
    missingValues: list[str] | None = None  # noqa: N815 - Table Schema's spelling
    privacy: dict[str, Any] | None = Field(
        None, description="The resource's privacy declaration for names of public servants."
    )


def add_routes(app: FastAPI) -> None:
    router = APIRouter(
        prefix="/api/v1",
        tags=["Active transparency"],
        responses={404: {"model": models.Error}, 400: {"model": models.Error}},
    )

    @router.get(
        "/transparency/templates/{obligation_id}",
        response_model=Template,
        summary="The Table Schema template of a structured active-transparency item",
        description=(
            "A Frictionless Table Schema: the fields a dataset citing the item must have "
            "(names, types, constraints). 404 when the item is unknown or has no template."
        ),
    )
    def template(
        request: Request,
        obligation_id: Annotated[
            str,
            PathParam(
                description="The item's id, as datasets cite it (GT-LAIP-10.4).", max_length=60
            ),
        ],
    ) -> Response:
        item = find(obligation_id)
        if item is None:
            raise NotFound(
                _("Unknown active-transparency obligation {obligation}."),
                _("See /api/v1/transparency/obligations?jurisdiction=GT for the items."),
                obligation=obligation_id[:60],
            )
        body = template_of(item)
        if body is None:
            raise NotFound(
                _("The obligation {obligation} has no Table Schema template."),
                _(
                    "Only structured items have one; this item is met by a document or a "
                    "dataset of free form."
                ),
                obligation=item.id,
            )
        filename = f"{item.id}-{item.template}.json"
        headers = {
            "Cache-Control": f"public, max-age={MAX_AGE}",
            "Content-Language": lang_of(request),
            "Content-Disposition": f'inline; filename="{filename}"',
        }
        return Response(orjson.dumps(body), media_type=JSON, headers=headers)

    app.include_router(router)
