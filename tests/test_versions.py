"""Every published version of a dataset is kept, listed, diffed and downloadable.

catalog/build/versions.py keeps the history and computes the diff; the release index,
the dataset page, the old versions' CSVs (catalog/site/versions.py) and the API
(``/api/v1/datasets/{publisher}/{name}/versions``, CKAN's ``versions`` extra) show it.
"""

from __future__ import annotations

import copy
import csv
import json
import sqlite3
from pathlib import Path

import pytest
from test_build import LICENCIAS_RESOURCES, write_content
from test_serve import AppClient

from catalog import urls
from catalog.build import build
from catalog.build.state import BuildState
from catalog.build.versions import (
    TableRecord,
    VersionRecord,
    add_version,
    compare,
    keep_setting,
)
from catalog.serve import make_app

LICENCIAS_ID = "muni-mixco/licencias"
DESCRIPTOR = Path("datasets/muni-mixco/licencias/datapackage.json")
DATA = Path("datasets/muni-mixco/licencias/data/licencias.csv")
# Row 102 corrected, row 104 added, a column "superficie" added.
NEW_LICENCIAS = """\
numero,tipo,zona,fecha,descripcion,superficie
101,Construcción,1,2024-01-10,Ampliación de vivienda de dos niveles,120.5
102,Remodelación,3,2024-01-12,Cambio de fachada y techo de lámina,80
103,Construcción,1,2024-02-01,Local comercial con parqueo,300
104,Remodelación,7,2024-03-01,Muro perimetral,45
"""


def _change(content: Path, note: str = "Junio: corregida la licencia 102.") -> None:
    (content / DATA).write_text(NEW_LICENCIAS, encoding="utf-8")
    package = json.loads((content / DESCRIPTOR).read_text(encoding="utf-8"))
    resources = copy.deepcopy(LICENCIAS_RESOURCES)
    resources[0]["schema"]["fields"].append({"name": "superficie", "type": "number"})
    package.update(resources=resources, version="1.1.0", changeNote=note)
    (content / DESCRIPTOR).write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")


def _state(out: Path) -> dict:
    return json.loads((out / "state" / "state.json").read_text(encoding="utf-8"))


def _entry(out: Path, dataset: str) -> dict:
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return next(d for d in index["datasets"] if d["id"] == dataset)


@pytest.fixture
def rebuilt(tmp_path: Path) -> tuple[Path, Path]:
    """Content built once, then changed (a value, a row, a column) and built again."""
    content = write_content(tmp_path / "content")
    out = tmp_path / "build"
    assert build(content, out).all_published
    _change(content)
    report = build(content, out)
    assert report.all_published, [f.message("en") for d in report.datasets for f in d.findings]
    return content, out


def test_two_versions_are_listed_with_their_diff(rebuilt: tuple[Path, Path]):
    _content, out = rebuilt
    versions = _entry(out, LICENCIAS_ID)["versions"]
    assert [v["current"] for v in versions] == [True, False]  # newest first
    new, old = versions
    assert (new["version"], old["version"]) == ("1.1.0", "1.0.0")
    assert new["note"] == "Junio: corregida la licencia 102." and old["note"] == ""
    assert (new["rows"], old["rows"]) == ({"licencias": 4}, {"licencias": 3})
    assert old["diff"] is None
    diff = new["diff"]
    assert diff["previous"] == old["id"]
    assert (diff["rows_added"], diff["rows_removed"], diff["rows_changed"]) == (1, 0, 1)
    assert (diff["columns_added"], diff["columns_removed"], diff["columns_retyped"]) == (1, 0, 0)
    (table,) = diff["tables"]
    assert table["by"] == "key" and table["columns_added"] == ["superficie"]
    assert diff["complete"] and table["compared"]
    # The state keeps the same history, oldest first.
    history = _state(out)["datasets"][LICENCIAS_ID]["history"]
    assert [v["id"] for v in history] == [old["id"], new["id"]]
    # A dataset that did not change has its one version.
    (bono,) = _entry(out, "mides/bono-social")["versions"]
    assert bono["current"] and bono["diff"] is None


def test_the_old_version_stays_downloadable_with_its_old_values(rebuilt: tuple[Path, Path]):
    _content, out = rebuilt
    new, old = _entry(out, LICENCIAS_ID)["versions"]
    url = urls.version_download("muni-mixco", "licencias", old["id"], "licencias")
    assert old["downloads"] == {"licencias": url}
    assert new["downloads"] == {
        "licencias": urls.download("muni-mixco", "licencias", "licencias", "csv")
    }
    with (out / "site" / url.lstrip("/")).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["numero", "tipo", "zona", "fecha", "descripcion"]
    assert ["102", "Remodelación", "3", "2024-01-12", "Cambio de fachada y techo"] in rows
    assert len(rows) == 4
    current = (out / "site" / new["downloads"]["licencias"].lstrip("/")).read_text("utf-8")
    assert "Cambio de fachada y techo de lámina" in current


def test_the_dataset_page_lists_the_versions_in_both_languages(rebuilt: tuple[Path, Path]):
    _content, out = rebuilt
    _new, old = _entry(out, LICENCIAS_ID)["versions"]
    page = (out / "site" / "datasets" / "muni-mixco" / "licencias" / "index.html").read_text()
    assert 'id="versions"' in page and "Versiones" in page
    assert "1 fila agregada" in page and "1 fila modificada" in page
    assert "1 columna agregada (superficie)" in page
    assert "Junio: corregida la licencia 102." in page
    assert urls.version_download("muni-mixco", "licencias", old["id"], "licencias") in page
    english = out / "site" / "en" / "datasets" / "muni-mixco" / "licencias" / "index.html"
    text = english.read_text()
    assert "1 row added" in text and "1 row changed" in text and "First version kept." in text


def test_the_api_lists_the_versions(rebuilt: tuple[Path, Path]):
    _content, out = rebuilt
    client = AppClient(make_app(out))
    response = client.get("/api/v1/datasets/muni-mixco/licencias/versions")
    assert response.status_code == 200
    found = response.json()
    assert [v["version"] for v in found] == ["1.1.0", "1.0.0"]
    assert found[0]["diff"]["rows_changed"] == 1 and found[1]["diff"] is None
    assert found[1]["downloads"]["licencias"].startswith(urls.base_url() + "/datasets/")
    old_csv = client.get(found[1]["downloads"]["licencias"].removeprefix(urls.base_url()))
    assert old_csv.status_code == 200 and "Cambio de fachada y techo\n" in old_csv.text
    assert client.get("/api/v1/datasets/muni-mixco/no-existe/versions").status_code == 404
    openapi = client.get("/api/openapi.json").json()
    assert "/api/v1/datasets/{publisher}/{name}/versions" in openapi["paths"]
    package = client.get("/api/3/action/package_show?id=muni-mixco--licencias").json()["result"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert [v["version"] for v in json.loads(extras["versions"])] == ["1.1.0", "1.0.0"]


def test_a_build_without_change_adds_no_version_and_history_snapshots_are_kept(
    rebuilt: tuple[Path, Path],
):
    content, out = rebuilt
    before = _state(out)["datasets"][LICENCIAS_ID]["history"]
    report = build(content, out)
    assert not report.changed
    after = _state(out)["datasets"][LICENCIAS_ID]["history"]
    assert after == before and len(after) == 2
    for version in after:  # garbage collection kept every version's snapshot
        assert (out / "state" / "datasets" / version["snapshot"] / "data.db").is_file()


def test_only_a_change_note_makes_a_version_without_data_changes(rebuilt: tuple[Path, Path]):
    content, out = rebuilt
    package = json.loads((content / DESCRIPTOR).read_text(encoding="utf-8"))
    package["changeNote"] = "Se aclara la descripción."
    (content / DESCRIPTOR).write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    assert build(content, out).all_published
    newest = _entry(out, LICENCIAS_ID)["versions"][0]
    assert (
        newest["note"] == "Se aclara la descripción."
        and len(_entry(out, LICENCIAS_ID)["versions"]) == 3
    )
    assert newest["diff"]["rows_added"] == 0 and all(
        t["status"] == "unchanged" for t in newest["diff"]["tables"]
    )
    page = (out / "site" / "datasets" / "muni-mixco" / "licencias" / "index.html").read_text()
    assert "Sin cambios en los datos." in page


def test_a_description_fix_updates_the_latest_version_in_place(rebuilt: tuple[Path, Path]):
    content, out = rebuilt
    before = _state(out)["datasets"][LICENCIAS_ID]["history"]
    package = json.loads((content / DESCRIPTOR).read_text(encoding="utf-8"))
    package["description"] = "Licencias de construcción de Mixco (descripción corregida)."
    (content / DESCRIPTOR).write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    assert build(content, out).all_published
    after = _state(out)["datasets"][LICENCIAS_ID]["history"]
    assert [v["id"] for v in after] == [v["id"] for v in before]
    assert after[-1]["when"] == before[-1]["when"]
    assert after[-1]["snapshot"] != before[-1]["snapshot"]
    assert not (out / "state" / "datasets" / before[-1]["snapshot"]).exists()
    assert (out / "state" / "datasets" / after[0]["snapshot"]).is_dir()


def test_an_old_state_file_loads_and_starts_the_history(tmp_path: Path):
    content = write_content(tmp_path / "content")
    out = tmp_path / "build"
    assert build(content, out).all_published
    state_file = out / "state" / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    for dataset in state["datasets"].values():  # as written before versions were kept
        dataset.pop("history")
    state_file.write_text(json.dumps(state), encoding="utf-8")
    loaded = BuildState.load(state_file)
    assert loaded.datasets[LICENCIAS_ID].published is not None
    assert loaded.datasets[LICENCIAS_ID].history == []
    assert not build(content, out).changed  # nothing to publish again
    assert len(_state(out)["datasets"][LICENCIAS_ID]["history"]) == 1
    _change(content)
    assert build(content, out).all_published
    versions = _entry(out, LICENCIAS_ID)["versions"]
    assert len(versions) == 2 and versions[0]["diff"]["rows_added"] == 1


def test_keep_versions_setting_limits_the_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert keep_setting({}) is None and keep_setting({"CATALOG_KEEP_VERSIONS": "0"}) is None
    assert keep_setting({"CATALOG_KEEP_VERSIONS": "x"}) is None
    assert keep_setting({"CATALOG_KEEP_VERSIONS": "3"}) == 3
    monkeypatch.setenv("CATALOG_KEEP_VERSIONS", "1")
    content = write_content(tmp_path / "content")
    out = tmp_path / "build"
    assert build(content, out).all_published
    first = _state(out)["datasets"][LICENCIAS_ID]["history"][0]["snapshot"]
    _change(content)
    assert build(content, out).all_published
    history = _state(out)["datasets"][LICENCIAS_ID]["history"]
    assert len(history) == 1 and history[0]["version"] == "1.1.0"
    assert not (out / "state" / "datasets" / first).exists()
    assert len(_entry(out, LICENCIAS_ID)["versions"]) == 1


# ------------------------------------------------------------------ the diff itself


def _db(path: Path, rows: list[tuple], key: bool) -> Path:
    conn = sqlite3.connect(path)
    pk = " primary key" if key else ""
    conn.execute(f'create table "t" (id integer{pk}, name text, amount real)')
    conn.executemany('insert into "t" values (?, ?, ?)', rows)
    conn.commit()
    conn.close()
    return path


def _version(id_: str, rows: int, key: bool, snapshot: str = "") -> VersionRecord:
    columns = [["id", "integer"], ["name", "string"], ["amount", "number"]]
    table = TableRecord("t", "t", rows, ["id"] if key else [], columns)
    return VersionRecord(id_, id_ * 4, snapshot or id_, "2025-01-01T00:00:00+00:00", tables=[table])


OLD_ROWS = [(1, "a", 1.0), (2, "b", 2.0), (3, "c", 3.0), (3, "c", 3.0)]
NEW_ROWS = [(1, "a", 1.0), (2, "B", 2.0), (3, "c", 3.0), (4, "d", 4.0)]


def test_rows_without_a_key_are_compared_by_their_hash(tmp_path: Path):
    old = _db(tmp_path / "old.db", OLD_ROWS, key=False)
    new = _db(tmp_path / "new.db", NEW_ROWS, key=False)
    diff = compare(old, new, _version("a", 4, False), _version("b", 4, False), "a")
    (table,) = diff["tables"]
    assert table["by"] == "row" and table["status"] == "changed"
    # (2, "B") and (4, "d") are new; (2, "b") and one of the two (3, "c") are gone.
    assert (diff["rows_added"], diff["rows_removed"], diff["rows_changed"]) == (2, 2, 0)


def test_rows_with_a_key_are_matched_by_it(tmp_path: Path):
    old = _db(tmp_path / "old.db", OLD_ROWS[:3], key=True)
    new = _db(tmp_path / "new.db", NEW_ROWS, key=True)
    diff = compare(old, new, _version("a", 3, True), _version("b", 4, True), "a")
    assert (diff["rows_added"], diff["rows_removed"], diff["rows_changed"]) == (1, 0, 1)
    same = compare(old, old, _version("a", 3, True), _version("b", 3, True), "a")
    assert same["tables"][0]["status"] == "unchanged"


def test_a_big_table_is_only_counted(tmp_path: Path):
    old = _db(tmp_path / "old.db", OLD_ROWS[:3], key=True)
    new = _db(tmp_path / "new.db", NEW_ROWS, key=True)
    diff = compare(old, new, _version("a", 3, True), _version("b", 4, True), "a", limit=5)
    assert not diff["complete"] and not diff["tables"][0]["compared"]
    assert (diff["rows_added"], diff["rows_removed"]) == (1, 0)


def test_the_same_data_in_a_new_snapshot_replaces_the_latest_version(tmp_path: Path):
    for name, rows in (("a", OLD_ROWS[:3]), ("b", OLD_ROWS[:3])):
        (tmp_path / name).mkdir()
        _db(tmp_path / name / "data.db", rows, key=True)
    history = [_version("a", 3, True)]
    history = add_version(history, _version("b", 3, True), tmp_path, "data.db")
    assert [(v.id, v.snapshot) for v in history] == [("a", "b")]


def test_lowering_the_setting_drops_the_oldest_versions_at_the_next_build(
    rebuilt: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
):
    content, out = rebuilt
    old = _state(out)["datasets"][LICENCIAS_ID]["history"][0]
    old_csv = urls.version_download("muni-mixco", "licencias", old["id"], "licencias")
    assert (out / "site" / old_csv.lstrip("/")).is_file()
    monkeypatch.setenv("CATALOG_KEEP_VERSIONS", "1")
    assert build(content, out).changed  # a new release, without the dropped version
    assert len(_state(out)["datasets"][LICENCIAS_ID]["history"]) == 1
    assert not (out / "state" / "datasets" / old["snapshot"]).exists()
    assert not (out / "site" / old_csv.lstrip("/")).exists()
    assert len(_entry(out, LICENCIAS_ID)["versions"]) == 1
