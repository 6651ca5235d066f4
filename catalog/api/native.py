"""The native API ``/api/v1/``: datasets, resources, rows, publishers, themes, territories.

Dataset search goes through the same index as CKAN's ``package_search``: the
plain parameters here become ``fq`` clauses. Pages are cursor-based: a cursor is
opaque (base64 of the offset and a digest of the query it belongs to), so it
cannot be replayed against another query.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, FastAPI, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from catalog import territories, urls
from catalog.api import datastore, models, shapes
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.http import cache_headers, fresh, json_response, lang_of, require
from catalog.api.search import FACET_FIELDS
from catalog.httperrors import Invalid, NotFound, QueryError
from catalog.i18n import _, translate
from catalog.release.index import DatasetEntry, ResourceEntry
from catalog.vocabularies import entry, label, vocabulary

FACETS = {
    "publisher": "organization",
    "theme": "groups",
    "keyword": "tags",
    "format": "res_format",
    "license": "license_id",
    "frequency": "frequency",
    "obligation": "obligations",
}
SORTS = {
    "relevance": "score desc, metadata_modified desc",
    "-modified": "metadata_modified desc",
    "modified": "metadata_modified asc",
    "title": "title_string asc",
    "-title": "title_string desc",
    "name": "name asc",
    "-name": "name desc",
    "-created": "metadata_created desc",
    "created": "metadata_created asc",
}
MAX_OFFSET = 10_000_000  # as package_search's start
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": models.Error},
    400: {"model": models.Error},
    429: {"model": models.Error},
}
Lang = Annotated[Literal["es", "en"] | None, Query(description="Language of labels and messages.")]
assert set(FACETS.values()) <= set(FACET_FIELDS)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clauses(name: str, values: list[str] | None) -> list[str]:
    """Repeated values of one filter are alternatives (OR); filters combine with AND."""
    values = [v for v in values or [] if v.strip()]
    if not values:
        return []
    return ["(" + " OR ".join(f"{name}:{_quote(v.strip())}" for v in values) + ")"]


def _cursor_key(request: Request) -> str:
    items = sorted(
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("cursor", "limit", "lang")
    )
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def _encode_cursor(offset: int, key: str) -> str:
    raw = json.dumps({"o": offset, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str | None, key: str) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(data["o"])
        if data["k"] != key or not 0 <= offset <= MAX_OFFSET:
            raise ValueError
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
        raise Invalid(
            _("The cursor is not valid for this query."),
            _(
                "Use the cursor of the previous page with the same parameters, or start without one."
            ),
            fields={"cursor": _("The cursor is not valid for this query.")},
        ) from None
    return offset


def _date(value: str | None, param: str) -> str | None:
    from catalog.api.search import normalize_date

    if value is None:
        return None
    found = normalize_date(value)
    if found is None:
        raise Invalid(
            _("{param} is not a date: {value}."),
            _("Write dates as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ."),
            fields={param: _("{param} is not a date: {value}.")},
            param=param,
            value=value[:50],
        )
    return found


def _summaries(cat: Catalogue, positions: list[int], lang: str) -> list[dict[str, Any]]:
    """The datasets at ``positions`` as list items (reads the search file: off the loop)."""
    return [
        shapes.native_dataset(d, cat.publishers, lang, full=False) for d in cat.datasets(positions)
    ]


def _facet_label(name: str, value: str, cat: Catalogue, lang: str) -> str:
    if name == "publisher":
        return (cat.publishers.get(value) or {}).get("name") or value
    if name == "theme":
        return label("themes", value.upper(), lang)
    if name == "license":
        return label("licenses", value, lang)
    if name == "frequency":
        return label("frequencies", value, lang)
    return value


def _dataset(cat: Catalogue, publisher: str, name: str) -> DatasetEntry:
    """A dataset by publisher and name (reads the search file: off the loop)."""
    pos = cat.find(f"{publisher}/{name}")
    if pos is None:
        raise NotFound(
            _("Dataset {publisher}/{name} was not found."),
            _("See /api/v1/datasets for the published datasets."),
            publisher=publisher[:100],
            name=name[:100],
        )
    return cat.dataset(pos)


def _resource(d: DatasetEntry, resource: str) -> ResourceEntry:
    found = next((r for r in d["resources"] if r["name"] == resource), None)
    if found is None:
        raise NotFound(
            _("Dataset {dataset} has no resource {resource}."),
            _("Its resources: {allowed}."),
            dataset=d["id"],
            resource=resource[:100],
            allowed=", ".join(r["name"] for r in d["resources"]),
        )
    return found


def add_routes(app: FastAPI, releases: Releases) -> None:
    router = APIRouter(prefix="/api/v1", tags=["Native API"], responses=ERRORS)

    def catalogue(request: Request) -> tuple[Catalogue, Response | None]:
        cat = require(releases.get())
        return cat, fresh(request, cat)

    @router.get("/status", response_model=models.Status, summary="State of the catalogue")
    async def status(request: Request, lang: Lang = None) -> Response:
        cat = releases.get()
        if cat is None:
            body = {
                "status": "no-build",
                "release": None,
                "datasets": 0,
                "message": translate(_("Run catalog build first."), lang_of(request)),
            }
            return json_response(request, None, body)
        not_modified = fresh(request, cat)
        if not_modified:
            return not_modified
        body = {
            "status": "ok",
            "release": cat.release,
            "generated": cat.generated,
            "datasets": cat.size,
        }
        return json_response(request, cat, body)

    @router.get("/datasets", response_model=models.DatasetList, summary="Search datasets")
    async def datasets(
        request: Request,
        q: Annotated[str | None, Query(max_length=2000, description="Words to find.")] = None,
        publisher: Annotated[
            list[str] | None, Query(description="Publisher slug (repeatable).")
        ] = None,
        theme: Annotated[list[str] | None, Query(description="Theme code, e.g. SOCI.")] = None,
        keyword: Annotated[list[str] | None, Query(description="Keyword.")] = None,
        format: Annotated[list[str] | None, Query(description="Resource format, e.g. csv.")] = None,
        license: Annotated[
            list[str] | None, Query(description="Licence id, e.g. CC-BY-4.0.")
        ] = None,
        frequency: Annotated[list[str] | None, Query(description="Update frequency.")] = None,
        obligation: Annotated[
            list[str] | None, Query(description="Transparency obligation.")
        ] = None,
        territory: Annotated[
            list[str] | None, Query(description="INE code of a department or municipality.")
        ] = None,
        modified_since: Annotated[
            str | None, Query(description="Metadata modified on or after.")
        ] = None,
        modified_until: Annotated[
            str | None, Query(description="Metadata modified on or before.")
        ] = None,
        sort: Annotated[
            Literal[tuple(SORTS)],  # type: ignore[valid-type]  # built from the one list
            Query(description="Order of results."),
        ] = "relevance",
        facets: Annotated[
            list[Literal[tuple(FACETS)]] | None,  # type: ignore[valid-type]
            Query(description="Facets to count (repeatable)."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        lang: Lang = None,
    ) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        key = _cursor_key(request)
        offset = _decode_cursor(cursor, key)
        fq = []
        for name, values in (
            ("organization", publisher),
            ("groups", theme),
            ("tags", keyword),
            ("res_format", format),
            ("license_id", license),
            ("frequency", frequency),
            ("obligations", obligation),
            ("territory", territory),
        ):
            fq += _clauses(name, values)
        since, until = (
            _date(modified_since, "modified_since"),
            _date(modified_until, "modified_until"),
        )
        if since or until:
            fq.append(f"metadata_modified:[{since or '*'} TO {until or '*'}]")
        words = " ".join(_quote(w) for w in (q or "").split() if w.strip('"'))
        language = lang_of(request)

        def search() -> tuple[Any, list[dict[str, Any]]]:
            found = cat.search.search(
                q=words or None,
                fq=fq,
                sort=SORTS[sort],
                start=offset,
                rows=limit,
                facet_fields=[FACETS[f] for f in facets or []],
                facet_limit=50,
            )
            return found, _summaries(cat, found.positions, language)

        found, results = await run_in_threadpool(search)
        body: dict[str, Any] = {
            "count": found.count,
            "results": results,
            "facets": {
                name: [
                    {"value": v, "label": _facet_label(name, v, cat, language), "count": n}
                    for v, n in found.facets[FACETS[name]]
                ]
                for name in facets or []
            },
            "cursor": None,
            "next": None,
        }
        if offset + limit < found.count:
            body["cursor"] = _encode_cursor(offset + limit, key)
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
            query.append(("cursor", body["cursor"]))
            from urllib.parse import urlencode

            body["next"] = urls.absolute("/api/v1/datasets?" + urlencode(query))
        return json_response(request, cat, body)

    @router.get(
        "/datasets/{publisher}/{name}", response_model=models.Dataset, summary="One dataset"
    )
    async def dataset(request: Request, publisher: str, name: str, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        d = await run_in_threadpool(_dataset, cat, publisher, name)
        body = shapes.native_dataset(d, cat.publishers, lang_of(request), True)
        return json_response(request, cat, body)

    @router.get(
        "/datasets/{publisher}/{name}/versions",
        response_model=list[models.Version],
        summary="A dataset's versions, newest first, with their downloads and changes",
    )
    async def versions(request: Request, publisher: str, name: str) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        d = await run_in_threadpool(_dataset, cat, publisher, name)
        return json_response(request, cat, shapes.native_versions(d))

    @router.get(
        "/datasets/{publisher}/{name}/resources",
        response_model=list[models.Resource],
        summary="A dataset's resources",
    )
    async def resources(request: Request, publisher: str, name: str) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        d = await run_in_threadpool(_dataset, cat, publisher, name)
        body = [shapes.native_resource(d, r) for r in d["resources"]]
        return json_response(request, cat, body)

    @router.get(
        "/datasets/{publisher}/{name}/resources/{resource}",
        response_model=models.Resource,
        summary="One resource",
    )
    async def resource(request: Request, publisher: str, name: str, resource: str) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        d = await run_in_threadpool(_dataset, cat, publisher, name)
        body = shapes.native_resource(d, _resource(d, resource))
        return json_response(request, cat, body)

    @router.get(
        "/datasets/{publisher}/{name}/resources/{resource}/rows",
        response_model=models.Rows,
        summary="Rows of a resource's table (JSON, CSV or NDJSON)",
        responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    )
    async def rows(
        request: Request,
        publisher: str,
        name: str,
        resource: str,
        fields: Annotated[
            str | None, Query(max_length=5000, description="Columns, comma-separated.")
        ] = None,
        filter: Annotated[
            list[str] | None,
            Query(max_length=1000, description="column:value (repeatable; same column = any of)."),
        ] = None,
        q: Annotated[
            str | None, Query(max_length=500, description="Text in any text column.")
        ] = None,
        sort: Annotated[
            str | None, Query(max_length=1000, description="column or -column, comma-separated.")
        ] = None,
        limit: Annotated[int | None, Query(ge=0, le=datastore.ROWS_MAX)] = None,
        offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
        format: Annotated[Literal["json", "csv", "ndjson"], Query()] = "json",
    ) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        d = await run_in_threadpool(_dataset, cat, publisher, name)
        found = _resource(d, resource)
        if not found["table"]:
            raise NotFound(
                _("Resource {resource} has no table to query."),
                _("Download it from the dataset page instead."),
                resource=resource,
            )
        t = await run_in_threadpool(datastore.table, cat, found["id"])
        chosen = [f.strip() for f in (fields or "").split(",") if f.strip()] or t.columns
        order = [
            f"{s.strip()[1:]} desc" if s.strip().startswith("-") else f"{s.strip()} asc"
            for s in (sort or "").split(",")
            if s.strip()
        ]
        query = datastore.select(t, chosen, _filters(filter), q, order)
        if format != "json" and limit is None:
            return _stream(request, cat, query, format, offset)
        limit = datastore.DEFAULT_LIMIT if limit is None else limit
        records, total = await run_in_threadpool(_page_rows, cat, query, limit, offset)
        if format != "json":
            return Response(
                _serialize(records, query.fields, format, header=True),
                media_type=_MEDIA[format],
                headers=cache_headers(request, cat),
            )
        next_url = None
        if offset + limit < total:
            base = f"/api/v1/datasets/{publisher}/{name}/resources/{resource}/rows"
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
            from urllib.parse import urlencode

            next_url = urls.absolute(base + "?" + urlencode([*params, ("offset", offset + limit)]))
        body = {
            "resource": t.resource_id,
            "fields": [
                {"name": f, "type": "int" if f == "_id" else t.types[f]} for f in query.fields
            ],
            "rows": [dict(zip(query.fields, r, strict=True)) for r in records],
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": next_url,
        }
        return json_response(request, cat, body)

    @router.get("/publishers", response_model=list[models.Publisher], summary="Publishers")
    async def publishers(request: Request, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        body = [_publisher(cat, slug, lang_of(request)) for slug in sorted(cat.publishers)]
        return json_response(request, cat, body)

    @router.get(
        "/publishers/{slug}", response_model=models.PublisherDetail, summary="One publisher"
    )
    async def publisher(request: Request, slug: str, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        if slug not in cat.publishers:
            raise NotFound(
                _("Publisher {slug} was not found."),
                _("See /api/v1/publishers for the publishers."),
                slug=slug[:100],
            )
        language = lang_of(request)
        body = _publisher(cat, slug, language)
        fq = f"organization:{_quote(slug)}"
        body["dataset_list"] = await run_in_threadpool(_listed, cat, fq, language)
        return json_response(request, cat, body)

    @router.get("/themes", response_model=list[models.Theme], summary="Themes (DCAT-AP)")
    async def themes(request: Request, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        language = lang_of(request)
        body = [_theme(cat, e["code"], language) for e in vocabulary("themes")]
        return json_response(request, cat, body)

    @router.get("/themes/{code}", response_model=models.ThemeDetail, summary="One theme")
    async def theme(request: Request, code: str, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        if entry("themes", code.upper()) is None:
            raise NotFound(
                _("Theme {code} was not found."),
                _("See /api/v1/themes for the themes."),
                code=code[:50],
            )
        language = lang_of(request)
        body = _theme(cat, code.upper(), language)
        fq = f"groups:{_quote(code.lower())}"
        body["dataset_list"] = await run_in_threadpool(_listed, cat, fq, language)
        return json_response(request, cat, body)

    @router.get(
        "/territories", response_model=list[models.Territory], summary="Departments of Guatemala"
    )
    async def territory_list(request: Request, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        language = lang_of(request)
        codes = [t["code"] for t in territories.departments()]
        body = await run_in_threadpool(lambda: [_territory(cat, c, language) for c in codes])
        return json_response(request, cat, body)

    @router.get(
        "/territories/{code}",
        response_model=models.TerritoryDetail,
        summary="A department or municipality and its datasets",
    )
    async def territory(request: Request, code: str, lang: Lang = None) -> Response:
        cat, not_modified = catalogue(request)
        if not_modified:
            return not_modified
        if territories.name(code) is None:
            raise NotFound(
                _("Territory {code} was not found."),
                _("Use an INE code: 01 to 22 for departments, four digits for municipalities."),
                code=code[:20],
            )
        language = lang_of(request)
        body = await run_in_threadpool(_territory_detail, cat, code, language)
        return json_response(request, cat, body)

    app.include_router(router)


def _listed(cat: Catalogue, fq: str, lang: str) -> list[dict[str, Any]]:
    found = cat.search.search(fq=[fq], sort="title_string asc", rows=cat.search.size)
    return _summaries(cat, found.positions, lang)


def _territory_detail(cat: Catalogue, code: str, lang: str) -> dict[str, Any]:
    body = _territory(cat, code, lang)
    if body["level"] == "department":
        body["municipalities"] = [
            _territory(cat, m["code"], lang) for m in territories.municipalities(code)
        ]
    body["dataset_list"] = _listed(cat, f"territory:{_quote(code)}", lang)
    return body


def _publisher(cat: Catalogue, slug: str, lang: str) -> dict[str, Any]:
    data = cat.publishers.get(slug) or {}
    return {
        "slug": slug,
        "name": data.get("name") or slug,
        "acronym": data.get("acronym"),
        "kind": data.get("kind"),
        "website": data.get("website"),
        "email": data.get("email"),
        "description": data.get("description"),
        "datasets": cat.org_counts.get(slug, 0),
        "page": urls.absolute(urls.publisher(slug, lang)),
    }


def _theme(cat: Catalogue, code: str, lang: str) -> dict[str, Any]:
    return {
        "code": code,
        "label": label("themes", code, lang),
        "uri": (entry("themes", code) or {}).get("uri"),
        "datasets": cat.group_counts.get(code.lower(), 0),
        "page": urls.absolute(urls.theme(code, lang)),
    }


def _territory(cat: Catalogue, code: str, lang: str) -> dict[str, Any]:
    level = "department" if territories.is_department(code) else "municipality"
    count = cat.search.search(fq=[f"territory:{_quote(code)}"], rows=0).count
    return {
        "code": code,
        "name": territories.name(code) or code,
        "level": level,
        "department": territories.department_of(code) if level == "municipality" else None,
        "datasets": count,
        "page": urls.absolute(urls.territory(code, lang)),
    }


def _filters(values: list[str] | None) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values or []:
        column, sep, wanted = value.partition(":")
        if not sep or not column:
            raise QueryError(
                _("The filter {filter} is not valid."),
                _("Write filters as column:value, e.g. filter=departamento:01."),
                filter=value[:100],
            )
        filters.setdefault(column, []).append(wanted)
    return filters


def _page_rows(
    cat: Catalogue, query: datastore.Select, limit: int, offset: int
) -> tuple[list, int]:
    return datastore.fetch(cat, query, limit, offset), datastore.count(cat, query)


_MEDIA = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


def _serialize(rows: list[tuple], columns: list[str], fmt: str, header: bool) -> bytes:
    if fmt == "ndjson":
        return b"".join(orjson.dumps(dict(zip(columns, r, strict=True))) + b"\n" for r in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _stream(
    request: Request, cat: Catalogue, query: datastore.Select, fmt: str, offset: int
) -> Response:
    """The whole (filtered) table, streamed a batch at a time."""

    def chunks() -> Iterator[bytes]:
        first = True
        for batch in datastore.stream(cat, query, offset):
            yield _serialize(batch, query.fields, fmt, header=first)
            first = False
        if first:
            yield _serialize([], query.fields, fmt, header=True)

    return StreamingResponse(chunks(), media_type=_MEDIA[fmt], headers=cache_headers(request, cat))
