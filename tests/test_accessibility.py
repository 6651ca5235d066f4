"""Accessibility: axe-core in Debian's Chromium finds no serious or critical violation
on the home, search, dataset, publisher and territory pages, in both languages."""

from __future__ import annotations

import pytest
from conftest import serious_violations

PAGES = [
    "/",
    "/search/?q=salud",
    "/datasets/mides/bono-social-cobertura/",
    "/publishers/mides/",
    "/territories/16/",
    "/territories/1601/",
]


@pytest.mark.parametrize("lang", ["", "/en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(browser, demo_server, axe, path, lang):
    context = browser.new_context(base_url=demo_server)
    page = context.new_page()
    page.goto(lang + path)
    if path.startswith("/search/"):
        page.locator("#results li").first.wait_for()  # judge the page with its results
    serious = serious_violations(axe, page)
    context.close()
    assert not serious, serious


def test_axe_does_find_violations_on_a_broken_page(browser, axe):
    """The check can fail: an image without text and an unlabelled field are caught."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="data:,"><input type="text"></body></html>')
    violations = {v["id"] for v in axe.run(page).response["violations"]}
    context.close()
    assert {"image-alt", "label"} <= violations
