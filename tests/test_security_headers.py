"""Every face of the portal sends the security headers; HSTS only when asked, on HTTPS."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from catalog import security
from catalog.serve import make_app

PATHS = [
    "/",
    "/en/",
    "/no-such-page/",
    "/sql/",
    "/api/",
    "/api/3/action/status_show",
    "/transparencia/",
]


def _get(app, path: str, scheme: str = "http") -> httpx.Response:
    import asyncio

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://portal") as client:
            return await client.get(path)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def app(demo_build: Path):
    return make_app(demo_build, trusted_proxies=())


@pytest.mark.parametrize("path", PATHS)
def test_every_face_sends_the_security_headers(app, path: str):
    response = _get(app, path)
    assert response.status_code < 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "strict-transport-security" not in response.headers


def test_the_static_site_allows_no_inline_script(app):
    csp = _get(app, "/").headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_hsts_only_on_https_and_when_turned_on(app, monkeypatch):
    monkeypatch.setenv(security.HSTS_ENV, "1")
    assert _get(app, "/", "https").headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in _get(app, "/", "http").headers
    monkeypatch.delenv(security.HSTS_ENV)
    assert "strict-transport-security" not in _get(app, "/", "https").headers


def test_a_face_keeps_its_own_policy():
    assert security.csp_for("/transparencia/oficiales") == security.WORKSPACE_CSP
    assert security.csp_for("/datasets/mides/x/") == security.SITE_CSP
    headers = security.defaults("https", hsts=True)
    assert headers["Strict-Transport-Security"] == security.HSTS_VALUE


def test_pages_run_without_csp_violations(browser, demo_server: str):
    """The strict policy must not break the catalogue: search still runs its script."""
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    try:
        for path in ("/", "/search/?q=escuelas", "/en/", "/sql/", "/transparencia/"):
            response = page.goto(demo_server + path)
            assert response is not None and response.status == 200, path
        page.goto(demo_server + "/search/?q=escuelas")
        page.wait_for_selector("#results li", timeout=10000)
    finally:
        page.close()
    assert violations == []
