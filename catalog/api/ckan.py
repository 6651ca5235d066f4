"""The CKAN-compatible Action API: ``/api/3/action/<name>`` and ``/api/action/<name>``.

Existing CKAN tools (``ckanapi``, harvesters, ckanr...) work unchanged: GET with
query parameters or POST with a JSON body, CKAN's envelope
``{"help", "success", "result"}``, its error types and status codes. The
catalogue is published by ``catalog build``, so every action that would write
answers ``403 Authorization Error``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from catalog import bodylimit, urls, vocabularies
from catalog.api import ckan_params as p
from catalog.api import datastore, shapes
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.http import fresh, json_response, lang_of, public_base, require
from catalog.httperrors import ApiError, Forbidden, Invalid, NotFound, TooLarge, ckan_help
from catalog.i18n import _, translate

PREFIXES = ("/api/3/action/", "/api/action/")
CKAN_VERSION = "2.10.4"
WRITE_SUFFIXES = ("_create", "_update", "_patch", "_delete", "_purge", "_upsert", "_revise")
Handler = Callable[[Request, Catalogue, Any], Awaitable[Any]]


@dataclass
class Action:
    handler: Handler
    params: type[BaseModel]
    summary: str
    needs_catalogue: bool = True


ACTIONS: dict[str, Action] = {}


def action(name: str, params: type[BaseModel], summary: str, needs_catalogue: bool = True):
    def register(fn: Handler) -> Handler:
        ACTIONS[name] = Action(fn, params, summary, needs_catalogue)
        return fn

    return register


def envelope(request: Request, name: str, result: Any) -> bytes:
    """CKAN's success envelope; ``result`` may be ready JSON bytes."""
    body = result if isinstance(result, bytes) else orjson.dumps(result)
    help_url = orjson.dumps(ckan_help(public_base(), name))
    return b'{"help":' + help_url + b',"success":true,"result":' + body + b"}"


# ------------------------------------------------------------------ parameters


async def _raw_params(request: Request) -> dict[str, Any]:
    """GET query parameters, or a POST body (JSON or form), as one dict."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        body = await _body(request)
        if body.strip():
            params.update(_parse_body(body, request.headers.get("content-type", "")))
    return params


async def _body(request: Request) -> bytes:
    """The body, read a chunk at a time and refused as soon as it passes the limit
    (catalog.bodylimit refuses it first in ``catalog serve``; this holds without it)."""
    limit = bodylimit.settings().limit_for(request.url.path)
    too_large = TooLarge(*bodylimit.TOO_LARGE, size=bodylimit.human(limit))
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:  # the guard cut the body (or the client left): nobody reads on
        raise too_large from None
    return b"".join(chunks)


def _parse_body(body: bytes, kind: str) -> dict[str, Any]:
    if "multipart/" in kind:
        raise Invalid(
            _("This API does not take files or multipart forms."),
            _('Send a JSON object, e.g. {"id": "mides--bono-social"}.'),
        )
    try:
        if "json" in kind or body.strip()[:1] in (b"{", b"["):
            data = p.loads(body, "body")
        else:
            data = dict(parse_qsl(body.decode("utf-8"), max_num_fields=p.MAX_NAMES))
    except ValueError:  # not JSON, not UTF-8, or too many form fields
        raise Invalid(
            _("The request body is not valid JSON."),
            _('Send a JSON object, e.g. {"id": "mides--bono-social"}.'),
        ) from None
    if not isinstance(data, dict):
        raise Invalid(
            _("The request body must be a JSON object."),
            _('Send a JSON object, e.g. {"id": "mides--bono-social"}.'),
        )
    return data


def _validated(model: type[BaseModel], raw: dict[str, Any]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        fields = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "params"
            fields[name] = error["msg"]
        first = next(iter(fields), "params")
        raise Invalid(
            _("Parameter {name} is not valid: {reason}."),
            _("See the parameters of this action at /api/."),
            fields=fields,
            name=first,
            reason=fields[first],
        ) from None


# --------------------------------------------------------------------- actions


@action("status_show", p.NoParams, "Site and API version.", needs_catalogue=False)
async def status_show(request: Request, cat: Catalogue | None, params: Any) -> Any:
    lang = lang_of(request)
    return {
        "site_title": translate(_("Open data catalogue"), lang),
        "site_description": translate(_("Query the catalogue of published datasets."), lang),
        "site_url": urls.base_url(),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "es",
        "extensions": ["datastore"],
        "catalog_release": cat.release if cat else None,
        "datasets": cat.size if cat else 0,
    }


@action(
    "site_read", p.NoParams, "Whether the site can be read (always true).", needs_catalogue=False
)
async def site_read(request: Request, cat: Catalogue | None, params: Any) -> Any:
    return True


def _page(items: list[Any], limit: int | None, offset: int) -> list[Any]:
    return items[offset : None if limit is None else offset + limit]


@action("package_list", p.Paging, "Names of every dataset.")
async def package_list(request: Request, cat: Catalogue, params: p.Paging) -> Any:
    return await run_in_threadpool(cat.names, params.limit, params.offset)


@action(
    "current_package_list_with_resources",
    p.CurrentList,
    "Datasets with their resources, most recently modified first.",
)
async def current_package_list(request: Request, cat: Catalogue, params: p.CurrentList) -> Any:
    limit = params.limit
    offset = params.offset
    if params.page and limit:
        offset = (params.page - 1) * limit

    def listed() -> bytes:
        found = cat.search.search(
            sort="metadata_modified desc", start=offset, rows=limit or cat.search.size
        )
        return b"[" + b",".join(cat.package_json(found.positions)) + b"]"

    return await run_in_threadpool(listed)


def _dataset(cat: Catalogue, ref: str) -> int:
    pos = cat.find(ref)  # reads the search file: call off the event loop
    if pos is None:
        raise NotFound(
            _('Dataset "{id}" was not found.'),
            _("Dataset names look like publisher--dataset (see package_list)."),
            id=ref[:200],
        )
    return pos


@action("package_show", p.PackageShow, "One dataset, by name or id (publisher--dataset).")
async def package_show(request: Request, cat: Catalogue, params: p.PackageShow) -> Any:
    def show() -> bytes:
        return cat.package_json([_dataset(cat, params.id)])[0]

    return await run_in_threadpool(show)


def _fl(pkg: dict[str, Any], fields: list[str]) -> bytes:
    return orjson.dumps({k: pkg[k] for k in fields if k in pkg})


def _display(cat: Catalogue, name: str, value: str) -> str:
    if name in ("organization", "owner_org", "publisher"):
        return (cat.publishers.get(value) or {}).get("name") or value
    if name in ("groups", "group", "theme", "themes"):
        return vocabularies.label("themes", value.upper(), "es")
    if name in ("license_id", "license"):
        return (vocabularies.entry("licenses", value) or {}).get("title") or value
    return value


@action("package_search", p.PackageSearch, "Search datasets (q, fq, sort, rows, start, facets).")
async def package_search(request: Request, cat: Catalogue, params: p.PackageSearch) -> Any:
    fq = [params.fq] if params.fq else []
    fq += params.fq_list or []
    facet_fields = (params.facet_field or []) if params.facet else []
    fields = [f.strip() for f in (params.fl or "").replace(" ", ",").split(",") if f.strip()]

    def search() -> tuple[Any, bytes]:
        found = cat.search.search(
            q=params.q,
            fq=fq,
            sort=params.sort,
            start=params.start,
            rows=params.rows,
            facet_fields=facet_fields,
            facet_limit=params.facet_limit,
            facet_mincount=params.facet_mincount,
        )
        if params.fl:
            return found, b",".join(_fl(pkg, fields) for pkg in cat.packages(found.positions))
        return found, b",".join(cat.package_json(found.positions))

    found, results = await run_in_threadpool(search)
    facets = {name: dict(items) for name, items in found.facets.items()}
    search_facets = {
        name: {
            "title": name,
            "items": [
                {"name": value, "display_name": _display(cat, name, value), "count": n}
                for value, n in items
            ],
        }
        for name, items in found.facets.items()
    }
    head = orjson.dumps(
        {"count": found.count, "sort": found.sort, "facets": facets, "search_facets": search_facets}
    )
    return head[:-1] + b',"results":[' + results + b"]}"


def _ordered(items: list[dict[str, Any]], sort: str | None, default: str) -> list[dict[str, Any]]:
    field, _sep, direction = (sort or default).strip().partition(" ")
    field = {"title": "title", "package_count": "package_count"}.get(field, "name")
    return sorted(
        items,
        key=lambda i: (i.get(field) or 0) if field == "package_count" else str(i.get(field) or ""),
        reverse=direction.strip().lower() == "desc",
    )


def _organizations(cat: Catalogue) -> list[dict[str, Any]]:
    return [
        shapes.organization(slug, data, cat.org_counts.get(slug, 0))
        for slug, data in cat.publishers.items()
    ]


def _groups(cat: Catalogue) -> list[dict[str, Any]]:
    codes = [e["code"] for e in vocabularies.vocabulary("themes")]
    return [shapes.group(c, cat.group_counts.get(c.lower(), 0)) for c in codes]


def _listing(items: list[dict[str, Any]], params: p.ListParams) -> Any:
    ordered = _page(_ordered(items, params.sort, "name asc"), params.limit, params.offset)
    return ordered if params.all_fields else [i["name"] for i in ordered]


@action("organization_list", p.ListParams, "Publishers (names, or all fields).")
async def organization_list(request: Request, cat: Catalogue, params: p.ListParams) -> Any:
    return _listing(_organizations(cat), params)


@action("group_list", p.ListParams, "Themes (names, or all fields).")
async def group_list(request: Request, cat: Catalogue, params: p.ListParams) -> Any:
    return _listing(_groups(cat), params)


async def _with_datasets(cat: Catalogue, found: dict[str, Any], fq: str, include: bool) -> bytes:
    if not include:
        return orjson.dumps(found)

    def packages() -> list[bytes]:
        result = cat.search.search(fq=[fq], sort="name asc", rows=1000)
        return cat.package_json(result.positions)

    head = orjson.dumps(found)
    return head[:-1] + b',"packages":[' + b",".join(await run_in_threadpool(packages)) + b"]}"


@action("organization_show", p.Show, "One publisher; include_datasets adds its datasets.")
async def organization_show(request: Request, cat: Catalogue, params: p.Show) -> Any:
    found = next((o for o in _organizations(cat) if params.id in (o["id"], o["name"])), None)
    if found is None:
        raise NotFound(
            _('Organization "{id}" was not found.'),
            _("See organization_list for the publishers' names."),
            id=params.id[:200],
        )
    fq = f'organization:"{found["name"]}"'
    return await _with_datasets(cat, found, fq, params.include_datasets)


@action("group_show", p.Show, "One theme; include_datasets adds its datasets.")
async def group_show(request: Request, cat: Catalogue, params: p.Show) -> Any:
    ref = params.id.lower()
    found = next((g for g in _groups(cat) if ref == g["name"]), None)
    if found is None:
        raise NotFound(
            _('Group "{id}" was not found.'),
            _("See group_list for the themes' names."),
            id=params.id[:200],
        )
    return await _with_datasets(cat, found, f'groups:"{found["name"]}"', params.include_datasets)


@action("tag_list", p.TagList, "Every keyword used by a dataset.")
async def tag_list(request: Request, cat: Catalogue, params: p.TagList) -> Any:
    from catalog.textnorm import fold

    names = sorted(cat.tag_counts, key=lambda t: fold(t))
    if params.query:
        needle = fold(params.query)
        names = [n for n in names if needle in fold(n)]
    return [shapes.tag(n) for n in names] if params.all_fields else names


@action("resource_show", p.Show, "One resource, by id.")
async def resource_show(request: Request, cat: Catalogue, params: p.Show) -> Any:
    found = await run_in_threadpool(cat.resource, params.id)
    if found is None:
        raise NotFound(
            _('Resource "{id}" was not found.'),
            _("Resource ids are listed in each dataset's resources (package_show)."),
            id=params.id[:200],
        )
    dataset, resource = found
    return shapes.resource(dataset, resource)


@action("license_list", p.NoParams, "The licences datasets may use.")
async def license_list(request: Request, cat: Catalogue, params: Any) -> Any:
    return [
        {
            "id": e["code"],
            "title": e.get("title") or e["code"],
            "url": e.get("url") or "",
            "od_conformance": "approved" if e.get("open") else "not reviewed",
            "osd_conformance": "not reviewed",
            "is_okd_compliant": bool(e.get("open")),
            "is_generic": False,
            "status": "active",
        }
        for e in vocabularies.vocabulary("licenses")
    ]


@action("datastore_search", p.DatastoreSearch, "Rows of a resource's table.")
async def datastore_search(request: Request, cat: Catalogue, params: p.DatastoreSearch) -> Any:
    return await run_in_threadpool(
        datastore.datastore_search,
        cat,
        params.resource_id,
        filters=params.filters,
        q=params.q,
        fields=params.fields,
        sort=params.sort,
        limit=params.limit,
        offset=params.offset,
        records_format=params.records_format,
        include_total=params.include_total,
    )


@action("datastore_search_sql", p.DatastoreSql, "One read-only SELECT over the published tables.")
async def datastore_search_sql(request: Request, cat: Catalogue, params: p.DatastoreSql) -> Any:
    return await run_in_threadpool(datastore.datastore_search_sql, cat, params.sql)


@action("help_show", p.HelpShow, "What an action does.", needs_catalogue=False)
async def help_show(request: Request, cat: Catalogue | None, params: p.HelpShow) -> Any:
    found = ACTIONS.get(params.name)
    if found is None:
        raise NotFound(
            _('Action "{name}" was not found.'),
            _("Actions: {allowed}."),
            name=params.name[:100],
            allowed=", ".join(sorted(ACTIONS)),
        )
    return found.summary


# ---------------------------------------------------------------------- routing


async def call(request: Request, releases: Releases, name: str) -> Response:
    found = ACTIONS.get(name)
    if found is None:
        raise _unknown(name)
    cat = releases.get()
    if found.needs_catalogue:
        cat = require(cat)
        not_modified = fresh(request, cat) if request.method == "GET" else None
        if not_modified is not None:
            return not_modified
    params = _validated(found.params, await _raw_params(request))
    # Actions that need no catalogue (help_show, status_show) never read it.
    result = await found.handler(request, cat, params)  # type: ignore[arg-type]
    return json_response(
        request, cat if found.needs_catalogue else None, envelope(request, name, result)
    )


def _unknown(name: str) -> ApiError:
    if name.endswith(WRITE_SUFFIXES):
        return Forbidden(
            _("Action {name} is not allowed: this catalogue is read-only through the API."),
            _("Datasets are published with catalog build; ask the portal's publishers."),
            name=name[:100],
        )
    return ApiError(
        _("Action name not known: {name}."),
        _("Actions: {allowed}."),
        name=name[:100],
        allowed=", ".join(sorted(ACTIONS)),
    )


def _openapi(model: type[BaseModel], post: bool) -> dict[str, Any]:
    """Document an action's parameters (query string for GET, JSON body for POST)."""
    schema = model.model_json_schema(by_alias=True)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    responses = {
        "200": {"description": "CKAN envelope: {help, success: true, result}."},
        "400": {"description": "Bad request or Search Query Error."},
        "403": {"description": "Authorization Error."},
        "404": {"description": "Not Found Error."},
        "409": {"description": "Validation Error."},
        "429": {"description": "Too many requests (see Retry-After)."},
    }
    if post:
        body_schema = {k: v for k, v in schema.items() if k != "title"}
        return {
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": body_schema}},
            },
            "responses": responses,
        }
    parameters = [
        {"name": name, "in": "query", "required": name in required, "schema": _query_schema(prop)}
        for name, prop in properties.items()
    ]
    return {"parameters": parameters, "responses": responses}


def _query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    kinds = {s.get("type") for s in prop.get("anyOf", [prop])}
    if kinds & {"array", "object"}:
        return {"type": "string", "description": prop.get("description", "")}
    return {k: v for k, v in prop.items() if k not in ("title", "default")}


def add_routes(app: FastAPI, releases: Releases) -> None:
    router = APIRouter(tags=["CKAN Action API"])
    for name, found in ACTIONS.items():
        for method in ("GET", "POST"):
            router.add_api_route(
                f"/api/3/action/{name}",
                _endpoint(releases, name),
                methods=[method],
                summary=found.summary,
                operation_id=f"ckan_{name}_{method.lower()}",
                openapi_extra=_openapi(found.params, method == "POST"),
                response_class=Response,
            )
    for prefix in PREFIXES:
        router.add_api_route(
            prefix + "{name}",
            _dispatch(releases),
            methods=["GET", "POST"],
            include_in_schema=False,
        )
    router.add_api_route("/api/3", _version, methods=["GET"], include_in_schema=False)
    app.include_router(router)


def _endpoint(releases: Releases, name: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await call(request, releases, name)

    return endpoint


def _dispatch(releases: Releases) -> Callable[[Request, str], Awaitable[Response]]:
    async def dispatch(request: Request, name: str) -> Response:
        return await call(request, releases, name)

    return dispatch


async def _version(request: Request) -> Response:
    return Response(b'{"version":3}', media_type="application/json")
