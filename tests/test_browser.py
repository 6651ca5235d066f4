"""The catalogue in a real browser (Debian's Chromium through Playwright) against a
real ``catalog serve``: search, facets, language switch, downloads, SQL links."""

from __future__ import annotations

import csv
import io
import re
import urllib.request

import pytest
from conftest import DEMO_DATASETS
from playwright.sync_api import expect

from catalog.site.pages import sort_key

# Search answers once the index files it needs have arrived; with the suite in two
# processes a page can take longer than Playwright's 5 s default to get there.
expect.set_options(timeout=20_000)


@pytest.fixture
def page(browser, demo_server):
    context = browser.new_context(base_url=demo_server, accept_downloads=True)
    outside: list[str] = []
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith(demo_server) else outside.append(request.url)
        ),
    )
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"requests outside the portal: {outside}"


def test_search_finds_by_title_and_by_column_name(page):
    page.goto("/search/")
    page.get_by_label("Palabras a buscar").fill("vacunacion")  # without the accent
    page.get_by_role("button", name="Buscar", exact=True).click()
    results = page.locator("#results li")
    # Search fetches the index files the words need: wait for the answer, not the list.
    expect(results.first).to_contain_text("vacunación", ignore_case=True)
    assert "q=vacunacion" in page.url
    # A column name (familias_usuarias) finds its dataset too.
    page.goto("/search/?q=familias%20usuarias")
    page.locator("#results li").first.wait_for()
    titles = page.locator("#results h3").all_inner_texts()
    assert any("Bono Social" in t for t in titles)


def test_facets_filter_and_count(page):
    page.goto("/search/")
    page.locator("#results li").first.wait_for()
    status = page.locator("#status")
    assert status.inner_text().startswith(f"{DEMO_DATASETS} ")
    theme = page.get_by_role("group", name="Tema")
    label = theme.locator("label", has_text=re.compile(r"^Salud \(\d+\)$")).inner_text()
    expected = int(re.search(r"\((\d+)\)", label).group(1))
    health = theme.get_by_label(label)
    health.check()
    # The search page's CSP forbids eval: wait with Playwright's own polling, not a JS string.
    expect(page.locator("#results li")).to_have_count(expected)
    assert "theme=HEAL" in page.url
    assert status.inner_text().startswith(f"{expected} ")
    publisher = page.get_by_role("group", name="Publicador")
    publisher.get_by_label(re.compile("Ministerio de Salud")).check()
    page.wait_for_url(re.compile("publisher=mspas"))
    texts = page.locator("#results .meta").all_inner_texts()
    assert texts and all("Ministerio de Salud" in t for t in texts)
    # The state lives in the address: reloading it gives the same results.
    page.reload()
    page.locator("#results li").first.wait_for()
    assert page.locator("#results .meta").all_inner_texts() == texts
    page.get_by_role("button", name="Quitar filtros").click()
    expect(page.locator("#results li")).to_have_count(20)


def test_sorting_by_title(page):
    page.goto("/search/?sort=title")
    page.locator("#results li").first.wait_for()
    titles = page.locator("#results h3").all_inner_texts()
    assert len(titles) == 20
    assert titles == sorted(titles, key=sort_key)


def test_switching_language_keeps_the_page(page):
    page.goto("/datasets/mides/bono-social-cobertura/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/datasets/mides/bono-social-cobertura/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Data and downloads").is_visible()
    page.get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r"/datasets/mides/bono-social-cobertura/$"))
    assert page.locator("html").get_attribute("lang") == "es"


def test_downloading_a_csv(page, demo_server):
    page.goto("/datasets/ine/hechos-delictivos/")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (UTF-8)").first.click()
    download = info.value
    assert download.suggested_filename == "denuncias.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows[0] == ["anio", "departamento", "tipo", "denuncias"]
    assert len(rows) == 397
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV para Excel").first.click()
    assert open(info.value.path(), "rb").read(3) == b"\xef\xbb\xbf"
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Descargar todo")).click()
    assert info.value.suggested_filename == "hechos-delictivos.zip"


def test_following_the_sql_link_into_datasette(page):
    page.goto("/datasets/ine/hechos-delictivos/")
    page.get_by_role("link", name="Explorar esta tabla con SQL").first.click()
    page.wait_for_url("**/sql/catalogo/ine__hechos_delictivos__denuncias")
    assert "Denuncias por tipo de hecho" in page.locator("h1").inner_text()
    assert "396 rows" in page.content()  # Datasette counts the same rows


def test_browse_pages_work_without_javascript(browser, demo_server):
    context = browser.new_context(base_url=demo_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/browse/")
    assert page.locator(".dataset-list li").count() == DEMO_DATASETS
    page.get_by_role("link", name=re.compile("Hechos delictivos")).click()
    page.wait_for_url("**/datasets/ine/hechos-delictivos/")
    assert page.get_by_role("link", name="CSV (UTF-8)").count() == 1
    context.close()
    with urllib.request.urlopen(demo_server + "/search/") as response:
        html = response.read().decode("utf-8")
    noscript = html.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert 'href="/browse/"' in noscript and 'href="/territories/"' in noscript


def test_served_404_page_in_english_under_en(demo_server):
    request = urllib.request.Request(demo_server + "/en/no-such-page/")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 404
