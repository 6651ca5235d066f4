"""A publisher's page lists its first datasets and its listing's later pages the others:
a harvested body with thousands of datasets gets no page listing them all (and no page
written again whenever any of them changes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.bench import scale, site
from catalog.build.site import write_site
from catalog.release.naming import table_name
from catalog.site.pages import MAX_PAGE, PAGE_SIZE

COUNT = PAGE_SIZE * 3 + 7  # several pages
PUBLISHER = "pub-007"


def _manifest(i: int) -> dict:
    """``scale.manifest(i)``, published by ``PUBLISHER``."""
    found = scale.manifest(i)
    name = found["package"]["name"]
    found["package"]["publisher"] = found["publisher"] = PUBLISHER
    found["dataset"] = f"{PUBLISHER}/{name}"
    found["tables"][0]["name"] = table_name(PUBLISHER, name, "datos")
    return found


def _titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/datasets/[^"]+">([^<]+)</a>', html)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("publisher")
    manifests = [_manifest(i) for i in range(COUNT)]
    site._database(work / "catalogo.db", manifests)
    write_site(
        work / "site",
        manifests,
        scale._publishers(),
        "es",
        database=work / "catalogo.db",
        today=site.TODAY,
    )
    return work / "site"


def test_the_publisher_page_lists_the_first_datasets_and_links_the_rest(listing_pages, built: Path):
    (_, first), *rest = listing_pages(built, f"/publishers/{PUBLISHER}/")
    assert rest and len(_titles(first)) <= MAX_PAGE
    assert f"Página 1 de {len(rest) + 1}" in first
    assert "Institución de prueba 7" in first  # the body's own facts, on its page
    listed = _titles(first)
    badges = first.count('class="badge overdue"')
    for path, page in rest:
        titles = _titles(page)
        assert re.fullmatch(rf"/publishers/{PUBLISHER}/{PUBLISHER}--conjunto-\d+/", path)
        assert "<h1>Conjuntos de datos de Institución de prueba 7</h1>" in page
        assert f"De «{titles[0]}» a «{titles[-1]}»" in page
        assert f'href="/publishers/{PUBLISHER}/"' in page  # back to the publisher
        badges += page.count('class="badge overdue"')
        listed += titles
    assert len(listed) == COUNT == len(set(listed))
    assert listed == sorted(listed, key=scale.sort_key)
    # The first page counts every overdue dataset, not only those it lists.
    assert badges > 0
    assert f"{badges} de {COUNT} conjuntos de datos" in first


def test_the_listing_pages_are_in_english_too(listing_pages, built: Path):
    (_, first), *rest = listing_pages(built, f"/en/publishers/{PUBLISHER}/")
    assert rest
    assert all(path.startswith(f"/en/publishers/{PUBLISHER}/") for path, _ in rest)
    assert "Datasets of Institución de prueba 7" in rest[0][1]
