"""Rebuilding the static site in place (catalog/site/writer.py): an older site nothing
serves any more (the spare) is moved into the new site's place and brought up to date.

Whatever the spare held, the result must be the very site a build from scratch makes
of the same data: every page, listing, search file, DCAT page, feed and download that
shows a corrected dataset shows the correction, nothing a removed dataset had
survives, and the site being served (the previous one, whose files the spare shares
by hard link) is never written through.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest
from conftest import bench_site

from catalog.bench import site as bench
from catalog.build.site import write_site
from catalog.site import search
from catalog.site.writer import SiteWriter, state_path
from catalog.standards import dcat

COUNT = 36


def _files(folder: Path) -> dict[str, str]:
    """Every file of a site: path -> digest (XLSX by name only: openpyxl stamps the time)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        found[name] = (
            "xlsx" if name.endswith(".xlsx") else hashlib.sha256(path.read_bytes()).hexdigest()
        )
    return found


def _same_site(one: Path, other: Path) -> None:
    """The same site: every file byte for byte, but the search index's, whose dataset
    numbers a site keeps from build to build (catalog/site/search.py): those must hold
    the same once read back with ids for numbers."""
    files = {p: d for p, d in _files(one).items() if "search/" not in p or p.endswith(".html")}
    assert files == {
        p: d for p, d in _files(other).items() if "search/" not in p or p.endswith(".html")
    }
    for folder in ("search", "en/search"):
        assert search.read_back(one / folder) == search.read_back(other / folder)


def _inodes(folder: Path) -> dict[str, tuple[int, str]]:
    return {
        p.relative_to(folder).as_posix(): (
            p.stat().st_ino,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture()
def catalogue(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 10)  # a paged DCAT catalogue
    monkeypatch.setattr(search, "BLOCK", 4)
    manifests = [bench.manifest(i) for i in range(COUNT)]
    database = tmp_path / "catalogo.db"
    bench._database(database, manifests)

    def build(name: str, items, previous: str | None = None, spare: str | None = None):
        return bench_site(tmp_path, name, items, previous=previous, spare=spare)

    return tmp_path, manifests, build


def test_nothing_changed_leaves_every_file_in_place(catalogue):
    tmp, manifests, build = catalogue
    first = build("one", manifests)
    build("two", manifests, previous="one")
    before = _files(tmp / "one" / "site")
    third = build("three", manifests, previous="two", spare="one")
    assert third.written == 0 and third.reused == first.written
    assert not (tmp / "one" / "site").exists()  # moved, not copied
    assert _files(tmp / "three" / "site") == before == _files(tmp / "two" / "site")


def test_a_corrected_title_reaches_every_file_that_shows_it(catalogue):
    tmp, manifests, build = catalogue
    build("one", manifests)
    build("two", manifests, previous="one")
    served = _inodes(tmp / "two" / "site")
    changed = copy.deepcopy(manifests)
    old_title = changed[17]["package"]["title"]
    changed[17]["package"]["title"] = "Título corregido del conjunto"
    fourth = build("three", changed, previous="two", spare="one")
    build("fresh", changed)
    site = tmp / "three" / "site"
    _same_site(site, tmp / "fresh" / "site")  # as from scratch
    assert _inodes(tmp / "two" / "site") == served  # the served site was not written through
    showing = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and b"tulo corregido del conjunto" in p.read_bytes()
    }
    for expected in (
        "datasets/pub-17/conjunto-00017/index.html",
        "en/datasets/pub-17/conjunto-00017/index.html",
        "browse/index.html",
        "publishers/pub-17/index.html",
        "data.json",
        "feeds/datasets.atom",
    ):
        assert expected in showing, expected
    assert any(p.startswith("search/docs/") for p in showing)
    assert any(p.startswith("catalog/page-") and p.endswith(".ttl") for p in showing)
    for path in site.rglob("*"):
        if path.is_file() and not path.name.endswith((".xlsx", ".zip", ".gz", ".parquet")):
            assert old_title.encode() not in path.read_bytes(), path
    assert 0 < fourth.written < fourth.reused / 5


def test_nothing_changed_moves_the_spare_without_reading_it(catalogue, monkeypatch):
    tmp, manifests, build = catalogue
    first = build("one", manifests)
    build("two", manifests, previous="one")

    def unread(*args, **kwargs):
        raise AssertionError("a site's whole state was read")

    monkeypatch.setattr(SiteWriter, "_adopt", unread)
    third = build("three", manifests, previous="two", spare="one")
    assert third.complete and third.written == 0 and third.reused == len(first.keys)
    assert _files(tmp / "three" / "site") == _files(tmp / "two" / "site")
    # Anything the site is made of that changed (here the day: quality, overdue flags)
    # makes it a real rebuild.
    monkeypatch.undo()
    monkeypatch.setattr(dcat, "PAGE_SIZE", 10)
    monkeypatch.setattr(search, "BLOCK", 4)
    later = write_site(
        tmp / "four" / "site",
        copy.deepcopy(manifests),
        bench._publishers(),
        "es",
        database=tmp / "catalogo.db",
        previous=tmp / "three" / "site",
        spare=tmp / "two" / "site",
        today=bench.TODAY.replace(year=bench.TODAY.year + 1),
    )
    assert not later.complete and later.written > 0


def test_a_removed_dataset_leaves_nothing_behind(catalogue):
    tmp, manifests, build = catalogue
    build("one", manifests)
    build("two", manifests, previous="one")
    fewer = [m for i, m in enumerate(manifests) if i != 5]
    build("three", fewer, previous="two", spare="one")
    build("fresh", fewer)
    _same_site(tmp / "three" / "site", tmp / "fresh" / "site")
    assert not (tmp / "three" / "site" / "datasets/pub-05/conjunto-00005").exists()


def test_an_interrupted_update_is_never_taken_for_a_complete_site(catalogue, monkeypatch):
    tmp, manifests, build = catalogue
    build("one", manifests)
    build("two", manifests, previous="one")

    def fail(self) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(SiteWriter, "save", fail)
    changed = copy.deepcopy(manifests)
    changed[3]["package"]["title"] = "Otro título"
    with pytest.raises(RuntimeError):
        build("three", changed, previous="two", spare="one")
    monkeypatch.undo()
    monkeypatch.setattr(dcat, "PAGE_SIZE", 10)
    monkeypatch.setattr(search, "BLOCK", 4)
    assert not state_path(tmp / "three" / "site").exists()
    # The half-updated folder is no spare: the next build links from the previous site.
    again = build("four", manifests, previous="two", spare="three")
    assert again.written == 0
    assert (tmp / "three" / "site").exists()  # not adopted
    assert _files(tmp / "four" / "site") == _files(tmp / "two" / "site")
