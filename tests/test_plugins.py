"""The catalog_links Datasette plugin: tables link back to the catalogue."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_build import COBERTURA_TABLE, DEPARTAMENTOS_TABLE, write_content
from test_serve import AppClient

from catalog.build import build
from catalog.serve import make_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> AppClient:
    base = tmp_path_factory.mktemp("plugins")
    out = base / "build"
    assert build(write_content(base / "content"), out).all_published
    return AppClient(make_app(out))


def test_plugin_is_registered_through_the_entry_point():
    from importlib.metadata import entry_points

    from datasette.plugins import get_plugins, pm

    import catalog_plugins.catalog_links

    declared = {e.name: e.value for e in entry_points(group="datasette")}
    assert declared["catalog_links"] == "catalog_plugins.catalog_links"
    assert pm.get_plugin("catalog_links") is catalog_plugins.catalog_links
    info = next(
        p
        for p in get_plugins()
        if "extra_template_vars" in p["hooks"]
        and (p["templates_path"] or "").endswith("catalog_links/templates")
    )
    assert "table_actions" in info["hooks"]


def test_table_page_links_back_to_dataset_publisher_and_licence(client: AppClient):
    page = client.get(f"/sql/catalogo/{COBERTURA_TABLE}").text
    assert 'class="catalog-links"' in page
    assert '<a class="catalog-dataset" href="/datasets/mides/bono-social/">Bono Social</a>' in page
    assert 'class="catalog-publisher" href="https://www.mides.gob.gt"' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "Del catálogo de datos abiertos" in page  # the build's language, Spanish


def test_table_page_shows_column_descriptions(client: AppClient):
    page = client.get(f"/sql/catalogo/{COBERTURA_TABLE}").text
    assert "Columnas: tipos y descripciones" in page
    assert (
        "<tr><td><code>monto</code></td><td>number</td><td>Monto entregado (GTQ)</td></tr>" in page
    )
    assert 'data-column-description="Monto entregado (GTQ)"' in page


def test_table_actions_link_to_the_dataset_page(client: AppClient):
    page = client.get(f"/sql/catalogo/{DEPARTAMENTOS_TABLE}").text
    assert (
        '<li><a href="/datasets/mides/bono-social/">Página del conjunto de datos: '
        "Bono Social</a></li>" in page
    )


def test_row_and_canned_query_pages_link_back(client: AppClient):
    row = client.get(f"/sql/catalogo/{COBERTURA_TABLE}/1").text
    assert 'class="catalog-dataset" href="/datasets/mides/bono-social/"' in row
    query = client.get("/sql/catalogo/mides__bono_social__cobertura_por_departamento").text
    assert 'class="catalog-dataset" href="/datasets/mides/bono-social/"' in query


def test_catalogue_tables_have_no_panel(client: AppClient):
    page = client.get("/sql/catalogo/datasets")
    assert page.status_code == 200
    assert 'class="catalog-links"' not in page.text


def test_plugin_leaves_other_databases_alone(tmp_path: Path):
    from datasette.app import Datasette

    db = tmp_path / "otra.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (a integer)")
    meta = {"databases": {"otra": {"tables": {"t": {"description": "sin catálogo"}}}}}
    ds = Datasette(immutables=[str(db)], metadata=json.loads(json.dumps(meta)))
    response = AppClient(ds.app()).get("/otra/t")
    assert response.status_code == 200
    assert "catalog-links" not in response.text and "sin catálogo" in response.text


def test_sql_pages_work_in_chromium_under_the_csp(browser, demo_server: str):
    """Datasette's table and query pages run their scripts (column menus, the SQL
    editor) under the portal's Content-Security-Policy, without one violation."""
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    table = "mides__bono_social_cobertura__cobertura"
    try:
        response = page.goto(f"{demo_server}/sql/catalogo/{table}")
        assert response is not None and response.status == 200
        assert "content-security-policy" in response.headers
        page.wait_for_selector("table.rows-and-columns tbody tr")
        page.click("th .dropdown-menu-icon")  # table.js: the column's menu opens
        page.wait_for_selector("text=Sort ascending", state="visible")
        response = page.goto(f"{demo_server}/sql/catalogo?sql=select+1+as+uno")
        assert response is not None and response.status == 200
        page.wait_for_selector(".CodeMirror")  # the SQL editor started
        page.evaluate(
            "document.querySelector('.CodeMirror').CodeMirror.setValue('select 2 as dos')"
        )
        page.click("form.sql input[type=submit]")
        page.wait_for_selector('table.rows-and-columns th:has-text("dos")')
        assert "dos" in page.url
    finally:
        page.close()
    problems = [m for m in console if "Content Security" in m or m.startswith("page error")]
    assert problems == []
