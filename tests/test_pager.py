"""Listings page by page: a page links the first and last pages, two either side of
itself, the previous and the next, so a listing of 50,000 datasets (1,000 pages) does
not put a thousand links on each of its pages."""

from __future__ import annotations

import re

import pytest

from catalog.site.render import render


def _pager(page: int, pages: int, lang: str = "es") -> str:
    html = render(
        "browse.html",
        lang,
        path="browse/",
        items=[],
        pager={"page": page, "pages": pages, "base": "browse/"},
        total=pages * 50,
    )
    found = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def _numbers(nav: str) -> list[int]:
    return [int(n) for n in re.findall(r">(\d+)</a>", nav)]


def test_one_page_has_no_pager():
    assert _pager(1, 1) == ""


@pytest.mark.parametrize(
    ("page", "pages", "numbers"),
    [
        (1, 2, [1, 2]),
        (1, 1000, [1, 2, 3, 1000]),
        (500, 1000, [1, 498, 499, 500, 501, 502, 1000]),
        (1000, 1000, [1, 998, 999, 1000]),
        (4, 9, [1, 2, 3, 4, 5, 6, 9]),
    ],
)
def test_a_window_of_pages(page: int, pages: int, numbers: list[int]):
    nav = _pager(page, pages)
    assert _numbers(nav) == numbers
    current = re.findall(r'href="([^"]+)" aria-current="page">(\d+)<', nav)
    assert current == [("/browse/" if page == 1 else f"/browse/{page}/", str(page))]
    assert f"Página {page} de {pages}" in nav
    # The gaps are marked for the eye only.
    assert nav.count('aria-hidden="true">…') == (numbers[1] > 2) + (numbers[-2] < pages - 1)


def test_previous_and_next():
    nav = _pager(7, 20, "en")
    assert '<a href="/en/browse/6/" rel="prev">Previous</a>' in nav
    assert '<a href="/en/browse/8/" rel="next">Next</a>' in nav
    assert 'rel="prev"' not in _pager(1, 20)
    assert 'rel="next"' not in _pager(20, 20)
