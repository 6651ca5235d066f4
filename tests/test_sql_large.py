"""The SQL explorer of a large catalogue: its own home and database page (Datasette's
list every table), facets declared instead of suggested, and a child that reads the
schema before its first request (catalog/sqlproc.py, plugins/catalog_links/large.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from catalog import sqlproc
from catalog.build.datasette import facets
from catalog.release.reader import CurrentRelease
from catalog.serve import EAGER_INSPECT_BYTES, Served
from catalog_plugins.catalog_links import large


def _get(datasette: Any, *paths: str) -> list[Any]:
    async def fetch() -> list[Any]:
        return [await datasette.client.get(path) for path in paths]

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def datasette(demo_build: Path) -> Any:
    return sqlproc.make_datasette(demo_build / "sql")


def test_a_small_catalogue_keeps_datasettes_pages(datasette: Any) -> None:
    home, database = _get(datasette, "/", "/catalogo")
    assert home.status_code == database.status_code == 200
    assert "catalog-large" not in home.text
    assert "bono" in database.text  # Datasette lists the tables


def test_a_large_catalogue_gets_a_page_of_its_own(
    datasette: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(large, "LARGE_TABLES", 3)
    home, database, query, table = _get(
        datasette,
        "/",
        "/catalogo",
        "/catalogo?sql=select+count(*)+as+n+from+datasets",
        "/catalogo/datasets",
    )
    tables = json.loads(  # what the build counted
        (Path(datasette.databases["catalogo"].path).parent / "inspect.json").read_text()
    )["catalogo"]["tables"]
    for page in (home, database):
        assert page.status_code == 200
        assert f"{len(tables)} tablas" in page.text  # fewer than 1,000: no separator
        for name in large.CATALOGUE_TABLES:
            assert f'href="/sql/catalogo/{name}"' in page.text
        assert 'name="_search"' in page.text and 'name="table_name__contains"' in page.text
        assert 'name="sql"' in page.text
        assert "bono" not in page.text  # no list of every table
    assert query.status_code == 200 and "<td" in query.text  # queries stay Datasette's
    assert table.status_code == 200


def test_declared_facets(datasette: Any) -> None:
    (page,) = _get(datasette, "/catalogo/datasets")
    assert page.status_code == 200
    assert "facet-results" in page.text and "publisher" in page.text
    assert "suggested-facets" not in page.text
    assert sqlproc.SETTINGS["suggest_facets"] is False


def test_facets_of_a_table_plan() -> None:
    def column(name: str, type_: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "type": type_, "enum": None, "territory": None, **extra}

    plan: dict[str, Any] = {
        "columns": [
            column("id", "integer"),
            column("departamento", "string", territory="department"),
            column("monto", "number"),
            column("anio", "year"),
            column("sexo", "string", enum=["F", "M"]),
            column("activo", "boolean"),
            column("nota", "string"),
        ],
        "indexes": [["departamento"], ["monto"], ["anio"], ["sexo"], ["activo"], ["a", "b"]],
    }
    assert facets(plan) == ["departamento", "anio", "sexo"]  # indexed, grouping, three
    plan["indexes"] = []
    assert facets(plan) == []


def test_warm_reads_every_schema_before_requests(demo_build: Path) -> None:
    datasette = sqlproc.make_datasette(demo_build / "sql")
    asyncio.run(sqlproc.warm(datasette))
    internal = datasette.databases["_internal"]

    async def known() -> int:
        rows = await internal.execute(
            "select count(*) from tables where database_name = 'catalogo'"
        )
        return rows.first()[0]

    assert asyncio.run(known()) > 4  # Datasette learned the tables before any request


def test_a_large_release_starts_its_sql_explorer_at_once(
    demo_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = CurrentRelease(demo_build)()
    assert release is not None
    small = Served(release)
    assert small.sql_app.process is None  # started on the first /sql/ request
    size = release.folder.inspect.stat().st_size
    monkeypatch.setattr("catalog.serve.EAGER_INSPECT_BYTES", size - 1)
    eager = Served(release)
    try:
        assert eager.sql_app.process is not None
    finally:
        eager.sql_app.retire(wait=True)
    assert EAGER_INSPECT_BYTES > size
