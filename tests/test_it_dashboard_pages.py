"""The public IT-project dashboard built for the demo (with the demo's CIO ratings, as
``make run`` exports them): totals, red projects in words, sortable and filterable
tables without JavaScript, the investment pages, the Atom feed, English, no external
request, pages keyed by content, and axe in a real browser."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path
from xml.etree import ElementTree

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from conftest import REPO, free_port, serving

from catalog.build import build
from catalog.transparency import cio
from catalog.transparency.cio_export import export_ratings
from catalog.transparency.testing import workspace_for_tests

ATOM = "{http://www.w3.org/2005/Atom}"
INVESTMENT = "TI-MIDES-01"
TEMPLATES = ["tablero_ti.html", "tablero_ti_macros.html", "tablero_ti_inversiones.html",
             "tablero_ti_institucion.html", "tablero_ti_inversion.html",
             "transparencia/cio.html", "transparencia/cio_investment.html"]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built with the workspace's export of the demo CIO ratings."""
    base = tmp_path_factory.mktemp("it-pages")
    with workspace_for_tests("sqlite", base) as ws:
        cio.seed_demo(ws, "clave-de-prueba-1")
        export_ratings(ws, REPO, "segeplan", {"name": "SEGEPLAN"}, base / "extra")
    out = base / "build"
    report = build(REPO, out, extra=(base / "extra",))
    assert report.all_published, report.summary("en")
    return out


def site(built: Path) -> Path:
    return built / "current" / "site"


def page(built: Path, path: str) -> str:
    return (site(built) / path / "index.html").read_text("utf-8")


def summary(built: Path) -> dict:
    generated = built / "state" / "generated" / "datasets" / "segeplan" / "tablero-proyectos-ti"
    with (generated / "data" / "resumen.csv").open(encoding="utf-8") as fh:
        return next(csv.DictReader(fh))


def test_the_portfolio_shows_the_totals(built):
    html = page(built, "tablero-ti")
    totals = summary(built)
    counts = re.findall(r"<li><strong>([^<]+)</strong> ([^<]+)</li>", html)
    shown = {label.strip(): value for value, label in counts}
    assert shown["inversiones"] == totals["inversiones"]
    assert shown["proyectos"] == totals["proyectos"]
    assert shown["costo planificado"] == f"{round(float(totals['costo_planificado'])):,}"
    assert f"Periodo de reporte {totals['periodo_reporte']}" in html
    for section in ("Inversiones en riesgo", "Gasto por institución", "Distribución del riesgo",
                    "Qué cambió en este periodo", "Variación de costo",
                    "Vigencia de las calificaciones CIO"):  # fmt: skip
        assert section in html, section
    assert '<svg class="chart it-chart"' in html and 'role="img"' in html


def test_a_red_investment_is_shown_with_words(built):
    html = page(built, "tablero-ti")
    assert int(summary(built)["rojas"]) > 0
    at_risk = html.split('id="en-riesgo"', 1)[1].split("</section>", 1)[0]
    assert re.search(
        r'<span class="risk red"><span aria-hidden="true">■</span> Rojo</span>', at_risk
    )
    # Every colour anywhere on the page comes with its word.
    for match in re.finditer(
        r'<span class="risk (\w+)">(.*?)</span></span>|<span class="risk (\w+)"><span aria-hidden="true">.</span> ([^<]+)</span>',
        html,
    ):  # noqa: E501
        assert (match.group(4) or "x").strip()
    assert "vencida: " in html  # stale ratings with their age


def test_tables_sort_and_filter_without_javascript(built):
    everything = page(built, "tablero-ti/inversiones")
    red = page(built, "tablero-ti/inversiones/rojo/costo")
    assert "<script" not in everything and "<script" not in red
    assert 'href="/tablero-ti/inversiones/rojo/general/"' in everything
    assert 'aria-current="page"' in red
    rows = re.findall(r'<td>[\d,.]+ <span class="risk (\w+)">', red)
    assert rows and set(rows) == {"red"}
    names = re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a>',
        page(built, "tablero-ti/inversiones/todas/nombre"),
    )
    assert names == sorted(names, key=str.casefold)


def test_an_investment_page(built):
    html = page(built, f"tablero-ti/{INVESTMENT}")
    assert "Sistema Nacional de Información Social" in html
    assert html.count("<svg") >= 2  # the milestone timeline and the cost curve
    assert "Todas las calificaciones CIO de esta inversión" in html
    assert "CIO (ejemplo)" in html and "días de antigüedad" in html
    assert "NOG-" in html and "Adquisiciones relacionadas" in html
    assert 'href="/datasets/segeplan/proyectos-ti/"' in html
    assert 'href="/sql/catalogo/segeplan__proyectos_ti__contratos"' in html
    body = page(built, "tablero-ti/instituciones/mides")
    assert f'href="/tablero-ti/{INVESTMENT}/"' in body


def test_procurement_links_where_the_row_exists(built):
    from catalog.site.itdata import procurement_key

    assert procurement_key("NOG-20007919") == "20007919" and procurement_key("s/n") is None
    conn = sqlite3.connect(built / "current" / "sql" / "catalogo.db")
    nog = conn.execute(
        "select nog from minfin__adquisiciones_guatecompras__adquisiciones limit 1"
    ).fetchone()[0]
    conn.close()
    from catalog.site.itdata import DashboardData, _procurement

    data = DashboardData("segeplan/tablero-proyectos-ti", {}, [], [], [], [], [], [], {})
    data.contracts = {"X": [{"id_adquisicion": f"NOG-{nog}"}, {"id_adquisicion": "NOG-00000001"}]}
    import json

    manifests = {}
    for path in (built / "state" / "datasets").glob("*/manifest.json"):
        manifest = json.loads(path.read_text("utf-8"))
        manifests[manifest["dataset"]] = manifest
    conn = sqlite3.connect(built / "current" / "sql" / "catalogo.db")
    found = _procurement(data, manifests, conn)
    conn.close()
    assert found == {
        nog: f"/sql/catalogo/minfin__adquisiciones_guatecompras__adquisiciones?nog={nog}"
    }


def test_the_feed_parses_and_names_changes(built):
    for lang in ("", "en/"):
        root = ElementTree.fromstring((site(built) / f"{lang}tablero-ti/cambios.atom").read_bytes())
        entries = root.findall(f"{ATOM}entry")
        assert 0 < len(entries) <= 100
        titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
        assert all(e.find(f"{ATOM}updated") is not None for e in entries)
        if lang:
            assert any("CIO rating" in t for t in titles) and any("turned red" in t for t in titles)
        else:
            assert any("calificación CIO" in t for t in titles)
            assert any("pasó a rojo" in t for t in titles)
    assert 'href="/tablero-ti/cambios.atom"' in page(built, "tablero-ti")


def test_english_pages(built):
    html = page(built, "en/tablero-ti")
    assert '<html lang="en">' in html and "IT-project dashboard" in html
    assert "Red: at risk" in html and "Investments at risk" in html
    assert "Milestones" in page(built, f"en/tablero-ti/{INVESTMENT}")
    assert 'href="/en/tablero-ti/inversiones/"' in html


def test_no_external_requests(built):
    pages = list((site(built) / "tablero-ti").rglob("index.html"))
    pages += list((site(built) / "en" / "tablero-ti").rglob("index.html"))
    assert len(pages) > 50
    for path in pages:
        html = path.read_text("utf-8")
        sources = re.findall(r'(?:src|href)="(https?:)?//', html)
        assert not [s for s in re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html)
                    if "w3.org" not in s], path  # fmt: skip
        assert not sources
        assert "style=" not in html and "<script>" not in html  # CSP: no inline style or script


def test_the_home_links_the_dashboard(built):
    assert 'href="/tablero-ti/"' in page(built, "")
    assert 'href="/en/tablero-ti/"' in page(built, "en")


def test_unchanged_data_gives_unchanged_files(built, tmp_path):
    """A second build of the same content reuses every dashboard file (keyed by content)."""
    from catalog.site.writer import page_keys

    keys = page_keys(site(built).resolve())
    mine = {p: k for p, k in keys.items() if "tablero-ti/" in p}
    assert len(mine) > 100
    before = {p: (site(built) / p).stat().st_ino for p in mine}
    again = build(REPO, built, extra=(built.parent / "extra",))
    assert again.all_published
    after = {p: (site(built) / p).stat().st_ino for p in mine}
    assert after == before  # hard links to the very same files


def test_every_page_string_is_translated():
    from catalog.site.render import TEMPLATES as FOLDER

    spanish: dict[str, str] = {}
    for po in (REPO / "catalog" / "locale" / "es" / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            spanish |= {str(m.id): str(m.string) for m in read_po(fh) if m.id}
    missing = [
        msgid
        for name in TEMPLATES
        for msgid in re.findall(r'_\("((?:[^"\\]|\\.)*)"', (FOLDER / name).read_text("utf-8"))
        if not spanish.get(msgid)
    ]
    assert not missing, missing


# ---------------------------------------------------------------- axe in a real browser


@pytest.fixture(scope="module")
def server(built: Path):
    port = free_port()
    with serving(built, port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("lang", ["", "/en"])
@pytest.mark.parametrize(
    "path", ["/tablero-ti/", f"/tablero-ti/{INVESTMENT}/", "/tablero-ti/inversiones/"]
)
def test_axe_finds_no_serious_violation(browser, server, lang, path):
    context = browser.new_context(base_url=server)
    tab = context.new_page()
    response = tab.goto(lang + path)
    assert response is not None and response.status == 200
    results = Axe().run(tab)
    context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
