"""Active transparency's public pages in a real browser (Debian's Chromium through
Playwright, conftest's ``browser``) against a real uvicorn server: axe-core finds no
serious or critical violation on the matrix, a body's page and an item's page, in
both languages; the filters work without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import serious_violations, serving_app
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from test_active_public import ALL, NOW, RECORDS, Records
from test_fulfilment import DATASETS, GENERATED

from catalog.site.render import ASSETS
from catalog.transparency.active_public_web import install
from catalog.transparency.active_source import ComplianceSource, Snapshot
from catalog.transparency.testing import workspace_for_tests
from catalog.transparency.web import create_app

PAGES = [
    "/transparencia/activa/",
    "/transparencia/activa/?tipo=ministry&orden=mes",
    "/transparencia/activa/minfin/",
    "/transparencia/activa/obligaciones/GT-LAIP-10.4/",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("active-browser")
    with workspace_for_tests("sqlite", folder) as ws:
        app = create_app(folder, ws)
        snapshot = Snapshot("r1", ALL, DATASETS, GENERATED)
        install(app, ComplianceSource(lambda: snapshot, Records(RECORDS), now=lambda: NOW))
        # As catalog serve does: /assets/ from the release (the same files), the rest here.
        portal = Starlette(
            routes=[Mount("/assets", StaticFiles(directory=ASSETS)), Mount("/", app)]
        )
        with serving_app(portal) as base:
            yield base


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(browser, server: str, axe, path: str, lang: str):
    context = browser.new_context(base_url=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    separator = "&" if "?" in path else "?"
    answer = page.goto(f"{path}{separator}lang={lang}")
    assert answer is not None and answer.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    # The catalogue's stylesheet applies (the states' colours come from it).
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    serious = serious_violations(axe, page)
    context.close()
    assert not serious, serious
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_filters_work_without_javascript(browser, server: str):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/transparencia/activa/?lang=es")
    page.select_option("#tipo", "ministry")
    page.select_option("#periodo", "2024-04")
    page.select_option("#orden", "mes")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state()
    assert "tipo=ministry" in page.url and "periodo=2024-04" in page.url
    first = page.locator("#matrix tbody th").first.inner_text()
    assert first == "Ministerio de Finanzas"
    # A cell's state is read out in words.
    assert page.locator("#matrix tbody td.cell .sr-only").first.inner_text() in (
        "A tiempo",
        "Tarde",
        "Pendiente, aún en plazo",
        "Vencida, sin publicar",
        "No aplica",
    )
    context.close()
