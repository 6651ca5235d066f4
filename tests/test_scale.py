"""National scale: paged DCAT (docs/api.md, "Paged DCAT") and, beyond one machine
(docs/deploy.md), API workers serving one release agree.

Two ``catalog serve`` processes on the same release (as two hosts behind a load
balancer serve copies of the same immutable files), and one ``catalog serve
--workers 2``, answer every read the same: package_search with its facets,
package_show, the native API's search and a Datasette query.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import rdflib
from conftest import free_port, serving
from pyshacl import validate
from rdflib import RDF, URIRef
from rdflib.namespace import SH

from catalog import standards, urls
from catalog.site.writer import SiteWriter
from catalog.standards import dcat
from catalog.standards.dcat import DCAT, HYDRA

SHAPES = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "dcat-ap-3.0.1"

READS = [
    "/api/3/action/package_search?q=educacion&rows=5",
    "/api/3/action/package_search?q=municipios&facet.field=%5B%22organization%22%2C%22tags%22%5D",
    "/api/3/action/package_search?fq=organization:mides&sort=title_string%20asc",
    "/api/3/action/package_show?id=mides--bono-social-cobertura",
    "/api/3/action/package_list",
    "/api/v1/datasets?q=salud",
    "/sql/catalogo.json?sql=select+count(*)+from+datasets&_shape=array",
]


def _answers(base: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in READS:
        # A new connection each time: with several workers, any of them may answer.
        with urllib.request.urlopen(base + path, timeout=30) as response:
            body = json.loads(response.read())
        if isinstance(body, dict):
            body.pop("help", None)
        found[path] = body
    return found


# Behind a load balancer every replica has the public address (docs/deploy.md).
PUBLIC = {**os.environ, "CATALOG_BASE_URL": "https://datos.example.gob.gt"}


def test_two_api_servers_on_one_release_agree(demo_build: Path):
    one, two = free_port(), free_port()
    with serving(demo_build, one, env=PUBLIC, ready="/api/v1/status"):
        with serving(demo_build, two, env=PUBLIC, ready="/api/v1/status"):
            first = _answers(f"http://127.0.0.1:{one}")
            second = _answers(f"http://127.0.0.1:{two}")
    assert first == second
    search = first[READS[0]]
    assert isinstance(search, dict) and search["success"] and search["result"]["count"] > 0


def test_two_workers_of_one_server_agree(demo_build: Path):
    port = free_port()
    with serving(demo_build, port, "--workers", "2", env=PUBLIC, ready="/api/v1/status"):
        base = f"http://127.0.0.1:{port}"
        rounds = [_answers(base) for _ in range(4)]
    assert all(answers == rounds[0] for answers in rounds)


# ---------------------------------------------------------------- paged DCAT


@pytest.fixture(scope="module")
def paged(tmp_path_factory, demo_manifests, demo_publishers) -> Path:
    """The documents of the demo catalogue with pages of 10 datasets."""
    site = tmp_path_factory.mktemp("paged")
    original = dcat.PAGE_SIZE
    dcat.PAGE_SIZE = 10
    try:
        standards.write_documents(site, demo_manifests, demo_publishers, "es")
    finally:
        dcat.PAGE_SIZE = original
    return site


def test_a_large_catalogue_is_paged_with_hydra_links(paged: Path, demo_manifests):
    pages = -(-len(demo_manifests) // 10)
    assert (paged / "catalog.ttl").read_text() == (paged / "catalog/page-1.ttl").read_text()
    seen: list[str] = []
    address = urls.absolute(dcat.page_path(1, "ttl"))
    for n in range(1, pages + 1):
        graph = rdflib.Graph().parse(paged / f"catalog/page-{n}.ttl", format="turtle")
        view = URIRef(address)
        assert (view, RDF.type, HYDRA.PagedCollection) in graph
        assert int(graph.value(view, HYDRA.totalItems)) == len(demo_manifests)
        assert graph.value(view, HYDRA.lastPage) == URIRef(
            urls.absolute(f"/catalog/page-{pages}.ttl")
        )
        assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1
        datasets = [str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)]
        assert 0 < len(datasets) <= 10
        seen += datasets
        following = graph.value(view, HYDRA.nextPage)
        assert (following is None) == (n == pages)
        address = str(following)
    assert len(seen) == len(set(seen)) == len(demo_manifests)  # each dataset on one page
    jsonld = rdflib.Graph().parse(paged / "catalog/page-2.jsonld", format="json-ld")
    view = URIRef(urls.absolute("/catalog/page-2.jsonld"))
    assert jsonld.value(view, HYDRA.previousPage) == URIRef(urls.absolute("/catalog/page-1.jsonld"))


def test_every_page_passes_the_official_shapes(paged: Path):
    shapes = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:  # as tests/test_dcat.py: dangling references
            shapes.remove((shape, SH.property, prop))
    page = rdflib.Graph().parse(paged / "catalog/page-2.ttl", format="turtle")
    conforms, _report, text = validate(page, shacl_graph=shapes)
    assert conforms, text


def test_catalog_ttl_takes_a_page_parameter(demo_server: str):
    """The demo is one page: ``?page=1`` is the whole document, page 2 does not exist."""
    with urllib.request.urlopen(demo_server + "/catalog.ttl", timeout=30) as response:
        whole = response.read()
    with urllib.request.urlopen(demo_server + "/catalog.ttl?page=1", timeout=30) as response:
        assert response.read() == whole
    for page in ("2", "0", "x", "%C2%B2"):  # ²: a digit to Python, not a number
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{demo_server}/catalog.jsonld?page={page}", timeout=30)
        assert error.value.code == 404


def test_unchanged_dcat_pages_are_linked_not_written_again(
    tmp_path: Path, demo_manifests, demo_publishers, monkeypatch
):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 10)
    first, second, third = (tmp_path / n / "site" for n in ("one", "two", "three"))
    for folder in (first, second, third):
        folder.mkdir(parents=True)

    def documents(folder: Path, manifests, previous: Path | None = None) -> None:
        # As the site's build writes them: through its writer, which keeps their keys.
        writer = SiteWriter(folder, previous)
        standards.write_documents(
            folder, manifests, demo_publishers, "es", version="v1", writer=writer
        )
        writer.save()

    documents(first, demo_manifests)
    documents(second, demo_manifests, previous=first)
    pages = sorted(p.name for p in (first / "catalog").iterdir())
    assert len(pages) == 2 * -(-len(demo_manifests) // 10)
    for name in pages:  # nothing changed: every page is the previous file
        assert (second / "catalog" / name).stat().st_ino == (first / "catalog" / name).stat().st_ino
    changed = [dict(m) for m in demo_manifests]
    last = changed[-1]  # on the last page, in id order
    changed[-1] = {**last, "package": {**last["package"], "title": "Otro título"}}
    documents(third, changed, previous=second)
    fresh = {
        name
        for name in pages
        if (third / "catalog" / name).stat().st_ino != (second / "catalog" / name).stat().st_ino
    }
    count = -(-len(demo_manifests) // 10)
    assert fresh == {f"page-{count}.ttl", f"page-{count}.jsonld"}
    assert "Otro título" in (third / f"catalog/page-{count}.ttl").read_text()
    assert (third / "catalog.ttl").read_text() == (third / "catalog/page-1.ttl").read_text()
