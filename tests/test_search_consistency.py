"""One rule for search text (catalog/textnorm.py): the same query finds the same datasets
in the CKAN Action API, the native API and the static site's search (search.js, run in the
real Chromium), and Datasette's full-text search differs from them only as documented in
docs/architecture.md ("Search text")."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import DEMO_DATASETS
from playwright.sync_api import expect

from catalog import textnorm

REPO = Path(__file__).resolve().parent.parent

QUERIES = [
    # accents and case
    "educación",
    "educacion",
    "EDUCACIÓN",
    "vacunación infantil",
    "Población",
    # ñ folds to n, as a keyboard without ñ types it
    "niñez",
    "ninez",
    "NIÑEZ",
    "niños",
    "ninos",
    "años",
    "anos",
    # singular and plural (the Spanish stemmer)
    "municipio",
    "municipios",
    "Municipalidades",
    "escuela",
    "escuelas",
    "hospital",
    "hospitales",
    "precio",
    "precios",
    # column names, written as columns or as words
    "familias_usuarias",
    "familias usuarias",
    "anio",
    "dosis_aplicadas",
    "luminarias",
    # keywords and publishers
    "transparencia activa",
    "LAIP",
    "SNIS",
    "presupuesto municipal",
    "Quetzaltenango",
    "Ministerio de Salud",
    # only stop words restrict nothing; an unknown word finds nothing
    "de la",
    "xyzzy",
]
# Both spellings of each pair must find the same, non-empty, set of datasets.
SAME = [
    ("educación", "educacion", "EDUCACIÓN"),
    ("niñez", "ninez", "NIÑEZ"),
    ("niños", "ninos"),  # the column ninos_atendidos too
    ("años", "anos"),
    ("municipio", "municipios"),
    ("escuela", "escuelas"),
    ("hospital", "hospitales"),
    ("precio", "precios"),
    ("familias_usuarias", "familias usuarias"),
]
FTS_COLUMNS = ("title", "description", "keywords")


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def ckan(base: str, q: str) -> set[str]:
    query = urllib.parse.urlencode({"q": q, "rows": 1000})
    body = _get(f"{base}/api/3/action/package_search?{query}")
    assert body["success"]
    found = body["result"]["results"]
    assert body["result"]["count"] == len(found)
    return {r["name"].replace("--", "/", 1) for r in found}


def native(base: str, q: str) -> set[str]:
    body = _get(f"{base}/api/v1/datasets?" + urllib.parse.urlencode({"q": q, "limit": 100}))
    assert body["count"] == len(body["results"])
    return {r["id"] for r in body["results"]}


def datasette(base: str, q: str) -> set[str]:
    query = urllib.parse.urlencode({"_search": q, "_shape": "array", "_col": "id", "_size": 1000})
    return {row["id"] for row in _get(f"{base}/sql/catalogo/datasets.json?{query}")}


@pytest.fixture(scope="module")
def site_search(browser, demo_server):
    """search.js on the built /search/ page: ``find(q)`` gives the ids it finds."""
    context = browser.new_context(base_url=demo_server)
    page = context.new_page()
    page.goto("/search/")
    page.locator("#results li").first.wait_for()  # the index is loaded (no eval: the CSP)
    yield page
    context.close()


@pytest.fixture(scope="module")
def answers(demo_server, site_search) -> dict[str, dict[str, set[str]]]:
    found = {}
    for q in QUERIES:
        found[q] = {
            "ckan": ckan(demo_server, q),
            "native": native(demo_server, q),
            "site": set(site_search.evaluate("q => window.catalogSearch.find(q)", q)),
        }
    return found


@pytest.mark.parametrize("q", QUERIES)
def test_the_apis_and_the_site_find_the_same_datasets(answers, q):
    found = answers[q]
    assert found["ckan"] == found["native"] == found["site"], q


def test_the_queries_mean_something(answers):
    everything = answers["de la"]["ckan"]
    assert len(everything) == DEMO_DATASETS  # only stop words: every dataset
    assert answers["xyzzy"]["ckan"] == set()
    for spellings in SAME:
        sets = [answers[q]["ckan"] for q in spellings]
        assert sets[0], spellings
        assert all(s == sets[0] for s in sets), spellings
    assert "sosep/hogares-comunitarios" in answers["ninez"]["ckan"]
    assert "sosep/hogares-comunitarios" in answers["niños"]["ckan"]  # ninos_atendidos
    assert answers["dosis_aplicadas"]["ckan"] == {"mspas/cobertura-vacunacion"}
    assert "mides/bono-social-cobertura" in answers["familias_usuarias"]["ckan"]
    assert "mineduc/establecimientos-educativos" in answers["escuela"]["ckan"]
    assert answers["transparencia activa"]["ckan"] < everything


def test_wildcards_match_the_same_stems(demo_server, site_search):
    for q in ("munic*", "educ* salud", "hospital?s"):
        site = set(site_search.evaluate("q => window.catalogSearch.find(q)", q))
        assert ckan(demo_server, q) == site, q
    assert ckan(demo_server, "munic*") >= ckan(demo_server, "municipios")


def test_the_search_box_shows_what_find_finds(site_search):
    expected = site_search.evaluate("q => window.catalogSearch.find(q)", "NIÑEZ")
    site_search.get_by_label("Palabras a buscar").fill("NIÑEZ")
    site_search.get_by_role("button", name="Buscar", exact=True).click()
    expect(site_search.locator("#results li")).to_have_count(min(len(expected), 20))
    links = site_search.locator("#results h3 a").evaluate_all("as => as.map(a => a.pathname)")
    assert links == [f"/datasets/{i}/" for i in expected]  # in the same order, best first


def _words(text: str) -> set[str]:
    """What FTS5's unicode61 remove_diacritics 2 makes of a text: folded words, no stems."""
    return set(textnorm.WORD.findall(textnorm.fold(text)))


@pytest.mark.parametrize("q", QUERIES)
def test_datasette_full_text_search_differs_only_as_documented(demo_build, demo_server, q, answers):
    """FTS5 folds case and diacritics (ñ too) and splits words as the rule does, but it
    does not stem, keeps stop words, and indexes only title, description and keywords."""
    with sqlite3.connect(demo_build / "sql" / "catalogo.db") as conn:
        rows = conn.execute(f"select id, {', '.join(FTS_COLUMNS)} from datasets").fetchall()
    wanted = _words(q)
    expected = {row[0] for row in rows if wanted <= _words(" ".join(v or "" for v in row[1:]))}
    found = datasette(demo_server, q)
    assert found == expected, q
    assert found <= answers[q]["ckan"], q  # whatever FTS finds, the rule finds too


def _demo_vocabulary() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((REPO / "datasets").rglob("datapackage.json"))]
    texts += [p.read_text("utf-8") for p in sorted((REPO / "datasets").rglob("README.md"))]
    texts += [p.read_text("utf-8") for p in sorted((REPO / "catalog" / "locale").rglob("*.po"))]
    found = {w for t in texts for w in re.findall(r"[^\W_]+", t.lower())}
    return sorted(found | {textnorm.fold(w) for w in found})


def test_the_browser_stems_every_word_of_the_demo_as_the_build_does(site_search):
    vocabulary = _demo_vocabulary()
    assert len(vocabulary) > 3000
    stems = site_search.evaluate("ws => ws.map(w => window.catalogSearch.terms(w))", vocabulary)
    differ = [
        (w, js, textnorm.terms(w))
        for w, js in zip(vocabulary, stems, strict=True)
        if js != textnorm.terms(w)
    ]
    assert not differ, differ[:20]


TRICKY = [
    "Año de la Niñez: 1º de ENERO, Nº 5",
    "PINGÜINO Ça va, São Paulo, İstanbul",
    "straße, Ærø, ﬁnanzas, ½, x²",
    "covid-19/2024; O'Brien «citas» —guion— familias_usuarias",
    "constructor __proto__ toString hasOwnProperty",
    "ΕΛΛΗΝΙΚΆ 東京 emoji 🙂 tab\tand\nnewline",
    "comiéndoselo, diciéndole, construyendo, argüir, averiguéis",
]


def test_the_browser_normalises_any_text_as_the_build_does(site_search):
    found = site_search.evaluate("ts => ts.map(t => window.catalogSearch.terms(t))", TRICKY)
    assert found == [textnorm.terms(t) for t in TRICKY]
