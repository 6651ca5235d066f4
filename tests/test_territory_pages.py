"""A territory's profile lists its first datasets, the others are on pages of their own:
a department covered by thousands of datasets gets no page listing them all."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from catalog.bench import scale, site
from catalog.build.site import write_site
from catalog.site.pages import PAGE_SIZE

COUNT = PAGE_SIZE * 2 + 7  # three pages


def _manifests() -> list[dict]:
    found = [scale.manifest(i) for i in range(COUNT)]
    for m in found:
        m["package"]["spatial"]["departments"] = ["01"]
    return found


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/datasets/[^"]+">([^<]+)</a>', html)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    work = tmp_path_factory.mktemp("territories")
    manifests = _manifests()
    site._database(work / "catalogo.db", manifests)
    write_site(
        work / "one",
        manifests,
        scale._publishers(),
        "es",
        database=work / "catalogo.db",
        today=site.TODAY,
    )
    return work, manifests


def test_the_profile_lists_the_first_datasets_and_links_the_rest(built):
    work, _manifests = built
    folder = work / "one" / "territories" / "01"
    first = (folder / "index.html").read_text("utf-8")
    assert f"{COUNT} conjuntos de datos, en orden alfabético" in first
    assert len(_titles(first)) == PAGE_SIZE
    assert 'href="/territories/01/2/"' in first
    listed = _titles(first)
    for n in (2, 3):
        page = (folder / str(n) / "index.html").read_text("utf-8")
        assert "Conjuntos de datos que cubren Guatemala" in page
        assert f"Página {n} de 3" in page
        listed += _titles(page)
    assert not (folder / "4").exists()
    assert len(listed) == COUNT == len(set(listed))
    assert listed == sorted(listed, key=scale.sort_key)


def test_a_changed_title_rewrites_the_listing_pages_it_moves_across(built, tmp_path: Path):
    work, manifests = built
    changed = copy.deepcopy(manifests)
    last = max(changed, key=lambda m: scale.sort_key(m["package"]["title"]))
    last["package"]["title"] = "Zzz, el último de la lista"
    write_site(
        tmp_path / "two",
        changed,
        scale._publishers(),
        "es",
        database=work / "catalogo.db",
        previous=work / "one",
        today=site.TODAY,
    )
    one, two = work / "one" / "territories" / "01", tmp_path / "two" / "territories" / "01"
    # The dataset stays last: the second page is reused (a hard link), the third is
    # written again (the profile too: its figures are read from all its datasets).
    assert (one / "2" / "index.html").stat().st_ino == (two / "2" / "index.html").stat().st_ino
    assert (one / "3" / "index.html").stat().st_ino != (two / "3" / "index.html").stat().st_ino
    third = (two / "3" / "index.html").read_text("utf-8")
    assert _titles(third)[-1] == "Zzz, el último de la lista"
