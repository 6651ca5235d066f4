"""The officers' active-transparency flow in a real browser (Chromium through Playwright,
a real uvicorn server): sign in, record a link, submit it, approve it as the reviewer,
and see the period on time in the calendar; axe finds no serious violation on the
officers' pages."""

from __future__ import annotations

import pytest
from conftest import serious_violations, serving_app
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from catalog import clock
from catalog.site.render import ASSETS
from catalog.transparency import accounts
from catalog.transparency.testing import workspace_for_tests
from catalog.transparency.web import create_app

_today = clock.today()
# This month: published today, it is on time whatever day today is.
PERIOD = f"{_today.year:04d}-{_today.month:02d}"
ITEM = "/transparencia/oficiales/activa/mides/GT-LAIP-10.12"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("active-browser")
    with workspace_for_tests("sqlite", folder) as ws:
        with ws.db.write() as session:
            for email, name in (("ana@mides.gob.gt", "Ana"), ("luis@mides.gob.gt", "Luis")):
                accounts.add_user(session, email, name, "clave-de-prueba-1", "officer", ["mides"])
        portal = Starlette(
            routes=[
                Mount("/assets", StaticFiles(directory=ASSETS)),
                Mount("/", create_app(folder, ws)),
            ]
        )
        with serving_app(portal) as base:
            yield base


def sign_in(browser, base, email):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/transparencia/oficiales/entrar")
    page.fill("#email", email)
    page.fill("#password", "clave-de-prueba-1")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/transparencia/oficiales/**")
    return context, page


def test_record_submit_approve_on_time(browser, server):
    context, ana = sign_in(browser, server, "ana@mides.gob.gt")
    ana.goto(server + "/transparencia/oficiales/")
    ana.click("#active-calendar")
    ana.wait_for_url("**/oficiales/activa/")
    ana.goto(server + ITEM)
    ana.select_option("#preparer-select", "ana@mides.gob.gt")
    ana.select_option("#reviewer-select", "luis@mides.gob.gt")
    ana.click("form[action$='/asignar'] button")
    ana.fill("#period", PERIOD)
    ana.check("#kind-link")
    ana.fill("#url", "https://mides.gob.gt/transparencia/viajes")
    ana.click("#record-button")
    ana.click(f"#submit-{PERIOD}")
    assert "Enviada, en espera de revisión" in ana.inner_text(f"#period-{PERIOD}")
    context.close()

    context, luis = sign_in(browser, server, "luis@mides.gob.gt")
    luis.goto(server + ITEM)
    luis.click(f"#approve-{PERIOD}")
    row = luis.inner_text(f"#period-{PERIOD}")
    assert "A tiempo" in row and "Aprobada" in row
    luis.goto(server + "/transparencia/oficiales/activa/")
    assert "GT-LAIP-10.12" in luis.content()
    assert "Aprobada y publicada" in (luis.goto(server + ITEM) and luis.inner_text("#history"))
    context.close()


@pytest.mark.parametrize("path", ["/transparencia/oficiales/activa/", ITEM])
def test_officer_pages_have_no_serious_accessibility_violations(browser, server, axe, path):
    context, page = sign_in(browser, server, "ana@mides.gob.gt")
    page.goto(server + path)
    serious = serious_violations(axe, page)
    context.close()
    assert not serious, serious
