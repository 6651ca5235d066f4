"""The API's search file (``search.db``, catalog/api/searchfile.py): written once per release
by the build, read by every worker from disk; the same answers as the index it replaced
(tests/test_api*.py, test_ckan.py and test_search_consistency.py hold those), and what is
new: the reader's lazy index, the private copy for a release without a usable file, links
made with the address served, and the two ways phrases and facets are counted."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import shutil
import sqlite3
from fnmatch import fnmatchcase
from pathlib import Path

import orjson
import pytest
from test_serve import AppClient

from catalog.api import catalogue as catalogue_module
from catalog.api import create_api, searchfile, searchwrite, shapes
from catalog.api.catalogue import Catalogue, Releases
from catalog.api.limits import LimitSettings
from catalog.api.search import SearchIndex
from catalog.api.searchfile import from_blob
from catalog.release.index import BrokenRelease
from catalog.release.layout import CURRENT, ReleaseFolder
from catalog.release.reader import CurrentRelease, Release, open_release, read_index
from catalog.release.search import META_INDEX

QUERIES = [
    {"q": "salud"},
    {"q": "educación", "sort": "metadata_modified desc"},
    {"q": "municipios escuelas"},
    {"q": '"presupuesto municipal"'},
    {"q": "vacun*"},
    {"q": "title:pobla*"},
    {"fq": "res_format:CSV", "facet.field": '["organization","tags","res_format"]'},
    {"fq": "-organization:ine", "facet.field": '["organization","groups"]', "facet.limit": "-1"},
    {"q": "territory:01", "sort": "title_string desc", "rows": "3", "start": "2"},
    {"fq": "metadata_modified:[2020-01-01T00:00:00Z TO *]", "sort": "name desc"},
    {"q": "obligations:*", "facet.field": '["obligations"]', "facet.mincount": "0"},
]


def _answers(release: Release) -> list[bytes]:
    client = AppClient(create_api(lambda: release, limits=LimitSettings(None)))
    return [client.get("/api/3/action/package_search", params=params).content for params in QUERIES]


@pytest.fixture
def copy(demo_build: Path, tmp_path: Path) -> Path:
    """A copy of the demo's current release (tests change it)."""
    target = tmp_path / "release"
    shutil.copytree((demo_build / CURRENT).resolve(), target, symlinks=True)
    return target


# ------------------------------------------------------------------ what the build writes


def test_the_build_writes_the_search_file_beside_the_index(demo_build: Path):
    folder = ReleaseFolder((demo_build / CURRENT).resolve())
    assert folder.search.is_file()
    store = searchfile.SearchFile(folder.search)
    index = json.loads(folder.index.read_text("utf-8"))
    assert store.size == len(index["datasets"])
    assert store.meta["format"] == searchfile.FORMAT
    assert store.meta["fingerprint"] == searchwrite.fingerprint()
    assert store.meta[META_INDEX] == hashlib.sha256(folder.index.read_bytes()).hexdigest()
    assert json.loads(store.meta["publishers"]) == index["publishers"]
    with pytest.raises(sqlite3.OperationalError):  # opened read-only
        store._conn().execute("DELETE FROM meta")


def test_the_api_serves_a_release_without_parsing_its_index(
    demo_build: Path, monkeypatch: pytest.MonkeyPatch
):
    # Releases are shared by folder within a process (another test may have read this
    # one's index): a fresh view of the same folder, and any parse of an index refused.
    from catalog.release import reader as release_reader

    folder = ReleaseFolder((demo_build / CURRENT).resolve())
    release = release_reader.Release(folder)
    parsed: list[Path] = []
    real = release_reader.read_index
    monkeypatch.setattr(
        release_reader, "read_index", lambda path: parsed.append(path) or real(path)
    )
    client = AppClient(create_api(lambda: release, limits=LimitSettings(None)))
    assert client.get("/api/3/action/package_search", params={"q": "salud"}).status_code == 200
    bono = client.get("/api/3/action/package_show", params={"id": "mides--bono-social-cobertura"})
    assert bono.json()["result"]["name"] == "mides--bono-social-cobertura"
    assert client.get("/api/v1/datasets", params={"q": "agua"}).status_code == 200
    assert not release.index_loaded and parsed == []  # the API read search.db only
    assert release.index["datasets"]  # a reader of the index still gets it, when it asks
    assert release.index_loaded and parsed == [folder.index]


def test_an_index_changed_after_the_build_is_refused(copy: Path):
    assert not open_release(copy).index_loaded
    index = json.loads((copy / "index.json").read_text("utf-8"))
    index["datasets"] = index["datasets"][1:]
    (copy / "index.json").write_text(json.dumps(index), "utf-8")
    with pytest.raises(BrokenRelease):
        open_release(copy)


def test_a_release_without_a_search_file_has_its_index_checked_at_once(copy: Path):
    (copy / "search.db").unlink()
    release = open_release(copy)
    assert release.index_loaded  # parsed and checked, as before search files
    (copy / "index.json").write_text("{not json", "utf-8")
    with pytest.raises(ValueError):
        open_release(copy)


# ------------------------------------------------------------------ the private copy


def test_a_release_without_a_search_file_is_served_from_a_private_copy(copy: Path):
    expected = _answers(open_release(copy))
    (copy / "search.db").unlink()
    assert _answers(open_release(copy)) == expected
    private = catalogue_module.build(open_release(copy))
    folder = private.store.path.parent
    assert folder != copy and private.store.path.is_file()
    del private
    gc.collect()
    assert not folder.exists()  # removed with the catalogue


def test_a_search_file_of_other_code_is_not_used(
    copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    release = open_release(copy)
    expected = _answers(release)
    monkeypatch.setattr(searchwrite, "fingerprint", lambda: "other code")
    with caplog.at_level(logging.WARNING, logger="catalog.api"):
        cat = catalogue_module.build(release)
    assert "written by other code" in caplog.text
    assert cat.store.path != (copy / "search.db").resolve()
    assert not release.index_loaded  # written by a child process, from index.json
    assert _answers(open_release(copy)) == expected  # from a private copy too


def test_a_release_made_in_memory_is_searched(demo_build: Path):
    index = read_index(demo_build / "index.json")
    release = Release(ReleaseFolder(Path("/nonexistent/release")), index)
    client = AppClient(create_api(lambda: release, limits=LimitSettings(None)))
    body = client.get("/api/3/action/package_search", params={"q": "salud"}).json()
    assert body["result"]["count"] > 0


# ------------------------------------------------------------------ packages and links


def test_links_follow_the_address_served(demo_build: Path, monkeypatch: pytest.MonkeyPatch):
    cat = Releases(CurrentRelease(demo_build)).get()
    assert cat is not None
    pos = cat.find("mides--bono-social-cobertura")
    assert pos is not None
    for base in ("http://one.example", "https://two.example/portal"):
        monkeypatch.setenv("CATALOG_BASE_URL", base)
        served = cat.package_json([pos])[0]
        assert served == orjson.dumps(shapes.package(cat.dataset(pos), cat.publishers))
        assert base.encode() + b"/datasets/mides/" in served
        assert searchfile.PLACEHOLDER_JSON not in served


def test_a_dataset_whose_text_holds_the_placeholder_gets_its_package_made(demo_build: Path):
    index = read_index(demo_build / "index.json")
    index["datasets"][0]["description"] = "Texto con " + searchfile.PLACEHOLDER + "/x"
    index["datasets"][0]["readme"] = None
    release = Release(ReleaseFolder(Path("/nonexistent/release")), index)
    cat = catalogue_module.build(release)
    pos = cat.find(index["datasets"][0]["id"])
    assert pos is not None
    assert cat.store.packages([pos]) == [None]  # not stored, made when asked
    made = orjson.loads(cat.package_json([pos])[0])
    assert made == shapes.package(index["datasets"][0], index["publishers"])
    assert made["notes"].endswith(searchfile.PLACEHOLDER + "/x")


# ------------------------------------------------------------------ phrases and facets


@pytest.fixture(scope="module")
def demo_cat(demo_build: Path) -> Catalogue:
    cat = Releases(CurrentRelease(demo_build)).get()
    assert cat is not None
    return cat


@pytest.mark.parametrize("phrase", ['"presupuesto municipal"', '"de salud"', '"datos abiertos"'])
def test_phrases_are_found_alike_among_few_or_many_candidates(
    demo_cat: Catalogue, monkeypatch: pytest.MonkeyPatch, phrase: str
):
    few = demo_cat.search.search(q=phrase, rows=100)
    monkeypatch.setattr(searchfile, "PHRASE_SCAN", 0)  # every text scanned
    many = demo_cat.search.search(q=phrase, rows=100)
    assert (few.count, few.positions) == (many.count, many.positions)


def _brute_facets(cat: Catalogue, positions: set[int], field: str) -> dict[str, int]:
    """Counts from the stored keyword postings, one value at a time."""
    counts = {}
    rows = cat.store._rows("SELECT original, positions FROM keys WHERE field = ?", (field,))
    for original, blob in rows:
        n = len(positions & set(searchfile.from_blob("i", blob)))
        if n:
            counts[original] = n
    return counts


@pytest.mark.parametrize(
    "fq", ["organization:ine", "-organization:ine", "res_format:csv", "*:*", "tags:salud"]
)
def test_facets_count_the_matches_or_the_rest_alike(demo_cat: Catalogue, fq: str):
    names = ["organization", "tags", "groups", "res_format", "license_id", "frequency"]
    found = demo_cat.search.search(fq=[fq], rows=0, facet_fields=names, facet_limit=-1)
    matches, _terms = demo_cat.search.match(None, [fq])
    assert found.count == len(matches)
    for name in names:
        assert dict(found.facets[name]) == _brute_facets(demo_cat, set(matches), name), name


def test_a_facet_on_a_field_of_one_value_per_dataset(demo_cat: Catalogue):
    found = demo_cat.search.search(q="salud", facet_fields=["name"], facet_limit=-1)
    names = {n for n, _c in found.facets["name"]}
    assert len(names) == found.count and all(c == 1 for _n, c in found.facets["name"])


def test_wildcards_match_every_stem_they_fit(demo_cat: Catalogue):
    rows = demo_cat.store._rows("SELECT term, positions FROM terms")
    for pattern in ("vacun*", "*cion", "s?lud", "[ab]*", "*", "zzz*"):
        expected = [p for t, b in rows if fnmatchcase(t, pattern) for p in from_blob("i", b)]
        found = demo_cat.store.terms_matching(pattern).positions
        assert sorted(found) == sorted(expected), pattern


def test_prefixes_and_their_successors():
    assert searchfile.literal_prefix("vacun*") == "vacun"
    assert searchfile.literal_prefix("a?b") == "a"
    assert searchfile.literal_prefix("[ab]c") == ""
    assert searchfile.successor("vacun") == "vacuo"
    assert searchfile.successor("a\ud7ff") is None  # nothing to write after it in UTF-8


def test_sort_orders_and_ranges_come_from_the_file(demo_cat: Catalogue):
    index: SearchIndex = demo_cat.search
    entries = demo_cat.datasets(list(range(demo_cat.size)))
    by_name = index.search(sort="name asc", rows=1000).positions
    assert by_name == list(range(demo_cat.size))  # positions follow CKAN names
    newest = index.search(sort="metadata_modified desc", rows=1000).positions
    modified = [shapes.dates(entries[p])[1] for p in newest]
    assert modified == sorted(modified, reverse=True)
    middle = sorted(modified)[len(modified) // 2][:19]
    since = index.search(fq=[f"metadata_modified:[{middle}Z TO *]"], rows=1000)
    assert since.count == sum(m[:19] >= middle for m in modified)
