"""sitemap.xml (sitemaps.org protocol with hreflang alternates) and robots.txt."""

from __future__ import annotations

import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest

from catalog import territories, urls
from catalog.indicators.declaration import declared
from catalog.standards import robots, sitemap
from catalog.standards.facts import territory_codes

NS = {"s": sitemap.SITEMAP_NS, "x": sitemap.XHTML_NS}


@pytest.fixture(scope="module")
def urlset(tmp_path_factory, demo_manifests, demo_publishers) -> dict[str, ET.Element]:
    folder = tmp_path_factory.mktemp("sitemap")
    written = sitemap.write_sitemaps(folder, demo_manifests, demo_publishers)
    assert written == [folder / "sitemap.xml"]
    root = ET.parse(folder / "sitemap.xml").getroot()
    assert root.tag == f"{{{sitemap.SITEMAP_NS}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def test_every_entry_has_the_protocol_shape(urlset):
    base = urls.absolute("/")
    for loc, url in urlset.items():
        assert loc.startswith(base)
        children = [child.tag for child in url]
        assert children[0] == f"{{{sitemap.SITEMAP_NS}}}loc"
        lastmod = url.findtext("s:lastmod", namespaces=NS)
        assert lastmod is None or len(lastmod) == 10


def test_every_page_in_both_languages(urlset, demo_manifests, demo_publishers):
    def both(path_of):
        return {urls.absolute(path_of(None)), urls.absolute(path_of("en"))}

    expected = both(urls.home) | both(urls.search)
    lists = ("/browse/", "/publishers/", "/themes/", "/territories/")
    for path in lists + ("/about/", "/licence/", "/developers/"):
        expected |= {urls.absolute(path), urls.absolute("/en" + path)}
    for m in demo_manifests:
        expected |= both(lambda lang, m=m: urls.dataset(m["publisher"], m["name"], lang))
    for slug in demo_publishers:
        expected |= both(lambda lang, s=slug: urls.publisher(s, lang))
    used = {code for m in demo_manifests for code in m["package"]["themes"]}
    for code in used:  # a theme without datasets has no page
        expected |= both(lambda lang, c=code: urls.theme(c, lang))
    places = [d["code"] for d in territories.departments()]
    places += [m["code"] for m in territories.municipalities()]
    assert len(places) == 22 + 340
    for code in places:
        expected |= both(lambda lang, c=code: urls.territory(c, lang))
    # The indicators, active transparency (served, the language by ?lang=) and the IT
    # dashboard the demo's build publishes.
    idents = {i["id"] for m in demo_manifests for i in declared(m["package"], m["dataset"])}
    for path in ["/indicadores/", "/tablero-ti/"] + [f"/indicadores/{i}/" for i in idents]:
        expected |= {urls.absolute(path), urls.absolute("/en" + path)}
    expected |= {
        urls.absolute("/transparencia/activa/"),
        urls.absolute("/transparencia/activa/?lang=en"),
    }
    assert set(urlset) == expected


def test_hreflang_alternates(urlset):
    english = urlset[urls.absolute(urls.dataset("mides", "bono-social-cobertura", "en"))]
    alternates = {link.get("hreflang"): link.get("href") for link in english.findall("x:link", NS)}
    assert all(link.get("rel") == "alternate" for link in english.findall("x:link", NS))
    spanish = urls.absolute(urls.dataset("mides", "bono-social-cobertura"))
    assert alternates == {
        "es": spanish,
        "en": urls.absolute(urls.dataset("mides", "bono-social-cobertura", "en")),
        "x-default": spanish,
    }


def test_lastmod_follows_the_datasets_a_page_shows(urlset, demo_manifests):
    def lastmod(path):
        return urlset[urls.absolute(path)].findtext("s:lastmod", namespaces=NS)

    manifest = next(m for m in demo_manifests if m["dataset"] == "mides/bono-social-cobertura")
    assert (
        lastmod(urls.dataset("mides", "bono-social-cobertura")) == (manifest["package"]["modified"])
    )
    mides = [m["package"]["modified"] for m in demo_manifests if m["publisher"] == "mides"]
    assert lastmod(urls.publisher("mides")) == max(mides)
    everything = max(m["package"]["modified"] for m in demo_manifests)
    assert lastmod(urls.home()) == everything
    coban = [m["package"]["modified"] for m in demo_manifests if "1601" in territory_codes(m)]
    assert lastmod(urls.territory("1601")) == max(coban)
    assert lastmod(urls.territory("0202")) is None  # no dataset covers it


def test_the_base_url_comes_from_the_environment(
    tmp_path, monkeypatch, demo_manifests, demo_publishers
):
    monkeypatch.setenv("CATALOG_BASE_URL", "https://datos.gob.gt")
    sitemap.write_sitemaps(tmp_path, demo_manifests, demo_publishers)
    root = ET.parse(tmp_path / "sitemap.xml").getroot()
    locs = [url.findtext("s:loc", namespaces=NS) for url in root.findall("s:url", NS)]
    assert all(loc.startswith("https://datos.gob.gt/") for loc in locs)


def test_a_very_large_site_gets_a_sitemap_index(
    tmp_path, monkeypatch, demo_manifests, demo_publishers
):
    monkeypatch.setattr(sitemap, "MAX_URLS", 500)
    written = sitemap.write_sitemaps(tmp_path, demo_manifests, demo_publishers)
    index = ET.parse(tmp_path / "sitemap.xml").getroot()
    assert index.tag == f"{{{sitemap.SITEMAP_NS}}}sitemapindex"
    parts = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    assert parts == [urls.absolute(f"/sitemap-{n}.xml") for n in range(1, len(written))]
    counts = [len(ET.parse(p).getroot().findall("s:url", NS)) for p in written[1:]]
    assert max(counts) <= 500
    assert sum(counts) == 2 * len(sitemap.pages(demo_manifests, demo_publishers))


def test_robots_lets_crawlers_read_pages_but_not_every_query():
    text = robots.robots()
    assert f"Sitemap: {urls.absolute('/sitemap.xml')}" in text.splitlines()
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    assert parser.can_fetch("*", urls.absolute("/datasets/mides/bono-social-cobertura/"))
    assert parser.can_fetch("*", urls.absolute("/sql/catalogo/datasets"))
    assert not parser.can_fetch("*", urls.absolute("/api/3/action/package_list"))
    assert "Disallow: /sql/*?" in text.splitlines()
    assert "Disallow: /sql/*.csv" in text.splitlines()


def test_territory_dates_can_follow_the_coverage_the_site_found(
    tmp_path, demo_manifests, demo_publishers
):
    national = next(m for m in demo_manifests if m["dataset"] == "mineduc/matricula-escolar")
    coverage = {national["dataset"]: ["0202", "02"]}
    pages = sitemap.pages(demo_manifests, demo_publishers, coverage)
    dates = {page.paths["es"]: page.lastmod for page in pages}
    assert dates[urls.territory("0202")].isoformat() == national["package"]["modified"]


def test_the_indicators_and_dashboards_are_listed(urlset, demo_manifests):
    for path in ("/indicadores/", "/indicadores/desnutricion-aguda/", "/tablero-ti/"):
        for address in (urls.absolute(path), urls.absolute("/en" + path)):
            assert address in urlset, address
        links = urlset[urls.absolute(path)].findall("x:link", NS)
        alternates = {link.get("hreflang"): link.get("href") for link in links}
        assert alternates["en"] == urls.absolute("/en" + path)
    matrix = urlset[urls.absolute("/transparencia/activa/")]
    alternates = {link.get("hreflang"): link.get("href") for link in matrix.findall("x:link", NS)}
    assert alternates["en"] == urls.absolute("/transparencia/activa/?lang=en")
    # An indicator page is dated by the dataset that declares it.
    sesan = next(m for m in demo_manifests if m["dataset"] == "sesan/desnutricion-aguda")
    page = urlset[urls.absolute("/indicadores/desnutricion-aguda/")]
    assert page.findtext("s:lastmod", namespaces=NS) == sesan["package"]["modified"]


def test_the_build_names_the_indicators_it_computed(demo_manifests, demo_publishers):
    pages = sitemap.pages(demo_manifests, demo_publishers, indicators=["desnutricion-aguda"])
    paths = {page.paths["es"] for page in pages}
    assert "/indicadores/desnutricion-aguda/" in paths
    assert not any(p.startswith("/indicadores/matricula") for p in paths)
    without = [m for m in demo_manifests if m["name"] != "tablero-proyectos-ti"]
    assert "/tablero-ti/" not in {page.paths["es"] for page in sitemap.pages(without, {})}


def test_chilean_territories_are_listed_where_data_covers_them(demo_manifests, demo_publishers):
    coverage = {demo_manifests[0]["dataset"]: ["CL-13", "CL-13101"]}
    pages = sitemap.pages(demo_manifests, demo_publishers, coverage)
    paths = {page.paths["es"] for page in pages}
    assert {urls.territory("CL-13"), urls.territory("CL-13101")} <= paths
    assert urls.territory("CL-13102") not in paths  # no data: no page
