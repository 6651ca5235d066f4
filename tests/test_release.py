"""The release format (catalog/release): what the build writes is what the types say,
and the one reader follows ``current``, loads each release once and refuses a broken one."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from test_build import LICENCIAS, write_content

from catalog.build import build
from catalog.build.publish import read_manifest
from catalog.release.index import (
    BrokenRelease,
    DatasetEntry,
    FieldEntry,
    ReleaseIndex,
    ResourceEntry,
    TableEntry,
    parse_index,
)
from catalog.release.layout import CURRENT, ReleaseFolder
from catalog.release.manifest import Column, Manifest, TablePlan
from catalog.release.reader import CurrentRelease, open_release


def keys(typed: type) -> set[str]:
    return set(typed.__annotations__)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    out = tmp_path / "build"
    assert build(content, out).all_published
    return out


def _rebuild_with_a_change(content: Path, out: Path) -> None:
    csv = content / "datasets" / "muni-mixco" / "licencias" / "data" / "licencias.csv"
    csv.write_text(LICENCIAS + "104,Remodelación,7,2024-03-01,Muro perimetral\n", "utf-8")
    assert build(content, out).changed


# ------------------------------------------------------------------ what the build writes


def test_the_layout_names_what_the_build_writes(built: Path):
    folder = ReleaseFolder((built / CURRENT).resolve())
    for path in (folder.index, folder.database, folder.metadata, folder.inspect):
        assert path.is_file(), path
    assert (folder.site / "index.html").is_file()
    assert folder.id == folder.path.name and folder.path.parent.name == "releases"


def test_the_index_entries_are_what_their_types_say(built: Path):
    index = json.loads((built / "index.json").read_text("utf-8"))
    assert set(index) == keys(ReleaseIndex)
    assert index["datasets"]
    for dataset in index["datasets"]:
        assert set(dataset) == keys(DatasetEntry), dataset["id"]
        for table in dataset["tables"]:
            assert set(table) == keys(TableEntry)
        for resource in dataset["resources"]:
            assert set(resource) == keys(ResourceEntry)
            for field in resource["fields"]:
                assert set(field) == keys(FieldEntry)
    assert parse_index(index) is index


def test_a_manifest_is_what_its_type_says(built: Path):
    state = json.loads((built / "state" / "state.json").read_text("utf-8"))
    snapshot = state["datasets"]["mides/bono-social"]["published"]["snapshot"]
    manifest = read_manifest(built / "state" / "datasets" / snapshot)
    assert manifest is not None
    assert set(manifest) == keys(Manifest)  # content_hash included: a fresh snapshot
    for plan in manifest["tables"]:
        assert set(plan) == keys(TablePlan)
        for column in plan["columns"]:
            assert set(column) == keys(Column)


@pytest.mark.parametrize(
    "broken",
    [
        [],
        {"generated": "2025-01-01", "publishers": {}},
        {"generated": "2025-01-01", "datasets": [{"id": "a/b"}], "publishers": {}},
        {"generated": "2025-01-01", "datasets": [], "publishers": {"mides": "MIDES"}},
        {"datasets": [], "publishers": {}},
    ],
)
def test_a_malformed_index_is_refused(broken: object):
    with pytest.raises(BrokenRelease):
        parse_index(broken)


# ------------------------------------------------------------------ the reader


def test_before_the_first_build_there_is_no_release(tmp_path: Path):
    assert CurrentRelease(tmp_path / "nothing-yet")() is None


def test_the_reader_loads_a_release_once_and_follows_current(content: Path, built: Path):
    first_reader, second_reader = CurrentRelease(built), CurrentRelease(built)
    first = first_reader()
    assert first is not None and first.folder.path == (built / CURRENT).resolve()
    assert first_reader() is first  # not loaded again while current stays
    assert second_reader() is first  # another reader in the process shares it
    assert {d["id"] for d in first.index["datasets"]} == {
        "mides/bono-social",
        "muni-mixco/licencias",
    }

    _rebuild_with_a_change(content, built)
    second = first_reader()
    assert second is not None and second.id != first.id
    assert second.folder.path == (built / CURRENT).resolve()
    rows = {d["id"]: d["resources"][0]["rows"] for d in second.index["datasets"]}
    assert rows["muni-mixco/licencias"] == 4
    assert first.index["datasets"]  # a release already handed out stays whole


def test_a_broken_release_is_refused_and_the_previous_one_kept(
    built: Path, caplog: pytest.LogCaptureFixture
):
    reader = CurrentRelease(built)
    good = reader()
    assert good is not None
    broken = built / "releases" / "broken"
    shutil.copytree(good.folder.path, broken, symlinks=True)
    (broken / "sql" / "catalogo.db").unlink()
    link = built / ".swap"
    os.symlink(Path("releases") / "broken", link)
    os.replace(link, built / CURRENT)
    with caplog.at_level(logging.WARNING, logger="catalog.release"):
        assert reader() is good
    assert "cannot load release" in caplog.text
    with pytest.raises(BrokenRelease):
        open_release(broken)
    (broken / "index.json").write_text("{not json", "utf-8")
    with pytest.raises(ValueError):
        open_release(broken)
