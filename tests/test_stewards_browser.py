"""A steward publishes in a real browser (Chromium through Playwright, a real uvicorn
server, a temporary content root and build folder): upload a CSV, see what was
detected, describe it, validate, submit; a reviewer sends another draft back with a
comment and approves this one; the dataset is written into the content root, built,
and its page is live. axe finds no serious violation on the stewards' pages."""

from __future__ import annotations

import json

import pytest
from conftest import free_port, serious_violations, serving_app
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from test_stewards import PASSWORD, make_root

from catalog.site.render import ASSETS
from catalog.transparency import accounts, stewards
from catalog.transparency.stewards import StewardSettings
from catalog.transparency.testing import workspace_for_tests
from catalog.transparency.web import create_app

BASE = "/transparencia/oficiales/datos"
CSV = "departamento;raciones\n01;1500\n16;320\n".encode("cp1252")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stewards-browser")
    root = make_root(folder)
    build = folder / "build"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with workspace_for_tests("sqlite", folder) as ws:
        stewards.configure(
            ws,
            StewardSettings(
                content_root=root,
                build_dir=build,
                drafts_dir=folder / "borradores",
                upload_max=1024 * 1024,
                public_url=base,
            ),
        )
        with ws.db.write() as session:
            for email, role in (("ana@mides.gob.gt", "steward"), ("rosa@mides.gob.gt", "reviewer")):
                accounts.add_user(
                    session, email, email.split("@")[0].title(), PASSWORD, role, ["mides"]
                )
        portal = Starlette(
            routes=[
                Mount("/assets", StaticFiles(directory=ASSETS)),
                Mount(
                    "/datasets",
                    StaticFiles(
                        directory=build / "current" / "site" / "datasets",
                        html=True,
                        check_dir=False,
                    ),
                ),
                Mount("/", create_app(folder, ws)),
            ]
        )
        with serving_app(portal, port):
            yield base, root


def sign_in(browser, base, email):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/transparencia/oficiales/entrar")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/oficiales/datos/")
    return context, page


def upload(page, tmp_path, name, dataset):
    path = tmp_path / name
    path.write_bytes(CSV)
    page.fill("#nombre", dataset)
    page.set_input_files("#archivo", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#draft-form")


def describe(page):
    page.fill("#titulo", "Raciones de comedores sociales")
    page.fill("#descripcion", "Raciones servidas por departamento.")
    page.fill("#palabras", "comedores, raciones")
    page.check("#tema-SOCI")
    page.select_option("#frecuencia", "annual")
    page.fill("#contacto-nombre", "Unidad de Información Pública")
    page.fill("#contacto-correo", "uip@mides.gob.gt")
    page.fill("#campo-1-descripcion", "Raciones servidas en el año.")


def test_steward_to_live_dataset_and_a_refusal(browser, axe, server, tmp_path):
    base, root = server
    context, ana = sign_in(browser, base, "ana@mides.gob.gt")
    assert serious_violations(axe, ana) == []

    # A draft the reviewer will send back.
    upload(ana, tmp_path, "otra.csv", "otra-tabla")
    describe(ana)
    ana.click("#submit-button")
    ana.wait_for_selector("#draft-status")
    refused_url = ana.url.split("?")[0]

    # The draft to publish: detection, a failed validation that loses nothing, then submit.
    ana.goto(base + BASE + "/")
    upload(ana, tmp_path, "comedores.csv", "comedores")
    assert "punto y coma" in ana.inner_text("#detected")
    assert serious_violations(axe, ana) == []
    ana.click("#validate-button")
    ana.wait_for_selector("#findings")
    assert ana.locator("#findings li").count() > 0
    ana.reload()
    assert ana.input_value("#campo-0-tipo") == "string"
    describe(ana)
    ana.click("#validate-button")
    ana.wait_for_selector("#report-valid")
    ana.click("#submit-button")
    ana.wait_for_selector("#draft-status")
    assert "Esperando revisión" in ana.inner_text("#draft-status")
    draft_url = ana.url.split("?")[0].split("#")[0]

    other, rosa = sign_in(browser, base, "rosa@mides.gob.gt")
    rosa.goto(base + refused_url.removeprefix(base))
    rosa.fill("#comentario", "Falta la fuente de los datos.")
    rosa.click("#return-button")
    rosa.wait_for_selector("#draft-status")
    assert "Devuelto" in rosa.inner_text("#draft-status")
    assert serious_violations(axe, rosa) == []

    rosa.goto(draft_url)
    assert serious_violations(axe, rosa) == []
    rosa.click("#approve-button")
    rosa.wait_for_selector("#build-status")
    written = json.loads((root / "datasets/mides/comedores/datapackage.json").read_text("utf-8"))
    assert written["title"] == "Raciones de comedores sociales"
    assert not (root / "datasets/mides/otra-tabla").exists()

    # The steward sees the returned draft's comment, and the build until it is live.
    ana.goto(refused_url)
    assert "Falta la fuente" in ana.inner_text("#review-comment")
    ana.goto(draft_url)
    for _attempt in range(600):
        status = ana.inner_text("#build-status")
        if "Publicado" in status or "no lo publicó" in status:
            break
        ana.wait_for_timeout(500)
        ana.reload()
    assert "Publicado" in ana.inner_text("#build-status"), ana.inner_text("main")
    assert serious_violations(axe, ana) == []
    ana.click("#live-link")
    ana.wait_for_load_state()
    assert "Raciones de comedores sociales" in ana.content()
    context.close()
    other.close()
