"""Hostile input over every route of the portal: no answer is a 500, none shows a traceback.

The routes come from the apps themselves (the API's FastAPI routes and OpenAPI
document, the workspace's Starlette routes), plus a sample of static pages and
of Datasette under /sql/. Each gets, one kind at a time: huge integers in every
path and query parameter, a lone surrogate (``%ED%A0%80`` in URLs, ``"\\ud800"``
in JSON), invalid UTF-8, lists where texts are expected, 200 KB of nested JSON,
a body over the limit, and methods nobody uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from test_serve import AppClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.bodylimit import settings as body_limits
from catalog.serve import make_app

HUGE = "99999999999999999999"
SURROGATE = "%ED%A0%80"  # U+D800 as (invalid) UTF-8
BAD_UTF8 = "%FF%FE%C3"
NESTED = b"[" * 100_000 + b"]" * 100_000  # 200 KB
ODD_METHODS = ("TRACE", "FOO", "PROPFIND")
PLACEHOLDER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
# Path parameters get a value that leads somewhere real, so the hostile one is not
# stopped by a 404 on its neighbour.
SAMPLE = {
    "publisher": "mides",
    "name": "bono-social-cobertura",
    "resource": "cobertura",
    "slug": "mides",
    "code": "16",
    "action": "cerrar",
    "id": "1",
}
# Valid values of the parameters that pick a thing, sent beside a hostile one so that it
# reaches the code that reads it (not only a 404 for the thing).
VALID = {
    "resource_id": "mides__bono_social_cobertura__cobertura",
    "id": "mides--bono-social-cobertura",
    "sql": "SELECT 1",
}
# Query names the pages read, besides those the OpenAPI document lists.
GENERIC_QUERY = (
    "q", "page", "limit", "offset", "start", "rows", "cursor", "sort", "lang", "id", "name",
    "clave", "key", "format", "estado", "status", "publisher", "institucion", "desde",
    "hasta", "periodo", "sql", "_size", "_next", "_sort", "_search", "_facet",
)  # fmt: skip
GENERIC_BODY = ("requester_key", "version", "id", "text", "reason", "question", "sql", "q")
STATIC_SAMPLE = (
    "/", "/en/", "/datasets/", "/datasets/mides/bono-social-cobertura/", "/catalog.ttl",
    "/data.json", "/feeds/datasets.atom", "/sitemap.xml", "/search/", "/no/such/page",
    "/transparencia/activa/", "/tablero-ti/", "/indicadores/",
)  # fmt: skip
SQL_SAMPLE = (
    "/sql/", "/sql/catalogo", "/sql/catalogo/datasets", "/sql/catalogo/datasets.json",
    "/sql/catalogo.json", "/sql/-/versions", "/sql/catalogo/datasets/1",
)  # fmt: skip


@dataclass
class Target:
    """One route: its path template, methods and the parameter names it takes."""

    path: str
    methods: set[str]
    query: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)

    def params(self) -> list[str]:
        return PLACEHOLDER.findall(self.path)

    def url(self, **values: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return values.get(name, quote(SAMPLE.get(name, "x")))

        return PLACEHOLDER.sub(fill, self.path)


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(getattr(route, "original_router", None), "routes", None)
        if inner is not None:
            yield from _walk(inner)
        elif hasattr(route, "path"):
            yield route


def _api_targets(api: Any) -> list[Target]:
    doc = api.openapi()
    targets: dict[str, Target] = {}
    for route in _walk(api.routes):
        methods = set(getattr(route, "methods", None) or {"GET"})
        target = targets.setdefault(route.path, Target(route.path, set()))
        target.methods |= methods
        for method in methods:
            operation = doc["paths"].get(route.path, {}).get(method.lower(), {})
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param["name"] not in target.query:
                    target.query.append(param["name"])
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            target.body += [k for k in schema.get("properties", {}) if k not in target.body]
    for target in targets.values():
        target.query = target.query or list(GENERIC_QUERY)
    return list(targets.values())


def _targets(app: Any) -> list[Target]:
    api = app.api
    while not hasattr(api, "openapi"):  # under the API's middleware (rate limits...)
        api = api.app
    targets = _api_targets(api)
    for route in app.workspace.routes:
        targets.append(Target(route.path, set(route.methods or {"GET"}), list(GENERIC_QUERY)))
    for path in (*STATIC_SAMPLE, *SQL_SAMPLE):
        targets.append(Target(path, {"GET", "HEAD"}, list(GENERIC_QUERY)))
    return targets


# ------------------------------------------------------------------ the hostile requests


@dataclass
class Probe:
    method: str
    url: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _json_body(value: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json"} if value[:1] in (b"{", b"[") else {}


def _probes(target: Target) -> Iterator[Probe]:
    base = target.url()
    for name in target.params():
        for value in (HUGE, SURROGATE, BAD_UTF8, "-" + HUGE):
            yield Probe("GET", target.url(**{name: value}))
    for name in target.query:
        valid = "".join(f"&{k}={quote(v)}" for k, v in VALID.items() if k != name)
        yield Probe("GET", f"{base}?{quote(name)}={HUGE}{valid}")
    names = [quote(n) for n in target.query]
    for value in (SURROGATE, BAD_UTF8, "-" + HUGE, "1e400", "NaN", quote('["a",["b"]]')):
        yield Probe("GET", base + "?" + "&".join(f"{n}={value}" for n in names))
    yield Probe("GET", base + "?" + "&".join(f"{n}=a&{n}=b" for n in names))  # lists
    yield Probe("GET", base + "?" + "&".join(f"{n}=" + "%5B" * 3000 for n in names[:3]))
    for method in ODD_METHODS:
        yield Probe(method, base)
    yield from _body_probes(target, base)


def _body_probes(target: Target, base: str) -> Iterator[Probe]:
    names = target.body or list(GENERIC_BODY)
    bodies = [
        NESTED,
        b"{" + b",".join(b'"%s": "\\ud800"' % n.encode() for n in names) + b"}",
        b"{" + b",".join(b'"%s": ["a", ["b"]]' % n.encode() for n in names) + b"}",
        b"{" + b",".join(b'"%s": {"a": [1e400]}' % n.encode() for n in names) + b"}",
        b"{" + b",".join(b'"%s": %s' % (n.encode(), HUGE.encode() * 5) for n in names) + b"}",
        b'{"id": "\xff\xfe", "q": "\xc3"}',
        b"&".join(b"%s=%s" % (n.encode(), SURROGATE.encode()) for n in names),
    ]
    valid = json.dumps(VALID)[1:-1].encode()
    for name in names:  # one at a time, the others valid: 10**100 and an object of one
        for value in (HUGE.encode() * 5, b'{"departamento": %s}' % (HUGE.encode() * 5)):
            bodies.append(b'{%s, "%s": %s}' % (valid, name.encode(), value))
    method = "POST"
    for body in bodies:
        yield Probe(method, base, body, _json_body(body))
    over = body_limits().limit_for(base) + 1
    yield Probe(method, base, b" " * over, {"Content-Type": "application/json"})


def _problem(probe: Probe, status: int, text: str) -> str | None:
    if status >= 500 and status != 503:  # 503: no build yet, a normal state
        return f"{probe.method} {probe.url[:160]} -> {status}: {text[:160]!r}"
    if "Traceback" in text or 'File "' in text:
        return f"{probe.method} {probe.url[:160]} -> traceback in the answer"
    return None


@pytest.fixture(scope="module")
def portal(demo_build: Path) -> tuple[Any, AppClient]:
    app = make_app(demo_build)
    app.api = create_api(app.current, limits=LimitSettings(None))
    return app, AppClient(app, raise_server_exceptions=False)


def test_the_walk_covers_every_kind_of_route(portal):
    app, _client = portal
    paths = {t.path for t in _targets(app)}
    assert {"/api/3/action/package_search", "/api/3/action/{name}", "/api/v1/datasets"} <= paths
    assert "/transparencia/solicitudes/{code}" in paths and "/sql/catalogo" in paths
    search = next(t for t in _targets(app) if t.path == "/api/3/action/package_search")
    assert {"q", "fq", "rows", "start", "facet.field"} <= set(search.query)
    assert {"q", "fq", "rows"} <= set(search.body) and search.methods == {"GET", "POST"}


@pytest.mark.parametrize("family", ["api", "workspace", "static", "sql"])
def test_hostile_input_never_gets_a_500_or_a_traceback(portal, family: str):
    app, client = portal
    targets = [t for t in _targets(app) if _family(t.path) == family]
    assert targets
    problems, sent = [], 0
    for target in targets:
        for probe in _probes(target):
            response = client.request(
                probe.method, probe.url, content=probe.body, headers=probe.headers
            )
            sent += 1
            problem = _problem(probe, response.status_code, response.text)
            if problem:
                problems.append(problem)
    assert sent > 20 * len(targets)
    assert not problems, f"{len(problems)} of {sent} answers failed:\n" + "\n".join(problems)


def _family(path: str) -> str:
    if path.startswith("/api"):
        return "api"
    if path.startswith("/transparencia") and not path.startswith("/transparencia/activa"):
        return "workspace"
    return "sql" if path.startswith("/sql") else "static"


@pytest.mark.parametrize("family", ["api", "workspace", "static", "sql"])
def test_a_forged_host_never_reaches_an_answer(portal, family: str):
    """Links and redirects come from CATALOG_BASE_URL or are relative: a forged Host
    must not end up in an answer that a cache could then serve to everyone."""
    app, client = portal
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    problems = []
    for target in (t for t in _targets(app) if _family(t.path) == family):
        for url in (target.url(), target.url() + "/", target.url().rstrip("/")):
            response = client.request("GET", url or "/", headers=forged)
            where = response.headers.get("location", "") + response.text
            if "evil.example" in where:
                problems.append(f"GET {url} -> {response.status_code} names the forged host")
    assert not problems, "\n".join(problems)
