"""catalog serve: one ASGI app for the site, Datasette at /sql/ and the API at /api/."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_build import COBERTURA_TABLE, LICENCIAS, LICENCIAS_TABLE, write_content

from catalog.build import build
from catalog.serve import make_app
from catalog.sqlproc import SETTINGS, make_datasette


class AppClient:
    """A synchronous client over httpx's ASGI transport, on one event loop of its own."""

    def __init__(self, app: Any, raise_server_exceptions: bool = True) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_server_exceptions)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("serve")
    content = write_content(base / "content")
    out = base / "build"
    assert build(content, out).all_published
    return content, out


@pytest.fixture(scope="module")
def client(site: tuple[Path, Path]) -> AppClient:
    return AppClient(make_app(site[1]))


def test_home_lists_published_datasets(client: AppClient):
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "Bono Social" in response.text
    assert 'href="/datasets/muni-mixco/licencias/"' in response.text
    assert "Catálogo de datos abiertos" in response.text


def test_dataset_page(client: AppClient):
    response = client.get("/datasets/mides/bono-social/")
    assert response.status_code == 200
    assert "Ministerio de Desarrollo Social" in response.text
    assert "Explorar con SQL" in response.text
    assert f'href="/sql/catalogo/{COBERTURA_TABLE}"' in response.text
    assert "<script>" not in response.text
    moved = client.get("/datasets/mides/bono-social")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/datasets/mides/bono-social/"


def test_assets_are_served(client: AppClient):
    response = client.get("/assets/style.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]


def test_unknown_paths_get_a_clear_404_page(client: AppClient):
    for path in (
        "/no-existe",
        "/datasets/mides/no-existe/",
        "/..%2f..%2fetc/passwd",
        "/../../etc/passwd",
        "/datasets/%00/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Página no encontrada" in response.text
        assert "Traceback" not in response.text
    english = client.get("/no-existe", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Page not found" in english.text
    under_en = client.get("/en/datasets/mides/no-existe/")
    assert under_en.status_code == 404 and "Page not found" in under_en.text


def test_other_methods_are_refused(client: AppClient):
    response = client.post("/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_datasette_at_sql(client: AppClient):
    home = client.get("/sql/")
    assert home.status_code == 200
    assert "/sql/catalogo" in home.text
    assert client.get("/sql").headers["location"] == "/sql/"
    rows = client.get(f"/sql/catalogo/{COBERTURA_TABLE}.json?_shape=array").json()
    assert len(rows) == 6 and rows[0]["monto"] == 350000.5
    search = client.get(f"/sql/catalogo/{COBERTURA_TABLE}.json?_search=educacion&_shape=array")
    assert [r["id"] for r in search.json()] == [6]
    sql = client.get(
        "/sql/catalogo.json",
        params={"sql": f"select count(*) as n from {LICENCIAS_TABLE}", "_shape": "array"},
    )
    assert sql.json() == [{"n": 3}]
    csv = client.get(f"/sql/catalogo/{LICENCIAS_TABLE}.csv?_stream=on")
    assert csv.status_code == 200 and csv.text.startswith("numero,tipo,zona,fecha,descripcion")


def test_datasette_settings(site: tuple[Path, Path], client: AppClient):
    datasette = make_datasette(site[1] / "sql")
    for name in ("base_url", "sql_time_limit_ms", "max_returned_rows", "num_sql_threads"):
        assert datasette.setting(name) == SETTINGS[name], name
    assert client.get("/sql/-/settings.json").status_code == 404  # closed: internals
    databases = client.get("/sql/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("catalogo", False)]


def test_datasette_canned_query(client: AppClient):
    response = client.get(
        "/sql/catalogo/mides__bono_social__cobertura_por_departamento.json?_shape=array"
    )
    assert response.status_code == 200
    assert response.json()[0] == {"nombre": "Alta Verapaz", "beneficiarios": 3200}


def test_api_docs_and_status(client: AppClient):
    docs = client.get("/api/")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/status" in spec["paths"] and "/api/v1/datasets" in spec["paths"]
    status = client.get("/api/v1/status").json()
    assert status["status"] == "ok" and status["datasets"] == 2
    datasets = client.get("/api/v1/datasets").json()["results"]
    assert {d["id"] for d in datasets} == {"mides/bono-social", "muni-mixco/licencias"}
    one = client.get("/api/v1/datasets/mides/bono-social").json()
    assert one["resources"][0]["table"].startswith("mides__bono_social__")
    assert client.get("/api/v1/datasets/mides/nada").status_code == 404


def test_before_the_first_build(tmp_path: Path):
    client = AppClient(make_app(tmp_path / "nothing-yet"))
    for path in ("/", "/sql/", "/datasets/mides/bono-social/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "catalog build" in response.text
    assert client.get("/api/v1/status").json()["status"] == "no-build"
    assert client.get("/api/").status_code == 200


def test_new_release_is_served_without_restart(tmp_path: Path):
    content = write_content(tmp_path / "content")
    out = tmp_path / "build"
    build(content, out)
    client = AppClient(make_app(out))
    query = {"sql": f"select count(*) as n from {LICENCIAS_TABLE}", "_shape": "array"}
    assert client.get("/sql/catalogo.json", params=query).json() == [{"n": 3}]
    csv = content / "datasets" / "muni-mixco" / "licencias" / "data" / "licencias.csv"
    csv.write_text(LICENCIAS + "104,Remodelación,7,2024-03-01,Muro perimetral\n", encoding="utf-8")
    build(content, out)
    assert client.get("/sql/catalogo.json", params=query).json() == [{"n": 4}]


def test_errors_never_show_a_traceback(site: tuple[Path, Path], monkeypatch):
    app = make_app(site[1])

    def broken(scope):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app, "static", broken)
    response = AppClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Algo salió mal" in response.text


def test_access_log_hides_query_strings():
    import logging

    from catalog.serve import HideQueryStrings

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/transparencia/solicitudes/ABC?clave=secreto", "1.1", 200),
        None,
    )
    assert HideQueryStrings().filter(record)
    assert "secreto" not in record.getMessage()
    assert "/transparencia/solicitudes/ABC" in record.getMessage()


def test_datasette_runs_in_a_process_of_its_own(site: tuple[Path, Path]):
    """Its SQL threads must not take the GIL from the event loop serving the rest;
    if its process dies, the next request starts a new one."""
    import os

    app = make_app(site[1])
    client = AppClient(app)
    query = {"sql": "select 1 as one", "_shape": "array"}
    assert client.get("/sql/catalogo.json", params=query).json() == [{"one": 1}]
    child = app.served().sql_app.process
    assert child.pid != os.getpid() and child.poll() is None
    child.kill()
    child.wait()
    assert client.get("/sql/catalogo.json", params=query).json() == [{"one": 1}]
    again = app.served().sql_app
    assert again.process.pid != child.pid
    again.retire(wait=True)
    assert again.process.poll() is not None and not again.socket.exists()


def test_a_sql_explorer_that_cannot_start_answers_503(tmp_path: Path, monkeypatch):
    """A broken release's Datasette fails to start: a clear 503, and no storm of
    restarts meanwhile."""
    from catalog import sqlproc

    monkeypatch.setattr(sqlproc, "START_TIMEOUT_S", 3.0)
    started: list[int] = []
    real_popen = sqlproc.subprocess.Popen

    def counting(*args, **kwargs):
        started.append(1)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(sqlproc.subprocess, "Popen", counting)
    proxy = sqlproc.SqlProcess(tmp_path, sqlproc.Admission())  # no database in it
    response = AppClient(proxy).get("/sql/catalogo.json", headers={"Accept-Language": "es"})
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["title"] == "El explorador SQL se está iniciando o reiniciando."
    assert 1 <= len(started) <= 3
    proxy.retire(wait=True)
