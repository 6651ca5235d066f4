"""Listings page by page: the first page is the listing's address, each later page is
named after the dataset it ends with. A page links the first, the previous and the next
page and says which titles it goes from and to, so a dataset that comes, goes or moves
changes the pages it leaves and joins, not the thousand pages after them."""

from __future__ import annotations

import random
import re

from catalog.site.pages import chunk, initials, page_name, paginate, sort_key
from catalog.site.render import render


def _items(count: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"pub-{i % 50:03d}/conjunto-{i:05d}",
            "title": f"Conjunto {i:05d}",
            "path": f"datasets/pub-{i % 50:03d}/conjunto-{i:05d}/",
        }
        for i in range(count)
    ]


def _nav(pager: dict, items: list[dict], lang: str = "es") -> str:
    html = render("browse.html", lang, path="browse/", items=items, pager=pager)
    found = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_one_page_has_no_pager():
    (_path, shown, pager), *rest = paginate(_items(30), "browse/")
    assert not rest
    assert _nav(pager, shown) == ""


def test_later_pages_are_named_after_their_last_dataset():
    items = _items(5000)
    pages = paginate(items, "browse/")
    assert pages[0][0] == "browse/"
    for path, shown, _pager in pages[1:]:
        assert path == f"browse/{page_name(shown[-1])}/"
        assert re.fullmatch(r"browse/pub-\d{3}--conjunto-\d{5}/", path)
    assert [i for _p, shown, _g in pages for i in shown] == items
    # Each links its neighbours; only the first says how many pages there are.
    for n, (_path, _shown, pager) in enumerate(pages):
        assert pager["prev"] == (pages[n - 1][0] if n else None)
        assert pager["next"] == (pages[n + 1][0] if n + 1 < len(pages) else None)
        assert pager["pages"] == (len(pages) if n == 0 else None)


def test_the_first_page_counts_the_pages():
    (_path, shown, pager), second, *_rest = paginate(_items(5000), "browse/")
    nav = _nav(pager, shown)
    assert re.search(r"Página 1 de \d+", nav)
    assert f'<a href="/{second[0]}" rel="next">Siguiente</a>' in nav
    assert 'rel="prev"' not in nav and "Primera página" not in nav


def test_a_later_page_links_first_previous_and_next():
    pages = paginate(_items(5000), "browse/")
    path, shown, pager = pages[5]
    nav = _nav(pager, shown, "en")
    assert '<a href="/en/browse/">First page</a>' in nav
    assert f'<a href="/en/{pages[4][0]}" rel="prev">Previous</a>' in nav
    assert f'<a href="/en/{pages[6][0]}" rel="next">Next</a>' in nav
    assert f"From “{shown[0]['title']}” to “{shown[-1]['title']}”" in nav
    assert not re.search(r"Page \d", nav)  # no number: it changes with every page before it
    # The second page's previous is the first: one link, not two.
    second = _nav(pages[1][2], pages[1][1])
    assert "Primera página" not in second and '<a href="/browse/" rel="prev">' in second
    last = _nav(pages[-1][2], pages[-1][1])
    assert 'rel="next"' not in last


def _by_path(items: list[dict]) -> dict[str, tuple]:
    return {
        path: (tuple(i["id"] for i in shown), pager["prev"], pager["next"], pager["pages"])
        for path, shown, pager in paginate(items, "browse/")
    }


def test_a_change_rewrites_only_the_pages_it_touches():
    """Whatever moves, comes or goes, even a dataset that ends a page: the pages whose
    datasets or links differ are the ones it left and joined, their neighbours and the
    first (which counts the pages) — never the pages in between. A place touches at most
    four pages (the page, one split off or merged with it, the neighbours whose links
    change); a move is two places."""
    items = _items(6000)
    before = _by_path(items)
    rng = random.Random(7)
    ends = [shown[-1] for _p, shown, _g in paginate(items, "browse/")[:-1]]
    worst = 0
    for n in range(300):
        changed = items[:]
        if n % 3 == 0:  # moved (one in three a dataset that ends a page)
            moving = ends[n % len(ends)] if n % 2 else changed[rng.randrange(len(changed))]
            changed.remove(moving)
            changed.insert(rng.randrange(len(changed)), moving)
        elif n % 3 == 1:  # added
            changed.insert(
                rng.randrange(len(changed)), {"id": f"nuevo/{n}", "title": "x", "path": ""}
            )
        else:  # removed
            changed.remove(ends[n % len(ends)] if n % 2 else changed[rng.randrange(len(changed))])
        after = _by_path(changed)
        differing = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        worst = max(worst, len(differing - {"browse/"}))
    assert 3 <= worst <= 8


def test_letters_jump_to_the_page_of_their_first_title():
    titles = ["1990 censo", "Agua", "Álamos", "Bosques", "Zonas"]
    items = [
        {"id": f"p/{n}", "title": t, "sort": sort_key(t), "path": f"datasets/p/{n}/"}
        for n, t in enumerate(titles * 30)
    ]
    items.sort(key=lambda i: (i["sort"], i["id"]))
    pages = paginate(items, "browse/")
    letters = dict(initials(pages))
    assert list(letters) == ["#", "A", "B", "Z"]  # "Álamos" is under A
    page_of = {i["id"]: path for path, shown, _pager in pages for i in shown}
    first = {"#": "1990 censo", "A": "Agua", "B": "Bosques", "Z": "Zonas"}
    for letter, title in first.items():
        found = next(i for i in items if i["title"] == title)
        assert letters[letter] == page_of[found["id"]]


def test_chunks_keep_their_bounds():
    pages = chunk(_items(5000))
    assert all(10 <= len(p) <= 150 for p in pages[:-1])
