"""Accessibility of the indicator pages and of a ficha with indicators: axe-core in
Debian's Chromium finds no serious or critical violation, in both languages, and a
territory on the map is reachable by keyboard with its value as its name."""

from __future__ import annotations

import pytest
from conftest import serious_violations

PAGES = [
    "/indicadores/",
    "/indicadores/bono-social-cobertura/",
    "/territories/16/",
    "/territories/1601/",
]


@pytest.mark.parametrize("lang", ["", "/en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(browser, demo_server, axe, path, lang):
    context = browser.new_context(base_url=demo_server)
    page = context.new_page()
    page.goto(lang + path)
    serious = serious_violations(axe, page)
    context.close()
    assert not serious, serious


def test_a_territory_on_the_map_is_focusable_and_named(browser, demo_server):
    context = browser.new_context(base_url=demo_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/indicadores/desnutricion-aguda/")
    link = page.locator('svg.map a[href="/territories/16/"]')
    link.focus()
    assert link.evaluate("a => document.activeElement === a")
    assert link.get_attribute("aria-label").startswith("Alta Verapaz: ")
    assert page.locator("svg.map a").count() == 22
    context.close()
