"""HTTP caching and JSON responses of the API.

A release is immutable, so everything the API says about it can be cached:
``ETag`` is the release id (plus the language, as labels change with it),
``Last-Modified`` the release's build time. A client that sends the ETag back in
``If-None-Match`` gets ``304 Not Modified`` before any work is done.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response

from catalog import urls
from catalog.api.catalogue import Catalogue
from catalog.httperrors import JSON, Unavailable, language

MAX_AGE = 60  # seconds: a new release may be swapped in at any time
Body = bytes | dict[str, Any] | list[Any]


def lang_of(request: Request) -> str:
    """The request's language: ``?lang=``, then ``Accept-Language`` (``i18n.request_lang``)."""
    return language(request.headers, request.query_params)


def public_base() -> str:
    """The portal's public address for absolute links (CKAN's ``help``): the configured
    ``CATALOG_BASE_URL``, never the request's ``Host`` header, which any client can forge
    (a cache or a proxy would then serve links to the attacker's host)."""
    return urls.base_url()


def etag(catalogue: Catalogue, lang: str) -> str:
    return f'"{catalogue.release}-{lang}"'


def require(catalogue: Catalogue | None) -> Catalogue:
    if catalogue is None:
        from catalog.httperrors import NO_BUILD

        raise Unavailable(*NO_BUILD)
    return catalogue


def _cache_headers(catalogue: Catalogue, lang: str) -> dict[str, str]:
    return {
        "ETag": etag(catalogue, lang),
        "Last-Modified": catalogue.last_modified,
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Accept-Language, Accept-Encoding",
        "Content-Language": lang,
    }


def fresh(request: Request, catalogue: Catalogue) -> Response | None:
    """A 304 when the client's copy is current (GET and HEAD only), else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    lang = lang_of(request)
    tag = etag(catalogue, lang)
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        if tag in tags or "*" in tags:
            return Response(status_code=304, headers=_cache_headers(catalogue, lang))
        return None
    since = request.headers.get("if-modified-since")
    if since:
        try:
            if parsedate_to_datetime(since) >= parsedate_to_datetime(catalogue.last_modified):
                return Response(status_code=304, headers=_cache_headers(catalogue, lang))
        except (TypeError, ValueError):
            return None
    return None


def json_response(
    request: Request, catalogue: Catalogue | None, body: Body, status: int = 200
) -> Response:
    """JSON (bytes are sent as they are); cacheable for GET of a release's content."""
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    lang = lang_of(request)
    if catalogue is not None and request.method in ("GET", "HEAD"):
        headers = _cache_headers(catalogue, lang)
    else:
        headers = {"Cache-Control": "no-store", "Content-Language": lang}
    return Response(content, status_code=status, media_type=JSON, headers=headers)


def cache_headers(request: Request, catalogue: Catalogue) -> dict[str, str]:
    """The caching headers for a non-JSON answer (CSV, NDJSON)."""
    return _cache_headers(catalogue, lang_of(request))


class RelativeRedirects:
    """ASGI middleware: Starlette writes the ``Location`` of its trailing-slash redirects
    (``/api/v1/datasets/`` → ``/api/v1/datasets``) from the ``Host`` header; a forged
    host would send the client elsewhere. The API never redirects off the portal, so
    every ``Location`` it sends becomes a path on this same host."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def relative(message: dict) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = [
                    (k, _on_this_host(v) if k.lower() == b"location" else v)
                    for k, v in message.get("headers", [])
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, relative)


def _on_this_host(location: bytes) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    path = "/" + parts.path.lstrip("/")  # never "//host": that would leave the portal
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")
