"""Active transparency's public pages: the matrix, a body's page, an item's page, the
feeds, filters, pagination, both languages and bad input; and the cached compliance
source behind them (declarations injected, the day fixed)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from starlette.testclient import TestClient
from test_fulfilment import DATASETS, GENERATED, PUBLISHERS

from catalog.transparency.active_public_web import PAGE_SIZE, install
from catalog.transparency.active_source import ComplianceSource, Snapshot, default_month
from catalog.transparency.compliance import Declaration, compute
from catalog.transparency.web import create_app

NOW = datetime(2024, 7, 20, 18, 0, tzinfo=UTC)  # noon in Guatemala
MATRIX = "/transparencia/activa/"
# Many more Guatemalan bodies, for pagination and the ranking.
EXTRA = {
    f"ente-{i:03d}": {
        "name": f"Entidad de prueba {i:03d}",
        "kind": "secretariat",
        "jurisdiction": {"country": "GT"},
    }
    for i in range(60)
}
ALL = {
    **PUBLISHERS,
    **EXTRA,
    "cl-ente": {"name": "Servicio (Chile)", "kind": "ministry", "jurisdiction": {"country": "CL"}},
}
RECORDS = [
    Declaration(
        "minfin",
        "GT-LAIP-10.8",
        "2024-05",
        "not-applicable",
        date(2024, 6, 3),
        reason="Sin ejecución presupuestaria nueva este mes",
        sample=True,
    ),
    Declaration(
        "minfin",
        "GT-LAIP-10.2",
        "*",
        "link",
        date(2024, 2, 1),
        url="https://minfin.example/directorio",
    ),
]


class Records:
    """The officers' approved records, as the workspace's service gives them."""

    def __init__(self, records: list[Declaration]) -> None:
        self.records = list(records)
        self.version = 1
        self.calls = 0

    def __call__(self) -> tuple[str, list[Declaration]]:
        self.calls += 1
        return str(self.version), list(self.records)


@pytest.fixture
def records() -> Records:
    return Records(RECORDS)


@pytest.fixture
def source(records: Records) -> ComplianceSource:
    snapshot = Snapshot("r1", ALL, DATASETS, GENERATED)
    return ComplianceSource(lambda: snapshot, records, months=12, now=lambda: NOW)


@pytest.fixture
def web(workspace: Any, tmp_path: Path, source: ComplianceSource) -> TestClient:
    app = create_app(tmp_path, workspace)
    install(app, source)
    return TestClient(app, follow_redirects=False)


def main_text(html: str) -> str:
    return html.split('<main id="content">', 1)[1].split("</main>", 1)[0]


def cells_of(html: str, slug: str) -> list[str]:
    """The states of a body's row of the matrix, by their class."""
    row = re.search(
        rf'<tr><td>[^<]*</td><th scope="row"><a href="[^"]*/activa/{slug}/[^<]*</a></th>.*?</tr>',
        html,
        re.S,
    )
    assert row, slug
    return re.findall(r'<td class="cell st-([a-z-]+)">', row.group(0))


# ---------------------------------------------------------------- the source


def test_the_board_scores_agree_with_the_compliance_computation(source: ComplianceSource):
    board = source.board("GT")
    found = compute(
        {s: i for s, i in ALL.items() if s in board.publishers},
        DATASETS,
        RECORDS,
        board.today,
        generated=GENERATED,
    )
    assert board.today == date(2024, 7, 20) and board.months[-1] == "2024-07"
    for slug in ("minfin", "muni-x", "ente-001"):
        assert board.window_scores[slug] == found.window_score(slug)
        for month in board.months:
            assert board.month_scores[slug][month] == found.month_score(slug, month)
            assert board.month_cells(slug, month) == found.month_cells(slug, month)
    item = board.items[3]
    assert board.item_score(item, "2024-05", board.bodies()) == found.item_score(
        item, "2024-05", board.bodies()
    )


def test_the_source_is_cached_by_release_records_and_day(
    source: ComplianceSource, records: Records
):
    first = source.board("GT")
    assert source.board("GT") is first and source.computed == 1
    records.version = 2  # an approved record changes the stamp
    assert source.board("GT") is not first and source.computed == 2
    source.now = lambda: datetime(2024, 7, 21, 5, 0, tzinfo=UTC)  # 23:00 in Guatemala
    assert source.board("GT").today == date(2024, 7, 20) and source.computed == 2
    source.now = lambda: datetime(2024, 7, 21, 7, 0, tzinfo=UTC)  # 01:00 on July 21
    assert source.board("GT").today == date(2024, 7, 21) and source.computed == 3


def test_one_computation_at_a_time_the_others_share_it(source: ComplianceSource):
    boards = []
    threads = [threading.Thread(target=lambda: boards.append(source.board("GT"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert source.computed == 1 and all(b is boards[0] for b in boards)


def test_the_window_setting_is_capped(monkeypatch: pytest.MonkeyPatch):
    snapshot = Snapshot("r1", PUBLISHERS, [], None)
    monkeypatch.setenv("CATALOG_COMPLIANCE_MONTHS", "500")
    assert ComplianceSource(lambda: snapshot).months == 60
    monkeypatch.setenv("CATALOG_COMPLIANCE_MONTHS", "24")
    assert ComplianceSource(lambda: snapshot).months == 24
    monkeypatch.delenv("CATALOG_COMPLIANCE_MONTHS")
    assert ComplianceSource(lambda: snapshot).months == 12


def test_the_default_month_is_the_latest_mostly_past_its_due_dates():
    months = [f"2024-{m:02d}" for m in range(1, 8)]
    # Guatemala's items are due 30 days after the month: on July 20, June is not past yet.
    assert default_month("GT", date(2024, 7, 20), months) == "2024-05"
    assert default_month("GT", date(2024, 7, 31), months) == "2024-06"
    # Chile's are due on the 10th business day: by July 20, June is past.
    assert default_month("CL", date(2024, 7, 20), months) == "2024-06"


# ---------------------------------------------------------------- the matrix


def test_the_matrix_shows_states_in_words_and_colour(web: TestClient):
    page = web.get(MATRIX, params={"tipo": "ministry"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    html = page.text
    assert "<script" not in main_text(html) and "style=" not in html
    assert 'lang="es"' in html and "Transparencia activa" in html
    assert "selected>2024-05</option>" in html  # the default month
    assert 'aria-current="page">GT</a>' in html and "?jurisdiccion=CL" in html  # tabs
    # Every state has its words (for screen readers too), not only its colour.
    assert (
        '<td class="cell st-on-time"><span aria-hidden="true">✓&nbsp;AT</span><span class="sr-only">A tiempo</span></td>'
        in html
    )
    assert '<span class="sr-only">Vencida, sin publicar</span>' in html
    assert "Cómo leer los estados" in html
    minfin = cells_of(html, "minfin")
    assert minfin[3] == "on-time"  # 10.4, May's pay, published June 14
    assert minfin[7] == "not-applicable"  # 10.8, declared
    assert minfin[1] == "on-time"  # 10.2 by its standing link
    # Feeds are linked from the head.
    assert 'type="application/atom+xml" href="/transparencia/activa/publicaciones.atom"' in html
    assert 'href="/transparencia/activa/vencidas.atom"' in html


def test_the_matrix_filters_orders_and_pages(web: TestClient):
    first = web.get(MATRIX, params={"tipo": "secretariat"}).text
    assert "Entidad de prueba 000" in first and "Ministerio de Finanzas" not in first
    assert f"Entidad de prueba {PAGE_SIZE - 1:03d}" in first
    assert f"Entidad de prueba {PAGE_SIZE:03d}" not in first
    assert 'aria-current="page">1</a>' in first and "pagina=2" in first
    second = web.get(MATRIX, params={"tipo": "secretariat", "pagina": "2"}).text
    assert f"Entidad de prueba {PAGE_SIZE:03d}" in second and "Entidad de prueba 000" not in second
    ranked = web.get(MATRIX, params={"orden": "mes", "periodo": "2024-05"}).text
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', ranked)
    assert names[0] == "Ministerio de Finanzas"  # the best score of the month first
    assert re.search(r"<tr><td>1</td><th scope=\"row\"><a href=\"[^\"]+/minfin/", ranked)
    april = web.get(MATRIX, params={"periodo": "2024-04"}).text
    assert "selected>2024-04</option>" in april
    chile = web.get(MATRIX, params={"jurisdiccion": "cl"}).text
    assert "Servicio (Chile)" in chile and "Ministerio de Finanzas" not in chile


def test_the_matrix_in_english(web: TestClient):
    page = web.get(MATRIX, params={"lang": "en", "tipo": "ministry"})
    assert 'lang="en"' in page.text and "Active transparency" in page.text
    assert '<span class="sr-only">On time</span>' in page.text
    assert page.cookies.get("lang") == "en"
    assert "Active transparency" in web.get(MATRIX).text  # the cookie keeps it


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"periodo": "2024-13"}, 400, "no es un período"),
        ({"periodo": "2024-09"}, 400, "aún no ha comenzado"),
        ({"periodo": "2023-01"}, 400, "2023-08"),  # before the window
        ({"periodo": "2024"}, 400, "no es un mes"),
        ({"tipo": "nave-espacial"}, 400, "nave-espacial"),
        ({"orden": "azar"}, 400, "azar"),
        ({"pagina": "0"}, 400, "número de página"),
        ({"pagina": "99"}, 400, "99"),
        ({"jurisdiccion": "MX"}, 400, "MX"),
    ],
)
def test_bad_input_is_a_clear_400(web: TestClient, params: dict, status: int, words: str):
    page = web.get(MATRIX, params=params)
    assert page.status_code == status, page.text[:500]
    assert words in main_text(page.text)
    assert "Traceback" not in page.text


# ---------------------------------------------------------------- a body, an item


def test_a_body_page_lists_each_item_with_its_publication_and_history(web: TestClient):
    page = web.get("/transparencia/activa/minfin/", params={"periodo": "2024-05"})
    assert page.status_code == 200
    html = main_text(page.text)
    assert "Información pública de oficio: Ministerio de Finanzas" in html
    pay = re.search(r'<tr id="GT-LAIP-10.4">.*?</tr>', html, re.S).group(0)
    assert "A tiempo" in pay and "2024-06-14" in pay and "2024-06-30" in pay
    assert "/datasets/minfin/planilla/" in pay
    link = re.search(r'<tr id="GT-LAIP-10.2">.*?</tr>', html, re.S).group(0)
    assert 'href="https://minfin.example/directorio"' in link and "Enlace" in link
    # The declaration, with its reason, labelled sample data.
    assert "Sin ejecución presupuestaria nueva este mes" in html
    assert 'id="sample-notice"' in html and "Datos de ejemplo" in html
    # The history of a monthly item: every month of the window, newest first.
    history = html.split("Historial de cada elemento", 1)[1]
    assert history.index("2024-07") < history.index("2023-08")
    assert "/api/v1/publishers/minfin/compliance?period=2024-05&amp;format=csv" in html


def test_an_item_page_across_bodies(web: TestClient):
    page = web.get("/transparencia/activa/obligaciones/GT-LAIP-10.4/", params={"lang": "en"})
    assert page.status_code == 200
    html = main_text(page.text)
    assert "Legal reference" in html and "GT-LAIP-10.4" in html
    assert "Ministerio de Finanzas" in html and "Entidad de prueba 059" in html
    assert "Servicio (Chile)" not in html  # another law
    assert "30 calendar days after the end of the period" in html


def test_unknown_body_or_item_is_a_404(web: TestClient):
    for path in (
        "/transparencia/activa/nadie/",
        "/transparencia/activa/lejos/",  # a publisher without a jurisdiction profile
        "/transparencia/activa/obligaciones/GT-LAIP-99/",
        "/transparencia/activa/obligaciones/GT-LAIP-10.4/nada",
    ):
        page = web.get(path)
        assert page.status_code == 404, path
        assert "Traceback" not in page.text
    assert web.get("/transparencia/activa").status_code == 308
    bad = web.get("/transparencia/activa/minfin/", params={"periodo": "mayo"})
    assert bad.status_code == 400 and "AAAA-MM" in bad.text


# ---------------------------------------------------------------- feeds


def test_the_feeds_of_publications_and_overdue_items(web: TestClient):
    answer = web.get("/transparencia/activa/publicaciones.atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/atom+xml"
    )
    feed = feedparser.parse(answer.content)
    assert not feed.bozo and 0 < len(feed.entries) <= 50
    published = [e.updated for e in feed.entries]
    assert published == sorted(published, reverse=True)  # newest first
    assert any("Ministerio de Finanzas" in e.title for e in feed.entries)
    overdue = feedparser.parse(web.get("/transparencia/activa/vencidas.atom?lang=en").content)
    assert not overdue.bozo and len(overdue.entries) == 50  # capped
    assert all("was due on" in e.summary for e in overdue.entries)
    due = [e.updated for e in overdue.entries]
    assert due == sorted(due, reverse=True)


def test_the_workspace_home_links_the_matrix(web: TestClient):
    assert 'href="/transparencia/activa/"' in web.get("/transparencia/").text


def test_without_a_build_the_matrix_says_so(workspace: Any, tmp_path: Path):
    app = create_app(tmp_path, workspace)
    install(app, ComplianceSource(lambda: None, now=lambda: NOW))
    page = TestClient(app).get(MATRIX)
    assert page.status_code == 200 and "Todavía no se ha publicado" in page.text
