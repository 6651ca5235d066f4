"""The static catalogue: pages in both languages, safe content, quality, freshness,
territory pages, the search index, size and privacy of requests, incremental writes."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import DEMO_DATASETS
from test_build import MIDES, write_dataset

from catalog import territories, urls
from catalog.build import build
from catalog.build.publish import read_manifest
from catalog.build.site import write_site
from catalog.metadata import load_publishers
from catalog.site import quality, search
from catalog.site.pages import sort_key
from catalog.site.render import markdown_html, render

REPO = Path(__file__).resolve().parent.parent
HOSTILE_README = """\
# Obras

Texto **normal** con [un enlace](https://example.org) y
[un enlace malicioso](javascript:alert(1)).

<script>alert("xss")</script>
<img src="x" onerror="alert(2)">
<a href="javascript:alert(3)" onclick="alert(4)">clic</a>
<iframe src="https://evil.example"></iframe>
<style>body{display:none}</style>
</script><script>alert(5)</script>
"""
OBRAS = """\
id,descripcion,monto
1,"=HYPERLINK(""http://evil.example"",""clic"")",100
2,@SUM(1+1),-250.5
3,-2+3,0
4,+cmd,10
5,Obra normal,-7
6,-42,3
7,\tdato con tabulador,1
"""
OBRAS_RESOURCES = [
    {
        "name": "obras",
        "path": "data/obras.csv",
        "format": "csv",
        "title": "Obras",
        "schema": {
            "fields": [
                {"name": "id", "type": "integer", "description": "Identificador"},
                {"name": "descripcion", "type": "string", "description": "Obra"},
                {"name": "monto", "type": "number", "description": "Monto (GTQ)"},
            ],
            "primaryKey": ["id"],
        },
    }
]


def site_of(out: Path) -> Path:
    return out / "current" / "site"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-dataset catalogue whose README and cells try to run code."""
    root = tmp_path_factory.mktemp("hostile") / "content"
    (root / "publishers").mkdir(parents=True)
    (root / "publishers" / "mides.yaml").write_text(MIDES, encoding="utf-8")
    write_dataset(
        root,
        "mides",
        "obras",
        "Obras",
        OBRAS_RESOURCES,
        {"data/obras.csv": OBRAS, "README.md": HOSTILE_README},
    )
    out = root.parent / "build"
    assert build(root, out).all_published
    return site_of(out)


def demo_manifests(demo_build: Path) -> list[dict]:
    state = json.loads((demo_build / "state" / "state.json").read_text())
    return [
        read_manifest(demo_build / "state" / "datasets" / d["published"]["snapshot"])
        for d in state["datasets"].values()
        if d.get("published")
    ]


# ------------------------------------------------------------------- pages


def test_every_page_exists_in_both_languages(demo_build: Path):
    site = site_of(demo_build)
    publishers = load_publishers(REPO)
    index = json.loads((demo_build / "current" / "index.json").read_text())
    datasets = [d["id"] for d in index["datasets"]]
    assert len(datasets) == DEMO_DATASETS
    themes = {t for d in index["datasets"] for t in d["themes"] or []}
    paths = [urls.dataset(*d.split("/")) for d in datasets]
    paths += [urls.publisher(slug) for slug in publishers]
    paths += [urls.theme(code) for code in themes]
    paths += [urls.territory(t["code"]) for t in territories.departments()]
    paths += [urls.territory(m["code"]) for m in territories.municipalities()]
    assert len([p for p in paths if p.startswith("/territories/")]) == 22 + 340
    paths += ["/", "/search/", "/browse/", "/about/", "/licence/", "/developers/"]
    paths += ["/publishers/", "/themes/", "/territories/"]
    for path in paths:
        for lang, prefix in (("es", ""), ("en", "/en")):
            page = site / (prefix + path).lstrip("/") / "index.html"
            assert page.is_file(), page
            html = page.read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
            other = path if lang == "en" else "/en" + path
            assert f'class="lang-switch" href="{other}"' in html, (page, other)


def test_pages_speak_the_language_of_their_folder(demo_build: Path):
    site = site_of(demo_build)
    spanish = (site / "index.html").read_text(encoding="utf-8")
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Portal de datos abiertos y transparencia" in spanish
    assert "Buscar conjuntos de datos" in spanish
    assert "Open data and transparency portal" in english
    assert "Search datasets" in english and "Buscar conjuntos" not in english


def test_every_dataset_is_reachable_without_javascript(demo_build: Path):
    site = site_of(demo_build)
    linked = set()
    for page in (site / "browse").rglob("index.html"):
        linked |= set(re.findall(r'href="(/datasets/[^"/]+/[^"/]+/)"', page.read_text()))
    assert len(linked) == DEMO_DATASETS


def test_dataset_page_shows_metadata_resources_and_reuse(demo_build: Path):
    html = (site_of(demo_build) / "datasets/mides/bono-social-cobertura/index.html").read_text()
    assert "Ministerio de Desarrollo Social" in html
    assert 'href="/sql/catalogo/mides__bono_social_cobertura__cobertura"' in html
    assert "package_show?id=mides--bono-social-cobertura" in html
    assert "ckanapi action package_show id=mides--bono-social-cobertura -r http" in html
    for kind in ("csv", "excel.csv", "json", "xlsx"):
        href = urls.download("mides", "bono-social-cobertura", "cobertura", kind)
        assert f'href="{href}"' in html
    assert f'href="{urls.package_zip("mides", "bono-social-cobertura")}"' in html
    assert "Diccionario de datos" in html and "familias_usuarias" in html
    assert "Primeras 10 filas" in html  # the preview
    assert "Controles de privacidad superados" in html
    assert "Calidad" in html and "/100" in html
    assert 'type="application/ld+json"' in html
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(json_ld.group(1))["@type"] == "Dataset"
    assert 'rel="alternate" type="application/atom+xml" href="/feeds/datasets.atom"' in html
    assert 'href="/catalog.ttl"' in html and 'href="/data.json"' in html


def test_obligations_are_shown_with_their_titles(demo_build: Path):
    html = (site_of(demo_build) / "datasets/mides/personal-y-salarios/index.html").read_text()
    assert "GT-LAIP-10.4" in html
    assert "Obligaciones de transparencia que cumple" in html
    notice = "contiene datos personales publicados conforme a Decreto 57-2008"
    assert notice in html  # the allowed public personal data, as a notice


def test_error_page_in_both_languages(demo_build: Path):
    site = site_of(demo_build)
    assert "Página no encontrada" in (site / "404.html").read_text()
    assert "Page not found" in (site / "en" / "404.html").read_text()
    assert "Page not found" in render("error.html", "en", status=404)


# ---------------------------------------------------------------- safety


def test_hostile_readme_is_sanitised(hostile: Path):
    html = (hostile / "datasets/mides/obras/index.html").read_text(encoding="utf-8")
    readme = html.split('<div class="readme">', 1)[1].split("</div>", 1)[0]
    assert "<strong>normal</strong>" in readme
    assert 'href="https://example.org"' in readme
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "alert("):
        assert bad not in readme.lower(), bad
    # The only scripts on the page are ours: the JSON-LD block.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']


def test_markdown_headings_stay_below_the_page_title():
    assert markdown_html("# Título\n\n## Parte") == "<h2>Título</h2>\n<h3>Parte</h3>"
    assert markdown_html(None) == ""


def test_json_ld_cannot_close_its_script():
    from catalog.site.render import json_ld

    text = json_ld({"name": "</script><script>alert(1)</script>"})
    assert "</" not in text and "<script" not in text
    assert json.loads(str(text)) == {"name": "</script><script>alert(1)</script>"}


# ------------------------------------------------------------- freshness


def test_due_dates_follow_the_iso_period():
    assert quality.add_period(date(2024, 1, 31), "P1M") == date(2024, 2, 29)
    assert quality.add_period(date(2024, 11, 30), "P3M") == date(2025, 2, 28)
    assert quality.add_period(date(2024, 2, 29), "P1Y") == date(2025, 2, 28)
    assert quality.add_period(date(2024, 3, 1), "P1W") == date(2024, 3, 8)
    assert quality.add_period(date(2024, 3, 1), "nonsense") is None
    monthly = {"frequency": "monthly", "modified": "2025-06-30"}
    assert quality.due_date(monthly) == date(2025, 8, 2)  # a month, plus a tenth of it
    assert not quality.is_overdue(monthly, date(2025, 8, 2))
    assert quality.is_overdue(monthly, date(2025, 8, 3))
    assert not quality.is_overdue(
        {"frequency": "irregular", "modified": "2000-01-01"}, date.today()
    )
    assert not quality.is_overdue({"frequency": "annual"}, date.today())


def test_publisher_page_lists_overdue_datasets(demo_build: Path):
    manifests = demo_manifests(demo_build)
    publishers = load_publishers(REPO)
    db = demo_build / "current" / "sql" / "catalogo.db"
    for today, overdue in ((date(2025, 7, 1), False), (date(2027, 2, 1), True)):
        site = demo_build.parent / f"site-{today}"
        write_site(site, manifests, publishers, "es", database=db, today=today)
        html = (site / "publishers/mides/index.html").read_text()
        assert ("Atrasado desde el" in html) is overdue
        assert ("tienen la actualización atrasada" in html) is overdue
        assert ("Próxima actualización prevista" in html) is not overdue


# --------------------------------------------------------------- quality


def _package(**changes) -> dict:
    package = {
        "description": "x" * quality.MIN_DESCRIPTION,
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "annual",
        "modified": "2025-01-01",
        "temporal": {"start": "2024-01-01"},
        "spatial": {"country": "GT"},
        "resources": [
            {
                "format": "csv",
                "schema": {"fields": [{"name": "a", "description": "A"}]},
            }
        ],
    }
    package.update(changes)
    return package


def test_quality_score_adds_the_criteria_met():
    readme = "y" * quality.MIN_README
    today = date(2025, 6, 1)
    full = quality.score(_package(), readme, True, today)
    assert full["score"] == 100
    assert sum(c["weight"] for c in full["criteria"]) == 100

    def failed(**kwargs) -> set[str]:
        result = quality.score(
            _package(**kwargs.get("package", {})),
            kwargs.get("readme", readme),
            kwargs.get("valid", True),
            kwargs.get("today", today),
        )
        return {c["key"] for c in result["criteria"] if not c["passed"]}

    assert failed(package={"licenses": [{"name": "proprietary"}]}) == {"license"}
    assert failed(readme="corto") == {"description"}
    assert failed(today=date(2026, 6, 1)) == {"frequency"}
    assert failed(package={"temporal": None}) == {"temporal"}
    assert failed(package={"spatial": {}}) == {"spatial"}
    xlsx = [{"format": "xlsx", "schema": {"fields": [{"name": "a", "description": "A"}]}}]
    assert failed(package={"resources": xlsx}) == {"formats"}
    undocumented = [{"format": "csv", "schema": {"fields": [{"name": "a"}]}}]
    assert failed(package={"resources": undocumented}) == {"dictionary"}
    assert failed(valid=False) == {"validation"}
    low = quality.score(_package(licenses=[], temporal=None), "", False, today)
    assert low["score"] == 100 - 15 - 10 - 10 - 15


# ------------------------------------------------------------ territories


def test_territory_pages_show_datasets_and_figures(demo_build: Path):
    site = site_of(demo_build)
    alta_verapaz = (site / "territories/16/index.html").read_text()
    assert "Ficha departamental: Alta Verapaz" in alta_verapaz
    assert "Cifras clave" in alta_verapaz and '<svg class="chart"' in alta_verapaz
    assert 'href="/datasets/mides/bono-social-cobertura/"' in alta_verapaz
    coban = (site / "territories/1601/index.html").read_text()
    assert "Ficha municipal: Cobán" in coban
    assert 'href="/datasets/muni-coban/agua-potable/"' in coban  # declared spatial coverage
    english = (site / "en/territories/1601/index.html").read_text()
    assert "Municipal profile: Cobán" in english


def test_key_figures_sum_the_latest_year(demo_build: Path):
    """The figure of a department is what SQL gives for its rows of the latest year."""
    db = sqlite3.connect(demo_build / "current" / "sql" / "catalogo.db")
    table = "ine__hechos_delictivos__denuncias"
    year, total = db.execute(
        f"select anio, sum(denuncias) from {table} where departamento = '16' "
        "group by anio order by anio desc limit 1"
    ).fetchone()
    html = (site_of(demo_build) / "territories/16/index.html").read_text()
    figure = html.split("Hechos delictivos", 1)[0].rsplit('<li class="figure">', 1)[1]
    assert f"{total:,}" in figure and f"{year}" in figure


# -------------------------------------------------------------- search


def test_search_index_holds_every_dataset_and_its_facets(demo_build: Path):
    site = site_of(demo_build)
    for lang, prefix in (("es", ""), ("en", "en/")):
        folder = site / prefix / "search"
        index = json.loads((folder / "index.json").read_text())
        assert index["count"] == DEMO_DATASETS
        assert index["facets"] == [
            "publisher",
            "theme",
            "keyword",
            "format",
            "license",
            "territory",
            "frequency",
        ]
        # Datasets are numbered in title order; what a result shows is in blocks.
        docs = [
            row
            for n in range(-(-DEMO_DATASETS // index["block"]))
            for row in json.loads((folder / f"docs/{n}.json").read_text())
        ]
        assert [sort_key(row[2]) for row in docs] == sorted(sort_key(row[2]) for row in docs)
        number = next(n for n, row in enumerate(docs) if row[0] == "mides/bono-social-cobertura")
        assert docs[number][1] == f"/{prefix}datasets/mides/bono-social-cobertura/"

        def postings(term: str, folder: Path = folder) -> dict[int, float]:
            shard = json.loads((folder / f"terms/{search.shard(term)}.json").read_text())
            return search.decode_postings(shard[term])

        # search.js matches stems (catalog/textnorm.py): the column familias_usuarias's too
        assert number in postings("famili") and number in postings("usuari")
        assert "de" in index["stopwords"]

        def having(facet: str, value: str, folder: Path = folder) -> list[int]:
            content = json.loads((folder / f"facets/{facet}.json").read_text())
            return search.facet_docs(content, DEMO_DATASETS)[value]

        assert number in having("territory", "16") and number in having("theme", "SOCI")
        assert number in having("publisher", "mides")
        expected = "Población y sociedad" if lang == "es" else "Population and society"
        assert index["labels"]["theme"]["SOCI"] == expected


def test_search_lists_of_numbers_survive_their_encoding():
    for docs in ([], [0], [3, 4, 5, 900, 70_000], list(range(0, 5000, 2))):
        assert search.decode_docs(search.encode_docs(docs, 70_001)) == docs
    assert search.encode_docs(list(range(0, 600, 2)), 600).startswith("!")  # dense: a bitmap
    assert search.decode_column(search.encode_column([0, 5, 3, 0, 9], 4), 4, 5) == [0, 5, 3, 0, 9]
    values = {f"v{n}": list(range(n, 600, 7)) for n in range(7)} | {"w": list(range(0, 600, 3))}
    packed = search._facet(values, 600)
    assert "column" in packed and search.facet_docs(packed, 600) == values
    postings = [(0, 3.0), (7, 0.5), (40_000, 6.5)]
    assert search.decode_postings(search.encode_postings(postings)) == dict(postings)
    assert search.shard("educ") == "edu" and search.shard("x") == "x" and search.shard("é") == "_"


# ------------------------------------------------------- light and local


def test_dataset_pages_weigh_under_100_kb_with_their_css(demo_build: Path):
    site = site_of(demo_build)
    css = (site / "assets/style.css").stat().st_size
    pages = list((site / "datasets").glob("*/*/index.html"))
    pages += list((site / "en" / "datasets").glob("*/*/index.html"))
    assert len(pages) == 2 * DEMO_DATASETS
    heaviest = max(p.stat().st_size for p in pages)
    assert heaviest + css < 100_000


EXTERNAL = [
    re.compile(r"<(?:script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc=\"(?!/)", re.I),
    re.compile(r"<link\b[^>]*\bhref=\"(?!/)", re.I),
    re.compile(r"url\(\s*['\"]?(?!data:)[a-z]+:", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"fetch\(\s*['\"]https?:", re.I),
]


def test_no_page_makes_an_external_request(demo_build: Path):
    site = site_of(demo_build)
    files = [*site.rglob("*.html"), *site.rglob("*.css"), *site.rglob("*.js")]
    assert len(files) > 800
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in EXTERNAL:
            assert not pattern.search(text), (path, pattern.pattern)


# --------------------------------------------------------- incremental


def test_one_changed_dataset_rewrites_only_the_pages_that_show_it(demo_build: Path, tmp_path):
    manifests = demo_manifests(demo_build)
    publishers = load_publishers(REPO)
    db = demo_build / "current" / "sql" / "catalogo.db"
    today = date(2026, 1, 1)
    first = write_site(
        tmp_path / "one" / "site", manifests, publishers, "es", database=db, today=today
    )
    assert first.reused == 0
    same = write_site(
        tmp_path / "two" / "site",
        manifests,
        publishers,
        "es",
        database=db,
        previous=tmp_path / "one" / "site",
        today=today,
    )
    assert same.written == 0 and same.reused == first.written

    changed = next(m for m in manifests if m["dataset"] == "sesan/desnutricion-aguda")
    changed["package"]["title"] = "Desnutrición aguda, título nuevo"
    third = write_site(
        tmp_path / "three" / "site",
        manifests,
        publishers,
        "es",
        database=db,
        previous=tmp_path / "two" / "site",
        today=today,
    )
    rewritten = {p for p, k in third.keys.items() if k != same.keys.get(p)}
    assert "datasets/sesan/desnutricion-aguda/index.html" in rewritten
    assert "en/datasets/sesan/desnutricion-aguda/index.html" in rewritten
    assert "publishers/sesan/index.html" in rewritten
    assert "search/index.json" in rewritten
    assert "search/docs/0.json" in rewritten
    assert "datasets/mides/bono-social-cobertura/index.html" not in rewritten
    assert "publishers/mides/index.html" not in rewritten
    assert third.written == len(rewritten) < first.written / 5
    old = tmp_path / "two" / "site" / "datasets/mides/bono-social-cobertura/index.html"
    new = tmp_path / "three" / "site" / "datasets/mides/bono-social-cobertura/index.html"
    assert old.stat().st_ino == new.stat().st_ino  # reused as a hard link, not rewritten
    assert (
        "título nuevo"
        in (
            tmp_path / "three" / "site" / "datasets/sesan/desnutricion-aguda/index.html"
        ).read_text()
    )


def test_built_downloads_neutralise_formulas(hostile: Path):
    folder = hostile / "datasets/mides/obras/downloads"
    excel = (folder / "obras.excel.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf")
    text = excel.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and "'-2+3" in text
    assert ",-250.5\r\n" in text  # a real negative number stays a number
    plain = (folder / "obras.csv").read_text(encoding="utf-8")
    assert '\n1,"=HYPERLINK(""http://evil.example"",""clic"")",100\n' in plain
