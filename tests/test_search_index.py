"""The static search index (catalog/site/search.py): stable dataset numbers, files
rewritten only where a change shows, exact title order, encodings that read back, and
search.js in Chromium (results as a word is typed, title order across holes)."""

from __future__ import annotations

import contextlib
import copy
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import bench_site
from playwright.sync_api import expect

from catalog import territories
from catalog.bench import scale
from catalog.bench import site as bench
from catalog.site import jobs, search
from catalog.site.pages import sort_key
from catalog.site.writer import SiteWriter

COUNT = 40


def test_a_first_numbering_is_the_title_order():
    assert search.numbering(["c", "a", "b"], None) == {"c": 0, "a": 1, "b": 2}
    assert search.numbering(["c", "a", "b"], {}) == {"c": 0, "a": 1, "b": 2}


def test_numbers_stay_and_new_datasets_fill_holes_then_the_end():
    previous = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    # Titles moved, "b" and "d" removed, three new ones (in title order: "y", "x", "z").
    found = search.numbering(["e", "y", "a", "x", "c", "z"], previous)
    assert {d: found[d] for d in "ace"} == {"a": 0, "c": 2, "e": 4}
    assert (found["y"], found["x"], found["z"]) == (1, 3, 5)
    # The last number removed: the numbering ends earlier; a hole stays a hole.
    assert search.numbering(["a", "c"], previous) == {"a": 0, "c": 2}


def test_lists_of_numbers_and_postings_survive_their_encoding():
    rng = random.Random(3)
    for count in (1, 7, 600, 70_001):
        for density in (0.001, 0.2, 0.9):
            docs = sorted(d for d in range(count) if rng.random() < density)
            assert search.decode_docs(search.encode_docs(docs, count)) == docs
    order = rng.sample(range(5000), 5000)
    assert search.decode_order(search.encode_order(order)) == order
    assert search.encode_order([0, 1, 2, 3, 1]) == "ACCCD"  # +1 steps: one character
    postings = [(n, rng.choice([0.5, 1.0, 3.0, 6.5])) for n in sorted(rng.sample(range(9000), 300))]
    assert search.decode_postings(search.encode_postings(postings)) == dict(postings)


def _items(count: int) -> tuple[list[dict], dict]:
    from catalog.site.model import summary

    manifests = {m["dataset"]: m for m in (scale.manifest(i) for i in range(count))}
    items = [
        summary(m, {"territories": m["package"]["spatial"]["departments"]}, {}, bench.TODAY)
        for m in manifests.values()
    ]
    items.sort(key=lambda i: (sort_key(i["title"]), i["id"]))
    return items, manifests


def _write(folder: Path, contents: dict[str, str]) -> Path:
    for name, content in contents.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return folder


def test_any_numbering_makes_the_same_index(tmp_path: Path, monkeypatch):
    """Numbers with holes, in no order, read back to what title-order numbers hold."""
    monkeypatch.setattr(search, "ORDER_CHUNK", 7)  # several files of the title order
    monkeypatch.setattr(search, "FIRST", 5)
    items, manifests = _items(COUNT)
    publishers = scale._publishers()
    plain = search.files(items, manifests, publishers, "es")
    ids = [i["id"] for i in items]
    scattered = dict(
        zip(random.Random(5).sample(ids, len(ids)), range(0, 3 * COUNT, 3), strict=True)
    )
    holey = search.files(items, manifests, publishers, "es", numbers=scattered)
    first = search.read_back(_write(tmp_path / "plain", plain))
    second = search.read_back(_write(tmp_path / "holey", holey))
    assert first == second
    assert second["order"] == ids  # exactly the title order
    assert second["live"] == COUNT
    assert set(second["records"]) == set(ids)


@pytest.fixture()
def catalogue(tmp_path: Path, monkeypatch):
    # A shard carries the records of the datasets each stem ranks first: with a few
    # datasets, nearly all of them unless fewer are kept.
    monkeypatch.setattr(search, "TOP", 2)
    # The pages in this process (no workers): what is tested is the index, and these
    # small builds are quicker without starting processes.
    monkeypatch.setattr(jobs, "MIN_PARALLEL", 10**9)
    manifests = [bench.manifest(i) for i in range(COUNT + 1)]
    database = tmp_path / "catalogo.db"
    bench._database(database, manifests)

    def build(name: str, items, previous: str | None = None):
        return bench_site(tmp_path, name, items, previous=previous)

    return tmp_path, manifests, build


def _numbers(site: Path) -> dict[str, int]:
    """The numbers a built site kept for the next build (what the next one recalls)."""
    return SiteWriter(site.with_name("next"), site).recall("search-numbers")


def _search_written(writer, before) -> list[str]:
    return sorted(p for p, k in writer.keys.items() if "search/" in p and k != before.keys.get(p))


def _changed(manifests: list[dict], how: str) -> list[dict]:
    changed = copy.deepcopy(manifests[:COUNT])
    target = changed[COUNT // 2]["package"]
    if how == "title":
        target["title"] = "Aaa, el primero por su título nuevo"
    elif how == "description":
        target["description"] = "Otra descripción: ornitología."
    elif how == "facet":
        target["frequency"] = "weekly" if target["frequency"] != "weekly" else "daily"
    elif how == "added":
        changed.append(copy.deepcopy(manifests[COUNT]))
    elif how == "removed":
        del changed[COUNT // 2]
    return changed


def _holding(folder: Path, dataset: str) -> set[str]:
    """The index files of a language that may show ``dataset``: the shards of its stems,
    its block, and the files of facets, dates and title order."""
    head = json.loads((folder / "index.json").read_text())
    found = {"index.json", "modified.json"} | {f"order/{k}.json" for k in range(99)}
    found |= {p.relative_to(folder).as_posix() for p in folder.glob("facets/*.json")}
    content = search.read_back(folder)
    found |= {
        f"terms/{search.shard(t)}.json" for t, p in content["postings"].items() if dataset in p
    }
    for path in folder.glob("docs/*.json"):
        if any(row and row[0] == dataset for row in json.loads(path.read_text())):
            found.add(f"docs/{path.name}")
    assert head["live"] == content["live"]
    return found


@pytest.mark.parametrize("how", ["title", "description", "facet", "added", "removed"])
def test_one_change_rewrites_only_the_search_files_that_hold_it(catalogue, how: str):
    tmp, manifests, build = catalogue
    first = build("one", manifests[:COUNT])
    changed = _changed(manifests, how)
    second = build("two", changed, previous="one")
    written = _search_written(second, first)
    dataset = manifests[COUNT if how == "added" else COUNT // 2]["dataset"]
    for lang, folder in (("es", "search"), ("en", "en/search")):
        allowed = set()
        for site in ("one", "two"):
            allowed |= _holding(tmp / site / "site" / folder, dataset)
        mine = {p.removeprefix(folder + "/") for p in written if p.startswith(folder + "/")}
        assert mine and mine <= allowed, (lang, mine - allowed)
        if how == "description":  # nothing of facets, dates or title order
            assert not any(p.startswith(("order/", "facets/", "modified")) for p in mine)
    fresh = build("fresh", changed)
    for folder in ("search", "en/search"):
        kept = search.read_back(tmp / "two" / "site" / folder)
        assert kept == search.read_back(tmp / "fresh" / "site" / folder)
        titles = [kept["records"][d][2] for d in kept["order"]]
        assert titles == sorted(titles, key=sort_key)
        assert kept["live"] == len(changed)
    numbers = _numbers(tmp / "two" / "site")
    before = _numbers(tmp / "one" / "site")
    if how != "removed":  # every dataset kept its number
        assert {d: numbers[d] for d in before} == before
    else:
        assert sorted(numbers.values()) != list(range(len(changed)))  # a hole
    assert fresh.written > 0


def test_a_new_dataset_takes_the_hole_a_removed_one_left(catalogue):
    tmp, manifests, build = catalogue
    build("one", manifests[:COUNT])
    removed = manifests[COUNT // 2]["dataset"]
    build("two", [m for m in manifests[:COUNT] if m["dataset"] != removed], previous="one")
    build("three", manifests[: COUNT // 2] + manifests[COUNT // 2 + 1 :], previous="two")
    numbers = _numbers(tmp / "three" / "site")
    assert numbers[manifests[COUNT]["dataset"]] == _numbers(tmp / "one" / "site")[removed]
    assert sorted(numbers.values()) == list(range(COUNT))


# ------------------------------------------------------------------ Chromium


@contextlib.contextmanager
def _served(folder: Path, browser):
    """A browser context on a plain file server of ``folder`` (no server-side search)."""
    server = scale._file_server(folder, scale._Quiet)
    context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield context
    finally:
        context.close()
        server.shutdown()


@pytest.fixture(scope="module")
def typed_site(tmp_path_factory, browser):
    """A search page over an index with holes and numbers in no title order, served by a
    plain file server (no server-side search)."""
    folder = tmp_path_factory.mktemp("typed")
    scale.search_site(folder, 120)
    items, manifests = _items(120)
    ids = [i["id"] for i in items]
    numbers = dict(zip(random.Random(9).sample(ids, len(ids)), range(0, 240, 2), strict=True))
    search_folder = folder / "search"
    for path in search_folder.rglob("*.json"):
        path.unlink()
    _write(
        search_folder, search.files(items, manifests, scale._publishers(), "es", numbers=numbers)
    )
    with _served(folder, browser) as context:
        yield context, items


def test_the_listing_is_in_title_order_across_holes(typed_site):
    context, items = typed_site
    page = context.new_page()
    page.goto("/search/")
    page.wait_for_function("document.querySelector('#results').dataset.query === ''")
    titles = page.locator("#results h3 a").all_inner_texts()
    assert titles == [i["title"] for i in items[:20]]
    assert page.locator("#status").inner_text() == "120 conjuntos de datos encontrados"
    page.goto("/search/?q=salud&sort=title")
    page.wait_for_function("document.querySelector('#results').dataset.query === 'salud'")
    shown = page.locator("#results h3 a").all_inner_texts()
    assert shown == sorted(shown, key=sort_key) and len(shown) > 1
    page.close()


def test_a_word_is_fetched_and_found_as_it_is_typed(typed_site):
    context, _items = typed_site
    page = context.new_page()
    asked: list[tuple[float, str]] = []
    page.on("request", lambda r: asked.append((time.monotonic(), r.url)))
    page.goto("/search/")
    page.wait_for_function("document.querySelector('#results').dataset.query === ''")
    box = page.get_by_label("Palabras a buscar")
    box.press_sequentially("salu", delay=120)
    typed_at = time.monotonic()
    box.press_sequentially("d", delay=0)
    # Its shard was asked for while the word was being typed, before its last key ...
    assert [u for t, u in asked if u.endswith("/search/terms/sal.json") and t < typed_at]
    # ... and its results show without Enter, announced once in the status.
    page.wait_for_function("document.querySelector('#results').dataset.query === 'salud'")
    expected = page.evaluate("q => window.catalogSearch.find(q)", "salud")
    links = page.locator("#results h3 a").evaluate_all("as => as.map(a => a.pathname)")
    assert len(links) == min(20, len(expected)) > 0
    assert [link.split("/")[-2] for link in links] == [d.split("/")[1] for d in expected[:20]]
    assert page.locator("#status").inner_text().endswith("encontrados")
    assert "q=salud" in page.url
    page.close()


@pytest.fixture()
def untopped_site(tmp_path: Path, browser):
    """A search page whose term shards carry no records (as a query of several words
    finds datasets no one word ranks first)."""
    scale.search_site(tmp_path, 120)
    items, manifests = _items(120)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "TOP", 0)
        _write(tmp_path / "search", search.files(items, manifests, scale._publishers(), "es"))
    with _served(tmp_path, browser) as context:
        yield context, items


def test_a_second_word_is_guessed_and_its_results_fetched_before_the_last_key(untopped_site):
    """While the last word of several is typed, the results of its likeliest completion
    are worked out and their records fetched: at the last key nothing is left to fetch."""
    context, _items = untopped_site
    page = context.new_page()
    asked: list[tuple[float, str]] = []
    page.on("request", lambda r: asked.append((time.monotonic(), r.url)))
    page.goto("/search/")
    page.wait_for_function("document.querySelector('#results').dataset.query === ''")
    box = page.get_by_label("Palabras a buscar")
    box.press_sequentially("salud educaci", delay=60)  # quicker than the pause: no search
    page.wait_for_load_state("networkidle")
    typed_at = time.monotonic()
    box.press_sequentially("ón", delay=0)
    box.press("Enter")
    page.wait_for_function("document.querySelector('#results').dataset.query === 'salud educación'")
    assert page.locator("#results li").count() > 0
    guessed = [u for t, u in asked if "/search/docs/" in u and t < typed_at]
    assert guessed  # records fetched for the guess ...
    assert not [u for t, u in asked if "/search/docs/" in u and t >= typed_at]  # ... all of them
    page.close()


def test_the_first_results_show_before_the_records_of_the_last_come(untopped_site):
    """Results show as their records' files come, in order: on a slow network the first
    ones do not wait for the round trips the last ones cost."""
    context, _items = untopped_site
    page = context.new_page()
    held: list = []

    def hold_all_but_the_first(route):
        if held:
            held.append(route)
        else:
            held.append(None)  # the first file asked for goes through
            route.continue_()

    page.route("**/search/docs/*.json", hold_all_but_the_first)
    page.goto("/search/?q=salud")
    page.wait_for_function("document.querySelector('#results').dataset.first === 'salud'")
    results = page.locator("#results")
    assert results.get_attribute("aria-busy") == "true"
    assert results.get_attribute("data-query") != "salud"
    shown = results.locator("h3 a").evaluate_all("as => as.map(a => a.pathname)")
    for route in held[1:]:
        route.continue_()
    page.unroute("**/search/docs/*.json")
    page.wait_for_function("document.querySelector('#results').dataset.query === 'salud'")
    assert results.get_attribute("aria-busy") is None
    links = results.locator("h3 a").evaluate_all("as => as.map(a => a.pathname)")
    expected = page.evaluate("q => window.catalogSearch.find(q)", "salud")
    assert [s.split("/")[-2] for s in links] == [d.split("/")[1] for d in expected[:20]]
    block = page.evaluate("() => fetch('index.json').then(r => r.json()).then(i => i.block)")
    numbers = page.evaluate("q => window.catalogSearch.numbers(q)", "salud")
    files = [n // block for n in numbers[:20]]
    assert len(set(files)) > 1  # the first results' records are in several files
    # Those the first file holds showed, in order, before the others came.
    assert files.index(next(f for f in files if f != files[0])) <= len(shown) < len(links)
    assert shown == links[: len(shown)]
    page.close()


def test_results_whose_records_do_not_come_say_so_and_come_on_the_next_search(untopped_site):
    context, _items = untopped_site
    page = context.new_page()
    page.route("**/search/docs/*.json", lambda route: route.abort())
    page.goto("/search/?q=salud")
    status = page.locator("#status")
    expect(status).to_have_text(
        "No se pudieron cargar algunos resultados. Revise su conexión y busque de nuevo."
    )
    assert page.locator("#results").get_attribute("aria-busy") is None
    page.unroute("**/search/docs/*.json")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_function("document.querySelector('#results').dataset.query === 'salud'")
    assert page.locator("#results li").count() > 0
    assert status.inner_text().endswith("encontrados")
    page.close()


def test_less_used_facet_values_load_when_asked_for(typed_site):
    """A facet's most used values come with every search; the others (here: publishers
    beyond the 25 most used) only when a reader asks for them or filters by one."""
    context, items = typed_site
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto("/search/")
    page.wait_for_function("document.querySelector('#results').dataset.query === ''")
    assert not [u for u in asked if u.endswith("/facets/publisher-more.json")]
    publishers = page.locator("fieldset.facet", has_text="Publicador")
    publishers.get_by_role("button", name="Mostrar más valores").click()
    expect(publishers.locator("li")).to_have_count(len({i["publisher"] for i in items}))
    assert [u for u in asked if u.endswith("/facets/publisher-more.json")]
    # A filter by a value of the file not loaded yet loads it, and counts right.
    counts = Counter(i["publisher"] for i in items)
    rare = min(counts, key=lambda p: (counts[p], p))
    fresh = context.new_page()
    fresh.goto(f"/search/?publisher={rare}")
    fresh.wait_for_function("document.querySelector('#results').dataset.query === ''")
    assert fresh.locator("#results li").count() == counts[rare]
    fresh.close()
    page.close()


def test_only_a_facets_most_used_values_are_in_its_first_file():
    values = {f"v{n:03d}": list(range(n + 1)) for n in range(60)}
    first, more = search.split_facet(values)
    assert len(first) == search.FACET_TOP and len(more) == 60 - search.FACET_TOP
    assert min(len(values[v]) for v in first) > max(len(values[v]) for v in more)
    few = dict(list(values.items())[:10])
    assert search.split_facet(few) == (set(few), set())


def test_a_facet_of_few_distinct_sets_is_a_column_of_set_numbers():
    """Datasets covering the same departments (five neighbours, or all 22) cost a few bits
    each; the file reads back to the same datasets per value, whatever form it takes."""
    count = 3000
    departments = [f"{n:02d}" for n in range(1, 23)]
    values: dict[str, list[int]] = {d: [] for d in departments}
    for doc in range(count):
        covered = departments if doc % 7 == 0 else departments[doc % 18 : doc % 18 + 5]
        for d in covered:
            values[d].append(doc)
    packed = search._facet(values, count)
    assert "sets" in packed and len(packed["sets"]) == 19
    assert search.facet_docs(packed, count) == values
    lists = search._facet_lists(values, count)
    assert len(json.dumps(packed)) < len(json.dumps(lists)) / 3
    # Sets all different: another form, read back the same.
    rng = random.Random(3)
    scattered = {d: sorted(rng.sample(range(count), 900)) for d in departments}
    other = search._facet(scattered, count)
    assert "sets" not in other and search.facet_docs(other, count) == scattered


def test_the_page_reads_a_facet_of_sets(tmp_path: Path, browser):
    """search.js counts a facet written as a column of sets as the index says."""
    scale.search_site(tmp_path, 120)
    items, manifests = _items(120)
    departments = [f"{n:02d}" for n in range(1, 23)]
    for n, item in enumerate(items):
        item["territories"] = departments if n % 4 == 0 else departments[n % 17 : n % 17 + 5]
    files = search.files(items, manifests, scale._publishers(), "es")
    assert "sets" in json.loads(files["facets/territory.json"])
    _write(tmp_path / "search", files)
    with _served(tmp_path, browser) as context:
        _count_territories(context, items)


def _count_territories(context, items: list[dict]) -> None:
    page = context.new_page()
    page.goto("/search/")
    page.wait_for_function("document.querySelector('#results').dataset.query === ''")
    box = page.locator("fieldset.facet", has_text="Territorio")
    box.get_by_role("button", name="Mostrar los").click()
    shown = dict(
        re.fullmatch(r"(.+) \((\d+)\)", text).groups()  # type: ignore[union-attr]
        for text in box.locator("label").all_inner_texts()
    )
    expected = Counter(d for item in items for d in item["territories"])
    assert {k: int(v) for k, v in shown.items()} == {
        territories.name(d): n for d, n in expected.items()
    }
