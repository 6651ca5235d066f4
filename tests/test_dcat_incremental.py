"""DCAT put together from each dataset's kept part (``dcat.dataset_part``,
``dcat.documents``, ``standards.write_documents``): the same documents, byte for
byte and as graphs, as the catalogue described from scratch (``dcat.graph``,
``dcat.paged_graphs``), and a changed dataset described again alone."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from catalog import standards, urls
from catalog.bench import site
from catalog.release.manifest import Manifest
from catalog.site.writer import SiteWriter
from catalog.standards import dcat, sitemap

DATASETS = 2500  # three pages of dcat.PAGE_SIZE (1,000)
PUBLISHERS = 40


def _manifest(i: int) -> Manifest:
    """A small dataset (most have only their ZIP download), of one of a few publishers;
    some without contact point, some with text Turtle must escape or quote."""
    found = copy.deepcopy(site.manifest(i))
    slug = f"pub-{i % PUBLISHERS:02d}"
    name = found["package"]["name"]
    found["dataset"], found["publisher"] = f"{slug}/{name}", slug
    package = found["package"]
    package["publisher"] = slug
    package["licenses"] = [{"name": ("CC-BY-4.0", "CC0-1.0", "ODC-BY-1.0")[i % 3]}]
    if i % 3 == 0:
        del package["contactPoint"]
    if i % 7 == 0:  # a blank line and quotes inside a literal (a long Turtle string)
        package["description"] = f'Primera línea "{i}".\n\nSegunda línea\\ fin\t.'
    if i % 10:
        found["tables"] = []
    return found


def _publishers() -> dict[str, dict]:
    return {
        f"pub-{n:02d}": {
            "name": f"Institución {n} «prueba»",
            "kind": "municipality" if n % 3 else "ministry",
            "acronym": f"I{n}" if n % 2 else None,
            "email": f"uip{n}@example.gob.gt",
        }
        for n in range(PUBLISHERS)
    }


@pytest.fixture(scope="module")
def catalogue() -> tuple[list[Manifest], dict[str, dict]]:
    manifests = [_manifest(i) for i in range(DATASETS)]
    return sorted(manifests, key=lambda m: m["dataset"]), _publishers()


@pytest.fixture(scope="module")
def parts(catalogue) -> list[dcat.Part]:
    manifests, publishers = catalogue
    return [
        dcat.dataset_part(m, publishers.get(m["publisher"]), "es", paged=True) for m in manifests
    ]


def _page(parts, manifests, page: int) -> dict[str, str]:
    size = dcat.PAGE_SIZE
    view = dcat.View(page, dcat.page_count(len(manifests)), len(manifests), size)
    shown = parts[(page - 1) * size : page * size]
    found = dcat.documents(shown, "es", dcat.catalog_dates(manifests), view)
    assert found is not None
    return found


def _graph(text: str, ext: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle" if ext == "ttl" else "json-ld")


def test_every_page_is_the_same_bytes_as_described_from_scratch(catalogue, parts):
    manifests, publishers = catalogue
    assert dcat.page_count(len(manifests)) == 3
    for page in (1, 2, 3):
        made = _page(parts, manifests, page)
        graphs = dcat.paged_graphs(manifests, publishers, "es", page)
        assert made["ttl"] == dcat.turtle(graphs["ttl"])
        assert made["jsonld"] == dcat.jsonld(graphs["jsonld"])


@pytest.mark.parametrize("page", [1, 3])
def test_a_page_parses_to_the_graph_described_from_scratch(catalogue, parts, page):
    manifests, publishers = catalogue
    made = _page(parts, manifests, page)
    reference = dcat.paged_graphs(manifests, publishers, "es", page)
    for ext in ("ttl", "jsonld"):
        expected = _graph(dcat.turtle(reference[ext]), "ttl")
        found = _graph(made[ext], ext)
        assert len(found) == len(expected) > 20 * dcat.PAGE_SIZE // (2 if page == 3 else 1)
        assert isomorphic(found, expected), ext


def test_shared_nodes_are_described_once_per_page(catalogue, parts):
    """Publishers, licences, places, the catalogue and its services: one node each,
    holding what every dataset of the page says of it."""
    manifests, publishers = catalogue
    made = _page(parts, manifests, 2)
    nodes = json.loads(made["jsonld"])["@graph"]
    ids = [node["@id"] for node in nodes]
    assert len(ids) == len(set(ids))
    shown = manifests[dcat.PAGE_SIZE : 2 * dcat.PAGE_SIZE]
    agents = {n["@id"].split("/")[-2]: n for n in nodes if n["@id"].endswith("#agent")}
    assert sorted(agents) == sorted({m["publisher"] for m in shown})
    for slug, agent in agents.items():
        assert agent["foaf:name"]["@value"] == publishers[slug]["name"]
        assert agent["foaf:mbox"]["@id"] == f"mailto:{publishers[slug]['email']}"
    catalog = next(n for n in nodes if n["@id"].endswith("/#catalog"))
    assert len(catalog["dcat:dataset"]) == dcat.PAGE_SIZE
    services = [n for n in nodes if "dcat:DataService" in str(n.get("@type"))]
    assert len(services) == 2
    assert all(len(s["dcat:servesDataset"]) == dcat.PAGE_SIZE for s in services)


def test_the_whole_catalogue_is_the_same_bytes_as_described_from_scratch(catalogue):
    manifests, publishers = catalogue
    few = manifests[:400]
    kept = [dcat.dataset_part(m, publishers.get(m["publisher"]), "es", False) for m in few]
    made = dcat.documents(kept, "es", dcat.catalog_dates(few))
    whole = dcat.graph(few, publishers, "es")
    assert made == {"ttl": dcat.turtle(whole), "jsonld": dcat.jsonld(whole)}


def test_a_dataset_page_under_another_is_described_from_scratch(tmp_path, catalogue):
    """Parts whose subjects would interleave cannot be joined: the document is then
    described from scratch, and is still what ``graph`` writes."""
    _manifests, publishers = catalogue
    outer, inner = _manifest(1), _manifest(41)  # one publisher
    inner["package"]["name"] = inner["name"] = outer["name"] + "/anexo"
    inner["dataset"] = f"{inner['publisher']}/{inner['name']}"
    both = [outer, inner]
    kept = [dcat.dataset_part(m, publishers.get(m["publisher"]), "es", False) for m in both]
    assert dcat.documents(kept, "es", dcat.catalog_dates(both)) is None
    standards.write_documents(tmp_path, both, publishers, "es")
    whole = dcat.graph(both, publishers, "es")
    assert (tmp_path / "catalog.ttl").read_text("utf-8") == dcat.turtle(whole)
    assert (tmp_path / "catalog.jsonld").read_text("utf-8") == dcat.jsonld(whole)


# ------------------------------------------------------------- between builds


def _changed(manifests: list[Manifest], how: str) -> list[Manifest]:
    found = list(manifests)
    if how == "added":
        extra = _manifest(DATASETS)
        extra["dataset"] = extra["dataset"].replace("conjunto-", "conjunto-a")
        extra["name"] = extra["package"]["name"] = extra["dataset"].split("/")[1]
        return [*found, extra]
    if how == "removed":
        return found[:100] + found[101:]
    one = copy.deepcopy(found[150])  # on the second page
    if how == "title":
        one["package"]["title"] = "Un título nuevo"
    else:  # the newest modification of the catalogue: every page says it
        one["package"]["modified"] = "2030-01-01"
    found[150] = one
    return found


@pytest.mark.parametrize("how", ["title", "newest", "added", "removed"])
def test_a_rebuild_describes_only_the_changed_dataset(tmp_path, catalogue, monkeypatch, how):
    manifests, publishers = catalogue
    manifests = manifests[:350]
    monkeypatch.setattr(dcat, "PAGE_SIZE", 100)  # four pages
    described: list[str] = []
    describe = dcat.dataset_part

    def counted(manifest, *args, **kwargs):
        described.append(manifest["dataset"])
        return describe(manifest, *args, **kwargs)

    monkeypatch.setattr(dcat, "dataset_part", counted)

    def build(folder: Path, manifests, previous: Path | None = None) -> SiteWriter:
        folder.mkdir(parents=True)
        writer = SiteWriter(folder, previous)
        standards.write_documents(folder, manifests, publishers, "es", version="v", writer=writer)
        writer.save()
        return writer

    build(tmp_path / "one", manifests)
    assert len(described) == len(manifests)
    described.clear()
    changed = _changed(manifests, how)
    build(tmp_path / "two", changed, previous=tmp_path / "one")
    assert len(described) == (0 if how == "removed" else 1)
    # The same bytes as a catalogue written from scratch (every file, DCAT's included).
    scratch = tmp_path / "scratch"
    written = standards.write_documents(scratch, changed, publishers, "es", version="v")
    assert any(p.parent.name == "catalog" for p in written)
    for path in written:
        name = path.relative_to(scratch)
        assert (tmp_path / "two" / name).read_bytes() == path.read_bytes(), name
    rewritten = {
        p.name
        for p in (tmp_path / "two" / "catalog").iterdir()
        if p.stat().st_ino != (tmp_path / "one" / "catalog" / p.name).stat().st_ino
    }
    if how == "title":  # the second page alone, in both formats
        assert rewritten == {"page-2.ttl", "page-2.jsonld"}
    else:  # the catalogue node (and the pages' datasets) changed: every page
        assert len(rewritten) == 8


# ------------------------------------------------------------- sitemaps


def _tree_urlset(entries) -> bytes:
    """A sitemap as ElementTree writes it (what ``sitemap.urlset`` wrote before it
    wrote text, and must still write byte for byte)."""
    ns, xhtml = sitemap.SITEMAP_NS, sitemap.XHTML_NS
    root = ET.Element(f"{{{ns}}}urlset")
    for path, lastmod, alternates in entries:
        url = ET.SubElement(root, f"{{{ns}}}url")
        ET.SubElement(url, f"{{{ns}}}loc").text = urls.absolute(path)
        if lastmod:
            ET.SubElement(url, f"{{{ns}}}lastmod").text = lastmod.isoformat()
        for hreflang, href in alternates.items():
            attributes = {"rel": "alternate", "hreflang": hreflang, "href": urls.absolute(href)}
            ET.SubElement(url, f"{{{xhtml}}}link", attributes)
    ET.register_namespace("", ns)
    ET.register_namespace("xhtml", xhtml)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def test_a_sitemap_is_the_bytes_elementtree_writes(catalogue):
    manifests, publishers = catalogue
    entries = [
        u for page in sitemap.pages(manifests[:300], publishers) for u in sitemap._urls(page)
    ]
    odd = [
        ("/a&b/<c>/", date(2020, 1, 2), {"es": '/x"y\n\t\r&/', "x-default": "/ñ/"}),
        ("/sin-fecha/", None, {}),
    ]
    for chosen in (entries, odd, odd[1:], []):
        assert sitemap.urlset(chosen) == _tree_urlset(chosen)
