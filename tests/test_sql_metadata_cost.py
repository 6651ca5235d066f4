"""Datasette's pages at /sql/ read the release's metadata without copying it per table.

Datasette 0.65.5 deep-copies every metadata source for each table whose permission
it checks (twice per table listed on /sql/ and /sql/catalogo): with the release's
``metadata.json`` as its source, a page cost tables × the whole file (a second of
CPU on the demo). The catalog_links plugin now answers the lookups instead
(plugins/catalog_links/metadata.py). These tests count what is deep-copied, and
check that the pages still show the metadata and keep its permissions.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_serve import AppClient

from catalog.bench import api, sqlscale
from catalog.release.layout import METADATA, SQL
from catalog.release.naming import table_name
from catalog.sqlproc import make_datasette

DATASETS = 40
FIRST = table_name("pub-00", "conjunto-00000", "datos")
SECOND = table_name("pub-01", "conjunto-00001", "datos")
THIRD = table_name("pub-02", "conjunto-00002", "datos")
PAGES = ("/sql/", "/sql/catalogo", f"/sql/catalogo/{FIRST}", "/sql/catalogo/datasets")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``sql/`` folder of a release of 40 datasets, each with a table and the
    metadata a build writes for it (catalog.bench.sqlscale)."""
    build = tmp_path_factory.mktemp("sqlmeta") / "build"
    api.make_release(build, DATASETS)
    sqlscale.add_tables(build / "current" / SQL)
    return build / "current" / SQL


def _copy_with(release: Path, folder: Path, change: Any) -> Path:
    shutil.copytree(release, folder)
    meta = json.loads((folder / METADATA).read_text("utf-8"))
    change(meta["databases"]["catalogo"]["tables"])
    (folder / METADATA).write_text(json.dumps(meta), "utf-8")
    return folder


def _client(sql_folder: Path) -> AppClient:
    return AppClient(make_datasette(sql_folder).app())


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size (bytes of JSON) of each object deep-copied while the test runs."""
    sizes: list[int] = []
    deepcopy = copy.deepcopy

    def counting(x: Any, memo: Any = None, _nil: Any = []) -> Any:  # noqa: B006
        sizes.append(len(json.dumps(x, default=str)))
        return deepcopy(x, memo, _nil)

    monkeypatch.setattr(copy, "deepcopy", counting)
    yield sizes


def test_pages_copy_no_metadata(release: Path, copied: list[int]):
    """Before: each of the 44 tables' checks copied the whole file (100 KB), twice per
    table on /sql/: 9 MB per view. Now no copy holds any of it."""
    client = _client(release)
    table_bytes = min(
        len(json.dumps(t))
        for t in json.loads((release / METADATA).read_text("utf-8"))["databases"]["catalogo"][
            "tables"
        ].values()
    )
    for path in PAGES:
        copied.clear()
        assert client.get(path).status_code == 200, path
        assert copied, path  # Datasette still checks each table's permissions
        assert max(copied) < table_bytes, path


def test_what_a_page_copies_does_not_grow_with_the_metadata(
    release: Path, tmp_path: Path, copied: list[int]
):
    def more_columns(tables: dict) -> None:
        for table in tables.values():
            columns = table.get("columns") or {}
            columns.update({f"extra_{i}": "Una descripción más. " * 20 for i in range(50)})

    small, large = _client(release), _client(_copy_with(release, tmp_path / "sql", more_columns))
    for path in PAGES:
        copied.clear()
        small.get(path)
        before = sum(copied)
        copied.clear()
        large.get(path)
        assert sum(copied) == before, path


def test_table_page_shows_its_metadata(release: Path):
    meta = json.loads((release / METADATA).read_text("utf-8"))
    table = meta["databases"]["catalogo"]["tables"][FIRST]
    page = _client(release).get(f"/sql/catalogo/{FIRST}").text
    for text in (
        table["title"],
        table["description"],
        table["license"],
        table["source"],
        table["columns"]["departamento"],
        table["catalog"]["dataset_url"],
    ):
        assert text in page
    assert meta["title"] in _client(release).get("/sql/").text
    assert meta["databases"]["catalogo"]["title"] in _client(release).get("/sql/catalogo").text


def test_metadata_json_is_the_release_file(release: Path):
    served = _client(release).get("/sql/-/metadata.json").json()
    assert served == json.loads((release / METADATA).read_text("utf-8"))


def test_permissions_hidden_tables_and_facet_sizes_still_hold(release: Path, tmp_path: Path):
    def restrict(tables: dict) -> None:
        tables[FIRST]["allow"] = {"id": "someone"}
        tables[SECOND]["hidden"] = True
        tables[THIRD]["facet_size"] = 2

    client = _client(_copy_with(release, tmp_path / "sql", restrict))
    assert client.get(f"/sql/catalogo/{FIRST}").status_code == 403
    listed = {t["name"]: t for t in client.get("/sql/catalogo.json").json()["tables"]}
    assert FIRST not in listed
    assert listed[SECOND]["hidden"] and not listed[THIRD]["hidden"]
    assert client.get(f"/sql/catalogo/{SECOND}").status_code == 200
    facets = client.get(f"/sql/catalogo/{THIRD}.json?_facet=departamento").json()
    assert len(facets["facet_results"]["departamento"]["results"]) == 2
    other = client.get(f"/sql/catalogo/{SECOND}.json?_facet=departamento").json()
    assert len(other["facet_results"]["departamento"]["results"]) == sqlscale.ROWS
