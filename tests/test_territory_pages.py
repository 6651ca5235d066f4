"""A territory's profile lists its first datasets, the others are on pages of their own:
a department covered by thousands of datasets gets no page listing them all."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from catalog.bench import scale, site
from catalog.build.site import write_site
from catalog.site.pages import MAX_PAGE, MIN_PAGE, PAGE_SIZE, chunk

COUNT = PAGE_SIZE * 3 + 7  # several pages


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


def test_the_profile_lists_the_first_datasets_and_links_the_rest(listing_pages, built):
    work, _manifests = built
    (_, first), *rest = listing_pages(work / "one", "/territories/01/")
    assert rest
    assert f"{COUNT} conjuntos de datos, en orden alfabético" in first
    assert MIN_PAGE <= len(_titles(first)) <= MAX_PAGE
    assert f"Página 1 de {len(rest) + 1}" in first
    listed = _titles(first)
    for path, page in rest:
        # A later page is named after the dataset it ends with, not numbered.
        titles = _titles(page)
        assert re.fullmatch(r"/territories/01/pub-\d+--conjunto-\d+/", path)
        assert "Conjuntos de datos que cubren Guatemala" in page
        assert f"De «{titles[0]}» a «{titles[-1]}»" in page
        assert 'href="/territories/01/">Primera página' in page or path == rest[0][0]
        assert str(COUNT) not in page  # the total is on the profile only
        listed += titles
    assert len(listed) == COUNT == len(set(listed))
    assert listed == sorted(listed, key=scale.sort_key)


def test_a_changed_title_rewrites_the_listing_pages_it_moves_across(
    listing_pages, built, tmp_path: Path
):
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
    before = [path for path, _html in listing_pages(work / "one", "/territories/01/")]
    after = listing_pages(tmp_path / "two", "/territories/01/")
    assert [path for path, _html in after] == before
    # The dataset stays last: the pages before the last are reused (hard links), the
    # last is written again (and the profile: its figures are read from all its datasets).
    for path in before[1:-1]:
        one, two = (
            root / path.strip("/") / "index.html" for root in (work / "one", tmp_path / "two")
        )
        assert one.stat().st_ino == two.stat().st_ino
    last_page = tmp_path / "two" / before[-1].strip("/") / "index.html"
    assert (
        last_page.stat().st_ino
        != (work / "one" / before[-1].strip("/") / "index.html").stat().st_ino
    )
    assert _titles(last_page.read_text("utf-8"))[-1] == "Zzz, el último de la lista"


def _ids(pages: list[list[dict]]) -> list[tuple[str, ...]]:
    return [tuple(i["id"] for i in page) for page in pages]


def test_pages_end_where_their_own_datasets_say():
    """A dataset moved, added or removed changes the pages it leaves and joins; the
    others keep their datasets (and so their files), unless it ended a page."""
    items = [{"id": f"pub-{i % 50:03d}/conjunto-{i}"} for i in range(5000)]
    before = _ids(chunk(items))
    assert len(before) > 5000 // MAX_PAGE
    assert all(MIN_PAGE <= len(p) <= MAX_PAGE for p in before[:-1])
    assert [i for p in before for i in p] == [i["id"] for i in items]
    changes = []
    for n in range(100):
        moved = items[:]
        moved.insert((n * 997) % 5000, moved.pop((n * 7919) % 5000))
        changes.append(_ids(chunk(moved)))
        added = items[:]
        added.insert((n * 331) % 5000, {"id": f"nuevo-{n}"})
        changes.append(_ids(chunk(added)))
    differing = sorted(
        sum(1 for a, b in zip(before, after, strict=False) if a != b)
        + abs(len(before) - len(after))
        for after in changes
    )
    assert differing[len(differing) // 2] <= 2  # usually the one or two pages concerned
    assert differing[int(len(differing) * 0.9)] <= 4


def test_a_short_listing_is_one_page():
    items = [{"id": f"x/{i}"} for i in range(PAGE_SIZE)]
    assert chunk(items) == [items]
    assert chunk([]) == [[]]


def test_a_dataset_added_to_a_department_leaves_its_other_pages_alone(
    listing_pages, built, tmp_path: Path
):
    """The department's count changes, which its later pages and its municipalities'
    profiles do not show: they are reused, not written again unchanged."""
    work, manifests = built
    added = copy.deepcopy(manifests[0])
    added["dataset"], added["name"] = "pub-000/aaa-nuevo", "aaa-nuevo"
    added["package"]["name"], added["package"]["title"] = "aaa-nuevo", "Aaa, el primero"
    write_site(
        tmp_path / "two",
        [*manifests, added],
        scale._publishers(),
        "es",
        database=work / "catalogo.db",
        previous=work / "one",
        today=site.TODAY,
    )
    paths = [path for path, _html in listing_pages(work / "one", "/territories/01/")]

    def same(path: str) -> bool:
        one, two = (r / path.strip("/") / "index.html" for r in (work / "one", tmp_path / "two"))
        return one.stat().st_ino == two.stat().st_ino

    assert not same(paths[0])  # the profile: the new dataset is first, the count is there
    assert "Aaa, el primero" in (tmp_path / "two/territories/01/index.html").read_text("utf-8")
    assert all(same(path) for path in paths[1:])
    assert same("/territories/0101/") and same("/en/territories/0102/")
