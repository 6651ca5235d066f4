"""The workspace in a real browser (Debian's Chromium through Playwright), against a
real uvicorn server: a citizen files and tracks a request; an officer signs in,
extends, answers and publishes; the language switch; the pages wear the catalogue's
header and stylesheet, and axe-core finds no serious or critical violation on them."""

from __future__ import annotations

import pytest
from conftest import serious_violations, serving_app
from playwright.sync_api import sync_playwright
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from catalog.site.render import ASSETS
from catalog.transparency import accounts
from catalog.transparency.testing import workspace_for_tests
from catalog.transparency.web import create_app

ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    with workspace_for_tests("sqlite", folder, min_fill_seconds=1.0) as ws:
        with ws.db.write() as session:
            accounts.add_user(
                session, "uip@mides.gob.gt", "UIP MIDES", "clave-de-prueba-1", "officer", ["mides"]
            )
            accounts.add_user(
                session, "admin@gob.gt", "Administración", "clave-de-prueba-1", "admin"
            )
        # As catalog serve does: /assets/ from the release (the same files), the rest here.
        portal = Starlette(
            routes=[
                Mount("/assets", StaticFiles(directory=ASSETS)),
                Mount("/", create_app(folder, ws)),
            ]
        )
        with serving_app(portal) as base:
            yield base


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(base_url=server)
    page = context.new_page()
    yield page
    context.close()


def file_request(page) -> str:
    page.goto("/transparencia/solicitudes/nueva")
    page.get_by_label("Institución").select_option("mides")
    page.get_by_label("Asunto").fill("Presupuesto de comedores sociales")
    page.get_by_label("¿Qué información solicita?").fill(
        "Solicito el presupuesto ejecutado por los comedores sociales en 2024."
    )
    page.get_by_label("Su nombre").fill("Rosa Elena Tuyuc")
    page.get_by_label("Su correo electrónico").fill("rosa.tuyuc@correo.example")
    page.wait_for_timeout(1100)  # a person takes longer than the anti-spam minimum
    page.get_by_role("button", name="Enviar la solicitud").click()
    return page.locator("#tracking-code").inner_text()


def test_citizen_files_and_tracks_a_request(page):
    code = file_request(page)
    assert code.startswith("SOL-")
    page.goto("/transparencia/")
    page.get_by_label("Código de seguimiento").fill(code.lower())
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(f"**/solicitudes/{code}")
    assert page.locator("#status").inner_text() == "Recibida"
    assert "Tuyuc" not in page.content()


def test_officer_signs_in_extends_answers_and_publishes(page):
    code = file_request(page)
    page.goto("/transparencia/oficiales/")
    page.get_by_label("Correo electrónico").fill("uip@mides.gob.gt")
    page.get_by_label("Contraseña").fill("clave-de-prueba-1")
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name=code).click()
    page.get_by_text("Prorrogar el plazo", exact=True).first.click()  # open the section
    page.get_by_label("Motivo de la prórroga").fill("El volumen de la información lo justifica.")
    page.locator("#extend").click()
    assert page.locator("#status").inner_text() == "Prorrogada"
    page.get_by_label("Resultado", exact=True).select_option("granted")
    page.locator("#text").fill(
        "El presupuesto ejecutado fue de Q 1,000,000. Atentamente, para Rosa Elena Tuyuc."
    )
    page.locator("#answer-button").click()
    assert page.locator("#status").inner_text().startswith("Respondida")
    assert "Tuyuc" not in page.locator("#preview").inner_text()
    page.locator("#publish").click()
    page.goto(f"/transparencia/solicitudes/{code}")
    assert "Q 1,000,000" in page.locator("#answer").inner_text()
    assert "Tuyuc" not in page.content()


def test_language_switch(page):
    page.goto("/transparencia/solicitudes/nueva")
    assert page.get_by_role("button", name="Enviar la solicitud").is_visible()
    page.locator("#lang-switch").click()
    assert page.get_by_role("button", name="Send the request").is_visible()
    page.goto("/transparencia/estadisticas")  # the choice is remembered
    assert page.get_by_role("heading", name="Statistics").is_visible()
    page.locator("#lang-switch").click()
    assert page.get_by_role("heading", name="Estadísticas").is_visible()


def sign_in(page, email="uip@mides.gob.gt") -> None:
    page.goto("/transparencia/oficiales/entrar?lang=es")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill("clave-de-prueba-1")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url("**/oficiales/")


def test_the_workspace_wears_the_catalogues_header_and_stylesheet(page):
    page.goto("/transparencia/solicitudes/nueva")
    header = page.locator("header.site-header")
    assert header.get_by_role("link", name="Catálogo de datos abiertos").is_visible()
    for name in ("Buscar", "Publicadores", "Explorar con SQL", "API", "Solicitar información"):
        assert header.get_by_role("link", name=name, exact=True).is_visible(), name
    brand = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert brand == "rgb(11, 61, 107)"  # style.css's --brand: the stylesheet is the catalogue's
    assert page.get_by_role("button", name="Cerrar sesión").count() == 0
    sign_in(page)
    assert header.get_by_text("UIP MIDES").is_visible()
    header.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url("**/oficiales/entrar")
    assert page.get_by_role("button", name="Cerrar sesión").count() == 0


def test_no_serious_or_critical_accessibility_violations(page, axe):
    code = file_request(page)
    found = serious_violations(axe, page)  # the "request received" page
    public = ["/transparencia/", "/transparencia/solicitudes/nueva", "/transparencia/solicitudes/"]
    public += ["/transparencia/estadisticas", f"/transparencia/solicitudes/{code}"]
    public += ["/transparencia/oficiales/entrar", "/transparencia/no-existe"]
    for path in public:
        for lang in ("es", "en"):
            page.goto(f"{path}?lang={lang}")
            found += serious_violations(axe, page)
    sign_in(page)
    for path in ("/transparencia/oficiales/", f"/transparencia/oficiales/solicitudes/{code}"):
        page.goto(path)
        found += serious_violations(axe, page)
    page.context.clear_cookies()
    sign_in(page, "admin@gob.gt")
    page.goto("/transparencia/admin/")
    found += serious_violations(axe, page)
    assert not found, found
