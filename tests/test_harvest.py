"""``catalog harvest`` against recorded responses (CKAN 2.9, 2.10, 2.11, DCAT-US, DCAT-AP
with Hydra paging) and against sources that misbehave: down, slow, looping, HTML, garbage,
oversized or personal data. A local ``http.server`` serves tests/harvest_fixtures/."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import free_port, run_catalog

from catalog.errors import CatalogError
from catalog.harvest.ckan import api_base, solr_time
from catalog.harvest.mapping import Mapping, load_mapping, map_frequency, map_license, map_themes
from catalog.harvest.net import Fetcher, FetchError, Limits, check_url
from catalog.harvest.run import HarvestReport, Options, detect_kind, harvest
from catalog.validate import validate_paths

FIXTURES = Path(__file__).parent / "harvest_fixtures"
LOCAL = Limits(timeout=2.0, allow_private=True, max_bytes=1024 * 1024)

SENT = (0, "", b"")  # a route that wrote its own answer
Route = Callable[[BaseHTTPRequestHandler], tuple[int, str, bytes] | None]


class Source:
    """A small web server whose answers the test sets: ``routes[path] = (status, type, body)``
    or a callable taking the handler (for query strings, delays, counters)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes] | Route] = {}
        self.hits: dict[str, int] = {}
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                path = urlsplit(self.path).path
                source.hits[path] = source.hits.get(path, 0) + 1
                route = source.routes.get(path)
                answer = route(self) if callable(route) else route
                if answer is SENT:
                    return
                if answer is None:
                    answer = (404, "text/plain", b"not found")
                status, kind, body = answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the harvester hung up (a timeout, a size limit)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fixture(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes().replace(b"{base}", self.base.encode())

    def serve_file(self, path: str, name: str, kind: str = "text/csv") -> None:
        self.routes[path] = (200, kind, self.fixture(name))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def source() -> Iterator[Source]:
    server = Source()
    server.serve_file("/files/vacunas.csv", "vacunas.csv")
    server.serve_file("/files/agua.csv", "agua.csv")
    server.serve_file("/files/personas.csv", "personas.csv")
    server.routes["/files/metodologia.pdf"] = (200, "application/pdf", b"%PDF-1.4 ...")
    server.routes["/files/grande.csv"] = (200, "text/csv", b"a,b\n" + b"1,2\n" * 400_000)
    server.routes["/files/ejecucion.xlsx"] = (200, XLSX, _workbook())
    for version in ("2.9", "2.10", "2.11"):
        prefix = "/ckan" + version.replace(".", "")
        server.routes[f"{prefix}/api/3/action/package_search"] = (
            200,
            "application/json",
            server.fixture(f"ckan-{version}.json"),
        )
    yield server
    server.close()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["mes", "programa", "asignado", "ejecutado"])
    for month in range(1, 13):
        sheet.append([f"2023-{month:02d}", "Salud preventiva", 1_000_000, 80_000 * month])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _run(url: str, root: Path, **kwargs: object) -> HarvestReport:
    options = Options(url=url, root=root, limits=kwargs.pop("limits", LOCAL), **kwargs)  # type: ignore[arg-type]
    return harvest(options)


def _events(report: HarvestReport) -> dict[str, str]:
    return {o.dataset or o.source_id: o.event for o in report.outcomes}


def _reasons(report: HarvestReport) -> dict[str, str]:
    return {o.dataset or o.source_id: o.code for o in report.outcomes if o.event == "refused"}


# ---------------------------------------------------------------- CKAN 2.9 - 2.11


def test_ckan_29_maps_organisation_groups_licence_and_refuses_personal_data(source, tmp_path):
    report = _run(source.base + "/ckan29/", tmp_path)
    assert report.failure is None
    assert _events(report) == {
        "ministerio-de-salud/vacunacion-por-departamento": "created",
        "ministerio-de-salud/beneficiarios-programa": "refused",
    }
    assert _reasons(report) == {"ministerio-de-salud/beneficiarios-programa": "privacy"}
    assert not (tmp_path / "datasets" / "ministerio-de-salud" / "beneficiarios-programa").exists()
    folder = tmp_path / "datasets" / "ministerio-de-salud" / "vacunacion-por-departamento"
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["themes"] == ["HEAL"]  # the group "Salud"
    assert package["keywords"] == ["vacunas", "inmunización"]
    assert package["frequency"] == "annual"  # R/P1Y
    assert package["contactPoint"]["email"] == "epidemiologia@salud.example.gob.gt"
    assert (package["issued"], package["modified"], package["version"]) == (
        "2021-05-10",
        "2023-11-20",
        "2023.2",
    )
    [resource] = package["resources"]  # the PDF is not tabular: not downloaded
    assert resource["path"] == "data/vacunas.csv"
    fields = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    assert fields == {
        "anio": "integer",
        "departamento": "string",
        "vacuna": "string",
        "dosis": "integer",
    }
    assert "/files/metodologia.pdf" not in source.hits
    publisher = (tmp_path / "publishers" / "ministerio-de-salud.yaml").read_text("utf-8")
    assert "Ministerio de Salud (ejemplo)" in publisher
    assert validate_paths([folder]).valid
    # the log: JSON lines, with the refusal and its reason, and a human summary beside it
    assert report.log is not None
    lines = [json.loads(line) for line in report.log.read_text("utf-8").splitlines()]
    refused = [line for line in lines if line["event"] == "refused"]
    assert refused[0]["code"] == "privacy" and "privacidad" in refused[0]["message"]
    assert lines[-1]["event"] == "end" and lines[-1]["created"] == 1
    assert "1 creados" in report.log.with_suffix(".txt").read_text("utf-8")


def test_ckan_210_xlsx_and_a_closed_licence(source, tmp_path):
    report = _run(source.base + "/ckan210/api/3/action/package_search", tmp_path, lang="en")
    assert _events(report) == {
        "finanzas-publicas/ejecucion-mensual": "created",
        "finanzas-publicas/informe-reservado": "refused",
    }
    assert _reasons(report) == {"finanzas-publicas/informe-reservado": "license"}
    folder = tmp_path / "datasets" / "finanzas-publicas" / "ejecucion-mensual"
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["resources"][0]["path"] == "data/ejecucion.xlsx"
    assert package["themes"] == ["ECON"] and package["frequency"] == "monthly"
    assert package["licenses"][0]["name"] == "ODbL-1.0"
    assert validate_paths([folder]).valid
    refused = next(o for o in report.outcomes if o.event == "refused")
    assert "other-closed" in refused.message("en")


def test_ckan_211_size_limit_refuses_the_big_resource(source, tmp_path):
    report = _run(source.base + "/ckan211", tmp_path)
    assert _events(report) == {
        "municipalidad-ejemplo/cobertura-agua": "created",
        "municipalidad-ejemplo/lecturas-contadores": "refused",
    }
    assert _reasons(report)["municipalidad-ejemplo/lecturas-contadores"] == "too-large"
    assert not (tmp_path / "datasets" / "municipalidad-ejemplo" / "lecturas-contadores").exists()
    assert not list((tmp_path / ".harvest").glob("tmp/*"))  # no partial download left
    package = json.loads(
        (tmp_path / "datasets/municipalidad-ejemplo/cobertura-agua/datapackage.json").read_text()
    )
    assert package["themes"] == ["REGI"]  # the group titled "Regions and cities"


def test_a_mapping_file_renames_publishers_and_maps_licences(source, tmp_path):
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text(
        "publishers:\n  finanzas-publicas: {slug: minfin, kind: ministry}\n"
        "licenses:\n  other-closed: CC-BY-4.0\n",
        encoding="utf-8",
    )
    root = tmp_path / "root"
    report = _run(source.base + "/ckan210/", root, mapping=load_mapping(mapping_file))
    assert _events(report) == {
        "minfin/ejecucion-mensual": "created",
        "minfin/informe-reservado": "created",
    }
    assert "kind: ministry" in (root / "publishers" / "minfin.yaml").read_text("utf-8")


def test_a_bad_mapping_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("themes:\n  salud: HEALTH\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_mapping(bad)


# ---------------------------------------------------------------- incremental runs


class LivePortal:
    """A CKAN-compatible portal whose datasets the test changes between runs: paged
    package_search with fq=metadata_modified:[X TO *], as CKAN answers it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.packages: list[dict] = []
        self.queries: list[dict[str, list[str]]] = []
        source.routes["/live/api/3/action/package_search"] = self.search

    def add(self, name: str, modified: str, rows: str) -> None:
        self.source.routes[f"/live/files/{name}.csv"] = (200, "text/csv", rows.encode())
        self.packages = [p for p in self.packages if p["name"] != name]
        self.packages.append(
            {
                "id": f"id-{name}",
                "name": name,
                "title": f"Datos {name}",
                "notes": "Datos de ejemplo.",
                "license_id": "cc-by",
                "maintainer": "Unidad de datos",
                "maintainer_email": "datos@portal.example.gob.gt",
                "metadata_created": "2024-01-01T00:00:00.000000",
                "metadata_modified": modified,
                "organization": {"name": "portal-vivo", "title": "Portal vivo"},
                "groups": [{"name": "gove", "title": "Gobierno"}],
                "tags": [{"name": "ejemplo"}],
                "resources": [
                    {
                        "format": "CSV",
                        "name": name,
                        "url": f"{self.source.base}/live/files/{name}.csv",
                    }
                ],
            }
        )

    def search(self, handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        query = parse_qs(urlsplit(handler.path).query)
        self.queries.append(query)
        found = sorted(self.packages, key=lambda p: (p["metadata_modified"], p["id"]))
        since = (query.get("fq") or [""])[0]
        if since:
            low = since.split("[", 1)[1].split(" TO", 1)[0]
            found = [p for p in found if solr_time(p["metadata_modified"]) >= low]
        start, rows = int(query["start"][0]), int(query["rows"][0])
        body = {
            "success": True,
            "result": {"count": len(found), "results": found[start : start + rows]},
        }
        return 200, "application/json", json.dumps(body).encode()


def test_incremental_runs_report_unchanged_then_updated(source, tmp_path):
    live = LivePortal(source)
    live.add("uno", "2024-05-01T10:00:00.000000", "anio,valor\n2023,10\n2024,12\n")
    live.add("dos", "2024-05-02T10:00:00.000000", "anio,valor\n2023,5\n2024,6\n")
    url = source.base + "/live/"
    first = _run(url, tmp_path)
    assert first.counts == {"created": 2, "updated": 0, "unchanged": 0, "refused": 0}

    second = _run(url, tmp_path)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert live.queries[-1]["fq"] == ["metadata_modified:[2024-05-02T10:00:00Z TO *]"]
    assert source.hits["/live/files/uno.csv"] == 1  # not downloaded again

    live.add("uno", "2024-06-01T09:00:00.000000", "anio,valor\n2023,10\n2024,13\n2025,15\n")
    third = _run(url, tmp_path)
    # "dos" is listed again (the boundary of the last run is included) and found unchanged
    assert _events(third) == {"portal-vivo/dos": "unchanged", "portal-vivo/uno": "updated"}
    assert third.counts == {"created": 0, "updated": 1, "unchanged": 1, "refused": 0}
    data = (tmp_path / "datasets/portal-vivo/uno/data/uno.csv").read_text("utf-8")
    assert "2025,15" in data

    full = _run(url, tmp_path, full=True)
    assert "fq" not in live.queries[-1]
    assert full.counts == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}


def test_a_dataset_the_harvest_does_not_own_is_never_overwritten(source, tmp_path):
    live = LivePortal(source)
    live.add("uno", "2024-05-01T10:00:00.000000", "anio,valor\n2023,10\n")
    mine = tmp_path / "datasets" / "portal-vivo" / "uno"
    mine.mkdir(parents=True)
    (mine / "datapackage.json").write_text('{"name": "uno"}', encoding="utf-8")
    report = _run(source.base + "/live/", tmp_path)
    assert _reasons(report) == {"portal-vivo/uno": "exists"}
    assert (mine / "datapackage.json").read_text("utf-8") == '{"name": "uno"}'


# ---------------------------------------------------------------- DCAT


def test_datajson(source, tmp_path):
    source.serve_file("/data.json", "data.json", "application/json")
    report = _run(source.base + "/data.json", tmp_path)
    assert report.kind == "data.json"
    assert _events(report) == {
        "ministerio-de-salud-ejemplo/vacunacion-dcatus": "created",
    }
    package = json.loads(
        (
            tmp_path / "datasets/ministerio-de-salud-ejemplo/vacunacion-dcatus/datapackage.json"
        ).read_text("utf-8")
    )
    assert package["themes"] == ["HEAL"] and package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["frequency"] == "annual"


def test_dcat_turtle_follows_hydra_pages(source, tmp_path):
    source.routes["/dcat/catalog.ttl"] = lambda h: (
        200,
        "text/turtle",
        source.fixture(f"catalog-page{parse_qs(urlsplit(h.path).query).get('page', ['1'])[0]}.ttl"),
    )
    report = _run(source.base + "/dcat/catalog.ttl?page=1", tmp_path)
    assert report.failure is None
    assert _events(report) == {
        "minsalud/vacunacion-dcatap": "created",  # the publisher's acronym is its slug
        "municipalidad-de-ejemplo/agua-dcatap": "created",
    }
    package = json.loads(
        (tmp_path / "datasets/municipalidad-de-ejemplo/agua-dcatap/datapackage.json").read_text()
    )
    assert package["licenses"][0]["name"] == "CC0-1.0" and package["themes"] == ["REGI"]
    assert package["title"] == "Cobertura de agua potable (DCAT-AP)"


def test_dcat_hydra_loop_stops_the_harvest(source, tmp_path):
    looping = source.fixture("catalog-page2.ttl").replace(
        b"hydra:totalItems 2 .",
        f"hydra:nextPage <{source.base}/dcat/catalog.ttl?page=1> ; hydra:totalItems 2 .".encode(),
    )
    source.routes["/dcat/catalog.ttl"] = lambda h: (
        200,
        "text/turtle",
        source.fixture("catalog-page1.ttl") if "page=1" in h.path else looping,
    )
    report = _run(source.base + "/dcat/catalog.ttl?page=1", tmp_path)
    assert report.failure is not None and report.failure.code == "pagination-loop"
    assert not (tmp_path / "datasets").exists()  # nothing written: the listing failed first


# ---------------------------------------------------------------- failing sources


def _assert_failed(report: HarvestReport, code: str, root: Path) -> None:
    assert report.failure is not None, report.outcomes
    assert report.failure.code == code
    assert report.outcomes == []
    assert report.log is not None
    lines = [json.loads(x) for x in report.log.read_text("utf-8").splitlines()]
    assert lines[-1]["event"] == "source-failed" and lines[-1]["code"] == code


def _first_harvest(source: Source, root: Path) -> Path:
    live = LivePortal(source)
    live.add("uno", "2024-05-01T10:00:00.000000", "anio,valor\n2023,10\n")
    report = _run(source.base + "/live/", root)
    assert report.counts["created"] == 1
    return root / "datasets" / "portal-vivo" / "uno"


def _snapshot(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in (root / "datasets").rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ((200, "text/html", b"<!DOCTYPE html><html><body>Mantenimiento</body></html>"), "html"),
        ((200, "application/json", b"\x00\x01{no es json"), "garbage"),
        ((500, "text/plain", b"Internal Server Error"), "http-status"),
        (
            (200, "application/json", b'{"success": false, "error": {"message": "Solr"}}'),
            "ckan-error",
        ),
        ((200, "application/json", b'{"hello": "world"}'), "not-ckan"),
    ],
)
def test_a_source_answering_garbage_leaves_the_last_good_harvest(source, tmp_path, answer, code):
    _first_harvest(source, tmp_path)
    before = _snapshot(tmp_path)
    source.routes["/live/api/3/action/package_search"] = answer
    report = _run(source.base + "/live/", tmp_path, full=True)
    _assert_failed(report, code, tmp_path)
    assert _snapshot(tmp_path) == before


def test_a_source_that_is_down(tmp_path):
    report = _run(f"http://127.0.0.1:{free_port()}/", tmp_path)
    _assert_failed(report, "unreachable", tmp_path)


def test_a_slow_source_times_out(source, tmp_path):
    def slow(handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        time.sleep(1.5)
        return 200, "application/json", b"{}"

    source.routes["/slow/api/3/action/package_search"] = slow
    limits = Limits(timeout=0.3, allow_private=True)
    report = _run(source.base + "/slow/", tmp_path, limits=limits)
    _assert_failed(report, "timeout", tmp_path)


def test_a_source_that_loops_its_pages_is_stopped(source, tmp_path):
    _first_harvest(source, tmp_path)
    before = _snapshot(tmp_path)
    page = {
        "success": True,
        "result": {
            "count": 5000,
            "results": [{"id": f"x{i}", "name": f"x{i}", "title": "x"} for i in range(100)],
        },
    }
    source.routes["/live/api/3/action/package_search"] = (
        200,
        "application/json",
        json.dumps(page).encode(),
    )
    report = _run(source.base + "/live/", tmp_path, full=True)
    _assert_failed(report, "pagination-loop", tmp_path)
    assert source.hits["/live/api/3/action/package_search"] == 3  # the first run's, then two
    assert _snapshot(tmp_path) == before


# ---------------------------------------------------------------- network safety


def test_only_public_http_addresses_are_fetched():
    strict = Limits()
    for url, code in [
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.org/x.csv", "scheme"),
        ("http://127.0.0.1:8000/x.csv", "private-address"),
        ("http://169.254.169.254/latest/meta-data/", "private-address"),
        ("http://10.0.0.8/datos.csv", "private-address"),
        ("http://[::1]/x.csv", "private-address"),
        ("http://localhost/x.csv", "private-address"),
    ]:
        with pytest.raises(FetchError) as caught:
            check_url(url, strict)
        assert caught.value.code == code, url
    check_url("http://127.0.0.1:8000/x.csv", Limits(allow_private=True))


def test_redirects_are_checked_and_limited(source, tmp_path):
    source.routes["/to-file"] = lambda h: _redirect(h, "file:///etc/passwd")
    source.routes["/loop"] = lambda h: _redirect(h, "/loop")
    source.routes["/once"] = lambda h: _redirect(h, "/files/agua.csv")
    with Fetcher(LOCAL) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.download(source.base + "/to-file", tmp_path / "a")
        assert caught.value.code == "scheme"
        with pytest.raises(FetchError) as caught:
            fetcher.download(source.base + "/loop", tmp_path / "b")
        assert caught.value.code == "redirects"
        fetcher.download(source.base + "/once", tmp_path / "c")
    assert (tmp_path / "c").read_bytes().startswith(b"zona,")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def _redirect(handler: BaseHTTPRequestHandler, location: str) -> tuple[int, str, bytes]:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()
    return SENT


def test_a_local_source_needs_the_option(tmp_path):
    with pytest.raises(CatalogError):
        harvest(Options(url="http://127.0.0.1:9/", root=tmp_path))


# ---------------------------------------------------------------- mapping units


def test_vocabulary_mapping():
    empty = Mapping()
    assert map_license(["cc-by"], empty) == "CC-BY-4.0"
    assert map_license(["http://creativecommons.org/licenses/by-sa/4.0/"], empty) == "CC-BY-SA-4.0"
    assert map_license(["notspecified"], empty) is None
    assert map_license(["notspecified"], Mapping(defaults={"license": "CC0-1.0"})) == "CC0-1.0"
    assert map_themes(["soci", "Educación, cultura y deporte", "nada"], empty) == ["SOCI", "EDUC"]
    assert map_themes(
        ["http://publications.europa.eu/resource/authority/data-theme/AGRI"], empty
    ) == ["AGRI"]
    assert (
        map_frequency("http://publications.europa.eu/resource/authority/frequency/MONTHLY", empty)
        == "monthly"
    )
    assert map_frequency("R/P3M", empty) == "quarterly"
    assert map_frequency("", empty) == "irregular"
    assert api_base("https://datos.example.org/api/3/action/package_search") == (
        "https://datos.example.org/api/3/action/"
    )
    assert (
        api_base("https://datos.example.org/portal/")
        == "https://datos.example.org/portal/api/3/action/"
    )
    assert detect_kind("https://x.org/data.json") == "data.json"
    assert detect_kind("https://x.org/catalog.ttl") == "dcat"
    assert detect_kind("https://x.org/") == "ckan"


# ---------------------------------------------------------------- the command line


def test_command_exit_codes_and_languages(source, tmp_path):
    ran = run_catalog("harvest", source.base + "/ckan29/", "--root", str(tmp_path),
                      "--allow-private-network")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "Rechazado ministerio-de-salud/beneficiarios-programa" in ran.stdout
    assert "1 creados" in ran.stdout

    source.routes["/html/api/3/action/package_search"] = (200, "text/html", b"<html>no</html>")
    failed = run_catalog("harvest", source.base + "/html/", "--root", str(tmp_path),
                         "--allow-private-network", "--lang", "en")  # fmt: skip
    assert failed.returncode == 1
    assert "The source failed" in failed.stderr and "HTML" in failed.stderr

    local = run_catalog("harvest", source.base + "/ckan29/", "--root", str(tmp_path))
    assert local.returncode == 2 and "--allow-private-network" in local.stderr

    usage = run_catalog("harvest", "--kind", "ftp", "x", "--root", str(tmp_path))
    assert usage.returncode == 2


def test_a_slow_resource_is_refused_then_tried_again(source, tmp_path):
    live = LivePortal(source)
    live.add("uno", "2024-05-01T10:00:00.000000", "anio,valor\n2023,10\n")
    live.add("lento", "2024-05-03T10:00:00.000000", "anio,valor\n2023,7\n")
    fast = source.routes["/live/files/lento.csv"]

    def slow(handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        time.sleep(1.5)
        return fast  # type: ignore[return-value]

    source.routes["/live/files/lento.csv"] = slow
    limits = Limits(timeout=0.3, allow_private=True)
    first = _run(source.base + "/live/", tmp_path, limits=limits)
    assert _events(first) == {"portal-vivo/uno": "created", "portal-vivo/lento": "refused"}
    assert _reasons(first) == {"portal-vivo/lento": "timeout"}
    # the next incremental run starts before the dataset that failed, so it is tried again
    source.routes["/live/files/lento.csv"] = fast
    second = _run(source.base + "/live/", tmp_path)
    assert live.queries[-1]["fq"] == ["metadata_modified:[2024-05-03T10:00:00Z TO *]"]
    assert _events(second) == {"portal-vivo/lento": "created"}


def test_dcat_html_and_remote_contexts_fail_the_source(source, tmp_path):
    source.routes["/catalog.ttl"] = (200, "text/html", b"<!DOCTYPE html><title>Error</title>")
    _assert_failed(_run(source.base + "/catalog.ttl", tmp_path), "html", tmp_path)
    remote = json.dumps({"@context": "https://example.org/context.jsonld", "@graph": []})
    source.routes["/catalog.jsonld"] = (200, "application/ld+json", remote.encode())
    _assert_failed(_run(source.base + "/catalog.jsonld", tmp_path), "remote-context", tmp_path)
    source.routes["/broken.ttl"] = (200, "text/turtle", b"@prefix dcat: <x> . <a> dcat:b [[[ .")
    _assert_failed(_run(source.base + "/broken.ttl", tmp_path), "garbage", tmp_path)


def test_renderings_of_one_table_give_one_resource():
    from catalog.harvest.mapping import PublisherRecord, Record, ResourceRecord
    from catalog.harvest.run import _tabular

    def res(url: str, fmt: str) -> ResourceRecord:
        return ResourceRecord(title="t", url=url, format=fmt)

    record = Record(
        "id",
        "n",
        "t",
        PublisherRecord("p", "p"),
        resources=[
            res("https://h/2023/datos.csv", "CSV"),
            res("https://h/2024/datos.csv", "CSV"),  # same file name, another table
            res("https://h/c.excel.csv", "CSV"),
            res("https://h/c.csv", "CSV"),
            res("https://h/c.xlsx", "XLSX"),
            res("https://h/c.pdf", "PDF"),
        ],
    )
    chosen = [(name, fmt, r.url) for name, fmt, r in _tabular(record)]
    assert chosen == [
        ("datos", "csv", "https://h/2023/datos.csv"),
        ("datos-2", "csv", "https://h/2024/datos.csv"),
        ("c", "csv", "https://h/c.csv"),
    ]


def test_one_harvest_at_a_time_per_root(source, tmp_path):
    import fcntl

    (tmp_path / ".harvest").mkdir()
    with (tmp_path / ".harvest" / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(CatalogError):
            _run(source.base + "/ckan29/", tmp_path)
    assert _run(source.base + "/ckan29/", tmp_path).counts["created"] == 1


def test_a_refused_update_leaves_the_previous_version(source, tmp_path):
    folder = _first_harvest(source, tmp_path)
    before = _snapshot(tmp_path)
    live = LivePortal(source)
    names = "\n".join(f"María García López {i},+502 5555-{1000 + i}" for i in range(30))
    live.add("uno", "2024-05-01T10:00:00.000000", "anio,valor\n2023,10\n")  # as before
    live.add("uno", "2024-07-01T10:00:00.000000", "nombre,telefono\n" + names + "\n")
    report = _run(source.base + "/live/", tmp_path)
    assert _reasons(report) == {"portal-vivo/uno": "privacy"}
    assert _snapshot(tmp_path) == before
    assert (folder / "data" / "uno.csv").read_text("utf-8") == "anio,valor\n2023,10\n"


def test_a_table_in_windows_1252_is_harvested(source, tmp_path):
    live = LivePortal(source)
    live.add("latin", "2024-05-01T10:00:00.000000", "")
    text = "municipio,población\nCobán,212047\nSan Pedro Carchá,235275\n"
    source.routes["/live/files/latin.csv"] = (200, "text/csv", text.encode("cp1252"))
    report = _run(source.base + "/live/", tmp_path)
    assert _events(report) == {"portal-vivo/latin": "created"}, report.outcomes[0].message("en")
    assert validate_paths([tmp_path / "datasets/portal-vivo/latin"]).valid
    data = (tmp_path / "datasets/portal-vivo/latin/data/latin.csv").read_text("utf-8")
    assert data == text  # re-encoded as UTF-8
